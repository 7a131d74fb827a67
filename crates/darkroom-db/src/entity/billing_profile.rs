//! A branch's tax settings for billing (decision 0032).

use darkroom_domain::billing::TaxRegime;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub tax_regime: TaxRegime,
    /// The month (1 to 12) the fiscal year starts.
    pub fiscal_year_start: i64,
    /// Prices (packages, lines) include the tax.
    pub prices_include_tax: i64,
    /// Invoices are due this many days after issue unless the client's
    /// own terms say otherwise.
    pub payment_terms_days: i64,
    /// GST's SAC (or HSN) code lines get when nobody says (998386:
    /// photography services).
    pub service_code: Option<String>,
    /// What a mile (or kilometre) of travel costs, in minor units.
    pub mileage_rate_minor: Option<i64>,
    /// `mi` or `km`.
    pub distance_unit: Option<String>,
    /// Printed on invoices: bank account, UPI id, how to pay.
    #[sea_orm(column_type = "Text", nullable)]
    pub payment_instructions: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub footer: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
