//! Group sessions: the group's booking (its `group_of` is its own id) and
//! the guests' seats in it.

use darkroom_domain::StudioId;
use darkroom_domain::booking::BookingStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::booking::{Column, Entity, Model};

/// The live groups of a session type starting in `[from, to)`.
pub async fn groups(
    c: &impl ConnectionTrait,
    studio: StudioId,
    session_type: Uuid,
    from: i64,
    to: i64,
) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::SessionTypeId.eq(session_type))
        .filter(Expr::col(Column::GroupOf).equals(Column::Id))
        .filter(Column::Status.ne(BookingStatus::Cancelled))
        .filter(Column::StartsAt.gte(from))
        .filter(Column::StartsAt.lt(to))
        .order_by_asc(Column::StartsAt)
        .all(c)
        .await?)
}

/// The live seats (guests' bookings) of the groups `hosts`.
pub async fn seats(
    c: &impl ConnectionTrait,
    studio: StudioId,
    hosts: &[Uuid],
) -> DbResult<Vec<Model>> {
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::GroupOf.is_in(hosts.iter().copied()))
        .filter(ExprTrait::ne(
            Expr::col(Column::GroupOf),
            Expr::col(Column::Id),
        ))
        .filter(Column::Status.ne(BookingStatus::Cancelled))
        .all(c)
        .await?)
}
