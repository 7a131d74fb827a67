//! A package's price per photo chosen beyond its photos included, billed
//! as a line of the project's invoice.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("packages")
                .add_column(
                    ColumnDef::new("extra_photo_price_minor")
                        .big_integer()
                        .null(),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("packages")
                .drop_column("extra_photo_price_minor")
                .take(),
        )
        .await
    }
}
