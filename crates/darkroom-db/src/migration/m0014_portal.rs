//! The client portal: sign-in links emailed to a client or one of its
//! contacts (only the token's hash is kept), each with an expiry, and
//! revocable.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("portal_links")
            .col(id())
            .col(uuid("studio_id"))
            .col(uuid("client_id"))
            .col(uuid_null("contact_id"))
            .col(string("email"))
            .col(string("token_hash"))
            .col(uuid_null("created_by"))
            .col(instant("expires_at"))
            .col(instant_null("revoked_at"))
            .col(instant_null("last_opened_at"));
        row_meta(&mut t);
        m.create_table(t.take()).await?;
        m.create_index(
            Index::create()
                .name("ux_portal_links_token")
                .table("portal_links")
                .col("token_hash")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_portal_links_client",
            "portal_links",
            &["studio_id", "client_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("portal_links").take())
            .await?;
        Ok(())
    }
}
