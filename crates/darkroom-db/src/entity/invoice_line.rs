//! A line of an invoice or credit note, with its money worked out.

use darkroom_domain::billing::{FeeKind, LineKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub invoice_id: Uuid,
    pub position: i64,
    pub kind: LineKind,
    pub fee_kind: Option<FeeKind>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// SAC or HSN code (GST).
    pub code: Option<String>,
    /// Thousandths of a unit.
    pub quantity_milli: i64,
    pub unit_minor: i64,
    pub discount_minor: i64,
    /// Thousandths of a percent.
    pub tax_rate_mp: i64,
    pub gross_minor: i64,
    pub net_minor: i64,
    pub cgst_minor: i64,
    pub sgst_minor: i64,
    pub igst_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    pub package_id: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
