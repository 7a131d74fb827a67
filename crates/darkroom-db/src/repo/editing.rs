//! The editing queue: tasks and the photos each covers.

use darkroom_domain::StudioId;
use darkroom_domain::{EditTaskId, GalleryId, PhotoId, TypedId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{editing_task, editing_task_photo};

pub async fn insert_task_photo(
    c: &impl ConnectionTrait,
    m: editing_task_photo::Model,
) -> DbResult<()> {
    editing_task_photo::ActiveModel::from(m).insert(c).await?;
    Ok(())
}

pub async fn find_task(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: EditTaskId,
) -> DbResult<Option<editing_task::Model>> {
    Ok(editing_task::Entity::find_by_id(id.uuid())
        .filter(editing_task::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    pub gallery: Option<Uuid>,
    /// Only these galleries (the ones the reader may see); `None`: all.
    pub galleries: Option<Vec<Uuid>>,
    pub assignee: Option<Uuid>,
    pub statuses: Vec<String>,
}

/// Tasks, soonest due first (no due date last), then oldest.
pub async fn list_tasks(
    c: &impl ConnectionTrait,
    studio: StudioId,
    q: &TaskQuery,
    limit: u64,
) -> DbResult<Vec<editing_task::Model>> {
    let mut cond = Condition::all().add(editing_task::Column::StudioId.eq(studio));
    if let Some(g) = q.gallery {
        cond = cond.add(editing_task::Column::GalleryId.eq(g));
    }
    if let Some(gs) = &q.galleries {
        cond = cond.add(editing_task::Column::GalleryId.is_in(gs.clone()));
    }
    if let Some(a) = q.assignee {
        cond = cond.add(editing_task::Column::AssigneeId.eq(a));
    }
    if !q.statuses.is_empty() {
        cond = cond.add(editing_task::Column::Status.is_in(q.statuses.clone()));
    }
    use sea_orm::sea_query::ExprTrait;
    Ok(editing_task::Entity::find()
        .filter(cond)
        .order_by_asc(Expr::col(editing_task::Column::DueAt).is_null())
        .order_by_asc(editing_task::Column::DueAt)
        .order_by_asc(editing_task::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// The photos of these tasks.
pub async fn photos_of_tasks(
    c: &impl ConnectionTrait,
    studio: StudioId,
    tasks: &[Uuid],
) -> DbResult<Vec<editing_task_photo::Model>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    Ok(editing_task_photo::Entity::find()
        .filter(editing_task_photo::Column::StudioId.eq(studio))
        .filter(editing_task_photo::Column::TaskId.is_in(tasks.iter().copied()))
        .order_by_asc(editing_task_photo::Column::Id)
        .all(c)
        .await?)
}

/// The task rows that cover this photo.
pub async fn task_photos_of_photo(
    c: &impl ConnectionTrait,
    studio: StudioId,
    photo: PhotoId,
) -> DbResult<Vec<editing_task_photo::Model>> {
    Ok(editing_task_photo::Entity::find()
        .filter(editing_task_photo::Column::StudioId.eq(studio))
        .filter(editing_task_photo::Column::PhotoId.eq(photo))
        .all(c)
        .await?)
}

/// Records the edited version uploaded for a task's photo.
pub async fn mark_edited(c: &impl ConnectionTrait, id: Uuid, version: Option<i64>) -> DbResult<()> {
    editing_task_photo::Entity::update_many()
        .col_expr(
            editing_task_photo::Column::EditedVersion,
            Expr::value(version),
        )
        .filter(editing_task_photo::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Starts a revision: every photo of the task must be edited again from its
/// current version.
pub async fn rebase_task_photos(
    c: &impl ConnectionTrait,
    studio: StudioId,
    task: EditTaskId,
    current: &[(Uuid, i64)],
) -> DbResult<()> {
    for (photo, version) in current {
        editing_task_photo::Entity::update_many()
            .col_expr(
                editing_task_photo::Column::BaseVersion,
                Expr::value(*version),
            )
            .col_expr(
                editing_task_photo::Column::EditedVersion,
                Expr::value(Option::<i64>::None),
            )
            .filter(editing_task_photo::Column::StudioId.eq(studio))
            .filter(editing_task_photo::Column::TaskId.eq(task))
            .filter(editing_task_photo::Column::PhotoId.eq(*photo))
            .exec(c)
            .await?;
    }
    Ok(())
}

/// Number of tasks of a gallery by status.
pub async fn count_by_status(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<(String, i64)>> {
    Ok(editing_task::Entity::find()
        .select_only()
        .column(editing_task::Column::Status)
        .column_as(editing_task::Column::Id.count(), "n")
        .filter(editing_task::Column::StudioId.eq(studio))
        .filter(editing_task::Column::GalleryId.eq(gallery))
        .group_by(editing_task::Column::Status)
        .into_tuple()
        .all(c)
        .await?)
}
