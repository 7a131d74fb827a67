//! Staff members' own calendars, read for busy times: the secret iCalendar
//! address (sealed, like the SMTP password), when it was last read and what
//! went wrong; the busy times it gave are availability blocks of kind
//! `external` pointing at it.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("calendar_imports")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("user_id"))
            .col(text("url_sealed"))
            .col(string("url_hint"))
            .col(instant_null("last_fetched_at"))
            .col(instant_null("last_ok_at"))
            .col(text_null("last_error"))
            .col(int_default("busy_count", 0));
        row_meta(&mut t);
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_calendar_imports_user",
            "calendar_imports",
            &["studio_id", "user_id"],
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table("availability_blocks")
                .add_column(ColumnDef::new("import_id").uuid().null())
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_availability_blocks_import",
            "availability_blocks",
            &["import_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_availability_blocks_import")
                .table("availability_blocks")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("availability_blocks")
                .drop_column("import_id")
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table("calendar_imports").take())
            .await?;
        Ok(())
    }
}
