//! A range of time a staff member is not available: time off, a one-off
//! block, or busy in their own calendar (imported).

use darkroom_domain::booking::BlockKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "availability_blocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub user_id: Uuid,
    pub kind: BlockKind,
    pub starts_at: i64,
    pub ends_at: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The UID of the imported event this block mirrors.
    pub source_uid: Option<String>,
    /// The calendar import that gave it (its blocks are replaced on each read).
    pub import_id: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
