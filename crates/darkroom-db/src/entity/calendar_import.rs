//! A staff member's own calendar, read for busy times.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub user_id: Uuid,
    /// The secret address, sealed with the instance key.
    #[sea_orm(column_type = "Text")]
    pub url_sealed: String,
    /// What staff see of it: the host and the path's start.
    pub url_hint: String,
    pub last_fetched_at: Option<i64>,
    pub last_ok_at: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// Busy stretches the last read gave.
    pub busy_count: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
