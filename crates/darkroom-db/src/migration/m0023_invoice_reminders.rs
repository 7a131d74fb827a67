//! The last payment reminder sent for an invoice (its due day and stage),
//! claimed by the worker that sends it, so each goes once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("invoices")
                .add_column(ColumnDef::new("reminded_key").string().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("invoices")
                .drop_column("reminded_key")
                .take(),
        )
        .await
    }
}
