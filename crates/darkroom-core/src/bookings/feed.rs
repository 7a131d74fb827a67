//! Calendar feeds (RFC 5545): a secret, revocable URL per staff member,
//! resource or branch that any calendar app subscribes to. Only the
//! token's hash is stored; the URL is shown once, when made.

use darkroom_db::entity::calendar_feed;
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::booking::{BookingStatus, FeedScope, minutes};
use darkroom_domain::ical::{self, EventStatus};
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, FeedId, ResourceId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::booking::BookingView;
use uuid::Uuid;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret;
use crate::{Core, Meta, Principal};

/// What a feed shows: one person's, one resource's or one branch's bookings.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// A staff member (`usr_…`), a resource (`res_…`) or a branch (`brn_…`).
    pub of: darkroom_domain::field::CalendarSubject,
}

/// A feed as staff see it (the URL only when it is made).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FeedView {
    pub id: FeedId,
    pub scope_kind: FeedScope,
    /// The person, resource or branch.
    pub scope_id: String,
    /// The secret address, shown once: anyone holding it reads the feed.
    pub url: Option<String>,
    pub created_at: Timestamp,
}

fn view(m: &calendar_feed::Model, url: Option<String>) -> FeedView {
    FeedView {
        id: FeedId::from_uuid(m.id),
        scope_kind: m.scope_kind,
        scope_id: shown_scope(m.scope_kind, m.scope_id),
        url,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

fn shown_scope(kind: FeedScope, id: Uuid) -> String {
    match kind {
        FeedScope::Staff => UserId::from_uuid(id).to_string(),
        FeedScope::Resource => ResourceId::from_uuid(id).to_string(),
        FeedScope::Branch => BranchId::from_uuid(id).to_string(),
    }
}

/// What `of` names, checked: `(kind, id, branch for authorization)`.
async fn scope(
    core: &Core,
    p: &Principal,
    of: &str,
) -> CoreResult<(FeedScope, Uuid, Option<BranchId>)> {
    let c = core.db().conn();
    let bad = |e: darkroom_domain::IdError| {
        CoreError::invalid(
            "of",
            format!("{e}; give a staff (`usr_…`), resource (`res_…`) or branch (`brn_…`) id"),
        )
    };
    if of.starts_with("res_") {
        let id = ResourceId::parse(of).map_err(bad)?;
        let r = repo::schedule::find_resource(c, p.studio, id, false)
            .await?
            .ok_or_else(|| CoreError::missing("of", "resource", id))?;
        Ok((
            FeedScope::Resource,
            r.id,
            Some(BranchId::from_uuid(r.branch_id)),
        ))
    } else if of.starts_with("brn_") {
        let id = BranchId::parse(of).map_err(bad)?;
        repo::branch::find(c, p.studio, id, false)
            .await?
            .ok_or_else(|| CoreError::missing("of", "branch", id))?;
        Ok((FeedScope::Branch, id.uuid(), Some(id)))
    } else {
        let id = UserId::parse(of).map_err(bad)?;
        repo::person::find_membership(c, p.studio, id, false)
            .await?
            .ok_or_else(|| CoreError::missing("of", "staff member", id))?;
        Ok((FeedScope::Staff, id.uuid(), None))
    }
}

/// Whether `p` may make or revoke a feed of this scope: their own; or a
/// resource's or branch's with `booking.manage` there; or anyone's with
/// `booking.manage` somewhere.
fn may_manage(
    core: &Core,
    p: &Principal,
    kind: FeedScope,
    id: Uuid,
    branch: Option<BranchId>,
) -> CoreResult<()> {
    let ok = match (kind, branch) {
        (FeedScope::Staff, _) => {
            id == p.user.uuid()
                || core
                    .permissions_anywhere(p)
                    .contains(&Permission::BookingManage)
        }
        (_, Some(b)) => core.can(p, Permission::BookingManage, Target::branch(b)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you may make a feed of your own bookings; others' need the `booking.manage` permission",
        ))
    }
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewFeed,
) -> CoreResult<FeedView> {
    let of = input.of.0.trim().to_string();
    let (kind, id, branch) = scope(core, p, &of).await?;
    may_manage(core, p, kind, id, branch)?;
    let token = secret::new_token("cal_");
    let m = calendar_feed::Model {
        id: Uuid::now_v7(),
        studio_id: p.studio.uuid(),
        scope_kind: kind,
        scope_id: id,
        token_hash: secret::hash_token(&token),
        created_by: Some(p.user.uuid()),
        created_at: core.now().as_micros(),
        revoked_at: None,
    };
    let tx = core.db().begin().await?;
    let m = repo::schedule::insert_feed(&tx, m).await?;
    record(core, &tx, meta, p, &m, "calendar_feed.created").await?;
    crate::commit(tx).await?;
    let url = core.settings().link(&format!("/calendar/{token}.ics"));
    Ok(view(&m, Some(url)))
}

pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<FeedView>> {
    let rows = repo::schedule::feeds(core.db().conn(), p.studio, None).await?;
    let manager = core
        .permissions_anywhere(p)
        .contains(&Permission::BookingManage);
    Ok(rows
        .iter()
        .filter(|m| manager || (m.scope_kind == FeedScope::Staff && m.scope_id == p.user.uuid()))
        .map(|m| view(m, None))
        .collect())
}

pub async fn revoke(core: &Core, p: &Principal, meta: &Meta, id: FeedId) -> CoreResult<()> {
    let rows = repo::schedule::feeds(core.db().conn(), p.studio, None).await?;
    let m = rows
        .into_iter()
        .find(|m| m.id == id.uuid())
        .ok_or(CoreError::not_found("calendar feed"))?;
    let branch = match m.scope_kind {
        FeedScope::Branch => Some(BranchId::from_uuid(m.scope_id)),
        FeedScope::Resource => repo::schedule::find_resource(
            core.db().conn(),
            p.studio,
            ResourceId::from_uuid(m.scope_id),
            true,
        )
        .await?
        .map(|r| BranchId::from_uuid(r.branch_id)),
        FeedScope::Staff => None,
    };
    if may_manage(core, p, m.scope_kind, m.scope_id, branch).is_err() {
        return Err(CoreError::not_found("calendar feed"));
    }
    let tx = core.db().begin().await?;
    repo::schedule::revoke_feed(&tx, p.studio, id.uuid(), core.now().as_micros()).await?;
    record(core, &tx, meta, p, &m, "calendar_feed.revoked").await?;
    crate::commit(tx).await
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &calendar_feed::Model,
    event_type: &'static str,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type,
            severity: Severity::Medium,
            target_type: "calendar_feed",
            target_id: FeedId::from_uuid(m.id).to_string(),
            payload: serde_json::json!({ "of": shown_scope(m.scope_kind, m.scope_id) }),
        },
    )
    .await
}

/// Whose bookings a feed shows, and the calendar's name.
async fn subject(
    core: &Core,
    m: &calendar_feed::Model,
) -> CoreResult<(Option<Uuid>, Option<Vec<BranchId>>, String)> {
    let c = core.db().conn();
    let studio = StudioId::from_uuid(m.studio_id);
    if m.scope_kind == FeedScope::Branch {
        let b = repo::branch::find(c, studio, BranchId::from_uuid(m.scope_id), false)
            .await?
            .ok_or(CoreError::not_found("calendar feed"))?;
        return Ok((None, Some(vec![BranchId::from_uuid(b.id)]), b.name));
    }
    let names = repo::booking::holder_names(c, studio, &[m.scope_id]).await?;
    let name = names
        .get(&m.scope_id)
        .cloned()
        .ok_or(CoreError::not_found("calendar feed"))?;
    Ok((Some(m.scope_id), None, name))
}

/// One booking as a feed event; `holder` is the person or resource whose
/// feed it is (taken off the booking: it is over for them).
fn event(b: &BookingView, holder: Option<&str>, host: &str) -> ical::Event {
    let people: Vec<String> = b
        .claims
        .iter()
        .map(|c| format!("{} ({})", c.name, c.role))
        .collect();
    let mut description = people.join(", ");
    if let Some(r) = &b.cancel_reason {
        description = format!("Cancelled: {r}\n{description}");
    }
    let dropped = holder.is_some_and(|h| !b.claims.iter().any(|c| c.holder_id == h));
    ical::Event {
        uid: format!("{}@{host}", b.id),
        sequence: b.sequence,
        summary: b.title.clone(),
        description: (!description.is_empty()).then_some(description),
        location: b.location.clone(),
        start: b.starts_at,
        end: b.ends_at,
        zone: b.time_zone.clone(),
        status: match b.status {
            _ if dropped => EventStatus::Cancelled,
            BookingStatus::Cancelled => EventStatus::Cancelled,
            BookingStatus::Tentative => EventStatus::Tentative,
            _ => EventStatus::Confirmed,
        },
        updated: b.updated_at,
    }
}

/// The feed behind a secret token: its calendar text, or "not found" for a
/// token that is unknown or revoked (the same answer).
pub async fn render(core: &Core, token: &str) -> CoreResult<String> {
    let c = core.db().conn();
    let m = repo::schedule::feed_by_hash(c, &secret::hash_token(token))
        .await?
        .ok_or(CoreError::not_found("calendar feed"))?;
    let studio = StudioId::from_uuid(m.studio_id);
    let now = core.now();
    let (holder, branches, name) = subject(core, &m).await?;
    let range = repo::booking::Range {
        from: now.minus(minutes(120 * 24 * 60)).as_micros(),
        to: now.plus(minutes(400 * 24 * 60)).as_micros(),
        branches,
        holder,
        cancelled: true,
        limit: 5000,
    };
    let rows = repo::booking::between(c, studio, &range).await?;
    let views = super::booking::views(core, c, studio, rows).await?;
    let host = core
        .settings()
        .public_url
        .host_str()
        .unwrap_or("darkroom.local")
        .to_string();
    let shown = holder.map(|h| shown_scope(m.scope_kind, h));
    let events: Vec<ical::Event> = views
        .iter()
        .map(|b| event(b, shown.as_deref(), &host))
        .collect();
    Ok(ical::calendar(&name, &events, now))
}
