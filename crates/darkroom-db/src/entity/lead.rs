//! An inquiry in a studio's pipeline.

use darkroom_domain::crm::Source;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub stage_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// What kind of shoot (wedding, headshot, event).
    pub event_type: Option<String>,
    /// The day asked about, `YYYY-MM-DD`.
    pub event_date: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub venue: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
    pub source: Option<Source>,
    /// The client the lead became (or was linked to).
    pub client_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub lost_reason: Option<String>,
    /// When it reached a won or lost stage.
    pub closed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
