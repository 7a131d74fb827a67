//! The public booking page of a session type: a client sees its free times
//! (in their own zone), books one at once, gets a confirmation with an
//! `.ics` file and a private link to move or cancel it until the type's
//! notice. No account: the link's token is the key, stored only as a hash.

use darkroom_db::entity::{booking, session_type};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::booking::{BookingStatus, HolderKind, Span, minutes};
use darkroom_domain::field::{Email, Line, Text, Zone};
use darkroom_domain::ical::{self, EventStatus};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{
    BookingId, BranchId, ClientId, SessionTypeId, StudioId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Serialize};

use super::availability::free_slots;
use super::conflict::{self, Hold, Refused};
use super::group;
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::tenant::{self, Header};
use crate::kernel::{secret, write};
use crate::{Core, Meta};

/// A session type as its public page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PublicType {
    pub id: SessionTypeId,
    pub name: String,
    pub description: Option<String>,
    pub duration_minutes: i64,
    pub location_kind: &'static str,
    pub min_notice_minutes: i64,
    /// The branch's zone: where the session happens.
    pub zone: String,
    pub header: Header,
}

async fn load(core: &Core, id: SessionTypeId) -> CoreResult<(session_type::Model, PublicType)> {
    let c = core.db().conn();
    let t = repo::schedule::find_public_type(c, id)
        .await?
        .ok_or(CoreError::not_found("booking page"))?;
    let studio = StudioId::from_uuid(t.studio_id);
    let branch = repo::branch::find(c, studio, BranchId::from_uuid(t.branch_id), false)
        .await?
        .ok_or(CoreError::not_found("booking page"))?;
    let header = tenant::page_header(core, studio).await?;
    let view = PublicType {
        id,
        name: t.name.clone(),
        description: t.description.clone(),
        duration_minutes: t.duration_minutes,
        location_kind: t.location_kind.name(),
        min_notice_minutes: t.min_notice_minutes,
        zone: branch.time_zone,
        header,
    };
    Ok((t, view))
}

pub async fn public_type(core: &Core, id: SessionTypeId) -> CoreResult<PublicType> {
    Ok(load(core, id).await?.1)
}

/// The free start times of a public type in `[from, to)` (who takes them is
/// the studio's business, not the page's).
pub async fn public_slots(
    core: &Core,
    id: SessionTypeId,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<Timestamp>> {
    let (t, _) = load(core, id).await?;
    let slots = free_slots(core, StudioId::from_uuid(t.studio_id), &t, from, to).await?;
    Ok(slots.into_iter().map(|s| s.starts_at).collect())
}

/// What a client sends to book.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuestBooking {
    pub starts_at: Timestamp,
    pub name: Line<200>,
    pub email: Email,
    pub phone: Option<Text<40>>,
    pub notes: Option<Text<2000>>,
    /// The client's own zone, for the times in their email.
    pub time_zone: Option<Zone>,
}

/// A booking made on the public page.
#[derive(Clone, Debug, Serialize)]
pub struct Booked {
    pub id: BookingId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The private link to move or cancel it (shown once, and emailed).
    pub manage_url: String,
    /// A request the studio confirms or declines (the time is held).
    pub requested: bool,
}

/// A free start of `t` that someone can take, and who.
async fn taker(core: &Core, t: &session_type::Model, start: Timestamp) -> CoreResult<UserId> {
    let studio = StudioId::from_uuid(t.studio_id);
    let slots = free_slots(
        core,
        studio,
        t,
        start,
        start.plus(std::time::Duration::from_secs(1)),
    )
    .await?;
    let free = slots
        .into_iter()
        .find(|s| s.starts_at == start)
        .map(|s| s.staff_ids)
        .unwrap_or_default();
    least_loaded(core, studio, &free, start)
        .await?
        .ok_or_else(|| {
            CoreError::conflict(
                "slot_taken",
                "that time is no longer free; pick another time from the list",
            )
        })
}

/// What a booking at `start` holds: nothing for a seat in a group already
/// there (the group holds its people and rooms; the seat must be offered),
/// else the taker and the type's rooms.
async fn holds_for(
    core: &Core,
    t: &session_type::Model,
    start: Timestamp,
) -> CoreResult<Vec<Hold>> {
    if t.capacity > 1 && group::group_at(core.db().conn(), t, start).await?.is_some() {
        let end = start.plus(std::time::Duration::from_micros(1));
        if group::open_seats(core, t, start, end).await?.is_empty() {
            return Err(CoreError::conflict(
                "slot_taken",
                "that time is full; pick another time from the list",
            ));
        }
        return Ok(Vec::new());
    }
    let who = taker(core, t, start).await?;
    holds_of(core, t, who).await
}

/// Claims `holds` for booking `id`; a clash is a taken slot.
async fn claim(
    tx: &darkroom_db::Tx,
    studio: StudioId,
    id: BookingId,
    span: Span,
    holds: &[Hold],
    core: &Core,
) -> CoreResult<()> {
    match conflict::claim_all(tx, studio, id, span, holds, core.now()).await {
        Ok(()) => Ok(()),
        Err(Refused::Db(e)) => Err(e.into()),
        Err(Refused::Clash) => Err(CoreError::conflict(
            "slot_taken",
            "that time was just taken; pick another time from the list",
        )),
    }
}

/// Of the people free for a slot, the one with the fewest sessions in the
/// week around it (round robin by load; the first named wins a tie), so
/// online bookings spread over the team instead of piling on one person.
async fn least_loaded(
    core: &Core,
    studio: StudioId,
    free: &[UserId],
    start: Timestamp,
) -> CoreResult<Option<UserId>> {
    if free.len() < 2 {
        return Ok(free.first().copied());
    }
    let half_week = 84 * 3_600_000_000i64;
    let mut best: Option<(usize, UserId)> = None;
    for who in free {
        let r = repo::booking::Range {
            from: start.as_micros() - half_week,
            to: start.as_micros() + half_week,
            branches: None,
            holder: Some(who.uuid()),
            cancelled: false,
            limit: 500,
        };
        let load = repo::booking::between(core.db().conn(), studio, &r)
            .await?
            .len();
        if best.is_none_or(|(b, _)| load < b) {
            best = Some((load, *who));
        }
    }
    Ok(best.map(|(_, who)| who))
}

/// The type's photographer for this slot and every resource it needs, each
/// with its real number of units, padded by the type's buffers.
async fn holds_of(core: &Core, t: &session_type::Model, who: UserId) -> CoreResult<Vec<Hold>> {
    let (before, after) = (
        minutes(t.buffer_before_minutes),
        minutes(t.buffer_after_minutes),
    );
    let studio = StudioId::from_uuid(t.studio_id);
    let mut holds = vec![Hold {
        kind: HolderKind::Staff,
        id: who.uuid(),
        role: "photographer".into(),
        units: 1,
        before,
        after,
    }];
    for r in super::session_type::ids_of(&t.resource_ids) {
        let res = repo::schedule::find_resource(
            core.db().conn(),
            studio,
            darkroom_domain::ResourceId::from_uuid(r),
            false,
        )
        .await?
        .ok_or_else(|| {
            CoreError::conflict(
                "slot_taken",
                "this session cannot be booked now; write to the studio",
            )
        })?;
        holds.push(Hold {
            kind: HolderKind::Resource,
            id: r,
            role: res.kind.name().into(),
            units: res.quantity.max(1),
            before,
            after,
        });
    }
    Ok(holds)
}

fn checked(input: &GuestBooking) -> CoreResult<(String, String, Option<String>, Option<String>)> {
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("your name"));
    let email = errs.check("email", input.email.check());
    let phone = input
        .phone
        .as_ref()
        .and_then(|p| errs.check("phone", p.check("the phone number")))
        .flatten();
    let notes = input
        .notes
        .as_ref()
        .and_then(|n| errs.check("notes", n.check("the notes")))
        .flatten();
    errs.into_result()?;
    Ok((
        name.unwrap_or_default(),
        email.unwrap_or_default(),
        phone,
        notes,
    ))
}

/// The row of a booking made on the public page.
#[allow(clippy::too_many_arguments)]
fn guest_row(
    t: &session_type::Model,
    view: &PublicType,
    bid: BookingId,
    client: ClientId,
    span: Span,
    name: &str,
    notes: Option<String>,
    token: &str,
) -> booking::ActiveModel {
    booking::ActiveModel {
        id: Set(bid.uuid()),
        branch_id: Set(t.branch_id),
        client_id: Set(Some(client.uuid())),
        session_type_id: Set(Some(t.id)),
        kind: Set(t.kind),
        status: Set(if t.requires_approval == 1 {
            BookingStatus::Tentative
        } else {
            BookingStatus::Scheduled
        }),
        title: Set(format!("{}: {name}", t.name)),
        starts_at: Set(span.start.as_micros()),
        ends_at: Set(span.end.as_micros()),
        time_zone: Set(view.zone.clone()),
        buffer_before_minutes: Set(t.buffer_before_minutes),
        buffer_after_minutes: Set(t.buffer_after_minutes),
        notes: Set(notes),
        manage_token_hash: Set(Some(secret::hash_token(token))),
        ..Default::default()
    }
}

pub async fn book(
    core: &Core,
    meta: &Meta,
    id: SessionTypeId,
    input: GuestBooking,
) -> CoreResult<Booked> {
    let (t, view) = load(core, id).await?;
    let (name, email, phone, notes) = checked(&input)?;
    let studio = StudioId::from_uuid(t.studio_id);
    let span = Span::new(
        input.starts_at,
        input.starts_at.plus(minutes(t.duration_minutes)),
    )
    .map_err(|m| CoreError::invalid("starts_at", m))?;
    // Read before the transaction: on SQLite a writer waiting for a second
    // pooled connection could wait on the writers queued behind it.
    let holds = holds_for(core, &t, input.starts_at).await?;
    let can_email = tenant::smtp_for(core, Some(studio)).await?.is_some();
    let token = secret::new_token("bk_");
    let bid = BookingId::new();
    let tx = core.db().begin().await?;
    let client = crate::crm::interface::client_for_guest(
        core,
        &tx,
        studio,
        crate::crm::interface::Guest {
            name: &name,
            email: &email,
            phone: phone.as_deref(),
            tag: "booked online",
        },
    )
    .await?;
    let mut row = guest_row(&t, &view, bid, client, span, &name, notes, &token);
    let seat = match t.capacity > 1 {
        true => Some(group::take_seat(core, &tx, &t, &view.zone, span, &holds).await?),
        false => None,
    };
    row.group_of = Set(seat);
    let m = write::insert::<booking::Entity>(core, &tx, studio, &bid, row).await?;
    if seat.is_none() {
        claim(&tx, studio, bid, span, &holds, core).await?;
    }
    let manage_url = core.settings().link(&format!("/book/manage/{token}"));
    let label = format!("{name} <{email}> on the booking page");
    let requested = t.requires_approval == 1;
    let event = ["booking.booked_online", "booking.requested"][usize::from(requested)];
    record(core, &tx, meta, &m, &label, event).await?;
    if can_email {
        let zone = input.time_zone.as_ref().and_then(|z| z.check().ok());
        let guest = (
            email.as_str(),
            name.as_str(),
            zone.as_deref().unwrap_or(&view.zone),
        );
        super::notify::confirm(core, &tx, &m, &view, guest, &manage_url).await?;
    }
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(Booked {
        id: bid,
        starts_at: span.start,
        ends_at: span.end,
        manage_url,
        requested,
    })
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    m: &booking::Model,
    who: &str,
    event_type: &'static str,
) -> CoreResult<()> {
    let event = Event {
        studio: Some(StudioId::from_uuid(m.studio_id)),
        branch: Some(BranchId::from_uuid(m.branch_id)),
        who: Who::system(who),
        event_type,
        severity: Severity::Low,
        target_type: "booking",
        target_id: BookingId::from_uuid(m.id).to_string(),
        payload: serde_json::json!({ "starts_at": Timestamp::from_micros(m.starts_at), "ends_at": Timestamp::from_micros(m.ends_at), "status": m.status.name() }),
    };
    audit::record(core, tx, meta, event).await
}

/// The booking as one calendar event (the file sent with its emails).
pub fn ics_of(m: &booking::Model, studio_name: &str, host: &str, now: Timestamp) -> String {
    let event = ical::Event {
        uid: format!("{}@{host}", BookingId::from_uuid(m.id)),
        sequence: m.sequence,
        summary: format!("{} ({studio_name})", m.title),
        description: None,
        location: m.location.clone(),
        start: Timestamp::from_micros(m.starts_at),
        end: Timestamp::from_micros(m.ends_at),
        zone: m.time_zone.clone(),
        status: if m.status == BookingStatus::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        },
        updated: Timestamp::from_micros(m.updated_at),
    };
    ical::calendar(studio_name, &[event], now)
}

/// A booking as its manage link shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Managed {
    pub title: String,
    pub status: BookingStatus,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub zone: String,
    pub type_id: Option<SessionTypeId>,
    /// Until when it can still be moved or cancelled here.
    pub change_until: Timestamp,
    pub can_change: bool,
    pub header: Header,
}

async fn managed_row(
    core: &Core,
    token: &str,
) -> CoreResult<(booking::Model, session_type::Model)> {
    let c = core.db().conn();
    let m = repo::booking::by_manage_hash(c, &secret::hash_token(token))
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    let studio = StudioId::from_uuid(m.studio_id);
    let t_id = m
        .session_type_id
        .map(SessionTypeId::from_uuid)
        .ok_or(CoreError::not_found("booking"))?;
    let t = repo::schedule::find_session_type(c, studio, t_id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    Ok((m, t))
}

pub async fn managed(core: &Core, token: &str) -> CoreResult<Managed> {
    let (m, t) = managed_row(core, token).await?;
    let header = tenant::page_header(core, StudioId::from_uuid(m.studio_id)).await?;
    let start = Timestamp::from_micros(m.starts_at);
    let change_until = start.minus(minutes(t.min_notice_minutes));
    Ok(Managed {
        title: m.title,
        status: m.status,
        starts_at: start,
        ends_at: Timestamp::from_micros(m.ends_at),
        zone: m.time_zone,
        type_id: Some(SessionTypeId::from_uuid(t.id)),
        change_until,
        can_change: matches!(
            m.status,
            BookingStatus::Scheduled | BookingStatus::Tentative
        ) && core.now() < change_until,
        header,
    })
}

fn may_change(core: &Core, m: &booking::Model, t: &session_type::Model) -> CoreResult<()> {
    let until = Timestamp::from_micros(m.starts_at).minus(minutes(t.min_notice_minutes));
    if !matches!(
        m.status,
        BookingStatus::Scheduled | BookingStatus::Tentative
    ) {
        return Err(CoreError::conflict(
            "invalid_state",
            "this booking can no longer be changed here",
        ));
    }
    if core.now() >= until {
        return Err(CoreError::conflict(
            "too_late",
            format!(
                "changes online close {} minutes before the session; call or write to the studio",
                t.min_notice_minutes
            ),
        ));
    }
    Ok(())
}

/// The client cancels through their link (within the notice).
pub async fn guest_cancel(core: &Core, meta: &Meta, token: &str) -> CoreResult<()> {
    let (m, t) = managed_row(core, token).await?;
    may_change(core, &m, &t)?;
    let studio = StudioId::from_uuid(m.studio_id);
    let id = BookingId::from_uuid(m.id);
    let tx = core.db().begin().await?;
    let am = booking::ActiveModel {
        status: Set(BookingStatus::Cancelled),
        sequence: Set(m.sequence + 1),
        cancel_reason: Set(Some("Cancelled by the client online".into())),
        ..Default::default()
    };
    write::update::<booking::Entity, _>(core, &tx, studio, m.id, m.version, am, |m| m.id).await?;
    repo::booking::release_claims(&tx, studio, id).await?;
    if let Some(group) = m.group_of.filter(|g| *g != m.id) {
        group::leave(core, &tx, studio, group).await?;
    }
    let fresh = repo::booking::find(&tx, studio, id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    record(
        core,
        &tx,
        meta,
        &fresh,
        "the client, through their booking link",
        "booking.cancelled",
    )
    .await?;
    crate::commit(tx).await
}

/// The client moves their booking to another free time of its type.
pub async fn guest_move(core: &Core, meta: &Meta, token: &str, start: Timestamp) -> CoreResult<()> {
    let (m, t) = managed_row(core, token).await?;
    may_change(core, &m, &t)?;
    let studio = StudioId::from_uuid(m.studio_id);
    let id = BookingId::from_uuid(m.id);
    let span = Span::new(start, start.plus(minutes(t.duration_minutes)))
        .map_err(|e| CoreError::invalid("starts_at", e))?;
    let holds = holds_for(core, &t, start).await?;
    let tx = core.db().begin().await?;
    let seat = match t.capacity > 1 {
        true => Some(group::take_seat(core, &tx, &t, &m.time_zone, span, &holds).await?),
        false => None,
    };
    let am = booking::ActiveModel {
        starts_at: Set(span.start.as_micros()),
        ends_at: Set(span.end.as_micros()),
        sequence: Set(m.sequence + 1),
        reminded_at: Set(None),
        group_of: Set(seat),
        ..Default::default()
    };
    write::update::<booking::Entity, _>(core, &tx, studio, m.id, m.version, am, |m| m.id).await?;
    repo::booking::release_claims(&tx, studio, id).await?;
    match (seat, m.group_of) {
        (None, _) => claim(&tx, studio, id, span, &holds, core).await?,
        (Some(new), Some(old)) if old != new && old != m.id => {
            group::leave(core, &tx, studio, old).await?
        }
        _ => {}
    }
    let fresh = repo::booking::find(&tx, studio, id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    record(
        core,
        &tx,
        meta,
        &fresh,
        "the client, through their booking link",
        "booking.updated",
    )
    .await?;
    crate::commit(tx).await
}
