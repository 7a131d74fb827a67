//! Who signs a contract, and the evidence of their signing: the link's
//! token and the emailed code (hashes only), when they viewed, confirmed
//! the code, consented and signed, from where, and the SHA-256 of the
//! document they saw.

use darkroom_domain::billing::contract::{SignatureKind, SignerRole};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_signers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub contract_id: Uuid,
    pub position: i64,
    pub role: SignerRole,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub email: String,
    /// The staff member who countersigned.
    pub user_id: Option<Uuid>,
    pub token_hash: Option<String>,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<i64>,
    pub code_attempts: i64,
    pub codes_sent: i64,
    pub viewed_at: Option<i64>,
    pub verified_at: Option<i64>,
    pub consented_at: Option<i64>,
    pub signed_at: Option<i64>,
    pub signature_kind: Option<SignatureKind>,
    /// The typed name, or the drawn signature as a `data:image/png` URL.
    #[sea_orm(column_type = "Text", nullable)]
    pub signature: Option<String>,
    pub ip: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub user_agent: Option<String>,
    pub document_sha256: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
