//! A Korean cash receipt (현금영수증) for a cash or transfer payment.

use darkroom_domain::billing::{ReceiptIdentity, ReceiptPurpose, ReceiptStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cash_receipts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub client_id: Uuid,
    pub invoice_id: Uuid,
    /// The payment's ledger entry.
    pub entry_id: Uuid,
    pub purpose: ReceiptPurpose,
    pub identity_kind: ReceiptIdentity,
    /// Digits only.
    pub identity: String,
    /// What was paid, VAT included (won).
    pub amount_minor: i64,
    pub supply_minor: i64,
    pub vat_minor: i64,
    pub paid_on: String,
    pub status: ReceiptStatus,
    /// The tax office's approval number, once issued.
    pub approval_number: Option<String>,
    pub issued_on: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
