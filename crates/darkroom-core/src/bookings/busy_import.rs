//! Each staff member's busy times from their own calendar: the secret
//! iCalendar address Google Calendar, Apple iCloud or Outlook gives out is
//! read when it is added and then every [`REFRESH`] by a chore; the busy
//! stretches of the next [`AHEAD_DAYS`] days (recurring events expanded,
//! see `darkroom_domain::busy`) become availability blocks of kind
//! `external`, which free times and the never-double-booked claims already
//! respect. The address is a secret: it is sealed at rest and only its host
//! is ever shown. Addresses on loopback or private networks are refused
//! (unless the instance allows them), so no one can make the server read
//! the machine's own network.

use std::net::IpAddr;
use std::time::Duration;

use darkroom_db::entity::{availability_block, calendar_import};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::booking::BlockKind;
use darkroom_domain::{BlockId, CalendarImportId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::registry::BoxFuture;
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// How often a calendar is read again.
pub const REFRESH: Duration = Duration::from_secs(15 * 60);
/// How far ahead busy times are read.
pub const AHEAD_DAYS: u64 = 180;
/// The largest calendar read.
const MAX_BYTES: usize = 5 * 1024 * 1024;

/// A calendar read for someone's busy times.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarImportView {
    pub id: CalendarImportId,
    pub user_id: UserId,
    /// The address's host and the start of its path (the rest is secret).
    pub address: String,
    pub last_read_at: Option<Timestamp>,
    pub last_ok_at: Option<Timestamp>,
    /// Why the last read failed (the busy times of the read before stay).
    pub last_error: Option<String>,
    /// Busy stretches the last good read gave.
    pub busy_count: i64,
    pub created_at: Timestamp,
}

fn view(m: calendar_import::Model) -> CalendarImportView {
    CalendarImportView {
        id: CalendarImportId::from_uuid(m.id),
        user_id: UserId::from_uuid(m.user_id),
        address: m.url_hint,
        last_read_at: m.last_fetched_at.map(Timestamp::from_micros),
        last_ok_at: m.last_ok_at.map(Timestamp::from_micros),
        last_error: m.last_error,
        busy_count: m.busy_count,
        created_at: Timestamp::from_micros(m.created_at),
    }
}

/// A calendar to read.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendarImport {
    /// The calendar's secret address in iCal format (`https://…` or
    /// `webcal://…`).
    #[schema(
        max_length = 2000,
        example = "https://calendar.google.com/calendar/ical/…/basic.ics"
    )]
    pub url: String,
}

/// The address, checked: https (webcal read as https) or http.
fn checked_url(raw: &str) -> CoreResult<url::Url> {
    let raw = raw.trim();
    let bad = |m: &str| CoreError::invalid("url", m.to_string());
    if raw.is_empty() || raw.len() > 2000 {
        return Err(bad(
            "give the calendar's secret address in iCal format (at most 2000 characters)",
        ));
    }
    let fixed = match raw.strip_prefix("webcal://") {
        Some(rest) => format!("https://{rest}"),
        None => raw.to_string(),
    };
    let u = url::Url::parse(&fixed).map_err(|e| {
        bad(&format!(
            "`{raw}` is not a web address ({e}); copy the calendar's secret address in iCal format"
        ))
    })?;
    if !matches!(u.scheme(), "https" | "http") || u.host_str().is_none() {
        return Err(bad(
            "the address must start with https://, http:// or webcal://",
        ));
    }
    Ok(u)
}

fn hint(u: &url::Url) -> String {
    let path: String = u.path().chars().take(16).collect();
    format!("{}{}…", u.host_str().unwrap_or(""), path)
}

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            v.is_loopback()
                || v.is_private()
                || v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || v.octets()[0] == 100 && (64..128).contains(&v.octets()[1])
        }
        IpAddr::V6(v) => {
            v.is_loopback()
                || v.is_unspecified()
                || (v.segments()[0] & 0xfe00) == 0xfc00
                || (v.segments()[0] & 0xffc0) == 0xfe80
                || v.to_ipv4_mapped().is_some_and(|m| private(IpAddr::V4(m)))
        }
    }
}

/// Reads the calendar at `u`: its text, or why it could not be read.
async fn fetch(core: &Core, u: &url::Url) -> Result<String, String> {
    let host = u.host_str().unwrap_or("").to_string();
    let port = u.port_or_known_default().unwrap_or(443);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("the address's host `{host}` cannot be found ({e})"))?
        .collect();
    let Some(addr) = addrs.first().copied() else {
        return Err(format!("the address's host `{host}` cannot be found"));
    };
    if !core.settings().jobs.fetch_private_addresses && addrs.iter().any(|a| private(a.ip())) {
        return Err(format!(
            "`{host}` is on a private or local network; give the calendar's public address"
        ));
    }
    // Connect to the address checked above, not one looked up again.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, addr)
        .user_agent("Darkroom calendar import")
        .build()
        .map_err(|e| format!("cannot read calendars now ({e})"))?;
    let mut res = client
        .get(u.clone())
        .send()
        .await
        .map_err(|e| format!("the calendar could not be reached ({e})"))?;
    if !res.status().is_success() {
        return Err(format!(
            "the calendar's server answered {} (is the secret address still valid?)",
            res.status()
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| format!("the calendar stopped arriving ({e})"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err("the calendar is larger than 5 MB".into());
        }
    }
    String::from_utf8(body).map_err(|_| "the calendar is not UTF-8 text".into())
}

/// The zone someone's all-day and floating events are read in: the
/// studio's.
async fn zone_of(core: &Core, studio: StudioId) -> CoreResult<String> {
    Ok(crate::kernel::tenant::page_header(core, studio)
        .await?
        .time_zone)
}

/// Reads an import now and replaces its blocks; returns the error the read
/// met (recorded on the import; the previous blocks stay then).
async fn read(core: &Core, m: &calendar_import::Model) -> CoreResult<Option<String>> {
    let studio = StudioId::from_uuid(m.studio_id);
    let Some(url) = core.keys().open(&m.url_sealed) else {
        let e = "the address cannot be read with this instance's key; add the calendar again";
        repo::calendar_import::record(core.db().conn(), m.id, None, Some(e), None).await?;
        return Ok(Some(e.into()));
    };
    let now = core.now();
    let outcome = match checked_url(&url) {
        Ok(u) => fetch(core, &u).await,
        Err(e) => Err(e.to_string()),
    };
    let zone = zone_of(core, studio).await?;
    let parsed = outcome.and_then(|text| {
        let to = now.plus(Duration::from_secs(AHEAD_DAYS * 86_400));
        darkroom_domain::busy::busy_times(&text, now.minus(Duration::from_secs(86_400)), to, &zone)
    });
    let busy = match parsed {
        Ok(b) => b,
        Err(e) => {
            repo::calendar_import::record(core.db().conn(), m.id, None, Some(&e), None).await?;
            return Ok(Some(e));
        }
    };
    let rows: Vec<availability_block::ActiveModel> = busy
        .iter()
        .map(|b| availability_block::ActiveModel {
            id: Set(BlockId::new().uuid()),
            studio_id: Set(m.studio_id),
            user_id: Set(m.user_id),
            kind: Set(BlockKind::External),
            starts_at: Set(b.start.as_micros()),
            ends_at: Set(b.end.as_micros()),
            reason: Set(None),
            source_uid: Set(None),
            import_id: Set(Some(m.id)),
            version: Set(1),
            created_at: Set(now.as_micros()),
            updated_at: Set(now.as_micros()),
        })
        .collect();
    let count = rows.len() as i64;
    let tx = core.db().begin().await?;
    repo::calendar_import::replace_blocks(&tx, m.id, rows).await?;
    repo::calendar_import::record(&tx, m.id, Some(now.as_micros()), None, Some(count)).await?;
    crate::commit(tx).await?;
    Ok(None)
}

pub(crate) fn refresh_chore(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { refresh_due(&core).await.map(|_| ()) })
}

/// Reads every calendar not read for [`REFRESH`]; returns how many were read.
pub async fn refresh_due(core: &Core) -> CoreResult<usize> {
    let now = core.now();
    let before = now.minus(REFRESH).as_micros();
    let mut n = 0;
    for m in repo::calendar_import::due(core.db().conn(), before, 50).await? {
        // One worker reads each calendar: the claim moves its read time.
        if repo::calendar_import::claim(core.db().conn(), m.id, m.last_fetched_at, now.as_micros())
            .await?
        {
            read(core, &m).await?;
            n += 1;
        }
    }
    Ok(n)
}

async fn may_import(core: &Core, p: &Principal, user: UserId) -> CoreResult<()> {
    super::availability::staff_of(core, p, user).await?;
    super::availability::may_edit(core, p, user)
}

/// The calendars read for `user`'s busy times.
pub async fn list(core: &Core, p: &Principal, user: UserId) -> CoreResult<Vec<CalendarImportView>> {
    super::availability::staff_of(core, p, user).await?;
    let rows = repo::calendar_import::of_user(core.db().conn(), p.studio, user.uuid()).await?;
    Ok(rows.into_iter().map(view).collect())
}

fn event(
    p: &Principal,
    user: UserId,
    event_type: &'static str,
    payload: serde_json::Value,
) -> Event {
    Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type,
        severity: Severity::Medium,
        target_type: "user",
        target_id: user.to_string(),
        payload,
    }
}

/// Adds a calendar for `user` and reads it at once: an address that does
/// not give a calendar is refused with the reason, and nothing is kept.
pub async fn add(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    input: NewCalendarImport,
) -> CoreResult<CalendarImportView> {
    may_import(core, p, user).await?;
    let u = checked_url(&input.url)?;
    let text = fetch(core, &u)
        .await
        .map_err(|e| CoreError::invalid("url", e))?;
    darkroom_domain::busy::busy_times(&text, core.now(), core.now(), "UTC")
        .map_err(|e| CoreError::invalid("url", e))?;
    let id = CalendarImportId::new();
    let row = calendar_import::ActiveModel {
        id: Set(id.uuid()),
        user_id: Set(user.uuid()),
        url_sealed: Set(core.keys().seal(u.as_str())),
        url_hint: Set(hint(&u)),
        busy_count: Set(0),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    let m = write::insert::<calendar_import::Entity>(core, &tx, p.studio, &id, row).await?;
    let payload = serde_json::json!({ "import": id, "address": m.url_hint });
    audit::record(
        core,
        &tx,
        meta,
        event(p, user, "staff.calendar_import_added", payload),
    )
    .await?;
    crate::commit(tx).await?;
    repo::calendar_import::claim(core.db().conn(), id.uuid(), None, core.now().as_micros()).await?;
    read(core, &m).await?;
    let fresh = repo::calendar_import::find(core.db().conn(), p.studio, user.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("calendar import"))?;
    Ok(view(fresh))
}

/// Reads a calendar again now.
pub async fn refresh(
    core: &Core,
    p: &Principal,
    user: UserId,
    id: CalendarImportId,
) -> CoreResult<CalendarImportView> {
    let id = id.uuid();
    may_import(core, p, user).await?;
    let m = repo::calendar_import::find(core.db().conn(), p.studio, user.uuid(), id)
        .await?
        .ok_or(CoreError::not_found("calendar import"))?;
    repo::calendar_import::claim(
        core.db().conn(),
        id,
        m.last_fetched_at,
        core.now().as_micros(),
    )
    .await?;
    read(core, &m).await?;
    let fresh = repo::calendar_import::find(core.db().conn(), p.studio, user.uuid(), id)
        .await?
        .ok_or(CoreError::not_found("calendar import"))?;
    Ok(view(fresh))
}

/// Stops reading a calendar; the busy times it gave go.
pub async fn remove(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    id: CalendarImportId,
) -> CoreResult<()> {
    let id = id.uuid();
    may_import(core, p, user).await?;
    let m = repo::calendar_import::find(core.db().conn(), p.studio, user.uuid(), id)
        .await?
        .ok_or(CoreError::not_found("calendar import"))?;
    let tx = core.db().begin().await?;
    repo::calendar_import::delete(&tx, m.id).await?;
    let payload =
        serde_json::json!({ "import": CalendarImportId::from_uuid(id), "address": m.url_hint });
    audit::record(
        core,
        &tx,
        meta,
        event(p, user, "staff.calendar_import_removed", payload),
    )
    .await?;
    crate::commit(tx).await
}
