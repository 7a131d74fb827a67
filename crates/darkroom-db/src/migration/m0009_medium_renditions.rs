//! A medium rendition (~800 px) of each photo version, clean and (with a
//! watermark) proofed, so grids are sharp on screens of twice and three
//! times the density. Versions rendered before it are marked as made with
//! older settings (`watermark_rev` -1), so a worker renders them again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TEXT_COLUMNS: [&str; 2] = ["medium_key", "medium_proof_key"];
const SIZE_COLUMNS: [&str; 2] = ["medium_width", "medium_height"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds no more at a time.
        for c in TEXT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("photo_versions")
                    .add_column(ColumnDef::new(c).text().null())
                    .take(),
            )
            .await?;
        }
        for c in SIZE_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("photo_versions")
                    .add_column(ColumnDef::new(c).big_integer().not_null().default(0))
                    .take(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "UPDATE photo_versions SET watermark_rev = -1 WHERE render_status = 'ready'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in TEXT_COLUMNS.into_iter().chain(SIZE_COLUMNS) {
            m.alter_table(Table::alter().table("photo_versions").drop_column(c).take())
                .await?;
        }
        Ok(())
    }
}
