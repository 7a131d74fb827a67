//! Bookings: a session at a time and place, for a client, holding people
//! and resources (seed 000's sessions, seed 003's shooting schedules).

use std::collections::HashMap;

use darkroom_db::entity::{booking, booking_claim};
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::{BranchFilter, Target};
use darkroom_domain::booking::{BookingKind, BookingStatus, HolderKind, Span, minutes};
use darkroom_domain::field::Text;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BookingId, BranchId, ClientId, ResourceId, SessionTypeId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Serialize};

use super::conflict;
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

/// One person or resource a booking holds.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    /// `staff` or `resource`.
    pub holder_kind: HolderKind,
    /// `usr_…` or `res_…`.
    pub holder_id: String,
    pub name: String,
    /// `photographer`, `assistant`, `room`, `camera`, ...
    pub role: String,
    /// Which unit of a resource with several.
    pub unit: i64,
    /// The time held: the session with travel and buffers.
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A booking as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: BookingId,
    pub branch_id: BranchId,
    pub client_id: Option<ClientId>,
    pub session_type_id: Option<SessionTypeId>,
    pub kind: BookingKind,
    pub status: BookingStatus,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The IANA zone of the place.
    pub time_zone: String,
    pub location: Option<String>,
    pub travel_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    /// Internal notes.
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    /// Bumped when the time, place or status changes (calendar feeds' SEQUENCE).
    pub sequence: i64,
    /// The people and resources it holds now (none once cancelled).
    pub claims: Vec<ClaimView>,
    /// A group session: the group's booking (on the group's own booking,
    /// its own id; on a guest's seat, the group it is in).
    pub group_of: Option<BookingId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn view(
    m: booking::Model,
    claims: &[booking_claim::Model],
    names: &HashMap<uuid::Uuid, String>,
) -> BookingView {
    let claims = claims
        .iter()
        .filter(|c| c.booking_id == m.id && c.active == 1)
        .map(|c| ClaimView {
            holder_kind: c.holder_kind,
            holder_id: conflict::shown(c.holder_kind, c.holder_id),
            name: names.get(&c.holder_id).cloned().unwrap_or_default(),
            role: c.role.clone(),
            unit: c.unit,
            starts_at: Timestamp::from_micros(c.starts_at),
            ends_at: Timestamp::from_micros(c.ends_at),
        })
        .collect();
    BookingView {
        id: BookingId::from_uuid(m.id),
        branch_id: BranchId::from_uuid(m.branch_id),
        client_id: m.client_id.map(ClientId::from_uuid),
        session_type_id: m.session_type_id.map(SessionTypeId::from_uuid),
        kind: m.kind,
        status: m.status,
        title: m.title,
        starts_at: Timestamp::from_micros(m.starts_at),
        ends_at: Timestamp::from_micros(m.ends_at),
        time_zone: m.time_zone,
        location: m.location,
        travel_minutes: m.travel_minutes,
        buffer_before_minutes: m.buffer_before_minutes,
        buffer_after_minutes: m.buffer_after_minutes,
        notes: m.notes,
        cancel_reason: m.cancel_reason,
        sequence: m.sequence,
        claims,
        group_of: m.group_of.map(BookingId::from_uuid),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// Views of `rows` with their claims and the holders' names.
pub(crate) async fn views(
    core: &Core,
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    rows: Vec<booking::Model>,
) -> CoreResult<Vec<BookingView>> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|b| b.id).collect();
    let claims = repo::booking::claims_of(c, studio, &ids).await?;
    let mut holders: Vec<uuid::Uuid> = claims.iter().map(|c| c.holder_id).collect();
    holders.sort();
    holders.dedup();
    let names = repo::booking::holder_names(c, studio, &holders).await?;
    let _ = core;
    Ok(rows.into_iter().map(|b| view(b, &claims, &names)).collect())
}

/// Which bookings to list.
#[derive(Clone, Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BookingFilter {
    /// Bookings meeting `[from, to)`, at most 62 days apart; from the start
    /// of yesterday (UTC) by default.
    pub from: Option<Timestamp>,
    /// 31 days after `from` by default.
    pub to: Option<Timestamp>,
    pub branch_id: Option<BranchId>,
    /// Only those holding this person (`usr_…`) or resource (`res_…`).
    pub holder: Option<Text<40>>,
    /// `true` lists cancelled bookings too.
    pub cancelled: Option<bool>,
}

/// A holder id from its shown form (`usr_…` or `res_…`).
pub fn parse_holder(field: &str, s: &str) -> CoreResult<(HolderKind, uuid::Uuid)> {
    if s.starts_with("res_") {
        ResourceId::parse(s)
            .map(|r| (HolderKind::Resource, r.uuid()))
            .map_err(|e| CoreError::invalid(field, e.to_string()))
    } else {
        UserId::parse(s)
            .map(|u| (HolderKind::Staff, u.uuid()))
            .map_err(|e| CoreError::invalid(field, format!("{e}; or give a resource id (`res_…`)")))
    }
}

pub async fn list(core: &Core, p: &Principal, f: &BookingFilter) -> CoreResult<Vec<BookingView>> {
    let from = f.from.unwrap_or_else(|| core.now().minus(minutes(24 * 60)));
    let to = f.to.unwrap_or_else(|| from.plus(minutes(31 * 24 * 60)));
    let span = Span::window(from, to, 62).map_err(|m| CoreError::invalid("to", m))?;
    let allowed = core.branch_filter(p, Permission::BookingView);
    let branches = match (f.branch_id, &allowed) {
        (Some(b), a) if a.allows(b) => Some(vec![b]),
        (Some(_), _) => Some(Vec::new()),
        (None, BranchFilter::All) => None,
        (None, BranchFilter::Only(l)) => Some(l.clone()),
    };
    let holder = match &f.holder {
        Some(h) => {
            let h = h
                .check("the holder")
                .map_err(|m| CoreError::invalid("holder", m))?;
            match h {
                Some(h) => Some(parse_holder("holder", &h)?.1),
                None => None,
            }
        }
        None => None,
    };
    let c = core.db().conn();
    let rows = repo::booking::between(
        c,
        p.studio,
        &repo::booking::Range {
            from: span.start.as_micros(),
            to: span.end.as_micros(),
            branches,
            holder,
            cancelled: f.cancelled.unwrap_or(false),
            limit: 5000,
        },
    )
    .await?;
    views(core, c, p.studio, rows).await
}

/// A booking `p` may see; another branch's or studio's answers as missing.
pub async fn get(core: &Core, p: &Principal, id: BookingId) -> CoreResult<BookingView> {
    let c = core.db().conn();
    let m = visible(core, p, c, id).await?;
    let mut v = views(core, c, p.studio, vec![m]).await?;
    v.pop().ok_or(CoreError::not_found("booking"))
}

pub(crate) async fn visible(
    core: &Core,
    p: &Principal,
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    id: BookingId,
) -> CoreResult<booking::Model> {
    let m = repo::booking::find(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    if !core.can(
        p,
        Permission::BookingView,
        Target::branch(BranchId::from_uuid(m.branch_id)),
    ) {
        return Err(CoreError::not_found("booking"));
    }
    Ok(m)
}

pub(crate) async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &booking::Model,
    event_type: &'static str,
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who: Who::of(p),
            event_type,
            severity: Severity::Low,
            target_type: "booking",
            target_id: BookingId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}
