//! One thing that happened in a gallery (a view, a favourite, a download...).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gallery_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub gallery_id: Uuid,
    pub link_id: Option<Uuid>,
    pub photo_id: Option<Uuid>,
    pub kind: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
