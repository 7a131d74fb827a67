//! One movement of money, only ever added (decision 0032). Balances are
//! sums of these; nothing else holds them.

use darkroom_domain::billing::{EntryKind, PaymentMethod};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub client_id: Uuid,
    pub invoice_id: Option<Uuid>,
    /// The credit note a `credit_note` entry is.
    pub document_id: Option<Uuid>,
    pub kind: EntryKind,
    pub method: Option<PaymentMethod>,
    /// Always positive; the kind says which way it moves.
    pub amount_minor: i64,
    pub currency: String,
    /// `YYYY-MM-DD`: when the money moved.
    pub occurred_on: String,
    /// A bank reference, cheque number or gateway id.
    pub reference: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// The gateway's id for the movement: the same one is taken once.
    pub external_id: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
