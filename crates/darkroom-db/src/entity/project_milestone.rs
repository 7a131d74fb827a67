//! A dated step of a project: its target day and the day it was reached.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_milestones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub project_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    /// `YYYY-MM-DD`.
    pub target_on: Option<String>,
    /// `YYYY-MM-DD`, once reached.
    pub done_on: Option<String>,
    pub position: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
