//! A physical deliverable of a gallery: a USB stick, an album, prints.

use darkroom_domain::names::DeliverableKind;
use darkroom_domain::names::DeliverableStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliverables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub gallery_id: Uuid,
    /// `usb`, `album`, `prints` or `other`.
    pub kind: DeliverableKind,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub quantity: i64,
    /// `preparing`, `ready`, `shipped`, `delivered` or `cancelled`.
    pub status: DeliverableStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub recipient: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub address: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
