//! When people work and when they cannot (seed 003's photographer
//! availability): weekly hours per branch, time off and one-off blocks; and
//! from them, with bookings, the free start times of a session type.

use std::collections::HashMap;

use darkroom_db::entity::{availability_block, session_type, work_hours};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::booking::{self, BlockKind, DayHours, SlotRules, Span, minutes};
use darkroom_domain::field::{BlockKindName, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BlockId, BranchId, SessionTypeId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// One stretch of weekly hours.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub branch_id: BranchId,
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: i64,
    /// `09:00`, in the branch's wall-clock time.
    pub from: Text<5>,
    /// `17:30`; `24:00` for midnight.
    pub to: Text<5>,
}

/// A person's whole week (replaces what was there).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[schema(max_items = 100)]
    pub hours: Vec<Hours>,
}

fn hours_view(m: &work_hours::Model) -> Hours {
    Hours {
        branch_id: BranchId::from_uuid(m.branch_id),
        weekday: m.weekday,
        from: booking::hhmm(m.from_minute).as_str().into(),
        to: booking::hhmm(m.to_minute).as_str().into(),
    }
}

/// Whether `p` may change `user`'s availability: their own, or with
/// `booking.manage` somewhere.
pub(crate) fn may_edit(core: &Core, p: &Principal, user: UserId) -> CoreResult<()> {
    if p.user == user
        || core
            .permissions_anywhere(p)
            .contains(&Permission::BookingManage)
    {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you may change only your own hours and time off without the `booking.manage` permission",
        ))
    }
}

pub(crate) async fn staff_of(core: &Core, p: &Principal, user: UserId) -> CoreResult<()> {
    repo::person::find_membership(core.db().conn(), p.studio, user, false)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    if !core
        .permissions_anywhere(p)
        .contains(&Permission::BookingView)
        && p.user != user
    {
        return Err(CoreError::forbidden(
            "you do not have the `booking.view` permission; ask the studio owner if you need it",
        ));
    }
    Ok(())
}

pub async fn hours(core: &Core, p: &Principal, user: UserId) -> CoreResult<WeekHours> {
    staff_of(core, p, user).await?;
    let rows = repo::schedule::hours_of(core.db().conn(), p.studio, Some(&[user.uuid()])).await?;
    Ok(WeekHours {
        hours: rows.iter().map(hours_view).collect(),
    })
}

/// A week's hours as rows, checked: branches of this studio, times of day,
/// no two stretches of one day overlapping.
async fn rows_of(
    core: &Core,
    p: &Principal,
    user: UserId,
    week: &WeekHours,
) -> CoreResult<Vec<work_hours::Model>> {
    if week.hours.len() > 100 {
        return Err(CoreError::invalid(
            "hours",
            "give at most 100 stretches of hours",
        ));
    }
    let mut errs = FieldErrors::new();
    let mut rows: Vec<work_hours::Model> = Vec::new();
    let now = core.now().as_micros();
    for (i, h) in week.hours.iter().enumerate() {
        if repo::branch::find(core.db().conn(), p.studio, h.branch_id, false)
            .await?
            .is_none()
        {
            return Err(CoreError::missing(
                &format!("hours[{i}].branch_id"),
                "branch",
                h.branch_id,
            ));
        }
        let from = errs.check(&format!("hours[{i}].from"), booking::parse_hhmm(&h.from.0));
        let to = errs.check(&format!("hours[{i}].to"), booking::parse_hhmm(&h.to.0));
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let Some(d) = errs.check(&format!("hours[{i}]"), DayHours::new(h.weekday, from, to)) else {
            continue;
        };
        let overlaps = |r: &work_hours::Model| {
            r.weekday == h.weekday && r.from_minute < d.to_minute && d.from_minute < r.to_minute
        };
        if rows.iter().any(overlaps) {
            errs.add(
                &format!("hours[{i}]"),
                "overlap",
                "these hours overlap other hours on the same day; merge them",
            );
            continue;
        }
        rows.push(work_hours::Model {
            id: Uuid::now_v7(),
            studio_id: p.studio.uuid(),
            user_id: user.uuid(),
            branch_id: h.branch_id.uuid(),
            weekday: h.weekday,
            from_minute: d.from_minute,
            to_minute: d.to_minute,
            created_at: now,
        });
    }
    errs.into_result()?;
    Ok(rows)
}

pub async fn set_hours(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    week: WeekHours,
) -> CoreResult<WeekHours> {
    staff_of(core, p, user).await?;
    may_edit(core, p, user)?;
    let rows = rows_of(core, p, user, &week).await?;
    let tx = core.db().begin().await?;
    repo::schedule::replace_hours(&tx, p.studio, user, rows.clone()).await?;
    let event = Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "staff.hours_set",
        severity: Severity::Low,
        target_type: "user",
        target_id: user.to_string(),
        payload: serde_json::json!({ "stretches": rows.len() }),
    };
    audit::record(core, &tx, meta, event).await?;
    crate::commit(tx).await?;
    Ok(WeekHours {
        hours: rows.iter().map(hours_view).collect(),
    })
}

/// Time off or a block, as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BlockView {
    pub id: BlockId,
    pub user_id: UserId,
    pub kind: BlockKind,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
}

fn block_view(m: availability_block::Model) -> BlockView {
    BlockView {
        id: BlockId::from_uuid(m.id),
        user_id: UserId::from_uuid(m.user_id),
        kind: m.kind,
        starts_at: Timestamp::from_micros(m.starts_at),
        ends_at: Timestamp::from_micros(m.ends_at),
        reason: m.reason,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

/// New time off or a one-off block.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    pub id: Option<BlockId>,
    /// `time_off` (default) or `block`.
    pub kind: Option<BlockKindName>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub reason: Option<Text<500>>,
}

pub async fn add_block(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    input: NewBlock,
) -> CoreResult<BlockView> {
    staff_of(core, p, user).await?;
    may_edit(core, p, user)?;
    let mut errs = FieldErrors::new();
    let kind = match &input.kind {
        Some(k) => errs.check("kind", k.check().and_then(|k| {
            if k == BlockKind::External { Err("imported busy times come from the calendar import; use `time_off` or `block`".into()) } else { Ok(k) }
        })),
        None => Some(BlockKind::TimeOff),
    };
    // Time off runs for weeks; a block is at most the longest booking.
    let span = if input.ends_at > input.starts_at
        && input.ends_at.since(input.starts_at) <= minutes(366 * 24 * 60)
    {
        Some(Span {
            start: input.starts_at,
            end: input.ends_at,
        })
    } else {
        errs.add(
            "ends_at",
            "invalid",
            "the end must come after the start, and time off lasts at most a year",
        );
        None
    };
    let reason = input
        .reason
        .as_ref()
        .and_then(|r| errs.check("reason", r.check("the reason")))
        .flatten();
    errs.into_result()?;
    let span = span.ok_or_else(|| CoreError::invalid("ends_at", "the range is not valid"))?;
    let id = input.id.unwrap_or_default();
    let tx = core.db().begin().await?;
    let m = write::insert::<availability_block::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        availability_block::ActiveModel {
            id: Set(id.uuid()),
            user_id: Set(user.uuid()),
            kind: Set(kind.unwrap_or(BlockKind::TimeOff)),
            starts_at: Set(span.start.as_micros()),
            ends_at: Set(span.end.as_micros()),
            reason: Set(reason),
            source_uid: Set(None),
            ..Default::default()
        },
    )
    .await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "staff.time_off_added",
        severity: Severity::Low,
        target_type: "user",
        target_id: user.to_string(),
        payload: serde_json::json!({ "block": id, "starts_at": span.start, "ends_at": span.end }),
    })
    .await?;
    crate::commit(tx).await?;
    Ok(block_view(m))
}

pub async fn blocks(
    core: &Core,
    p: &Principal,
    user: UserId,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<BlockView>> {
    staff_of(core, p, user).await?;
    Ok(repo::schedule::blocks_of(
        core.db().conn(),
        p.studio,
        &[user.uuid()],
        from.as_micros(),
        to.as_micros(),
    )
    .await?
    .into_iter()
    .map(block_view)
    .collect())
}

pub async fn remove_block(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    id: BlockId,
) -> CoreResult<()> {
    staff_of(core, p, user).await?;
    let b = repo::schedule::find_block(core.db().conn(), p.studio, id)
        .await?
        .filter(|b| b.user_id == user.uuid())
        .ok_or(CoreError::not_found("block"))?;
    may_edit(core, p, user)?;
    let tx = core.db().begin().await?;
    repo::schedule::delete_block(&tx, p.studio, id).await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "staff.time_off_removed",
        severity: Severity::Low,
        target_type: "user",
        target_id: user.to_string(),
        payload: serde_json::json!({ "block": id, "starts_at": Timestamp::from_micros(b.starts_at) }),
    })
    .await?;
    crate::commit(tx).await
}

/// A free start of a session type, and who could take it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The staff free then (any one of them takes it); none for a seat in
    /// a group already there.
    pub staff_ids: Vec<UserId>,
    /// For a group type: the seats left at this start.
    pub seats_left: Option<i64>,
}

/// The longest window one slot search covers.
pub const MAX_SLOT_WINDOW_DAYS: u64 = 62;

fn rules_of(t: &session_type::Model) -> SlotRules {
    SlotRules {
        duration: minutes(t.duration_minutes),
        buffer_before: minutes(t.buffer_before_minutes),
        buffer_after: minutes(t.buffer_after_minutes),
        min_notice: minutes(t.min_notice_minutes),
        horizon: minutes(t.horizon_days * 24 * 60),
        increment: minutes(t.increment_minutes),
    }
}

fn span_of(from: i64, to: i64) -> Span {
    Span {
        start: Timestamp::from_micros(from),
        end: Timestamp::from_micros(to),
    }
}

/// Who may take `t`: those it names (or anyone) with hours at its branch.
fn pool_of(t: &session_type::Model, hours: &[work_hours::Model]) -> Vec<Uuid> {
    let named = super::session_type::ids_of(&t.staff_ids);
    let mut v: Vec<Uuid> = hours
        .iter()
        .filter(|h| h.branch_id == t.branch_id && (named.is_empty() || named.contains(&h.user_id)))
        .map(|h| h.user_id)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Each free start of `t` in `window`, with the staff free then.
async fn staff_starts(
    core: &Core,
    studio: StudioId,
    t: &session_type::Model,
    tz: &booking::Zone,
    window: Span,
    area: Span,
) -> CoreResult<HashMap<Timestamp, Vec<UserId>>> {
    let c = core.db().conn();
    let all_hours = repo::schedule::hours_of(c, studio, None).await?;
    let pool = pool_of(t, &all_hours);
    let (a, b) = (area.start.as_micros(), area.end.as_micros());
    let claims = repo::booking::live_claims_on(c, studio, &pool, a, b).await?;
    let blocks = repo::schedule::blocks_of(c, studio, &pool, a, b).await?;
    let rules = rules_of(t);
    let now = core.now();
    let mut by_start: HashMap<Timestamp, Vec<UserId>> = HashMap::new();
    for u in &pool {
        let hours: Vec<DayHours> = all_hours
            .iter()
            .filter(|h| h.user_id == *u && h.branch_id == t.branch_id)
            .filter_map(|h| DayHours::new(h.weekday, h.from_minute, h.to_minute).ok())
            .collect();
        let busy: Vec<Span> = claims
            .iter()
            .filter(|c| c.holder_id == *u)
            .map(|c| span_of(c.starts_at, c.ends_at))
            .chain(
                blocks
                    .iter()
                    .filter(|b| b.user_id == *u)
                    .map(|b| span_of(b.starts_at, b.ends_at)),
            )
            .collect();
        for s in booking::free_starts(&rules, &hours, tz, window, now, &busy) {
            by_start.entry(s).or_default().push(UserId::from_uuid(*u));
        }
    }
    Ok(by_start)
}

/// When a resource `t` needs has no unit free (`None`: one is gone).
async fn resources_full(
    core: &Core,
    studio: StudioId,
    t: &session_type::Model,
    area: Span,
) -> CoreResult<Option<Vec<Span>>> {
    let c = core.db().conn();
    let (a, b) = (area.start.as_micros(), area.end.as_micros());
    let mut full: Vec<Span> = Vec::new();
    for r in super::session_type::ids_of(&t.resource_ids) {
        let id = darkroom_domain::ResourceId::from_uuid(r);
        let Some(res) = repo::schedule::find_resource(c, studio, id, false).await? else {
            return Ok(None);
        };
        if res.status != darkroom_domain::booking::ResourceStatus::Available {
            return Ok(None);
        }
        let spans: Vec<Span> = repo::booking::live_claims_on(c, studio, &[r], a, b)
            .await?
            .into_iter()
            .map(|c| span_of(c.starts_at, c.ends_at))
            .collect();
        full.extend(booking::saturated(
            &spans,
            usize::try_from(res.quantity.max(1)).unwrap_or(1),
        ));
    }
    Ok(Some(full))
}

/// The free starts of session type `t` in `[from, to)`: a start is free when
/// one of its staff works then (at its branch), is not on time off or
/// booked (buffers included), and every resource it needs has a free unit.
pub async fn free_slots(
    core: &Core,
    studio: StudioId,
    t: &session_type::Model,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<Slot>> {
    let window =
        Span::window(from, to, MAX_SLOT_WINDOW_DAYS).map_err(|m| CoreError::invalid("to", m))?;
    let branch = repo::branch::find(
        core.db().conn(),
        studio,
        BranchId::from_uuid(t.branch_id),
        false,
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    let tz = booking::zone(&branch.time_zone);
    let area = window.padded(minutes(1440), minutes(1440));
    let by_start = staff_starts(core, studio, t, &tz, window, area).await?;
    let Some(full) = resources_full(core, studio, t, area).await? else {
        return Ok(Vec::new());
    };
    let rules = rules_of(t);
    let mut out: Vec<Slot> = by_start
        .into_iter()
        .filter(|(s, _)| {
            let end = s.plus(rules.duration);
            let padded = Span {
                start: s.minus(rules.buffer_before),
                end: end.plus(rules.buffer_after),
            };
            !full.iter().any(|f| f.overlaps(&padded))
        })
        .map(|(s, mut staff)| {
            staff.sort();
            Slot {
                starts_at: s,
                ends_at: s.plus(rules.duration),
                staff_ids: staff,
                seats_left: (t.capacity > 1).then_some(t.capacity),
            }
        })
        .collect();
    if t.capacity > 1 {
        // A start where a group is already is that group's: its seats left
        // (none: not offered), never a second group.
        let open = super::group::open_seats(core, t, window.start, window.end).await?;
        let taken = super::group::groups(core.db().conn(), t, window.start, window.end).await?;
        out.retain(|s| {
            !taken
                .iter()
                .any(|g| g.host.starts_at == s.starts_at.as_micros())
        });
        out.extend(open.into_iter().map(|(start, left)| Slot {
            starts_at: start,
            ends_at: start.plus(rules.duration),
            staff_ids: Vec::new(),
            seats_left: Some(left),
        }));
    }
    out.sort_by_key(|s| s.starts_at);
    Ok(out)
}

/// The free starts of a session type, for staff.
pub async fn slots(
    core: &Core,
    p: &Principal,
    id: SessionTypeId,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<Slot>> {
    let t = repo::schedule::find_session_type(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("session type"))?;
    if !core.can(
        p,
        Permission::BookingView,
        Target::branch(BranchId::from_uuid(t.branch_id)),
    ) {
        return Err(CoreError::not_found("session type"));
    }
    free_slots(core, p.studio, &t, from, to).await
}

/// Someone who can be booked.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

/// The studio's active staff, by name (for booking forms and calendars).
pub async fn people(core: &Core, p: &Principal) -> CoreResult<Vec<Person>> {
    if !core
        .permissions_anywhere(p)
        .contains(&Permission::BookingView)
    {
        return Err(CoreError::forbidden(
            "you do not have the `booking.view` permission; ask the studio owner if you need it",
        ));
    }
    Ok(repo::booking::bookable_staff(core.db().conn(), p.studio)
        .await?
        .into_iter()
        .map(|m| Person {
            id: UserId::from_uuid(m.user_id),
            name: m.name,
        })
        .collect())
}
