//! A bookable resource of a branch: a camera, lens, light, room or space.

use darkroom_domain::booking::{ResourceKind, ResourceStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub branch_id: Uuid,
    pub kind: ResourceKind,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub serial_number: Option<String>,
    /// How many identical units (three flashes); each unit is claimed alone.
    pub quantity: i64,
    pub status: ResourceStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
