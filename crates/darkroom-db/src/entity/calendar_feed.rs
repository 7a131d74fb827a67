//! A secret, revocable iCalendar feed URL of one staff member, resource or
//! branch. Only the token's hash is kept.

use darkroom_domain::booking::FeedScope;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_feeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub scope_kind: FeedScope,
    pub scope_id: Uuid,
    pub token_hash: String,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
