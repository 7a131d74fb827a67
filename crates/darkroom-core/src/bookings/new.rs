//! Making a booking: checked, then written with its claims in one
//! transaction. The database refuses a claim that overlaps a live one; the
//! refusal names what is in the way and the nearest free times.

use darkroom_db::entity::booking;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::booking::{BookingKind, BookingStatus, ClashKind, Span};
use darkroom_domain::field::{BookingKindName, BookingStatusName, Line, Ranged, Text, Zone};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{
    BookingId, BranchId, ClientId, ResourceId, SessionTypeId, Timestamp, TypedId,
};
use serde::{Deserialize, Serialize};

use super::booking::{BookingView, get, record, views};
use super::conflict::{self, Hold, Refused};
use super::holds::{Padding, StaffPick, plan};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A new booking.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub id: Option<BookingId>,
    pub branch_id: BranchId,
    pub client_id: Option<ClientId>,
    pub session_type_id: Option<SessionTypeId>,
    /// `session` (default), `main_shoot`, `pre_wedding`, `makeup`, ...
    pub kind: Option<BookingKindName>,
    /// `scheduled` (default) or `tentative`.
    pub status: Option<BookingStatusName>,
    pub title: Line<200>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The place's IANA zone; the branch's by default.
    pub time_zone: Option<Zone>,
    pub location: Option<Text<500>>,
    /// Travel each way, in minutes (0 to 1440): people and gear are held that long before and after.
    pub travel_minutes: Option<Ranged<0, 1440>>,
    pub buffer_before_minutes: Option<Ranged<0, 1440>>,
    pub buffer_after_minutes: Option<Ranged<0, 1440>>,
    pub notes: Option<Text<5000>>,
    /// The people it holds (at most 20).
    #[schema(max_items = 20)]
    pub staff: Option<Vec<StaffPick>>,
    /// The resources it holds (at most 20).
    #[schema(max_items = 20)]
    pub resource_ids: Option<Vec<ResourceId>>,
    /// A package of the branch (`pkg_...`): the rooms, gear and people it
    /// names are held too.
    pub package_id: Option<darkroom_domain::PackageId>,
}

/// A new booking, checked: its row, when it is, and what it holds.
struct Checked {
    row: booking::ActiveModel,
    span: Span,
    zone: String,
    holds: Vec<Hold>,
}

fn minutes_of(errs: &mut FieldErrors, field: &str, v: Option<Ranged<0, 1440>>) -> Option<i64> {
    v.and_then(|v| errs.check(field, v.check()))
}

fn status_of(input: &NewBooking, errs: &mut FieldErrors) -> BookingStatus {
    let Some(s) = &input.status else {
        return BookingStatus::Scheduled;
    };
    match errs.check("status", s.check()) {
        Some(s @ (BookingStatus::Tentative | BookingStatus::Scheduled)) => s,
        Some(_) => {
            errs.add(
                "status",
                "invalid",
                "a new booking is `tentative` or `scheduled`",
            );
            BookingStatus::Scheduled
        }
        None => BookingStatus::Scheduled,
    }
}

/// The fields that need no look-up, checked into `errs`.
fn fields(
    input: &NewBooking,
    branch_zone: &str,
    errs: &mut FieldErrors,
) -> (booking::ActiveModel, Option<Span>, Option<String>) {
    let kind = match &input.kind {
        Some(k) => errs.check("kind", k.check()),
        None => Some(BookingKind::Session),
    };
    let status = status_of(input, errs);
    let title = errs.check("title", input.title.check("the title"));
    let span = errs.check("ends_at", Span::new(input.starts_at, input.ends_at));
    let zone = match &input.time_zone {
        Some(z) => errs.check("time_zone", z.check()),
        None => Some(branch_zone.to_string()),
    };
    let location = input
        .location
        .as_ref()
        .and_then(|l| errs.check("location", l.check("the location")))
        .flatten();
    let notes = input
        .notes
        .as_ref()
        .and_then(|n| errs.check("notes", n.check("the notes")))
        .flatten();
    let row = booking::ActiveModel {
        client_id: Set(input.client_id.map(|c| c.uuid())),
        session_type_id: Set(input.session_type_id.map(|s| s.uuid())),
        kind: Set(kind.unwrap_or(BookingKind::Session)),
        status: Set(status),
        title: Set(title.unwrap_or_default()),
        location: Set(location),
        notes: Set(notes),
        cancel_reason: Set(None),
        sequence: Set(0),
        ..Default::default()
    };
    (row, span, zone)
}

/// The people and resources a booking names, with those of its package
/// (resource hooks) added once each.
async fn with_package(
    core: &Core,
    p: &Principal,
    input: &NewBooking,
    branch: uuid::Uuid,
) -> CoreResult<(Vec<StaffPick>, Vec<ResourceId>)> {
    let mut staff = input.staff.clone().unwrap_or_default();
    let mut resources = input.resource_ids.clone().unwrap_or_default();
    let Some(id) = input.package_id else {
        return Ok((staff, resources));
    };
    let pkg = super::package::live(core, p.studio, id)
        .await
        .map_err(|_| CoreError::missing("package_id", "package", id))?;
    if pkg.branch_id != branch {
        return Err(CoreError::invalid(
            "package_id",
            "this package is sold by another branch; book it there, or pick this branch's package",
        ));
    }
    for r in super::session_type::ids_of(&pkg.resource_ids) {
        let r = ResourceId::from_uuid(r);
        if !resources.contains(&r) {
            resources.push(r);
        }
    }
    for u in super::session_type::ids_of(&pkg.staff_ids) {
        let u = darkroom_domain::UserId::from_uuid(u);
        if !staff.iter().any(|s| s.user_id == u) {
            staff.push(StaffPick {
                user_id: u,
                role: None,
            });
        }
    }
    Ok((staff, resources))
}

async fn check(core: &Core, p: &Principal, input: &NewBooking) -> CoreResult<Checked> {
    let branch = super::branch_for(
        core,
        p,
        "branch_id",
        input.branch_id,
        Permission::BookingManage,
    )
    .await?;
    let c = core.db().conn();
    let mut errs = FieldErrors::new();
    let (mut row, span, zone) = fields(input, &branch.time_zone, &mut errs);
    let mut pad = Padding {
        travel: minutes_of(&mut errs, "travel_minutes", input.travel_minutes).unwrap_or(0),
        before: minutes_of(
            &mut errs,
            "buffer_before_minutes",
            input.buffer_before_minutes,
        )
        .unwrap_or(0),
        after: minutes_of(
            &mut errs,
            "buffer_after_minutes",
            input.buffer_after_minutes,
        )
        .unwrap_or(0),
    };
    if let Some(cl) = input.client_id
        && repo::client::find(c, p.studio, cl).await?.is_none()
    {
        return Err(CoreError::missing("client_id", "client", cl));
    }
    if let Some(st) = input.session_type_id {
        let t = repo::schedule::find_session_type(c, p.studio, st)
            .await?
            .ok_or_else(|| CoreError::missing("session_type_id", "session type", st))?;
        // The type's buffers unless the booking names its own.
        pad.before = if input.buffer_before_minutes.is_none() {
            t.buffer_before_minutes
        } else {
            pad.before
        };
        pad.after = if input.buffer_after_minutes.is_none() {
            t.buffer_after_minutes
        } else {
            pad.after
        };
    }
    let (staff, resources) = with_package(core, p, input, branch.id).await?;
    let holds = plan(
        core,
        p,
        BranchId::from_uuid(branch.id),
        &staff,
        &resources,
        pad,
        &mut errs,
    )
    .await?;
    errs.into_result()?;
    let (Some(span), Some(zone)) = (span, zone) else {
        return Err(CoreError::invalid("ends_at", "the range is not valid"));
    };
    row.branch_id = Set(branch.id);
    row.starts_at = Set(span.start.as_micros());
    row.ends_at = Set(span.end.as_micros());
    row.time_zone = Set(zone.clone());
    row.travel_minutes = Set(pad.travel);
    row.buffer_before_minutes = Set(pad.before);
    row.buffer_after_minutes = Set(pad.after);
    row.created_by = Set(Some(p.user.uuid()));
    Ok(Checked {
        row,
        span,
        zone,
        holds,
    })
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewBooking,
) -> CoreResult<BookingView> {
    let Checked {
        mut row,
        span,
        zone,
        holds,
    } = check(core, p, &input).await?;
    // Time off is the studio's own rule, read before writing; overlapping
    // claims are refused by the database itself, below.
    let clashes = conflict::clashes(core, p, span, &holds, None).await?;
    if clashes.iter().any(|c| c.kind != ClashKind::Booking) {
        return Err(conflict::refusal(core, p, span, &holds, None, &zone).await?);
    }
    let id = input.id.unwrap_or_default();
    let tx = core.db().begin().await?;
    let now = core.now();
    if input.id.is_some()
        && created::claim(
            &tx,
            p.studio,
            "booking",
            id,
            &created::digest(&input),
            now.as_micros(),
        )
        .await?
            == Claim::Replay
    {
        drop(tx);
        return get(core, p, id).await;
    }
    row.id = Set(id.uuid());
    let m = write::insert::<booking::Entity>(core, &tx, p.studio, &id, row).await?;
    match conflict::claim_all(&tx, p.studio, id, span, &holds, now).await {
        Ok(()) => {}
        Err(Refused::Db(e)) => return Err(e.into()),
        Err(Refused::Clash) => {
            drop(tx);
            return Err(conflict::refusal(core, p, span, &holds, None, &zone).await?);
        }
    }
    let holders: Vec<String> = holds.iter().map(Hold::shown_id).collect();
    let payload = serde_json::json!({
        "title": m.title, "starts_at": span.start, "ends_at": span.end, "holders": holders,
    });
    record(core, &tx, meta, p, &m, "booking.created", payload).await?;
    let out = views(core, &tx, p.studio, vec![m]).await?;
    crate::commit(tx).await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::not_found("booking"))
}
