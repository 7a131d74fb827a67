//! A gallery or a session that belongs to a project (at most one each).

use darkroom_domain::project::LinkKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_links")]
pub struct Model {
    /// The gallery's or the booking's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_id: Uuid,
    pub studio_id: Uuid,
    pub project_id: Uuid,
    pub kind: LinkKind,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
