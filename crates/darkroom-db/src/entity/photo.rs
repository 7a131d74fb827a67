//! A photo: one logical picture with its versions. No gallery means it waits in staging.

use darkroom_domain::names::PhotoStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub gallery_id: Option<Uuid>,
    pub batch_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub original_name: String,
    pub status: PhotoStatus,
    pub current_version: i64,
    pub capture_at: Option<i64>,
    pub capture_local: Option<String>,
    pub capture_offset: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub meta: String,
    pub width: i64,
    pub height: i64,
    pub position: i64,
    /// The set (section) of its gallery it sits in, if any.
    pub set_id: Option<Uuid>,
    pub uploaded_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
