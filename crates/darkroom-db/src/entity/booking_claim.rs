//! One person, or one unit of a resource, held by a booking for a range of
//! time. Appended and switched off (`active` 0), never edited otherwise: two
//! live claims on one holder's unit never overlap (migration m0010).

use darkroom_domain::booking::HolderKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub booking_id: Uuid,
    pub holder_kind: HolderKind,
    /// A staff member's user id or a resource's id.
    pub holder_id: Uuid,
    pub unit: i64,
    /// What the holder does there (`photographer`, `assistant`, `room`, ...).
    pub role: String,
    /// The range held: the session widened by travel and buffers.
    pub starts_at: i64,
    pub ends_at: i64,
    pub active: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
