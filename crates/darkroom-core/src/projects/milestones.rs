//! A project's milestones: dated steps (contract signed, the shoot, proofs
//! ready, edits delivered) with a target day and the day each was reached,
//! so a studio sees what is on time and what is late (seed 003).

use darkroom_db::entity::{project, project_milestone};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::field::{DayOrBlank, Line};
use darkroom_domain::project::{MilestoneState, ProjectKind};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{MilestoneId, ProjectId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::{authorize_write, load, record};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// A milestone as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub id: MilestoneId,
    pub name: String,
    /// The day it should be reached by, `YYYY-MM-DD`.
    pub target_on: Option<String>,
    /// The day it was reached.
    pub done_on: Option<String>,
    /// On time, late, overdue or still open, as of today where the job is.
    pub state: MilestoneState,
    pub version: i64,
}

/// Today in a zone, `YYYY-MM-DD`.
pub(crate) fn today_in(core: &Core, zone: &str) -> String {
    darkroom_domain::booking::calendar::today(core.now(), zone).to_string()
}

pub(crate) fn view(m: project_milestone::Model, today: &str) -> MilestoneView {
    MilestoneView {
        id: MilestoneId::from_uuid(m.id),
        state: MilestoneState::of(m.target_on.as_deref(), m.done_on.as_deref(), today),
        name: m.name,
        target_on: m.target_on,
        done_on: m.done_on,
        version: m.version,
    }
}

/// The steps every job of `kind` goes through, with their target as days
/// after the job's first day (`None`: counted from today instead).
fn defaults(kind: ProjectKind) -> Vec<(&'static str, Option<i64>)> {
    let mut v = vec![("Contract signed", None), ("Shoot", Some(0))];
    let (proofs, final_) = match kind {
        ProjectKind::Wedding => (21, 60),
        ProjectKind::Headshot | ProjectKind::Studio => (3, 10),
        ProjectKind::Corporate | ProjectKind::Event => (7, 14),
        _ => (14, 30),
    };
    v.push(("Proofs ready", Some(proofs)));
    v.push(("Edits delivered", Some(final_)));
    v
}

fn plus_days(day: &str, n: i64) -> Option<String> {
    let d = darkroom_domain::field::day_of(day)?;
    d.checked_add(jiff::Span::new().days(n))
        .ok()
        .map(|d| d.to_string())
}

/// Gives a new project the default steps of its kind.
pub(crate) async fn add_defaults(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    p: &project::Model,
) -> CoreResult<()> {
    let today = today_in(core, &p.time_zone);
    for (position, (name, after)) in defaults(p.kind).into_iter().enumerate() {
        let target = match after {
            None => plus_days(&today, 7),
            Some(n) => p.starts_on.as_deref().and_then(|d| plus_days(d, n)),
        };
        let id = MilestoneId::new();
        let am = project_milestone::ActiveModel {
            id: Set(id.uuid()),
            project_id: Set(p.id),
            name: Set(name.to_string()),
            target_on: Set(target),
            position: Set(position as i64),
            ..Default::default()
        };
        write::insert::<project_milestone::Entity>(core, tx, studio, &id, am).await?;
    }
    Ok(())
}

/// A milestone as sent: `name` is required when adding, `version` when
/// changing. `done_on` marks it reached (`""` reopens it).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub id: Option<MilestoneId>,
    pub version: Option<i64>,
    pub name: Option<Line<120>>,
    pub target_on: Option<DayOrBlank>,
    pub done_on: Option<DayOrBlank>,
}

crate::bodies!(MilestoneInput, "a milestone":
    add NewMilestone requires ["name"] without ["version"];
    change MilestoneChange requires ["version"] without ["id"]);

impl MilestoneInput {
    fn apply(&self, am: &mut project_milestone::ActiveModel, errs: &mut FieldErrors) {
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
        }
        if let Some(d) = &self.target_on
            && let Some(d) = errs.check("target_on", d.check())
        {
            am.target_on = Set(Some(d).filter(|d| !d.is_empty()));
        }
        if let Some(d) = &self.done_on
            && let Some(d) = errs.check("done_on", d.check())
        {
            am.done_on = Set(Some(d).filter(|d| !d.is_empty()));
        }
    }
}

/// The milestones of a project, as of today where it takes place.
pub async fn list(core: &Core, p: &Principal, id: ProjectId) -> CoreResult<Vec<MilestoneView>> {
    let m = load(core, p, id).await?;
    of(core, &m).await
}

pub(crate) async fn of(core: &Core, m: &project::Model) -> CoreResult<Vec<MilestoneView>> {
    let studio = StudioId::from_uuid(m.studio_id);
    let today = today_in(core, &m.time_zone);
    let rows =
        repo::project::milestones(core.db().conn(), studio, ProjectId::from_uuid(m.id)).await?;
    Ok(rows.into_iter().map(|r| view(r, &today)).collect())
}

/// Adds a milestone at the end of a project's list.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    project: ProjectId,
    input: MilestoneInput,
) -> CoreResult<MilestoneView> {
    let pm = load(core, p, project).await?;
    authorize_write(core, p)?;
    let mut errs = FieldErrors::new();
    let mut am = project_milestone::ActiveModel::default();
    input.apply(&mut am, &mut errs);
    if input.name.is_none() {
        errs.add(
            "name",
            "required",
            "name the milestone (e.g. Album approved)",
        );
    }
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new milestone has no version; leave it out",
        );
    }
    errs.into_result()?;
    let tx = core.db().begin().await?;
    let last = repo::project::milestones(&tx, p.studio, project).await?;
    let id = input.id.unwrap_or_default();
    am.id = Set(id.uuid());
    am.project_id = Set(pm.id);
    am.position = Set(last.iter().map(|m| m.position + 1).max().unwrap_or(0));
    let m = write::insert::<project_milestone::Entity>(core, &tx, p.studio, &id, am).await?;
    let payload = serde_json::json!({ "milestone": id.to_string(), "name": m.name });
    record(core, &tx, meta, p, &pm, "project.milestone_added", payload).await?;
    crate::commit(tx).await?;
    Ok(view(m, &today_in(core, &pm.time_zone)))
}

/// Changes a milestone: its name, target, or the day it was reached.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    project: ProjectId,
    id: MilestoneId,
    input: MilestoneInput,
) -> CoreResult<MilestoneView> {
    let pm = load(core, p, project).await?;
    let current = repo::project::milestone(core.db().conn(), p.studio, project, id.uuid())
        .await?
        .ok_or(CoreError::not_found("milestone"))?;
    authorize_write(core, p)?;
    let mut errs = FieldErrors::new();
    let mut am = project_milestone::ActiveModel::default();
    input.apply(&mut am, &mut errs);
    let Some(version) = input.version else {
        errs.add(
            "version",
            "required",
            "send the version you read, so a change made meanwhile is not lost",
        );
        return Err(CoreError::Validation(errs));
    };
    errs.into_result()?;
    let today = today_in(core, &pm.time_zone);
    let tx = core.db().begin().await?;
    write::update::<project_milestone::Entity, _>(
        core,
        &tx,
        p.studio,
        id.uuid(),
        version,
        am,
        |m| view(m, &today),
    )
    .await?;
    let fresh = repo::project::milestone(&tx, p.studio, project, id.uuid())
        .await?
        .ok_or(CoreError::not_found("milestone"))?;
    let payload = serde_json::json!({
        "milestone": id.to_string(), "done_on": fresh.done_on, "was_done_on": current.done_on,
    });
    record(
        core,
        &tx,
        meta,
        p,
        &pm,
        "project.milestone_changed",
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(fresh, &today))
}

/// Removes a milestone from a project.
pub async fn remove(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    project: ProjectId,
    id: MilestoneId,
) -> CoreResult<()> {
    let pm = load(core, p, project).await?;
    let current = repo::project::milestone(core.db().conn(), p.studio, project, id.uuid())
        .await?
        .ok_or(CoreError::not_found("milestone"))?;
    authorize_write(core, p)?;
    let tx = core.db().begin().await?;
    repo::project::delete_milestone(&tx, current.id).await?;
    let payload = serde_json::json!({ "milestone": id.to_string(), "name": current.name });
    record(
        core,
        &tx,
        meta,
        p,
        &pm,
        "project.milestone_removed",
        payload,
    )
    .await?;
    crate::commit(tx).await
}
