//! Follow-up tasks on a lead: what to do next and by when.

use darkroom_db::entity::lead_task;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::field::Line;
use darkroom_domain::{LeadId, LeadTaskId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::crm::client::{authorize_for, record_about};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A task as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadTaskView {
    pub id: LeadTaskId,
    pub lead_id: LeadId,
    pub title: String,
    pub due_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub version: i64,
}

fn view(m: lead_task::Model) -> LeadTaskView {
    LeadTaskView {
        id: LeadTaskId::from_uuid(m.id),
        lead_id: LeadId::from_uuid(m.lead_id),
        title: m.title,
        due_at: m.due_at.map(Timestamp::from_micros),
        done_at: m.done_at.map(Timestamp::from_micros),
        version: m.version,
    }
}

/// A new task.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLeadTask {
    pub title: Line<200>,
    /// When it is due (RFC 3339).
    pub due_at: Option<Timestamp>,
}

/// A task marked done or open again.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDone {
    pub version: i64,
    pub done: bool,
}

async fn lead_of(core: &Core, p: &Principal, id: LeadId) -> CoreResult<()> {
    repo::lead::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("lead"))?;
    authorize_for(core, p)
}

pub async fn list(core: &Core, p: &Principal, lead: LeadId) -> CoreResult<Vec<LeadTaskView>> {
    lead_of(core, p, lead).await?;
    Ok(repo::lead::tasks(core.db().conn(), p.studio, lead)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn add(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    lead: LeadId,
    input: NewLeadTask,
) -> CoreResult<LeadTaskView> {
    lead_of(core, p, lead).await?;
    let title = input
        .title
        .check("the task")
        .map_err(|m| CoreError::invalid("title", m))?;
    let id = LeadTaskId::new();
    let am = lead_task::ActiveModel {
        id: Set(id.uuid()),
        lead_id: Set(lead.uuid()),
        title: Set(title),
        due_at: Set(input.due_at.map(Timestamp::as_micros)),
        done_at: Set(None),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    let m = write::insert::<lead_task::Entity>(core, &tx, p.studio, &id, am).await?;
    record_about(
        core,
        &tx,
        meta,
        p,
        "lead",
        &lead.to_string(),
        "lead.task_added",
        serde_json::json!({ "task": id.to_string() }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(m))
}

pub async fn set_done(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    lead: LeadId,
    id: LeadTaskId,
    input: TaskDone,
) -> CoreResult<LeadTaskView> {
    lead_of(core, p, lead).await?;
    let current = repo::lead::tasks(core.db().conn(), p.studio, lead)
        .await?
        .into_iter()
        .find(|t| t.id == id.uuid())
        .ok_or(CoreError::not_found("task"))?;
    if current.version != input.version {
        return Err(CoreError::stale(view(current)));
    }
    let am = lead_task::ActiveModel {
        done_at: Set(input
            .done
            .then(|| current.done_at.unwrap_or(core.now().as_micros()))),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<lead_task::Entity, _>(core, &tx, p.studio, id.uuid(), input.version, am, view)
        .await?;
    let event = if input.done {
        "lead.task_done"
    } else {
        "lead.task_reopened"
    };
    record_about(
        core,
        &tx,
        meta,
        p,
        "lead",
        &lead.to_string(),
        event,
        serde_json::json!({ "task": id.to_string() }),
    )
    .await?;
    let fresh = repo::lead::tasks(&tx, p.studio, lead)
        .await?
        .into_iter()
        .find(|t| t.id == id.uuid())
        .ok_or(CoreError::not_found("task"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}
