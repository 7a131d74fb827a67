//! Booking requests: a session type may ask the studio to confirm each
//! online booking (seed 000's pending → confirmed / denied).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("session_types")
                .add_column(
                    ColumnDef::new("requires_approval")
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("session_types")
                .drop_column("requires_approval")
                .take(),
        )
        .await
    }
}
