//! Payment reminders by email: three days before an invoice's due day, the
//! day after it and a week after it (in the branch's zone), each once, to
//! the client as the invoice was issued to them, while something is owed.
//! The claim on `reminded_key` is the one write that decides, so several
//! workers and restarts send each reminder once.

use darkroom_db::entity::invoice;
use darkroom_db::repo;
use darkroom_domain::billing::remind::reminder_due;
use darkroom_domain::{BranchId, StudioId, TypedId};

use super::{Seller, money};
use crate::Core;
use crate::crm::interface::BillingParty;
use crate::kernel::error::CoreResult;
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::registry::BoxFuture;
use crate::kernel::tenant::Header;

pub(crate) fn remind_chore(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { remind_due(&core).await.map(|_| ()) })
}

/// Queues the payment reminders due today; returns how many were queued.
pub async fn remind_due(core: &Core) -> CoreResult<usize> {
    let utc = darkroom_domain::booking::calendar::today(core.now(), "UTC");
    // A day either side of every stage covers every zone's today.
    let day = |days: i64| {
        utc.checked_add(jiff::Span::new().days(days))
            .unwrap_or(utc)
            .to_string()
    };
    let mut queued = 0;
    for m in repo::billing::due_between_all(core.db().conn(), &day(-9), &day(4), 1000).await? {
        queued += remind(core, m).await?;
    }
    if queued > 0 {
        core.wake_workers();
    }
    Ok(queued)
}

async fn remind(core: &Core, m: invoice::Model) -> CoreResult<usize> {
    let studio = StudioId::from_uuid(m.studio_id);
    let c = core.db().conn();
    let Some(due) = m.due_on.clone() else {
        return Ok(0);
    };
    let Some(b) = repo::branch::find(c, studio, BranchId::from_uuid(m.branch_id), true).await?
    else {
        return Ok(0);
    };
    let today = super::issue::today_at(core, &b).to_string();
    let Some((past, key)) = reminder_due(&due, &today) else {
        return Ok(0);
    };
    if past > 8 || m.reminded_key.as_deref() == Some(key.as_str()) {
        return Ok(0);
    }
    let party: Option<BillingParty> = m
        .bill_to
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let Some((name, email)) =
        party.and_then(|p| Some((p.name.clone(), p.email.filter(|e| !e.is_empty())?)))
    else {
        return Ok(0);
    };
    let entries = repo::billing::entries(c, studio, &[m.id], None).await?;
    let owed = repo::billing::Sums::of(&entries).owed();
    if owed <= 0 {
        return Ok(0);
    }
    let h = crate::kernel::tenant::page_header(core, studio).await?;
    let seller: Option<Seller> = m
        .seller
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let how = seller.and_then(|s| s.payment_instructions);
    let msg = message(
        &h,
        &name,
        &m,
        &money(&m.currency, owed),
        past,
        how.as_deref(),
    );
    let tx = core.db().begin().await?;
    if !repo::billing::claim_reminder(&tx, m.id, &key).await? {
        return Ok(0);
    }
    crate::kernel::mail::queue(core, &tx, Some(studio), "invoice_reminder", &email, msg).await?;
    crate::commit(tx).await?;
    Ok(1)
}

/// The reminder: `past` days from the due day (negative: before it).
fn message(
    h: &Header,
    client: &str,
    m: &invoice::Model,
    owed: &str,
    past: i64,
    how: Option<&str>,
) -> Message {
    let studio = h.shown_name();
    let number = m.number.as_deref().unwrap_or("");
    let due = m.due_on.as_deref().unwrap_or("");
    let (subject, when) = if past <= 0 {
        (
            format!("Invoice {number} from {studio} is due on {due}"),
            format!("is due on {due}"),
        )
    } else {
        (
            format!("Invoice {number} from {studio} is overdue"),
            format!("was due on {due}"),
        )
    };
    let how_text = how
        .map(|h| format!("\n\nHow to pay: {h}"))
        .unwrap_or_default();
    let text = format!(
        "Hello {client},\n\nInvoice {number} {when}; {owed} is still to pay.{how_text}\n\nYou can also see it, download it and pay it on your page with {studio}. If you have paid already, thank you, and please ignore this.\n\n{studio}\n"
    );
    let how_html = how
        .map(|h| format!("<p>How to pay: {}</p>", escape(h)))
        .unwrap_or_default();
    let html = format!(
        "<p>Hello {},</p><p>Invoice {} {}; <strong>{}</strong> is still to pay.</p>{how_html}<p>You can also see it, download it and pay it on your page with {}. If you have paid already, thank you, and please ignore this.</p>",
        escape(client),
        escape(number),
        escape(&when),
        escape(owed),
        escape(&studio)
    );
    Message {
        subject,
        text,
        html: wrap(&studio, &h.branding, &html),
    }
}
