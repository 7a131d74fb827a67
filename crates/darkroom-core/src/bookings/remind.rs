//! Reminders before each session, to the client and to the staff it
//! holds: through the outbox, once per booking time, even across restarts
//! and with several workers (the claim on `reminded_at` is the one write
//! that decides; a moved booking is reminded of again).

use std::time::Duration;

use darkroom_db::entity::booking;
use darkroom_db::repo;
use darkroom_domain::booking::HolderKind;
use darkroom_domain::{BookingId, ClientId, StudioId, Timestamp, TypedId};

use super::emails::{Session, session_reminder};
use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::registry::BoxFuture;

/// How long before a session its reminder goes out.
pub const REMIND_AHEAD: Duration = Duration::from_secs(24 * 3600);

pub(crate) fn remind_chore(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { remind_upcoming(&core).await.map(|_| ()) })
}

/// Queues the reminders of sessions starting within [`REMIND_AHEAD`];
/// returns how many emails were queued.
pub async fn remind_upcoming(core: &Core) -> CoreResult<usize> {
    let now = core.now();
    let due = repo::booking::due_reminders(
        core.db().conn(),
        now.as_micros(),
        now.plus(REMIND_AHEAD).as_micros(),
        200,
    )
    .await?;
    let mut queued = 0;
    for b in due {
        queued += remind(core, &b, now).await?;
    }
    if queued > 0 {
        core.wake_workers();
    }
    Ok(queued)
}

/// Who is reminded: the client (with an email) and each person held.
async fn recipients(
    core: &Core,
    b: &booking::Model,
) -> CoreResult<(Vec<(String, String)>, Vec<String>)> {
    let c = core.db().conn();
    let studio = StudioId::from_uuid(b.studio_id);
    let claims = repo::booking::claims_of(c, studio, &[b.id]).await?;
    let staff: Vec<uuid::Uuid> = claims
        .iter()
        .filter(|c| c.active == 1 && c.holder_kind == HolderKind::Staff)
        .map(|c| c.holder_id)
        .collect();
    let names = repo::booking::holder_names(c, studio, &staff).await?;
    let mut to: Vec<(String, String)> = repo::booking::users(c, &staff)
        .await?
        .into_iter()
        .map(|u| (u.email, names.get(&u.id).cloned().unwrap_or_default()))
        .collect();
    if let Some(cid) = b.client_id
        && let Some(client) = repo::client::find(c, studio, ClientId::from_uuid(cid)).await?
        && let Some(e) = client.email
    {
        to.push((e, client.name));
    }
    to.sort();
    to.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    let mut people: Vec<String> = staff.iter().filter_map(|u| names.get(u).cloned()).collect();
    people.sort();
    Ok((to, people))
}

async fn remind(core: &Core, b: &booking::Model, now: Timestamp) -> CoreResult<usize> {
    let studio = StudioId::from_uuid(b.studio_id);
    let (to, people) = recipients(core, b).await?;
    let header = crate::kernel::tenant::page_header(core, studio).await?;
    let when = Timestamp::from_micros(b.starts_at).date_time(&b.time_zone, &header.locale);
    let can_email = crate::kernel::tenant::smtp_for(core, Some(studio))
        .await?
        .is_some();
    let tx = core.db().begin().await?;
    if !repo::booking::claim_reminder(&tx, b.id, now.as_micros()).await? {
        return Ok(0);
    }
    let mut queued = 0;
    if can_email {
        let session = Session {
            title: &b.title,
            when: &when,
            place: b.location.as_deref(),
            people: &people,
        };
        for (email, name) in &to {
            let msg = session_reminder(&header.shown_name(), name, &session, &header.branding);
            crate::kernel::mail::queue(core, &tx, Some(studio), "booking_reminder", email, msg)
                .await?;
            queued += 1;
        }
    }
    crate::commit(tx).await?;
    tracing::info!(booking = %BookingId::from_uuid(b.id), queued, "session reminder");
    Ok(queued)
}
