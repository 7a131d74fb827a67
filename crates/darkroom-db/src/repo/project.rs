//! A studio's projects with their staff, milestones and linked galleries
//! and sessions; and the counters that number them per branch.

use darkroom_domain::project::{ProjectRole, ProjectStatus};
use darkroom_domain::{ProjectId, StudioId, TypedId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{counter, project, project_link, project_milestone, project_person};

/// Takes the next number of a studio's numbering `scope` (1, 2, 3...).
/// The increment is one upsert, so concurrent callers on any node each get
/// their own number; inside a transaction it is also rolled back with it.
pub async fn next_number(c: &impl ConnectionTrait, studio: StudioId, scope: &str) -> DbResult<i64> {
    let row = counter::ActiveModel {
        studio_id: Set(studio.uuid()),
        scope: Set(scope.to_string()),
        last_value: Set(1),
    };
    counter::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([counter::Column::StudioId, counter::Column::Scope])
                .value(
                    counter::Column::LastValue,
                    Expr::col((counter::Entity, counter::Column::LastValue)).add(1),
                )
                .to_owned(),
        )
        .exec(c)
        .await?;
    let row = counter::Entity::find_by_id((studio.uuid(), scope.to_string()))
        .one(c)
        .await?;
    Ok(row.map_or(1, |r| r.last_value))
}

/// A live project of a studio.
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ProjectId,
) -> DbResult<Option<project::Model>> {
    Ok(project::Entity::find_by_id(id.uuid())
        .filter(project::Column::StudioId.eq(studio))
        .filter(project::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// A project of a studio, deleted or not (for restoring).
pub async fn find_any(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ProjectId,
) -> DbResult<Option<project::Model>> {
    Ok(project::Entity::find_by_id(id.uuid())
        .filter(project::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// What to list projects by.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<ProjectStatus>,
    pub client: Option<Uuid>,
    pub branch: Option<Uuid>,
    pub lead: Option<Uuid>,
    /// Only the projects of these ids (a staff member's).
    pub ids: Option<Vec<Uuid>>,
    pub deleted: bool,
}

/// A studio's projects, soonest first (undated last), at most `limit`.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    f: &Filter,
    limit: u64,
) -> DbResult<Vec<project::Model>> {
    let mut q = project::Entity::find().filter(project::Column::StudioId.eq(studio));
    q = if f.deleted {
        q.filter(project::Column::DeletedAt.is_not_null())
    } else {
        q.filter(project::Column::DeletedAt.is_null())
    };
    if let Some(s) = f.status {
        q = q.filter(project::Column::Status.eq(s));
    }
    if let Some(v) = f.client {
        q = q.filter(project::Column::ClientId.eq(v));
    }
    if let Some(v) = f.branch {
        q = q.filter(project::Column::BranchId.eq(v));
    }
    if let Some(v) = f.lead {
        q = q.filter(project::Column::LeadId.eq(v));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(project::Column::Id.is_in(ids.clone()));
    }
    let mut rows = q
        .order_by_asc(project::Column::StartsOn)
        .order_by_asc(project::Column::CreatedAt)
        .limit(limit)
        .all(c)
        .await?;
    // NULL sorts first on SQLite and last on PostgreSQL: undated last on both.
    rows.sort_by_key(|p| p.starts_on.is_none());
    Ok(rows)
}

/// The people on a project.
pub async fn people(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
) -> DbResult<Vec<project_person::Model>> {
    Ok(project_person::Entity::find()
        .filter(project_person::Column::StudioId.eq(studio))
        .filter(project_person::Column::ProjectId.eq(project.uuid()))
        .order_by_asc(project_person::Column::CreatedAt)
        .all(c)
        .await?)
}

/// The people on several projects at once (for lists).
pub async fn people_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    projects: &[Uuid],
) -> DbResult<Vec<project_person::Model>> {
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    Ok(project_person::Entity::find()
        .filter(project_person::Column::StudioId.eq(studio))
        .filter(project_person::Column::ProjectId.is_in(projects.iter().copied()))
        .order_by_asc(project_person::Column::CreatedAt)
        .all(c)
        .await?)
}

/// The projects a staff member is on.
pub async fn ids_of_person(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: Uuid,
) -> DbResult<Vec<Uuid>> {
    Ok(project_person::Entity::find()
        .select_only()
        .column(project_person::Column::ProjectId)
        .filter(project_person::Column::StudioId.eq(studio))
        .filter(project_person::Column::UserId.eq(user))
        .into_tuple()
        .all(c)
        .await?)
}

/// Puts exactly `people` on a project in `role`.
pub async fn set_people(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
    role: ProjectRole,
    people: &[Uuid],
    now: i64,
) -> DbResult<()> {
    project_person::Entity::delete_many()
        .filter(project_person::Column::StudioId.eq(studio))
        .filter(project_person::Column::ProjectId.eq(project.uuid()))
        .filter(project_person::Column::Role.eq(role))
        .exec(c)
        .await?;
    let mut seen = Vec::with_capacity(people.len());
    for user in people {
        if !seen.contains(user) {
            seen.push(*user);
        }
    }
    for (n, user) in seen.iter().enumerate() {
        let row = project_person::ActiveModel {
            studio_id: Set(studio.uuid()),
            project_id: Set(project.uuid()),
            user_id: Set(*user),
            role: Set(role),
            // Keeps the order they were named in.
            created_at: Set(now + n as i64),
        };
        project_person::Entity::insert(row).exec(c).await?;
    }
    Ok(())
}

/// The milestones of a project in order.
pub async fn milestones(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
) -> DbResult<Vec<project_milestone::Model>> {
    Ok(project_milestone::Entity::find()
        .filter(project_milestone::Column::StudioId.eq(studio))
        .filter(project_milestone::Column::ProjectId.eq(project.uuid()))
        .order_by_asc(project_milestone::Column::Position)
        .order_by_asc(project_milestone::Column::CreatedAt)
        .all(c)
        .await?)
}

/// A milestone of a project.
pub async fn milestone(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
    id: Uuid,
) -> DbResult<Option<project_milestone::Model>> {
    Ok(project_milestone::Entity::find_by_id(id)
        .filter(project_milestone::Column::StudioId.eq(studio))
        .filter(project_milestone::Column::ProjectId.eq(project.uuid()))
        .one(c)
        .await?)
}

pub async fn delete_milestone(c: &impl ConnectionTrait, id: Uuid) -> DbResult<()> {
    project_milestone::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// The galleries and sessions linked to a project, in the order linked.
pub async fn links(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
) -> DbResult<Vec<project_link::Model>> {
    Ok(project_link::Entity::find()
        .filter(project_link::Column::StudioId.eq(studio))
        .filter(project_link::Column::ProjectId.eq(project.uuid()))
        .order_by_asc(project_link::Column::CreatedAt)
        .all(c)
        .await?)
}

/// The project a gallery or session belongs to, if any.
pub async fn link_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    target: Uuid,
) -> DbResult<Option<project_link::Model>> {
    Ok(project_link::Entity::find_by_id(target)
        .filter(project_link::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// Links a gallery or a session to a project (moving it from another).
pub async fn link(c: &impl ConnectionTrait, row: project_link::Model) -> DbResult<()> {
    project_link::Entity::delete_by_id(row.target_id)
        .exec(c)
        .await?;
    let am = project_link::ActiveModel {
        target_id: Set(row.target_id),
        studio_id: Set(row.studio_id),
        project_id: Set(row.project_id),
        kind: Set(row.kind),
        created_at: Set(row.created_at),
    };
    project_link::Entity::insert(am).exec(c).await?;
    Ok(())
}

/// Unlinks a gallery or session from a project; false when it was not.
pub async fn unlink(
    c: &impl ConnectionTrait,
    studio: StudioId,
    project: ProjectId,
    target: Uuid,
) -> DbResult<bool> {
    let r = project_link::Entity::delete_many()
        .filter(project_link::Column::StudioId.eq(studio))
        .filter(project_link::Column::ProjectId.eq(project.uuid()))
        .filter(project_link::Column::TargetId.eq(target))
        .exec(c)
        .await?;
    Ok(r.rows_affected > 0)
}
