//! A task of the editing queue: photos to edit, for whom, by when.

use darkroom_domain::editing::Priority;
use darkroom_domain::editing::TaskStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "editing_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub studio_id: Uuid,
    pub gallery_id: Uuid,
    /// `selection`, `edit_request` or `staff`.
    pub source: String,
    pub link_id: Option<Uuid>,
    pub note_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub priority: Priority,
    pub due_at: Option<i64>,
    pub status: TaskStatus,
    pub revision_count: i64,
    pub started_at: Option<i64>,
    pub review_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
