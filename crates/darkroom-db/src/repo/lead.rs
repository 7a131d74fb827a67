//! A studio's lead pipeline: its stages in order, its leads by stage, and
//! each lead's tasks.

use darkroom_domain::{LeadId, StudioId, TypedId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{lead, lead_task, pipeline_stage};

/// The live stages of a studio, left to right.
pub async fn stages(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<pipeline_stage::Model>> {
    Ok(pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::StudioId.eq(studio))
        .filter(pipeline_stage::Column::DeletedAt.is_null())
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::CreatedAt)
        .all(c)
        .await?)
}

/// Moves a stage to `position` (a new version of it).
pub async fn set_stage_position(c: &impl ConnectionTrait, id: Uuid, position: i64) -> DbResult<()> {
    pipeline_stage::Entity::update_many()
        .col_expr(pipeline_stage::Column::Position, Expr::value(position))
        .col_expr(
            pipeline_stage::Column::Version,
            Expr::col(pipeline_stage::Column::Version).add(1),
        )
        .filter(pipeline_stage::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// A live lead of a studio.
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: LeadId,
) -> DbResult<Option<lead::Model>> {
    Ok(lead::Entity::find_by_id(id.uuid())
        .filter(lead::Column::StudioId.eq(studio))
        .filter(lead::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// A studio's live leads, newest first (at most `limit`), optionally of
/// one branch or created since an instant.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    branch: Option<Uuid>,
    since: Option<i64>,
    limit: u64,
) -> DbResult<Vec<lead::Model>> {
    let mut q = lead::Entity::find()
        .filter(lead::Column::StudioId.eq(studio))
        .filter(lead::Column::DeletedAt.is_null());
    if let Some(b) = branch {
        q = q.filter(lead::Column::BranchId.eq(b));
    }
    if let Some(s) = since {
        q = q.filter(lead::Column::CreatedAt.gte(s));
    }
    Ok(q.order_by_desc(lead::Column::CreatedAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// The tasks of a lead: open ones first by due date, then done ones.
pub async fn tasks(
    c: &impl ConnectionTrait,
    studio: StudioId,
    lead: LeadId,
) -> DbResult<Vec<lead_task::Model>> {
    let mut rows = lead_task::Entity::find()
        .filter(lead_task::Column::StudioId.eq(studio))
        .filter(lead_task::Column::LeadId.eq(lead.uuid()))
        .all(c)
        .await?;
    rows.sort_by_key(|t| {
        (
            t.done_at.is_some(),
            t.due_at.unwrap_or(i64::MAX),
            t.created_at,
        )
    });
    Ok(rows)
}

/// The open tasks of a studio's leads, due first.
pub async fn open_tasks(
    c: &impl ConnectionTrait,
    studio: StudioId,
    limit: u64,
) -> DbResult<Vec<lead_task::Model>> {
    Ok(lead_task::Entity::find()
        .filter(lead_task::Column::StudioId.eq(studio))
        .filter(lead_task::Column::DoneAt.is_null())
        .order_by_asc(lead_task::Column::DueAt)
        .limit(limit)
        .all(c)
        .await?)
}
