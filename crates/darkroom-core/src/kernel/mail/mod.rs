//! The email outbox: messages are written in the same transaction as their
//! cause and sent over SMTP by a job. See `darkroom_db::email` for the
//! state machine that keeps every email from going out twice.

pub mod layout;

use darkroom_db::email::{self as outbox, BeginSend};
use darkroom_db::entity::email;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::names::EmailStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::{EmailId, StudioId, Timestamp, TypedId};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs::{self, JobError};
use crate::kernel::listing::{self, Listing};
use crate::kernel::registry::{BoxFuture, Job};
use crate::{Core, Meta, Principal, SmtpSecurity, SmtpSettings};

/// A composed email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Sends one email from the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEmail {
    pub email_id: EmailId,
}

impl Job for SendEmail {
    const NAME: &'static str = "send_email";
    fn run(self, core: Core, last_attempt: bool) -> BoxFuture<'static, Result<(), JobError>> {
        Box::pin(async move { deliver(&core, self.email_id, last_attempt).await })
    }
}

/// Writes an email to the outbox and enqueues its send, inside `c`'s
/// transaction. Call [`Core::wake_workers`] after committing.
pub async fn queue(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: Option<StudioId>,
    kind: &str,
    to: &str,
    msg: Message,
) -> CoreResult<EmailId> {
    queue_with_calendar(core, c, studio, kind, to, msg, None).await
}

/// Like [`queue`], with an iCalendar file attached (`invite.ics`), which
/// calendar apps offer to add.
pub async fn queue_with_calendar(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: Option<StudioId>,
    kind: &str,
    to: &str,
    msg: Message,
    calendar: Option<String>,
) -> CoreResult<EmailId> {
    let id = EmailId::new();
    let now = core.now().as_micros();
    let host = core
        .settings()
        .public_url
        .host_str()
        .unwrap_or("darkroom.local")
        .to_string();
    outbox::insert(
        c,
        email::Model {
            id: id.uuid(),
            studio_id: studio.map(|s| s.uuid()),
            kind: kind.into(),
            to_address: to.into(),
            subject: msg.subject,
            body_text: msg.text,
            body_html: msg.html,
            status: EmailStatus::Pending,
            attempts: 0,
            last_error: None,
            message_id: format!("<{id}@{host}>"),
            created_at: now,
            updated_at: now,
            sent_at: None,
            calendar,
        },
    )
    .await?;
    jobs::enqueue(core, c, studio, &SendEmail { email_id: id }, None).await?;
    Ok(id)
}

fn transport(s: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match s.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
            .map_err(|e| e.to_string())?,
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(|e| e.to_string())?
        }
    };
    let mut builder = builder.port(s.port).timeout(Some(s.timeout));
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(builder.build())
}

fn build(row: &email::Model, s: &SmtpSettings) -> Result<lettre::Message, String> {
    let from: Mailbox = format!(
        "{} <{}>",
        s.from_name.replace(['<', '>', '"'], ""),
        s.from_address
    )
    .parse()
    .map_err(|e| format!("the sender address `{}` is not valid: {e}", s.from_address))?;
    let to: Mailbox = row
        .to_address
        .parse()
        .map_err(|e| format!("the address `{}` is not valid: {e}", row.to_address))?;
    let body = MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone());
    let body = match &row.calendar {
        None => body,
        Some(ics) => {
            let kind = lettre::message::header::ContentType::parse(
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
            .map_err(|e| e.to_string())?;
            MultiPart::mixed().multipart(body).singlepart(
                lettre::message::Attachment::new("invite.ics".into()).body(ics.clone(), kind),
            )
        }
    };
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// The `send_email` job: sends one outbox email at most once.
pub(crate) async fn deliver(core: &Core, id: EmailId, last_attempt: bool) -> Result<(), JobError> {
    let now = core.now().as_micros();
    // Committed before any SMTP traffic: if this process dies mid-send, the
    // row says `sending` and the next run marks it uncertain instead of resending.
    let row = match outbox::begin_send(core.db().conn(), id.uuid(), now)
        .await
        .map_err(JobError::retry)?
    {
        BeginSend::Started(row) => row,
        BeginSend::Interrupted => {
            tracing::warn!(email = %id, "an earlier send was interrupted; marked uncertain, not resent");
            metrics::counter!("darkroom_emails_total", "outcome" => "uncertain").increment(1);
            return Ok(());
        }
        BeginSend::Finished | BeginSend::Missing => return Ok(()),
    };
    let studio = row.studio_id.map(StudioId::from_uuid);
    let Some(smtp) = crate::kernel::tenant::smtp_for(core, studio)
        .await
        .map_err(JobError::retry)?
    else {
        let why = "no SMTP server is configured (Settings → Email, or [smtp] in the config file)";
        return failed(core, row.id, why, false).await;
    };
    let message = match build(&row, &smtp) {
        Ok(m) => m,
        Err(e) => return failed(core, row.id, &e, false).await,
    };
    let result = match transport(&smtp) {
        Ok(t) => t.send(message).await.map(|_| ()),
        Err(e) => return failed(core, row.id, &e, false).await,
    };
    let now = core.now().as_micros();
    match result {
        Ok(()) => {
            outbox::mark_sent(core.db().conn(), row.id, now)
                .await
                .map_err(JobError::retry)?;
            metrics::counter!("darkroom_emails_total", "outcome" => "sent").increment(1);
            Ok(())
        }
        Err(e) if e.is_permanent() => {
            failed(core, row.id, &format!("refused: {e}"), false).await?;
            metrics::counter!("darkroom_emails_total", "outcome" => "failed").increment(1);
            Ok(())
        }
        Err(e) if e.is_timeout() => {
            // The server may have accepted the message before the timeout.
            let why = format!("timed out mid-send; it may have been delivered: {e}");
            failed(core, row.id, &why, false).await
        }
        Err(e) => {
            // Refused with a temporary code or unreachable: nothing was accepted.
            let msg = format!("not sent yet: {e}");
            failed(core, row.id, &msg, !last_attempt).await?;
            if last_attempt {
                Ok(())
            } else {
                Err(JobError::retry_msg(msg))
            }
        }
    }
}

/// Records why an email was not sent; `retry` leaves it to be tried again.
async fn failed(core: &Core, id: uuid::Uuid, why: &str, retry: bool) -> Result<(), JobError> {
    let now = core.now().as_micros();
    outbox::mark_error(core.db().conn(), id, now, why, retry)
        .await
        .map_err(JobError::retry)
}

/// An outbox email as listed (no body).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EmailView {
    pub id: EmailId,
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// `pending`, `sending`, `sent`, `failed` or `uncertain`.
    pub status: EmailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

fn view(m: email::Model) -> EmailView {
    EmailView {
        id: EmailId::from_uuid(m.id),
        kind: m.kind,
        to: m.to_address,
        subject: m.subject,
        status: m.status,
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: Timestamp::from_micros(m.created_at),
        sent_at: m.sent_at.map(Timestamp::from_micros),
    }
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailFilter {
    /// Only this status.
    pub status: Option<darkroom_domain::field::EmailStatusName>,
    pub cursor: Option<crate::kernel::listing::IdCursor>,
    pub limit: Option<crate::kernel::listing::ListLimit>,
}

pub async fn list(core: &Core, p: &Principal, f: &EmailFilter) -> CoreResult<Listing<EmailView>> {
    core.authorize(p, Permission::JobView, Target::STUDIO)?;
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|m| CoreError::invalid("status", m))?),
        None => None,
    };
    let status = status.map(|s| s.name());
    let page = listing::by_id(f.cursor.as_deref(), f.limit)?;
    let rows = outbox::list(core.db().conn(), Some(p.studio.uuid()), status, &page).await?;
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items: rows.items.into_iter().map(view).collect(),
    })
}

/// Sends a failed or uncertain email again (a person decided it is wanted).
pub async fn resend(core: &Core, p: &Principal, meta: &Meta, id: EmailId) -> CoreResult<EmailView> {
    let tx = core.db().begin().await?;
    let row = outbox::find(&tx, Some(p.studio.uuid()), id.uuid())
        .await?
        .ok_or(CoreError::not_found("email"))?;
    core.authorize(p, Permission::JobManage, Target::STUDIO)?;
    if !outbox::requeue(
        &tx,
        Some(p.studio.uuid()),
        id.uuid(),
        core.now().as_micros(),
    )
    .await?
    {
        return Err(CoreError::conflict(
            "invalid_state",
            format!(
                "only failed or uncertain emails can be sent again; this one is {}",
                row.status
            ),
        ));
    }
    jobs::enqueue(core, &tx, Some(p.studio), &SendEmail { email_id: id }, None).await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "email.resent",
        severity: Severity::Low,
        target_type: "email",
        target_id: id.to_string(),
        payload: serde_json::json!({ "to": row.to_address, "subject": row.subject, "was": row.status }),
    })
    .await?;
    let fresh = outbox::find(&tx, Some(p.studio.uuid()), id.uuid())
        .await?
        .ok_or(CoreError::not_found("email"))?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(view(fresh))
}
