//! An append-only, hash-chained audit log entry.

use darkroom_domain::audit::Severity;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub chain: String,
    pub seq: i64,
    pub studio_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub actor_label: String,
    pub event_type: String,
    pub severity: Severity,
    pub target_type: String,
    pub target_id: String,
    pub ip: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: i64,
    #[sea_orm(column_type = "Text")]
    pub prev_hash: String,
    #[sea_orm(column_type = "Text")]
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
