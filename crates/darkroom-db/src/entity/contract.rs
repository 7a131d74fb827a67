//! A contract for a client's project (decision 0034): while a draft, its
//! proposal is a draft invoice (`quote_id`) and its body and terms change;
//! once sent, `document` holds what every signer sees (its SHA-256 beside
//! it) and nothing of it changes again but its status.

use darkroom_domain::billing::contract::ContractStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub template_id: Option<Uuid>,
    /// The proposal's draft invoice (until sent).
    pub quote_id: Option<Uuid>,
    pub status: ContractStatus,
    pub currency: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// JSON of `Terms`.
    #[sea_orm(column_type = "Text")]
    pub terms: String,
    /// `YYYY-MM-DD`: the event's day (the project's first day).
    pub event_on: Option<String>,
    /// `BLR-C-2026-27/000001`, given when sent.
    pub number: Option<String>,
    pub fiscal_year: Option<String>,
    pub seq: Option<i64>,
    pub total_minor: Option<i64>,
    /// The document as sent (JSON), exactly the bytes hashed.
    #[sea_orm(column_type = "Text", nullable)]
    pub document: Option<String>,
    pub document_sha256: Option<String>,
    pub sent_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub accepted_by: Option<Uuid>,
    pub signed_at: Option<i64>,
    /// The signed PDF in the media store.
    #[sea_orm(column_type = "Text", nullable)]
    pub signed_pdf_key: Option<String>,
    pub signed_pdf_sha256: Option<String>,
    pub deposit_invoice_id: Option<Uuid>,
    pub balance_invoice_id: Option<Uuid>,
    /// Why the schedule's invoices could not be issued (cleared once they are).
    #[sea_orm(column_type = "Text", nullable)]
    pub schedule_problem: Option<String>,
    pub ended_at: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
