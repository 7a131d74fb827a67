//! A client portal sign-in link; only its token's hash is stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portal_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub client_id: Uuid,
    /// The contact it was sent to (else the client's own email).
    pub contact_id: Option<Uuid>,
    pub email: String,
    pub token_hash: String,
    pub created_by: Option<Uuid>,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_opened_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
