//! A studio's account with an online payment provider (Stripe).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    /// `stripe`.
    pub provider: String,
    /// The secret API key, sealed with the instance key.
    #[sea_orm(column_type = "Text")]
    pub secret_key_sealed: String,
    /// What staff see of the secret key: its kind and last four.
    pub secret_key_hint: String,
    /// The key the pay page gives the provider's script (not secret).
    pub publishable_key: String,
    /// The secret the provider signs its notices with, sealed.
    #[sea_orm(column_type = "Text")]
    pub webhook_secret_sealed: String,
    /// 1: a live key (money moves); 0: a test key.
    pub live: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
