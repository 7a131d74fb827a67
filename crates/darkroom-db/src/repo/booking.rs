//! Bookings and their claims on people and resources.

use darkroom_domain::{BookingId, BranchId, StudioId, TypedId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::DbResult;

/// Longer than any booking (14 days): bounds look-ups by start.
const MAX_BOOKING_MICROS: i64 = 15 * 24 * 3600 * 1_000_000;
use crate::entity::{booking, booking_claim};

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: BookingId,
) -> DbResult<Option<booking::Model>> {
    Ok(booking::Entity::find_by_id(id.uuid())
        .filter(booking::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// Which bookings to list: those meeting `[from, to)`.
#[derive(Clone, Debug, Default)]
pub struct Range {
    pub from: i64,
    pub to: i64,
    /// Only these branches (`None`: all).
    pub branches: Option<Vec<BranchId>>,
    /// Only bookings claiming this person or resource.
    pub holder: Option<Uuid>,
    /// Cancelled ones too.
    pub cancelled: bool,
    pub limit: u64,
}

/// A studio's bookings meeting a range, by start.
pub async fn between(
    c: &impl ConnectionTrait,
    studio: StudioId,
    r: &Range,
) -> DbResult<Vec<booking::Model>> {
    let mut q = booking::Entity::find()
        .filter(booking::Column::StudioId.eq(studio))
        .filter(booking::Column::StartsAt.lt(r.to))
        .filter(booking::Column::EndsAt.gt(r.from))
        // A bounded index range: a booking lasts at most 14 days.
        .filter(booking::Column::StartsAt.gt(r.from.saturating_sub(MAX_BOOKING_MICROS)));
    if let Some(b) = &r.branches {
        q = q.filter(booking::Column::BranchId.is_in(b.iter().map(|b| b.uuid())));
    }
    if !r.cancelled {
        q = q.filter(booking::Column::Status.ne("cancelled"));
    }
    if let Some(h) = r.holder {
        let ids = booking_claim::Entity::find()
            .select_only()
            .column(booking_claim::Column::BookingId)
            .filter(booking_claim::Column::StudioId.eq(studio))
            .filter(booking_claim::Column::HolderId.eq(h))
            .into_query();
        q = q.filter(booking::Column::Id.in_subquery(ids));
    }
    Ok(q.order_by_asc(booking::Column::StartsAt)
        .order_by_asc(booking::Column::Id)
        .limit(r.limit)
        .all(c)
        .await?)
}

/// The claims of the given bookings (live or not).
pub async fn claims_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    bookings: &[Uuid],
) -> DbResult<Vec<booking_claim::Model>> {
    if bookings.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for chunk in bookings.chunks(500) {
        out.extend(
            booking_claim::Entity::find()
                .filter(booking_claim::Column::StudioId.eq(studio))
                .filter(booking_claim::Column::BookingId.is_in(chunk.iter().copied()))
                .order_by_asc(booking_claim::Column::CreatedAt)
                .order_by_asc(booking_claim::Column::Id)
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// The live claims on any of `holders` that overlap `[from, to)`.
pub async fn live_claims_on(
    c: &impl ConnectionTrait,
    studio: StudioId,
    holders: &[Uuid],
    from: i64,
    to: i64,
) -> DbResult<Vec<booking_claim::Model>> {
    if holders.is_empty() {
        return Ok(Vec::new());
    }
    Ok(booking_claim::Entity::find()
        .filter(booking_claim::Column::StudioId.eq(studio))
        .filter(booking_claim::Column::HolderId.is_in(holders.iter().copied()))
        .filter(booking_claim::Column::Active.eq(1))
        // A bounded index range: no claim runs longer than the maximum.
        .filter(
            booking_claim::Column::StartsAt
                .gt(from.saturating_sub(crate::migration::m0010_bookings::MAX_CLAIM_MICROS)),
        )
        .filter(booking_claim::Column::StartsAt.lt(to))
        .filter(booking_claim::Column::EndsAt.gt(from))
        .order_by_asc(booking_claim::Column::StartsAt)
        .all(c)
        .await?)
}

/// Writes one claim. A claim overlapping a live one on the same holder's
/// unit is refused by the database: [`crate::DbError::Overlap`].
pub async fn insert_claim(
    c: &impl ConnectionTrait,
    m: booking_claim::Model,
) -> DbResult<booking_claim::Model> {
    Ok(booking_claim::ActiveModel::from(m).insert(c).await?)
}

/// Releases every live claim of a booking (cancelled, or about to be
/// claimed again at a new time).
pub async fn release_claims(
    c: &impl ConnectionTrait,
    studio: StudioId,
    booking: BookingId,
) -> DbResult<u64> {
    Ok(booking_claim::Entity::update_many()
        .col_expr(booking_claim::Column::Active, Expr::value(0))
        .filter(booking_claim::Column::StudioId.eq(studio))
        .filter(booking_claim::Column::BookingId.eq(booking))
        .filter(booking_claim::Column::Active.eq(1))
        .exec(c)
        .await?
        .rows_affected)
}

/// The names of claim holders: staff (by user id) and resources, of one studio.
pub async fn holder_names(
    c: &impl ConnectionTrait,
    studio: StudioId,
    ids: &[Uuid],
) -> DbResult<std::collections::HashMap<Uuid, String>> {
    use crate::entity::{membership, resource};
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for m in membership::Entity::find()
            .filter(membership::Column::StudioId.eq(studio))
            .filter(membership::Column::UserId.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            out.insert(m.user_id, m.name);
        }
        for r in resource::Entity::find()
            .filter(resource::Column::StudioId.eq(studio))
            .filter(resource::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            out.insert(r.id, r.name);
        }
    }
    Ok(out)
}

/// Bookings of one studio by id.
pub async fn by_ids(
    c: &impl ConnectionTrait,
    studio: StudioId,
    ids: &[Uuid],
) -> DbResult<Vec<booking::Model>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            booking::Entity::find()
                .filter(booking::Column::StudioId.eq(studio))
                .filter(booking::Column::Id.is_in(chunk.iter().copied()))
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// A studio's active staff, by name: who can be booked.
pub async fn bookable_staff(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<crate::entity::membership::Model>> {
    use crate::entity::membership;
    Ok(membership::Entity::find()
        .filter(membership::Column::StudioId.eq(studio))
        .filter(membership::Column::DeletedAt.is_null())
        .filter(membership::Column::Status.eq("active"))
        .order_by_asc(membership::Column::Name)
        .limit(1000)
        .all(c)
        .await?)
}

/// Live bookings (any studio) starting in `[from, to)` whose reminder has
/// not gone out, soonest first.
pub async fn due_reminders(
    c: &impl ConnectionTrait,
    from: i64,
    to: i64,
    limit: u64,
) -> DbResult<Vec<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::StartsAt.gte(from))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::RemindedAt.is_null())
        .filter(booking::Column::Status.is_in(["scheduled", "tentative"]))
        .order_by_asc(booking::Column::StartsAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// Marks a booking's reminder as sent; false when another worker did.
pub async fn claim_reminder(c: &impl ConnectionTrait, id: Uuid, at: i64) -> DbResult<bool> {
    let r = booking::Entity::update_many()
        .col_expr(booking::Column::RemindedAt, Expr::value(at))
        .filter(booking::Column::Id.eq(id))
        .filter(booking::Column::RemindedAt.is_null())
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The people (users) of one studio by id, with their sign-in email.
pub async fn users(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DbResult<Vec<crate::entity::user::Model>> {
    use crate::entity::user;
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(c)
        .await?)
}

/// The booking a client's manage link opens (any studio: the token is the key).
pub async fn by_manage_hash(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::ManageTokenHash.eq(hash))
        .one(c)
        .await?)
}

/// A client's live bookings from `since` on, by start (at most `limit`).
pub async fn of_client(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
    since: i64,
    limit: u64,
) -> DbResult<Vec<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::StudioId.eq(studio))
        .filter(booking::Column::ClientId.eq(client))
        .filter(booking::Column::EndsAt.gt(since))
        .filter(booking::Column::Status.ne("cancelled"))
        .order_by_asc(booking::Column::StartsAt)
        .limit(limit)
        .all(c)
        .await?)
}
