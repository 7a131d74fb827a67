//! Tags on clients (`wedding`, `corporate`, `vip`): a studio sorts and finds
//! its clients by them. Kept in one text column as `|a|b|` (the tags are
//! normalised and hold no `|`), so a filter is one portable LIKE.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("clients")
                .add_column(ColumnDef::new("tags").text().not_null().default(""))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("clients").drop_column("tags").take())
            .await
    }
}
