//! An invoice or a credit note (decision 0032). A draft changes freely; at
//! issue it gets its number and the seller and buyer as they were, and
//! never changes again except for its status, which follows the ledger.

use darkroom_domain::billing::{InvoiceKind, InvoiceStatus, TaxRegime};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub client_id: Uuid,
    pub project_id: Option<Uuid>,
    /// Set on a credit note: the invoice it credits.
    pub credit_note_of: Option<Uuid>,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub currency: String,
    pub tax_regime: TaxRegime,
    pub prices_include_tax: i64,
    pub tax_exempt: i64,
    /// GST: the branch's state code (from its GSTIN).
    pub supplier_state: Option<String>,
    /// GST: where the service is supplied (state code).
    pub place_of_supply: Option<String>,
    /// `BLR-2026-27/000123`, given at issue.
    pub number: Option<String>,
    pub fiscal_year: Option<String>,
    pub seq: Option<i64>,
    /// `YYYY-MM-DD` in the branch's zone.
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    pub issued_at: Option<i64>,
    pub po_number: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// A credit note's reason.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The branch as it was at issue (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub seller: Option<String>,
    /// The client as they were at issue (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub bill_to: Option<String>,
    pub gross_minor: i64,
    pub discount_minor: i64,
    pub net_minor: i64,
    pub cgst_minor: i64,
    pub sgst_minor: i64,
    pub igst_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    pub created_by: Option<Uuid>,
    /// The last payment reminder sent: `due_on/stage`.
    pub reminded_key: Option<String>,
    /// The contract whose payment schedule issued it.
    pub contract_id: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
