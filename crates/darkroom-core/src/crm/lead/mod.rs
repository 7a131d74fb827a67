//! Leads: inquiries moving through the studio's pipeline (decision 0026).
//! A lead comes from the public inquiry form or is added by staff, moves
//! stage to stage (a lost one keeps its reason), carries follow-up tasks,
//! and on conversion becomes (or is linked to) a client.

use darkroom_db::entity::lead;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::{Source, StageKind};
use darkroom_domain::field::{Line, OptEmail, SourceOrBlank, Text};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, LeadId, StageId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use super::client::{authorize_for, record_about};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

pub mod inquiry;
pub mod report;
pub mod stages;
pub mod tasks;

pub use stages::StageView;

/// A lead as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadView {
    pub id: LeadId,
    pub stage_id: StageId,
    pub branch_id: Option<BranchId>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// What kind of shoot (wedding, headshot, event).
    pub event_type: Option<String>,
    /// The day asked about, `YYYY-MM-DD`.
    pub event_date: Option<String>,
    pub venue: Option<String>,
    pub message: Option<String>,
    pub source: Option<Source>,
    /// The client it became or was linked to.
    pub client_id: Option<ClientId>,
    pub lost_reason: Option<String>,
    /// When it reached a won or lost stage.
    pub closed_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn view(m: lead::Model) -> LeadView {
    LeadView {
        id: LeadId::from_uuid(m.id),
        stage_id: StageId::from_uuid(m.stage_id),
        branch_id: m.branch_id.map(BranchId::from_uuid),
        name: m.name,
        email: m.email,
        phone: m.phone,
        event_type: m.event_type,
        event_date: m.event_date,
        venue: m.venue,
        message: m.message,
        source: m.source,
        client_id: m.client_id.map(ClientId::from_uuid),
        lost_reason: m.lost_reason,
        closed_at: m.closed_at.map(Timestamp::from_micros),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// The pipeline as a board: each stage with its leads, newest first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub stages: Vec<Column>,
}

/// One stage of the board.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub stage: StageView,
    pub leads: Vec<LeadView>,
}

/// How many leads the board shows (the newest).
const BOARD_LIMIT: u64 = 1000;

pub async fn board(core: &Core, p: &Principal) -> CoreResult<Board> {
    authorize_for(core, p)?;
    let stages = stages::ensure(core, p.studio).await?;
    let leads = repo::lead::list(core.db().conn(), p.studio, None, None, BOARD_LIMIT).await?;
    let stages = stages
        .into_iter()
        .map(|s| Column {
            leads: leads
                .iter()
                .filter(|l| l.stage_id == s.id)
                .cloned()
                .map(view)
                .collect(),
            stage: stages::view(s),
        })
        .collect();
    Ok(Board { stages })
}

pub async fn get(core: &Core, p: &Principal, id: LeadId) -> CoreResult<LeadView> {
    let m = repo::lead::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    authorize_for(core, p)?;
    Ok(view(m))
}

/// A lead as sent by staff: `name` is required when adding, `version`
/// when changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub id: Option<LeadId>,
    pub version: Option<i64>,
    pub name: Option<Line<200>>,
    pub email: Option<OptEmail>,
    pub phone: Option<Text<40>>,
    pub event_type: Option<Text<60>>,
    /// `YYYY-MM-DD`, or `""`.
    pub event_date: Option<Text<10>>,
    pub venue: Option<Text<200>>,
    pub message: Option<Text<5000>>,
    pub source: Option<SourceOrBlank>,
    /// Move it to this stage (`stg_...`). A lost stage needs `lost_reason`.
    pub stage_id: Option<StageId>,
    /// Why it is not going ahead (price, date taken, chose another studio).
    pub lost_reason: Option<Text<500>>,
}

crate::bodies!(LeadInput, "a lead":
    add NewLead requires ["name"] without ["version"];
    change LeadChange requires ["version"] without ["id"]);

fn date(raw: &str) -> Result<Option<String>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    raw.trim()
        .parse::<jiff::civil::Date>()
        .map(|d| Some(d.to_string()))
        .map_err(|_| {
            format!(
                "`{}` is not a date; write it as YYYY-MM-DD, e.g. 2027-02-14",
                darkroom_domain::validate::clip(raw)
            )
        })
}

impl LeadInput {
    /// Checks the fields sent into `am`.
    pub(crate) fn apply(
        &self,
        region: Option<&str>,
        am: &mut lead::ActiveModel,
        errs: &mut FieldErrors,
    ) {
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
        }
        if let Some(e) = &self.email
            && let Some(e) = errs.check("email", e.check())
        {
            am.email = Set(e.map(|e| e.to_lowercase()));
        }
        if let Some(p) = &self.phone
            && let Some(raw) = errs.check("phone", p.check("the phone number"))
            && let Some(ph) = errs.check(
                "phone",
                darkroom_domain::crm::phone::optional(raw.as_deref().unwrap_or(""), region),
            )
        {
            am.phone = Set(ph);
        }
        if let Some(t) = &self.event_type
            && let Some(t) = errs.check("event_type", t.check("the kind of shoot"))
        {
            am.event_type = Set(t);
        }
        if let Some(d) = &self.event_date
            && let Some(d) = errs.check("event_date", date(d.as_str()))
        {
            am.event_date = Set(d);
        }
        if let Some(v) = &self.venue
            && let Some(v) = errs.check("venue", v.check("the venue"))
        {
            am.venue = Set(v);
        }
        if let Some(m) = &self.message
            && let Some(m) = errs.check("message", m.check("the message"))
        {
            am.message = Set(m);
        }
        if let Some(s) = &self.source
            && let Some(s) = errs.check("source", s.check())
        {
            am.source = Set(s);
        }
        // Kept only with a move to a lost stage (see `update`), but checked
        // wherever it is sent.
        if let Some(r) = &self.lost_reason {
            errs.check("lost_reason", r.check("the reason"));
        }
    }
}

/// Adds a lead (staff), in the first stage unless another is named.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: LeadInput,
) -> CoreResult<LeadView> {
    authorize_for(core, p)?;
    let stages = stages::ensure(core, p.studio).await?;
    let region = super::client::input::studio_region(core.db().conn(), p.studio).await?;
    let mut errs = FieldErrors::new();
    let mut am = lead::ActiveModel::default();
    input.apply(region.as_deref(), &mut am, &mut errs);
    if input.name.is_none() {
        errs.add("name", "required", "give the lead's name");
    }
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new lead has no version; leave it out",
        );
    }
    let stage = match input.stage_id {
        Some(s) => stages.iter().find(|x| x.id == s.uuid()),
        None => stages.first(),
    };
    errs.into_result()?;
    let stage = stage.ok_or_else(|| match input.stage_id {
        Some(s) => CoreError::missing("stage_id", "stage", s),
        None => CoreError::not_found("stage"),
    })?;
    let id = input.id.unwrap_or_default();
    am.id = Set(id.uuid());
    am.stage_id = Set(stage.id);
    let tx = core.db().begin().await?;
    let m = write::insert::<lead::Entity>(core, &tx, p.studio, &id, am).await?;
    record_about(
        core,
        &tx,
        meta,
        p,
        "lead",
        &id.to_string(),
        "lead.created",
        serde_json::json!({ "name": m.name }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

/// Changes a lead: its fields, or its stage (a lost stage needs a reason;
/// reaching a won or lost stage closes it, leaving for an open one opens it
/// again).
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: LeadId,
    input: LeadInput,
) -> CoreResult<LeadView> {
    let current = repo::lead::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    authorize_for(core, p)?;
    let stages = stages::ensure(core, p.studio).await?;
    let region = super::client::input::studio_region(core.db().conn(), p.studio).await?;
    let mut errs = FieldErrors::new();
    let mut am = lead::ActiveModel::default();
    input.apply(region.as_deref(), &mut am, &mut errs);
    let Some(version) = input.version else {
        errs.add(
            "version",
            "required",
            "send the version you read, so a change made meanwhile is not lost",
        );
        return Err(CoreError::Validation(errs));
    };
    let mut event = "lead.updated";
    if let Some(s) = input.stage_id {
        match stages.iter().find(|x| x.id == s.uuid()) {
            None => return Err(CoreError::missing("stage_id", "stage", s)),
            Some(stage) => {
                let reason = input
                    .lost_reason
                    .as_ref()
                    .and_then(|r| errs.check("lost_reason", r.check("the reason")).flatten());
                if stage.kind == StageKind::Lost
                    && reason.is_none()
                    && current.lost_reason.is_none()
                {
                    errs.add("lost_reason", "required", "say why the lead is lost (price, date taken, chose another studio, no answer)");
                }
                am.stage_id = Set(stage.id);
                am.closed_at = Set(match stage.kind {
                    StageKind::Open => None,
                    _ => current.closed_at.or(Some(core.now().as_micros())),
                });
                if stage.kind == StageKind::Lost {
                    if let Some(r) = reason {
                        am.lost_reason = Set(Some(r));
                    }
                } else {
                    am.lost_reason = Set(None);
                }
                event = "lead.moved";
            }
        }
    }
    errs.into_result()?;
    if current.version != version {
        return Err(CoreError::stale(view(current)));
    }
    let tx = core.db().begin().await?;
    write::update::<lead::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, view).await?;
    let payload = serde_json::json!({ "stage": input.stage_id.map(|s| s.to_string()) });
    record_about(core, &tx, meta, p, "lead", &id.to_string(), event, payload).await?;
    let fresh = repo::lead::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}

/// Converts a lead: the client with its email (or a new one from the
/// lead) becomes its client, the lead moves to the first won stage, and
/// `LeadConverted` tells the others (projects makes the job from it).
pub async fn convert(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: LeadId,
    version: i64,
) -> CoreResult<LeadView> {
    let current = repo::lead::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    authorize_for(core, p)?;
    if current.version != version {
        return Err(CoreError::stale(view(current)));
    }
    let stages = stages::ensure(core, p.studio).await?;
    let won = stages
        .iter()
        .find(|s| s.kind == StageKind::Won)
        .ok_or_else(|| {
            CoreError::conflict(
                "invalid_state",
                "the pipeline has no won stage; add one (e.g. Contracted) first",
            )
        })?;
    let tx = core.db().begin().await?;
    let client = match current.client_id {
        Some(c) => ClientId::from_uuid(c),
        None => super::interface::client_for_lead(core, &tx, p.studio, &current).await?,
    };
    let am = lead::ActiveModel {
        client_id: Set(Some(client.uuid())),
        stage_id: Set(won.id),
        closed_at: Set(current.closed_at.or(Some(core.now().as_micros()))),
        lost_reason: Set(None),
        ..Default::default()
    };
    write::update::<lead::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, view).await?;
    let payload = serde_json::json!({ "client": client.to_string() });
    record_about(
        core,
        &tx,
        meta,
        p,
        "lead",
        &id.to_string(),
        "lead.converted",
        payload,
    )
    .await?;
    let fresh = repo::lead::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    let converted = super::events::LeadConverted {
        principal: p.clone(),
        meta: meta.clone(),
        lead: fresh.clone(),
        client,
    };
    core.publish(&tx, &converted).await?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}
