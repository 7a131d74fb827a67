//! What scheduling reads besides bookings: resources, session types,
//! weekly hours, availability blocks and calendar feeds.

use darkroom_domain::{BlockId, BranchId, ResourceId, SessionTypeId, StudioId, TypedId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{availability_block, calendar_feed, resource, session_type, work_hours};

pub async fn find_resource(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ResourceId,
    deleted: bool,
) -> DbResult<Option<resource::Model>> {
    let mut q =
        resource::Entity::find_by_id(id.uuid()).filter(resource::Column::StudioId.eq(studio));
    if !deleted {
        q = q.filter(resource::Column::DeletedAt.is_null());
    }
    Ok(q.one(c).await?)
}

/// A studio's resources (of some branches), by branch, kind and name.
pub async fn resources(
    c: &impl ConnectionTrait,
    studio: StudioId,
    branches: Option<&[BranchId]>,
    deleted: bool,
) -> DbResult<Vec<resource::Model>> {
    let mut q = resource::Entity::find().filter(resource::Column::StudioId.eq(studio));
    if let Some(b) = branches {
        q = q.filter(resource::Column::BranchId.is_in(b.iter().map(|b| b.uuid())));
    }
    q = if deleted {
        q.filter(resource::Column::DeletedAt.is_not_null())
    } else {
        q.filter(resource::Column::DeletedAt.is_null())
    };
    Ok(q.order_by_asc(resource::Column::BranchId)
        .order_by_asc(resource::Column::Kind)
        .order_by_asc(resource::Column::Name)
        .limit(2000)
        .all(c)
        .await?)
}

pub async fn find_session_type(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: SessionTypeId,
) -> DbResult<Option<session_type::Model>> {
    Ok(session_type::Entity::find_by_id(id.uuid())
        .filter(session_type::Column::StudioId.eq(studio))
        .filter(session_type::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// A live session type by its slug (the public booking page's address).
pub async fn session_type_by_slug(
    c: &impl ConnectionTrait,
    studio: StudioId,
    slug: &str,
) -> DbResult<Option<session_type::Model>> {
    Ok(session_type::Entity::find()
        .filter(session_type::Column::StudioId.eq(studio))
        .filter(session_type::Column::Slug.eq(slug))
        .filter(session_type::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

pub async fn session_types(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<session_type::Model>> {
    Ok(session_type::Entity::find()
        .filter(session_type::Column::StudioId.eq(studio))
        .filter(session_type::Column::DeletedAt.is_null())
        .order_by_asc(session_type::Column::Name)
        .limit(500)
        .all(c)
        .await?)
}

/// The weekly hours of some staff (all of the studio's with `None`).
pub async fn hours_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    users: Option<&[Uuid]>,
) -> DbResult<Vec<work_hours::Model>> {
    let mut q = work_hours::Entity::find().filter(work_hours::Column::StudioId.eq(studio));
    if let Some(u) = users {
        q = q.filter(work_hours::Column::UserId.is_in(u.iter().copied()));
    }
    Ok(q.order_by_asc(work_hours::Column::UserId)
        .order_by_asc(work_hours::Column::Weekday)
        .order_by_asc(work_hours::Column::FromMinute)
        .all(c)
        .await?)
}

/// Replaces a staff member's weekly hours with `rows`.
pub async fn replace_hours(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    rows: Vec<work_hours::Model>,
) -> DbResult<()> {
    work_hours::Entity::delete_many()
        .filter(work_hours::Column::StudioId.eq(studio))
        .filter(work_hours::Column::UserId.eq(user))
        .exec(c)
        .await?;
    for r in rows {
        work_hours::ActiveModel::from(r).insert(c).await?;
    }
    Ok(())
}

/// The blocks of some staff meeting `[from, to)`.
pub async fn blocks_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    users: &[Uuid],
    from: i64,
    to: i64,
) -> DbResult<Vec<availability_block::Model>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    Ok(availability_block::Entity::find()
        .filter(availability_block::Column::StudioId.eq(studio))
        .filter(availability_block::Column::UserId.is_in(users.iter().copied()))
        .filter(availability_block::Column::StartsAt.lt(to))
        .filter(availability_block::Column::EndsAt.gt(from))
        .order_by_asc(availability_block::Column::StartsAt)
        .all(c)
        .await?)
}

pub async fn find_block(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: BlockId,
) -> DbResult<Option<availability_block::Model>> {
    Ok(availability_block::Entity::find_by_id(id.uuid())
        .filter(availability_block::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

pub async fn delete_block(c: &impl ConnectionTrait, studio: StudioId, id: BlockId) -> DbResult<()> {
    availability_block::Entity::delete_many()
        .filter(availability_block::Column::StudioId.eq(studio))
        .filter(availability_block::Column::Id.eq(id.uuid()))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn insert_feed(
    c: &impl ConnectionTrait,
    m: calendar_feed::Model,
) -> DbResult<calendar_feed::Model> {
    Ok(calendar_feed::ActiveModel::from(m).insert(c).await?)
}

/// A live feed by its token's hash (any studio: the token is the key).
pub async fn feed_by_hash(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<calendar_feed::Model>> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(c)
        .await?)
}

/// A studio's live feeds (of one scope with `Some`).
pub async fn feeds(
    c: &impl ConnectionTrait,
    studio: StudioId,
    scope: Option<Uuid>,
) -> DbResult<Vec<calendar_feed::Model>> {
    let mut q = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::StudioId.eq(studio))
        .filter(calendar_feed::Column::RevokedAt.is_null());
    if let Some(s) = scope {
        q = q.filter(calendar_feed::Column::ScopeId.eq(s));
    }
    Ok(q.order_by_asc(calendar_feed::Column::CreatedAt)
        .all(c)
        .await?)
}

/// Revokes a live feed; whether there was one.
pub async fn revoke_feed(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: Uuid,
    now: i64,
) -> DbResult<bool> {
    use sea_orm::sea_query::Expr;
    let r = calendar_feed::Entity::update_many()
        .col_expr(calendar_feed::Column::RevokedAt, Expr::value(now))
        .filter(calendar_feed::Column::StudioId.eq(studio))
        .filter(calendar_feed::Column::Id.eq(id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(r.rows_affected > 0)
}

/// A live public session type, whichever studio's (its id is the public
/// booking page's address).
pub async fn find_public_type(
    c: &impl ConnectionTrait,
    id: SessionTypeId,
) -> DbResult<Option<session_type::Model>> {
    Ok(session_type::Entity::find_by_id(id.uuid())
        .filter(session_type::Column::Public.eq(1))
        .filter(session_type::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}
