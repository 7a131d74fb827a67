//! Changing a booking: moving it, changing who and what it holds, and its
//! status (cancelling releases what it holds).

use darkroom_db::entity::booking;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::authz::Target;
use darkroom_domain::booking::{BookingStatus, ClashKind, HolderKind, Span};
use darkroom_domain::field::{BookingKindName, BookingStatusName, Line, Ranged, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BookingId, BranchId, ClientId, ResourceId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::booking::{BookingView, get, record, views, visible};
use super::conflict::{self, Hold, Refused};
use super::holds::{Padding, StaffPick, plan};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// Changes to a booking: only the fields sent change. Moving it (new
/// `starts_at`/`ends_at`), new padding, or new `staff`/`resource_ids` claim
/// everything again at once: it lands whole or not at all.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingPatch {
    /// The version you read: a stale one gets 409 with the current booking.
    pub version: i64,
    pub title: Option<Line<200>>,
    pub kind: Option<BookingKindName>,
    /// A client id (`cli_…`), or `""` for none.
    pub client_id: Option<Text<40>>,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    /// `""` clears it.
    pub location: Option<Text<500>>,
    pub travel_minutes: Option<Ranged<0, 1440>>,
    pub buffer_before_minutes: Option<Ranged<0, 1440>>,
    pub buffer_after_minutes: Option<Ranged<0, 1440>>,
    pub notes: Option<Text<5000>>,
    /// The whole new list of people.
    #[schema(max_items = 20)]
    pub staff: Option<Vec<StaffPick>>,
    /// The whole new list of resources.
    #[schema(max_items = 20)]
    pub resource_ids: Option<Vec<ResourceId>>,
}

/// The plain fields of a patch, checked into `errs`, set on `am`; the names
/// of those that change go into `changed`.
async fn edits(
    core: &Core,
    p: &Principal,
    patch: &BookingPatch,
    errs: &mut FieldErrors,
    am: &mut booking::ActiveModel,
    changed: &mut Vec<&'static str>,
) -> CoreResult<()> {
    if let Some(t) = &patch.title
        && let Some(t) = errs.check("title", t.check("the title"))
    {
        am.title = Set(t);
        changed.push("title");
    }
    if let Some(k) = &patch.kind
        && let Some(k) = errs.check("kind", k.check())
    {
        am.kind = Set(k);
        changed.push("kind");
    }
    if let Some(cl) = &patch.client_id {
        let cl = match cl.0.trim() {
            "" => None,
            s => Some(
                ClientId::parse(s).map_err(|e| CoreError::invalid("client_id", e.to_string()))?,
            ),
        };
        if let Some(cl) = cl
            && repo::client::find(core.db().conn(), p.studio, cl)
                .await?
                .is_none()
        {
            return Err(CoreError::missing("client_id", "client", cl));
        }
        am.client_id = Set(cl.map(|c| c.uuid()));
        changed.push("client_id");
    }
    if let Some(l) = &patch.location
        && let Some(l) = errs.check("location", l.check("the location"))
    {
        am.location = Set(l);
        changed.push("location");
    }
    if let Some(n) = &patch.notes
        && let Some(n) = errs.check("notes", n.check("the notes"))
    {
        am.notes = Set(n);
        changed.push("notes");
    }
    Ok(())
}

impl BookingPatch {
    /// Whether the patch changes when, or whom and what, the booking holds.
    fn reclaims(&self) -> bool {
        self.starts_at.is_some()
            || self.ends_at.is_some()
            || self.travel_minutes.is_some()
            || self.buffer_before_minutes.is_some()
            || self.buffer_after_minutes.is_some()
            || self.staff.is_some()
            || self.resource_ids.is_some()
    }

    fn padding(&self, current: &booking::Model, errs: &mut FieldErrors) -> Padding {
        let mut pick = |v: Option<Ranged<0, 1440>>, field: &str, old: i64| {
            v.and_then(|v| errs.check(field, v.check())).unwrap_or(old)
        };
        Padding {
            travel: pick(
                self.travel_minutes,
                "travel_minutes",
                current.travel_minutes,
            ),
            before: pick(
                self.buffer_before_minutes,
                "buffer_before_minutes",
                current.buffer_before_minutes,
            ),
            after: pick(
                self.buffer_after_minutes,
                "buffer_after_minutes",
                current.buffer_after_minutes,
            ),
        }
    }
}

/// Who and what the booking will hold: as the patch names them, else as now.
async fn holds_after(
    core: &Core,
    p: &Principal,
    patch: &BookingPatch,
    current: &booking::Model,
    pad: Padding,
    errs: &mut FieldErrors,
) -> CoreResult<Vec<Hold>> {
    let claims = repo::booking::claims_of(core.db().conn(), p.studio, &[current.id]).await?;
    let live: Vec<_> = claims.iter().filter(|c| c.active == 1).collect();
    let staff = patch.staff.clone().unwrap_or_else(|| {
        live.iter()
            .filter(|c| c.holder_kind == HolderKind::Staff)
            .map(|c| StaffPick {
                user_id: UserId::from_uuid(c.holder_id),
                role: Some(c.role.as_str().into()),
            })
            .collect()
    });
    let resources: Vec<ResourceId> = patch.resource_ids.clone().unwrap_or_else(|| {
        live.iter()
            .filter(|c| c.holder_kind == HolderKind::Resource)
            .map(|c| ResourceId::from_uuid(c.holder_id))
            .collect()
    });
    plan(
        core,
        p,
        BranchId::from_uuid(current.branch_id),
        &staff,
        &resources,
        pad,
        errs,
    )
    .await
}

pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: BookingId,
    patch: BookingPatch,
) -> CoreResult<BookingView> {
    let current = visible(core, p, core.db().conn(), id).await?;
    core.authorize(
        p,
        Permission::BookingManage,
        Target::branch(BranchId::from_uuid(current.branch_id)),
    )?;
    let mut errs = FieldErrors::new();
    let mut am = booking::ActiveModel::default();
    let mut changed: Vec<&'static str> = Vec::new();
    edits(core, p, &patch, &mut errs, &mut am, &mut changed).await?;
    let start = patch
        .starts_at
        .unwrap_or(Timestamp::from_micros(current.starts_at));
    let end = patch
        .ends_at
        .unwrap_or(Timestamp::from_micros(current.ends_at));
    let span = errs.check("ends_at", Span::new(start, end));
    let pad = patch.padding(&current, &mut errs);
    let reclaim = patch.reclaims();
    if reclaim && !current.status.holds() {
        errs.add(
            "status",
            "invalid",
            "a cancelled booking cannot be moved or given people; book again",
        );
    }
    let holds = if reclaim && current.status.holds() {
        holds_after(core, p, &patch, &current, pad, &mut errs).await?
    } else {
        Vec::new()
    };
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(get(core, p, id).await?));
    }
    let span = span.ok_or_else(|| CoreError::invalid("ends_at", "the range is not valid"))?;
    if reclaim {
        let clashes = conflict::clashes(core, p, span, &holds, Some(id)).await?;
        if clashes.iter().any(|c| c.kind != ClashKind::Booking) {
            return Err(
                conflict::refusal(core, p, span, &holds, Some(id), &current.time_zone).await?,
            );
        }
        am.starts_at = Set(span.start.as_micros());
        am.ends_at = Set(span.end.as_micros());
        am.travel_minutes = Set(pad.travel);
        am.buffer_before_minutes = Set(pad.before);
        am.buffer_after_minutes = Set(pad.after);
        // A moved session is reminded of again, before its new time.
        am.reminded_at = Set(None);
        changed.push("time");
    }
    // Any change a calendar shows (time, place, title, who) is a new SEQUENCE.
    if reclaim
        || changed
            .iter()
            .any(|f| matches!(*f, "location" | "title" | "kind"))
    {
        am.sequence = Set(current.sequence + 1);
    }
    let reclaim = reclaim.then_some((span, holds.as_slice()));
    write(
        core,
        p,
        meta,
        &current,
        patch.version,
        am,
        reclaim,
        &changed,
    )
    .await
}

/// Writes a checked change and, when it moves or re-staffs the booking,
/// claims everything again: all of it lands, or the refusal says why.
#[allow(clippy::too_many_arguments)]
async fn write(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    current: &booking::Model,
    version: i64,
    am: booking::ActiveModel,
    reclaim: Option<(Span, &[Hold])>,
    changed: &[&str],
) -> CoreResult<BookingView> {
    let id = BookingId::from_uuid(current.id);
    let tx = core.db().begin().await?;
    write::update::<booking::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, |m| m.id)
        .await?;
    if let Some((span, holds)) = reclaim {
        repo::booking::release_claims(&tx, p.studio, id).await?;
        match conflict::claim_all(&tx, p.studio, id, span, holds, core.now()).await {
            Ok(()) => {}
            Err(Refused::Db(e)) => return Err(e.into()),
            Err(Refused::Clash) => {
                drop(tx);
                return Err(
                    conflict::refusal(core, p, span, holds, Some(id), &current.time_zone).await?,
                );
            }
        }
    }
    let fresh = repo::booking::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    let payload = serde_json::json!({
        "fields": changed,
        "starts_at": Timestamp::from_micros(fresh.starts_at),
        "ends_at": Timestamp::from_micros(fresh.ends_at),
    });
    record(core, &tx, meta, p, &fresh, "booking.updated", payload).await?;
    let out = views(core, &tx, p.studio, vec![fresh]).await?;
    crate::commit(tx).await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::not_found("booking"))
}

/// A move of a booking's status.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub version: i64,
    /// `scheduled`, `completed`, `processing`, `delivered` or `cancelled`.
    pub status: BookingStatusName,
    /// Why it was cancelled (kept with the booking, shown to staff).
    pub reason: Option<Text<1000>>,
}

/// The status and reason a change asks for, if the booking may take them
/// (else the clear refusal, or the current state for a stale version).
async fn checked_change(
    core: &Core,
    p: &Principal,
    id: BookingId,
    current: &booking::Model,
    change: &StatusChange,
) -> CoreResult<(BookingStatus, Option<String>)> {
    let to = change
        .status
        .check()
        .map_err(|m| CoreError::invalid("status", m))?;
    let reason = match &change.reason {
        Some(r) => r
            .check("the reason")
            .map_err(|m| CoreError::invalid("reason", m))?,
        None => None,
    };
    if current.version != change.version {
        let v = get(core, p, id).await?;
        return Err(CoreError::stale(v));
    }
    if !current.status.may_become(to) {
        return Err(CoreError::conflict(
            "invalid_transition",
            format!(
                "a `{}` booking cannot become `{}`; it moves tentative → scheduled → completed → processing → delivered, and only a tentative or scheduled one is cancelled",
                current.status.name(),
                to.name()
            ),
        ));
    }
    Ok((to, reason))
}

pub async fn set_status(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: BookingId,
    change: StatusChange,
) -> CoreResult<BookingView> {
    let c = core.db().conn();
    let current = visible(core, p, c, id).await?;
    core.authorize(
        p,
        Permission::BookingManage,
        Target::branch(BranchId::from_uuid(current.branch_id)),
    )?;
    let (to, reason) = checked_change(core, p, id, &current, &change).await?;
    let tx = core.db().begin().await?;
    let mut am = booking::ActiveModel {
        status: Set(to),
        sequence: Set(current.sequence + 1),
        ..Default::default()
    };
    if to == BookingStatus::Cancelled {
        am.cancel_reason = Set(reason.clone());
        repo::booking::release_claims(&tx, p.studio, id).await?;
    }
    write::update::<booking::Entity, _>(core, &tx, p.studio, id.uuid(), change.version, am, |m| {
        m.id
    })
    .await?;
    if to == BookingStatus::Cancelled {
        match current.group_of {
            // A group's own booking: its seats go with it.
            Some(g) if g == current.id => {
                super::group::cancel_seats(core, &tx, p.studio, g, reason.as_deref()).await?;
            }
            // A guest's seat: the group closes when it was the last.
            Some(g) => super::group::leave(core, &tx, p.studio, g).await?,
            None => {}
        }
    }
    let fresh = repo::booking::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("booking"))?;
    let event = if to == BookingStatus::Cancelled {
        "booking.cancelled"
    } else {
        "booking.status_changed"
    };
    record(
        core,
        &tx,
        meta,
        p,
        &fresh,
        event,
        serde_json::json!({
            "from": current.status.name(), "to": to.name(), "reason": reason,
        }),
    )
    .await?;
    // A request made online, answered: the guest hears either way.
    let answered = current.status == BookingStatus::Tentative
        && current.manage_token_hash.is_some()
        && matches!(to, BookingStatus::Scheduled | BookingStatus::Cancelled);
    if answered {
        super::notify::answer_request(core, &tx, &fresh, reason.as_deref()).await?;
    }
    let out = views(core, &tx, p.studio, vec![fresh]).await?;
    crate::commit(tx).await?;
    if answered {
        core.wake_workers();
    }
    out.into_iter()
        .next()
        .ok_or(CoreError::not_found("booking"))
}
