//! The public inquiry form of a branch (`/inquire/brn_…`, also embedded on
//! the studio's own site): a few fields, a clear error per field, a trap
//! field robots fill (their message is dropped, with the same thank-you),
//! an automatic reply to the visitor, a note to the branch, and a new lead
//! in the first stage with its source.

use darkroom_db::entity::lead;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::crm::Source;
use darkroom_domain::field::{Email, Line, SourceOrBlank, Text};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, LeadId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::LeadInput;
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::tenant::{self, Header};
use crate::kernel::write;
use crate::{Core, Meta};

/// What the form's page shows.
#[derive(Clone, Debug, Serialize)]
pub struct FormPage {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub header: Header,
}

async fn branch(core: &Core, id: BranchId) -> CoreResult<darkroom_db::entity::branch::Model> {
    repo::branch::find_public(core.db().conn(), id)
        .await?
        .ok_or(CoreError::not_found("inquiry form"))
}

pub async fn form(core: &Core, id: BranchId) -> CoreResult<FormPage> {
    let b = branch(core, id).await?;
    let header = tenant::page_header(core, StudioId::from_uuid(b.studio_id)).await?;
    Ok(FormPage {
        branch_id: id,
        branch_name: b.name,
        header,
    })
}

/// An inquiry as the visitor sends it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Inquiry {
    pub name: Line<200>,
    pub email: Email,
    pub phone: Option<Text<40>>,
    pub event_type: Option<Text<60>>,
    pub event_date: Option<Text<10>>,
    pub venue: Option<Text<200>>,
    pub message: Option<Text<5000>>,
    pub source: Option<SourceOrBlank>,
    /// The trap: hidden from people, filled by robots.
    pub website: Option<String>,
}

/// Takes an inquiry: the new lead, or none when the trap was filled (the
/// visitor sees the same thanks either way).
pub async fn submit(
    core: &Core,
    meta: &Meta,
    id: BranchId,
    input: Inquiry,
) -> CoreResult<Option<LeadId>> {
    let b = branch(core, id).await?;
    let studio = StudioId::from_uuid(b.studio_id);
    if input
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        tracing::info!(branch = %id, "inquiry trap filled; dropped");
        return Ok(None);
    }
    let region = crate::crm::client::input::country_of(&b.address)
        .or(crate::crm::client::input::studio_region(core.db().conn(), studio).await?);
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("your name"));
    let email = errs.check("email", input.email.check());
    let fields = LeadInput {
        phone: input.phone.clone(),
        event_type: input.event_type.clone(),
        event_date: input.event_date.clone(),
        venue: input.venue.clone(),
        message: input.message.clone(),
        source: input.source.clone(),
        ..Default::default()
    };
    let mut am = lead::ActiveModel::default();
    fields.apply(region.as_deref(), &mut am, &mut errs);
    errs.into_result()?;
    let (name, email) = (
        name.unwrap_or_default(),
        email.unwrap_or_default().to_lowercase(),
    );
    let stages = super::stages::ensure(core, studio).await?;
    let first = stages.first().ok_or(CoreError::not_found("stage"))?;
    let lead_id = LeadId::new();
    am.id = Set(lead_id.uuid());
    am.branch_id = Set(Some(b.id));
    am.stage_id = Set(first.id);
    am.name = Set(name.clone());
    am.email = Set(Some(email.clone()));
    if !matches!(am.source, Set(Some(_))) {
        am.source = Set(Some(Source::Website));
    }
    let header = tenant::page_header(core, studio).await?;
    let tx = core.db().begin().await?;
    let m = write::insert::<lead::Entity>(core, &tx, studio, &lead_id, am).await?;
    let reply = auto_reply(&header, &name, &b.name);
    crate::kernel::mail::queue(core, &tx, Some(studio), "inquiry_reply", &email, reply).await?;
    if let Some(to) = b.email.as_deref().filter(|e| !e.is_empty()) {
        let note = new_lead_note(&header, &m);
        crate::kernel::mail::queue(core, &tx, Some(studio), "inquiry_note", to, note).await?;
    }
    let event = Event {
        studio: Some(studio),
        branch: Some(id),
        who: Who::system("inquiry form"),
        event_type: "lead.inquiry",
        severity: Severity::Low,
        target_type: "lead",
        target_id: lead_id.to_string(),
        payload: serde_json::json!({ "name": name }),
    };
    audit::record(core, &tx, meta, event).await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(Some(lead_id))
}

fn auto_reply(h: &Header, name: &str, branch: &str) -> Message {
    let studio = h.shown_name();
    Message {
        subject: format!("Thank you for writing to {studio}"),
        text: format!(
            "Hello {name},\n\nThank you for your message to {studio} ({branch}). We read every inquiry and will write back within two working days.\n\n{studio}\n"
        ),
        html: wrap(
            &studio,
            &h.branding,
            &format!(
                "<p>Hello {},</p><p>Thank you for your message to {} ({}). We read every inquiry and will write back within two working days.</p>",
                escape(name),
                escape(&studio),
                escape(branch)
            ),
        ),
    }
}

fn new_lead_note(h: &Header, m: &lead::Model) -> Message {
    let studio = h.shown_name();
    let line = |k: &str, v: &Option<String>| {
        v.as_ref()
            .map(|v| format!("{k}: {v}\n"))
            .unwrap_or_default()
    };
    let text = format!(
        "A new inquiry from {}.\n\n{}{}{}{}{}{}\nOpen the pipeline to answer it.\n",
        m.name,
        line("Email", &m.email),
        line("Phone", &m.phone),
        line("Shoot", &m.event_type),
        line("Date", &m.event_date),
        line("Venue", &m.venue),
        line("Message", &m.message),
    );
    Message {
        subject: format!("New inquiry: {}", m.name),
        html: wrap(
            &studio,
            &h.branding,
            &format!("<pre>{}</pre>", escape(&text)),
        ),
        text,
    }
}
