//! A studio's client: a person, a couple or an organisation (decision 0025).

use darkroom_domain::crm::Source;
use darkroom_domain::names::ClientKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub kind: ClientKind,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    /// `|a|b|`: see `darkroom_domain::crm::Tags`.
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    /// Set when the client belongs to one branch (seed 001).
    pub branch_id: Option<Uuid>,
    /// A couple's second partner.
    #[sea_orm(column_type = "Text", nullable)]
    pub partner_name: Option<String>,
    pub partner_email: Option<String>,
    pub partner_phone: Option<String>,
    pub source: Option<Source>,
    /// The staff member who looks after the client.
    pub manager_id: Option<Uuid>,
    /// When the client agreed to marketing mail (none: not agreed).
    pub marketing_consent_at: Option<i64>,
    pub tax_id_kind: Option<String>,
    pub tax_id: Option<String>,
    pub tax_exempt: i64,
    /// Invoices are due this many days after issue (Net 30).
    pub payment_terms_days: Option<i64>,
    /// The studio's number in the client's books.
    pub vendor_number: Option<String>,
    pub po_required: i64,
    /// Set when merged into another client (which holds all it had).
    pub merged_into: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
