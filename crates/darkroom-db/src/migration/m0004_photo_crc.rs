//! The CRC-32 of each original, recorded at ingest, so a ZIP download can put
//! it in each entry's local header (what every extractor expects). Rows from
//! before have none; their CRC is computed while the archive streams.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("photo_versions")
                .add_column(ColumnDef::new("crc32").big_integer().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("photo_versions")
                .drop_column("crc32")
                .take(),
        )
        .await
    }
}
