//! A gallery of photos in a branch.

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
    pub status: String,
    pub sort_order: String,
    pub cover_photo_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
