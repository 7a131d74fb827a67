//! Packages (seed 001): what a branch sells, at an exact price, with the
//! photos included, inclusions and exclusions, a tax rate, and the rooms,
//! gear and people a booking of it holds; a project names its package.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("packages")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("branch_id"))
            .col(text("name"))
            .col(text_null("description"))
            .col(int("price_minor"))
            .col(string("currency"))
            .col(int("tax_rate_bp"))
            .col(int_null("duration_minutes"))
            .col(int_null("quantity"))
            .col(int_null("photos_included"))
            .col(text("inclusions"))
            .col(text("exclusions"))
            .col(text("resource_ids"))
            .col(text("staff_ids"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_packages_branch",
            "packages",
            &["studio_id", "branch_id"],
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table("projects")
                .add_column(ColumnDef::new("package_id").uuid().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("projects")
                .drop_column("package_id")
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table("packages").take()).await?;
        Ok(())
    }
}
