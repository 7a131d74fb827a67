//! Reminders before a document runs out: 30 and 7 days before its last
//! valid day (as today is where the client is), each once, to the client
//! (when the document is client-visible and the client has an email) and
//! to the client's manager. The claim on `reminded_key` is the one write
//! that decides, so several workers and restarts send each reminder once;
//! a new expiry day (a renewed certificate) starts the reminders again.

use darkroom_db::entity::{client, client_document};
use darkroom_db::repo;
use darkroom_domain::document::{EXPIRING_DAYS, reminder_due};
use darkroom_domain::{ClientId, StudioId, TypedId};

use super::today_of;
use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::registry::BoxFuture;
use crate::kernel::tenant::Header;

pub(crate) fn remind_chore(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { remind_expiring(&core).await.map(|_| ()) })
}

/// Queues the reminders due today; returns how many emails were queued.
pub async fn remind_expiring(core: &Core) -> CoreResult<usize> {
    let now = darkroom_domain::booking::calendar::today(core.now(), "UTC");
    // A day either side covers every zone's today.
    let from = now.yesterday().unwrap_or(now).to_string();
    let to = now
        .checked_add(jiff::Span::new().days(EXPIRING_DAYS + 1))
        .unwrap_or(now)
        .to_string();
    let mut queued = 0;
    for d in repo::document::expiring(core.db().conn(), &from, &to, 500).await? {
        queued += remind(core, d).await?;
    }
    if queued > 0 {
        core.wake_workers();
    }
    Ok(queued)
}

/// Sends one document's reminder if one is due and not sent yet.
async fn remind(core: &Core, d: client_document::Model) -> CoreResult<usize> {
    let studio = StudioId::from_uuid(d.studio_id);
    let Some(c) =
        repo::client::find(core.db().conn(), studio, ClientId::from_uuid(d.client_id)).await?
    else {
        return Ok(0);
    };
    let Some(expires) = d.expires_on.clone() else {
        return Ok(0);
    };
    let today = today_of(core, &c).await?;
    let Some((left, key)) = reminder_due(&expires, &today) else {
        return Ok(0);
    };
    let to = recipients(core, &c, &d).await?;
    let tx = core.db().begin().await?;
    if !repo::document::claim_reminder(&tx, d.id, &key).await? {
        return Ok(0);
    }
    let h = crate::kernel::tenant::page_header(core, studio).await?;
    let when = if left == 0 {
        "today".to_string()
    } else {
        format!(
            "in {left} day{} ({expires})",
            if left == 1 { "" } else { "s" }
        )
    };
    let mut queued = 0;
    if let Some(email) = &to.client {
        let msg = to_client(&h, &c.name, &d.title, &when);
        crate::kernel::mail::queue(core, &tx, Some(studio), "document_expiring", email, msg)
            .await?;
        queued += 1;
    }
    if let Some(email) = &to.manager {
        let msg = to_manager(&h, &c.name, &d.title, &when);
        let kind = "document_expiring_staff";
        crate::kernel::mail::queue(core, &tx, Some(studio), kind, email, msg).await?;
        queued += 1;
    }
    crate::commit(tx).await?;
    Ok(queued)
}

/// The client's reminder: their document runs out `when`.
fn to_client(h: &Header, client: &str, title: &str, when: &str) -> Message {
    let studio = h.shown_name();
    let text = format!(
        "Hello {client},\n\nYour {title} on file with {studio} runs out {when}. Please send us the renewed one (reply to this email, or upload it where we asked).\n\n{studio}\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>Your {} on file with {} runs out {}. Please send us the renewed one.</p>",
        escape(client),
        escape(title),
        escape(&studio),
        escape(when)
    );
    Message {
        subject: format!("Your {title} with {studio} runs out {when}"),
        text,
        html: wrap(&studio, &h.branding, &html),
    }
}

/// The manager's reminder: ask the client for the renewed one.
fn to_manager(h: &Header, client: &str, title: &str, when: &str) -> Message {
    let studio = h.shown_name();
    let text = format!(
        "{client}'s {title} runs out {when}. Ask for the renewed one, then upload it on the client's page.\n"
    );
    let html = format!(
        "<p>{}'s {} runs out {}. Ask for the renewed one, then upload it on the client's page.</p>",
        escape(client),
        escape(title),
        escape(when)
    );
    Message {
        subject: format!("{client}'s {title} runs out {when}"),
        text,
        html: wrap(&studio, &h.branding, &html),
    }
}

struct Recipients {
    client: Option<String>,
    manager: Option<String>,
}

/// The client's address (its own, else its primary contact's), when the
/// document is client-visible; the manager's address.
async fn recipients(
    core: &Core,
    c: &client::Model,
    d: &client_document::Model,
) -> CoreResult<Recipients> {
    let db = core.db().conn();
    let studio = StudioId::from_uuid(c.studio_id);
    let client = if d.client_visible == 0 {
        None
    } else if let Some(e) = c.email.clone().filter(|e| !e.is_empty()) {
        Some(e)
    } else {
        repo::client::contacts(db, studio, ClientId::from_uuid(c.id))
            .await?
            .into_iter()
            .filter(|k| k.is_primary != 0)
            .find_map(|k| k.email.filter(|e| !e.is_empty()))
    };
    let manager = match c.manager_id {
        Some(m) => repo::person::find_user(db, darkroom_domain::UserId::from_uuid(m))
            .await?
            .map(|u| u.email),
        None => None,
    };
    Ok(Recipients { client, manager })
}
