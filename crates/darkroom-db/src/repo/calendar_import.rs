//! Staff members' calendars read for busy times, and the blocks they give.

use darkroom_domain::StudioId;
use darkroom_domain::booking::BlockKind;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::availability_block;
use crate::entity::calendar_import::{Column, Entity, Model};

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: Uuid,
    id: Uuid,
) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id)
        .filter(Column::StudioId.eq(studio))
        .filter(Column::UserId.eq(user))
        .one(c)
        .await?)
}

pub async fn of_user(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: Uuid,
) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::UserId.eq(user))
        .order_by_asc(Column::CreatedAt)
        .all(c)
        .await?)
}

/// Imports not read since `before` (or never), in every studio, oldest first.
pub async fn due(c: &impl ConnectionTrait, before: i64, limit: u64) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(
            Condition::any()
                .add(Column::LastFetchedAt.is_null())
                .add(Column::LastFetchedAt.lt(before)),
        )
        .order_by_asc(Column::LastFetchedAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// Claims a read of `id` (one worker at a time): true for the caller that
/// moved `last_fetched_at` from `seen` to `now`.
pub async fn claim(
    c: &impl ConnectionTrait,
    id: Uuid,
    seen: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let mut q = Entity::update_many()
        .col_expr(Column::LastFetchedAt, Expr::value(now))
        .filter(Column::Id.eq(id));
    q = match seen {
        Some(s) => q.filter(Column::LastFetchedAt.eq(s)),
        None => q.filter(Column::LastFetchedAt.is_null()),
    };
    Ok(q.exec(c).await?.rows_affected == 1)
}

/// Records how a read went.
pub async fn record(
    c: &impl ConnectionTrait,
    id: Uuid,
    ok_at: Option<i64>,
    error: Option<&str>,
    busy: Option<i64>,
) -> DbResult<()> {
    let mut q = Entity::update_many()
        .col_expr(Column::LastError, Expr::value(error.map(str::to_string)))
        .filter(Column::Id.eq(id));
    if let Some(at) = ok_at {
        q = q.col_expr(Column::LastOkAt, Expr::value(at));
    }
    if let Some(n) = busy {
        q = q.col_expr(Column::BusyCount, Expr::value(n));
    }
    q.exec(c).await?;
    Ok(())
}

/// Replaces the blocks import `id` gave with `rows`.
pub async fn replace_blocks(
    c: &impl ConnectionTrait,
    id: Uuid,
    rows: Vec<availability_block::ActiveModel>,
) -> DbResult<()> {
    availability_block::Entity::delete_many()
        .filter(availability_block::Column::ImportId.eq(id))
        .filter(availability_block::Column::Kind.eq(BlockKind::External))
        .exec(c)
        .await?;
    for chunk in rows.chunks(200) {
        availability_block::Entity::insert_many(chunk.to_vec())
            .exec(c)
            .await?;
    }
    Ok(())
}

pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> DbResult<()> {
    replace_blocks(c, id, Vec::new()).await?;
    Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}
