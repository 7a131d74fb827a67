//! Group sessions (mini sessions, classes): a session type with a capacity
//! above one takes up to that many guests at one start. The group's own
//! booking (its `group_of` is its own id) holds the photographer and rooms
//! through the same claims as any booking, so the group is never
//! double-booked; each guest's booking is a seat in it (`group_of` = the
//! group), with its own client, manage link and reminder, and holds
//! nothing. The first guest at a start opens the group, later ones join it
//! while seats are left; the group closes (its people and rooms freed) when
//! its last seat is cancelled or moved away. A start where a group exists
//! is served by that group only.

use darkroom_db::entity::{booking, session_type};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::booking::{BookingStatus, Span, minutes};
use darkroom_domain::{BookingId, StudioId, Timestamp, TypedId};

use super::conflict::{self, Hold, Refused};
use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;

/// A group with its seats taken.
pub(crate) struct Group {
    pub host: booking::Model,
    pub taken: i64,
}

/// The live groups of `t` starting in `[from, to)`, with their seats taken.
pub(crate) async fn groups(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    t: &session_type::Model,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<Group>> {
    let studio = StudioId::from_uuid(t.studio_id);
    let hosts = repo::group::groups(c, studio, t.id, from.as_micros(), to.as_micros()).await?;
    let ids: Vec<uuid::Uuid> = hosts.iter().map(|h| h.id).collect();
    let seats = repo::group::seats(c, studio, &ids).await?;
    Ok(hosts
        .into_iter()
        .map(|host| Group {
            taken: seats.iter().filter(|s| s.group_of == Some(host.id)).count() as i64,
            host,
        })
        .collect())
}

/// The live group of `t` at `start`, if there is one.
pub(crate) async fn group_at(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    t: &session_type::Model,
    start: Timestamp,
) -> CoreResult<Option<Group>> {
    let end = start.plus(std::time::Duration::from_micros(1));
    Ok(groups(c, t, start, end).await?.into_iter().next())
}

fn taken_now() -> CoreError {
    CoreError::conflict(
        "slot_taken",
        "that time filled up just now; pick another time from the list",
    )
}

/// A seat in the group of `t` at `span`'s start, inside `tx`: the group
/// there, while it has a seat left, or a new group holding `holds` (the
/// taker and rooms read before the transaction). Returns the group's id.
pub(crate) async fn take_seat(
    core: &Core,
    tx: &darkroom_db::Tx,
    t: &session_type::Model,
    zone: &str,
    span: Span,
    holds: &[Hold],
) -> CoreResult<uuid::Uuid> {
    let studio = StudioId::from_uuid(t.studio_id);
    if let Some(g) = group_at(tx, t, span.start).await? {
        if g.taken >= t.capacity {
            return Err(taken_now());
        }
        // The group's version is the seat count's guard: two guests taking
        // the last seat at once both write it, and the second is refused.
        let bump = booking::ActiveModel::default();
        write::update::<booking::Entity, _>(
            core,
            tx,
            studio,
            g.host.id,
            g.host.version,
            bump,
            |m| m.id,
        )
        .await
        .map_err(|_| taken_now())?;
        return Ok(g.host.id);
    }
    if holds.is_empty() {
        return Err(taken_now());
    }
    let id = BookingId::new();
    let row = booking::ActiveModel {
        id: Set(id.uuid()),
        branch_id: Set(t.branch_id),
        session_type_id: Set(Some(t.id)),
        kind: Set(t.kind),
        status: Set(BookingStatus::Scheduled),
        title: Set(format!("{} (group of up to {})", t.name, t.capacity)),
        starts_at: Set(span.start.as_micros()),
        ends_at: Set(span.end.as_micros()),
        time_zone: Set(zone.to_string()),
        buffer_before_minutes: Set(t.buffer_before_minutes),
        buffer_after_minutes: Set(t.buffer_after_minutes),
        group_of: Set(Some(id.uuid())),
        ..Default::default()
    };
    write::insert::<booking::Entity>(core, tx, studio, &id, row).await?;
    match conflict::claim_all(tx, studio, id, span, holds, core.now()).await {
        Ok(()) => Ok(id.uuid()),
        Err(Refused::Db(e)) => Err(e.into()),
        Err(Refused::Clash) => Err(taken_now()),
    }
}

/// After a seat of group `host` was cancelled or moved away: a group with
/// no seat left closes, freeing its people and rooms.
pub(crate) async fn leave(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    host: uuid::Uuid,
) -> CoreResult<()> {
    if !repo::group::seats(tx, studio, &[host]).await?.is_empty() {
        return Ok(());
    }
    let Some(h) = repo::booking::find(tx, studio, BookingId::from_uuid(host)).await? else {
        return Ok(());
    };
    if h.status == BookingStatus::Cancelled {
        return Ok(());
    }
    let am = booking::ActiveModel {
        status: Set(BookingStatus::Cancelled),
        sequence: Set(h.sequence + 1),
        cancel_reason: Set(Some("Every guest of the group cancelled".into())),
        ..Default::default()
    };
    write::update::<booking::Entity, _>(core, tx, studio, h.id, h.version, am, |m| m.id).await?;
    repo::booking::release_claims(tx, studio, BookingId::from_uuid(host)).await?;
    Ok(())
}

/// When staff cancel a group's own booking, its guests' seats are
/// cancelled with it (they would hold a time nobody holds for them).
pub(crate) async fn cancel_seats(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    host: uuid::Uuid,
    reason: Option<&str>,
) -> CoreResult<usize> {
    let seats = repo::group::seats(tx, studio, &[host]).await?;
    for s in &seats {
        let why = match reason {
            Some(r) => format!("The studio cancelled the group session: {r}"),
            None => "The studio cancelled the group session".to_string(),
        };
        let am = booking::ActiveModel {
            status: Set(BookingStatus::Cancelled),
            sequence: Set(s.sequence + 1),
            cancel_reason: Set(Some(why)),
            ..Default::default()
        };
        write::update::<booking::Entity, _>(core, tx, studio, s.id, s.version, am, |m| m.id)
            .await?;
    }
    Ok(seats.len())
}

/// The starts of `t` in `[from, to)` where a group has a seat left, with
/// how many, within the type's notice and horizon.
pub(crate) async fn open_seats(
    core: &Core,
    t: &session_type::Model,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<(Timestamp, i64)>> {
    let now = core.now();
    let earliest = now.plus(minutes(t.min_notice_minutes));
    let latest = now.plus(minutes(t.horizon_days * 24 * 60));
    Ok(groups(core.db().conn(), t, from, to)
        .await?
        .into_iter()
        .map(|g| {
            (
                Timestamp::from_micros(g.host.starts_at),
                t.capacity - g.taken,
            )
        })
        .filter(|(s, left)| *left > 0 && *s >= earliest && *s <= latest)
        .collect())
}
