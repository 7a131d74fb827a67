//! A kind of session clients can book (a 30-minute headshot, a family
//! hour): duration, buffers, notice, horizon, who may take it.

use darkroom_domain::booking::{BookingKind, LocationKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub slug: String,
    pub kind: BookingKind,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub duration_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub increment_minutes: i64,
    pub location_kind: LocationKind,
    pub capacity: i64,
    pub public: i64,
    /// 1: each online booking is a request the studio confirms or declines.
    pub requires_approval: i64,
    /// `|id|id|`: the staff who may take it (any one free).
    #[sea_orm(column_type = "Text")]
    pub staff_ids: String,
    /// `|id|id|`: the resources every booking of it needs.
    #[sea_orm(column_type = "Text")]
    pub resource_ids: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
