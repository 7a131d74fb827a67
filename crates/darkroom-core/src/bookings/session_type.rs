//! Session types: what clients can book (a 30-minute headshot, a family
//! hour) with its duration, buffers, notice, horizon, slot increment,
//! capacity, and who may take it.

use darkroom_db::entity::session_type;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::booking::{BookingKind, LocationKind};
use darkroom_domain::field::{BookingKindName, Line, LocationKindName, Ranged, Slug, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ResourceId, SessionTypeId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A session type as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SessionTypeView {
    pub id: SessionTypeId,
    pub branch_id: BranchId,
    pub name: String,
    /// Its public booking page's address part.
    pub slug: String,
    pub kind: BookingKind,
    pub description: Option<String>,
    pub duration_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub increment_minutes: i64,
    pub location_kind: LocationKind,
    /// How many clients one slot takes (mini sessions: 1).
    pub capacity: i64,
    /// Whether clients can book it on the public page.
    pub public: bool,
    /// Whether an online booking waits for the studio to confirm it.
    pub requires_approval: bool,
    /// Who may take it (any one free); empty: anyone with hours at the branch.
    pub staff_ids: Vec<UserId>,
    /// What every booking of it needs (a room, a backdrop).
    pub resource_ids: Vec<ResourceId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn ids_of(stored: &str) -> Vec<uuid::Uuid> {
    stored.split('|').filter_map(|s| s.parse().ok()).collect()
}

pub(crate) fn stored_ids(ids: impl Iterator<Item = uuid::Uuid>) -> String {
    let v: Vec<String> = ids.map(|u| u.to_string()).collect();
    if v.is_empty() {
        String::new()
    } else {
        format!("|{}|", v.join("|"))
    }
}

pub(crate) fn view(m: session_type::Model) -> SessionTypeView {
    SessionTypeView {
        id: SessionTypeId::from_uuid(m.id),
        branch_id: BranchId::from_uuid(m.branch_id),
        name: m.name,
        slug: m.slug,
        kind: m.kind,
        description: m.description,
        duration_minutes: m.duration_minutes,
        buffer_before_minutes: m.buffer_before_minutes,
        buffer_after_minutes: m.buffer_after_minutes,
        min_notice_minutes: m.min_notice_minutes,
        horizon_days: m.horizon_days,
        increment_minutes: m.increment_minutes,
        location_kind: m.location_kind,
        capacity: m.capacity,
        public: m.public == 1,
        requires_approval: m.requires_approval == 1,
        staff_ids: ids_of(&m.staff_ids)
            .into_iter()
            .map(UserId::from_uuid)
            .collect(),
        resource_ids: ids_of(&m.resource_ids)
            .into_iter()
            .map(ResourceId::from_uuid)
            .collect(),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// A new session type.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSessionType {
    pub id: Option<SessionTypeId>,
    pub branch_id: BranchId,
    pub name: Line<120>,
    /// Lower-case letters, digits and `-` (e.g. `mini-headshot`); from the name by default.
    pub slug: Option<Slug>,
    pub kind: Option<BookingKindName>,
    pub description: Option<Text<2000>>,
    /// 5 to 1440 minutes.
    pub duration_minutes: Ranged<5, 1440>,
    pub buffer_before_minutes: Option<Ranged<0, 720>>,
    pub buffer_after_minutes: Option<Ranged<0, 720>>,
    /// How long before a session it can still be booked (default 0).
    pub min_notice_minutes: Option<Ranged<0, 43200>>,
    /// How far ahead it can be booked, in days (default 60).
    pub horizon_days: Option<Ranged<1, 730>>,
    /// Start times every N minutes (default 30).
    pub increment_minutes: Option<Ranged<5, 720>>,
    /// `studio` (default), `on_location` or `online`.
    pub location_kind: Option<LocationKindName>,
    pub capacity: Option<Ranged<1, 100>>,
    pub public: Option<bool>,
    /// Online bookings are requests the studio confirms or declines
    /// (the time is held meanwhile).
    pub requires_approval: Option<bool>,
    #[schema(max_items = 50)]
    pub staff_ids: Option<Vec<UserId>>,
    #[schema(max_items = 20)]
    pub resource_ids: Option<Vec<ResourceId>>,
}

/// `Mini Headshot!` → `mini-headshot`.
pub fn slug_of(name: &str) -> String {
    let mut out = String::new();
    for ch in name.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

fn check_slug(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
    {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{}` is not a slug: use lower-case letters, digits and `-`, e.g. `mini-headshot`",
            s.chars().take(60).collect::<String>()
        ))
    }
}

/// The fields that need no look-up, checked into `errs`, as the new row.
fn fields(
    input: &NewSessionType,
    id: SessionTypeId,
    errs: &mut FieldErrors,
) -> session_type::ActiveModel {
    let name = errs
        .check("name", input.name.check("the name"))
        .unwrap_or_default();
    // From the name; a name with no Latin letters or digits (`증명사진`)
    // gets one from its id.
    let slug = match &input.slug {
        Some(s) => errs.check("slug", s.check()),
        None => Some(check_slug(&slug_of(&name)).unwrap_or_else(|_| {
            let hex = id.uuid().simple().to_string();
            format!("session-{}", &hex[hex.len() - 8..])
        })),
    };
    let kind = input.kind.as_ref().map_or(Some(BookingKind::Session), |k| {
        errs.check("kind", k.check())
    });
    let location = input
        .location_kind
        .as_ref()
        .map_or(Some(LocationKind::Studio), |l| {
            errs.check("location_kind", l.check())
        });
    let description = input
        .description
        .as_ref()
        .and_then(|d| errs.check("description", d.check("the description")))
        .flatten();
    let mut int = |v: Option<Result<i64, String>>, field: &str, default: i64| {
        v.and_then(|r| errs.check(field, r)).unwrap_or(default)
    };
    session_type::ActiveModel {
        duration_minutes: Set(int(
            Some(input.duration_minutes.check()),
            "duration_minutes",
            60,
        )),
        buffer_before_minutes: Set(int(
            input.buffer_before_minutes.map(|v| v.check()),
            "buffer_before_minutes",
            0,
        )),
        buffer_after_minutes: Set(int(
            input.buffer_after_minutes.map(|v| v.check()),
            "buffer_after_minutes",
            0,
        )),
        min_notice_minutes: Set(int(
            input.min_notice_minutes.map(|v| v.check()),
            "min_notice_minutes",
            0,
        )),
        horizon_days: Set(int(
            input.horizon_days.map(|v| v.check()),
            "horizon_days",
            60,
        )),
        increment_minutes: Set(int(
            input.increment_minutes.map(|v| v.check()),
            "increment_minutes",
            30,
        )),
        capacity: Set(int(input.capacity.map(|v| v.check()), "capacity", 1)),
        name: Set(name),
        slug: Set(slug.unwrap_or_default()),
        kind: Set(kind.unwrap_or(BookingKind::Session)),
        location_kind: Set(location.unwrap_or(LocationKind::Studio)),
        description: Set(description),
        public: Set(i64::from(input.public.unwrap_or(false))),
        requires_approval: Set(i64::from(input.requires_approval.unwrap_or(false))),
        ..Default::default()
    }
}

/// The staff and resources named, each of this studio (resources of `branch`).
async fn members(
    core: &Core,
    p: &Principal,
    branch: uuid::Uuid,
    input: &NewSessionType,
    errs: &mut FieldErrors,
) -> CoreResult<(Vec<UserId>, Vec<ResourceId>)> {
    let c = core.db().conn();
    let staff = input.staff_ids.clone().unwrap_or_default();
    for (i, u) in staff.iter().enumerate() {
        if repo::person::find_membership(c, p.studio, *u, false)
            .await?
            .is_none()
        {
            return Err(CoreError::missing(
                &format!("staff_ids[{i}]"),
                "staff member",
                u,
            ));
        }
    }
    let resources = input.resource_ids.clone().unwrap_or_default();
    for (i, rid) in resources.iter().enumerate() {
        let field = format!("resource_ids[{i}]");
        let r = repo::schedule::find_resource(c, p.studio, *rid, false)
            .await?
            .ok_or_else(|| CoreError::missing(&field, "resource", rid))?;
        if r.branch_id != branch {
            errs.add(
                &field,
                "invalid",
                format!("{} belongs to another branch", r.name),
            );
        }
    }
    Ok((staff, resources))
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewSessionType,
) -> CoreResult<SessionTypeView> {
    let branch = super::branch_for(
        core,
        p,
        "branch_id",
        input.branch_id,
        Permission::BookingManage,
    )
    .await?;
    let mut errs = FieldErrors::new();
    let id = input.id.unwrap_or_default();
    let mut row = fields(&input, id, &mut errs);
    let (staff, resources) = members(core, p, branch.id, &input, &mut errs).await?;
    errs.into_result()?;
    let slug = match &row.slug {
        darkroom_db::sea_orm::ActiveValue::Set(s) => s.clone(),
        _ => String::new(),
    };
    let taken = || {
        CoreError::taken(
            "slug",
            format!("another session type already uses `{slug}`; pick another slug"),
        )
    };
    if repo::schedule::session_type_by_slug(core.db().conn(), p.studio, &slug)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    row.id = Set(id.uuid());
    row.branch_id = Set(branch.id);
    row.staff_ids = Set(stored_ids(staff.iter().map(|u| u.uuid())));
    row.resource_ids = Set(stored_ids(resources.iter().map(|r| r.uuid())));
    let tx = core.db().begin().await?;
    // Two types made at once with one slug: the unique index decides.
    let m = write::insert::<session_type::Entity>(core, &tx, p.studio, &id, row)
        .await
        .map_err(|e| match e {
            CoreError::Taken { .. } => taken(),
            e => e,
        })?;
    let payload = serde_json::json!({ "name": m.name, "slug": m.slug });
    let event = Event {
        studio: Some(p.studio),
        branch: Some(BranchId::from_uuid(m.branch_id)),
        who: Who::of(p),
        event_type: "session_type.created",
        severity: Severity::Low,
        target_type: "session_type",
        target_id: id.to_string(),
        payload,
    };
    audit::record(core, &tx, meta, event).await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<SessionTypeView>> {
    let allowed = core.branch_filter(p, Permission::BookingView);
    Ok(repo::schedule::session_types(core.db().conn(), p.studio)
        .await?
        .into_iter()
        .filter(|m| allowed.allows(BranchId::from_uuid(m.branch_id)))
        .map(view)
        .collect())
}

pub async fn get(core: &Core, p: &Principal, id: SessionTypeId) -> CoreResult<SessionTypeView> {
    let m = repo::schedule::find_session_type(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("session type"))?;
    if !core.can(
        p,
        Permission::BookingView,
        Target::branch(BranchId::from_uuid(m.branch_id)),
    ) {
        return Err(CoreError::not_found("session type"));
    }
    Ok(view(m))
}
