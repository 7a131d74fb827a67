//! Group sessions (mini sessions): a session type with a capacity above one
//! takes several guests at one start. The group's own booking holds the
//! people and rooms (`group_of` = its own id); each guest's booking points
//! at it (`group_of` = the group's id) and holds nothing itself.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("bookings")
                .add_column(ColumnDef::new("group_of").uuid().null())
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_bookings_group",
            "bookings",
            &["studio_id", "group_of"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_bookings_group")
                .table("bookings")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("bookings")
                .drop_column("group_of")
                .take(),
        )
        .await
    }
}
