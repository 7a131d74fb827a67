//! A studio's online payment account (decision 0033): Stripe's secret key
//! and webhook signing secret, sealed with the instance key like the SMTP
//! password, and the publishable key the pay page hands to Stripe.js.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("payment_accounts")
            .col(id())
            .col(uuid("studio_id"))
            .col(string("provider"))
            .col(text("secret_key_sealed"))
            .col(string("secret_key_hint"))
            .col(string("publishable_key"))
            .col(text("webhook_secret_sealed"))
            .col(int_default("live", 0));
        row_meta(&mut t);
        m.create_table(t.take()).await?;
        m.create_index(
            Index::create()
                .name("ux_payment_accounts_provider")
                .table("payment_accounts")
                .col("studio_id")
                .col("provider")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("payment_accounts").take())
            .await
    }
}
