//! A booking: a session (or part of a wedding day) at a time, for a client,
//! claiming people and resources (see `booking_claim`).

use darkroom_domain::booking::{BookingKind, BookingStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub client_id: Option<Uuid>,
    pub session_type_id: Option<Uuid>,
    pub kind: BookingKind,
    pub status: BookingStatus,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    /// The session itself, UTC microseconds (travel and buffers are not in it).
    pub starts_at: i64,
    pub ends_at: i64,
    /// The IANA zone of the place.
    pub time_zone: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub location: Option<String>,
    /// Travel each way: people are held this long before and after.
    pub travel_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    /// RFC 5545 SEQUENCE: bumped whenever time, place or status change.
    pub sequence: i64,
    /// When the reminder before it went out (cleared when it moves).
    pub reminded_at: Option<i64>,
    /// The hash of the client's manage link (booked online), if any.
    pub manage_token_hash: Option<String>,
    pub created_by: Option<Uuid>,
    /// A group session's own id (on the group's booking, which holds the
    /// people and rooms) or the group a guest's seat is in.
    pub group_of: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
