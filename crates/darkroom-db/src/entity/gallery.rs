//! A gallery of photos in a branch.

use darkroom_domain::names::GalleryStatus;
use darkroom_domain::names::SortOrder;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "galleries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub status: GalleryStatus,
    pub sort_order: SortOrder,
    pub cover_photo_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub expires_at: Option<i64>,
    pub expiry_reminded_at: Option<i64>,
    pub selection_limit: Option<i64>,
    pub selection_deadline: Option<i64>,
    pub allow_extras: i64,
    pub download_limit: Option<i64>,
    pub downloads_used: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
