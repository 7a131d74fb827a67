//! Projects: one job for a client (decision 0027). A project has a number
//! per branch, a kind, a status from scheduled to archived, its dates and
//! venue, the staff on it, milestones with target and actual days, and the
//! galleries and sessions that belong to it. Converting a lead makes one.

use darkroom_db::entity::{project, project_person};
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::permission::Permission;
use darkroom_domain::project::{ProjectKind, ProjectRole, ProjectStatus};
use darkroom_domain::{BranchId, ClientId, LeadId, ProjectId, Timestamp, TypedId, UserId};
use serde::Serialize;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

pub mod detail;
pub mod from_lead;
pub mod input;
pub mod interface;
pub mod links;
pub mod milestones;
pub mod write;

pub use detail::{ProjectDetail, detail};
pub use input::ProjectInput;
pub use write::{create, set_deleted, update};

pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.on(
        "a converted lead becomes a project",
        from_lead::on_converted,
    );
}

/// A project as staff see it in lists.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: ProjectId,
    /// Numbered per branch: `P-BLR-0007` (`P-0007` without a branch).
    pub number: String,
    pub name: String,
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    pub client_id: ClientId,
    pub client_name: Option<String>,
    pub branch_id: Option<BranchId>,
    /// The lead it was converted from.
    pub lead_id: Option<LeadId>,
    /// The day of the job (its first day), `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// Its last day, for a job of several days.
    pub ends_on: Option<String>,
    /// When it starts on its first day, `HH:MM` in `time_zone`.
    pub start_time: Option<String>,
    /// The IANA zone of the place.
    pub time_zone: String,
    pub venue: Option<String>,
    /// The client's special requests.
    pub requests: Option<String>,
    /// The package sold for it.
    pub package_id: Option<darkroom_domain::PackageId>,
    pub photographer_ids: Vec<UserId>,
    pub assistant_ids: Vec<UserId>,
    pub editor_ids: Vec<UserId>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

fn ids_in(people: &[project_person::Model], role: ProjectRole) -> Vec<UserId> {
    people
        .iter()
        .filter(|x| x.role == role)
        .map(|x| UserId::from_uuid(x.user_id))
        .collect()
}

pub(crate) fn view(
    m: project::Model,
    people: &[project_person::Model],
    client_name: Option<String>,
) -> ProjectView {
    ProjectView {
        id: ProjectId::from_uuid(m.id),
        number: m.number,
        name: m.name,
        kind: m.kind,
        status: m.status,
        client_id: ClientId::from_uuid(m.client_id),
        client_name,
        branch_id: m.branch_id.map(BranchId::from_uuid),
        lead_id: m.lead_id.map(LeadId::from_uuid),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        start_time: m.start_time,
        time_zone: m.time_zone,
        venue: m.venue,
        requests: m.requests,
        package_id: m.package_id.map(darkroom_domain::PackageId::from_uuid),
        photographer_ids: ids_in(people, ProjectRole::Photographer),
        assistant_ids: ids_in(people, ProjectRole::Assistant),
        editor_ids: ids_in(people, ProjectRole::Editor),
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// The view of a stored project, with its people and client's name.
pub(crate) async fn view_of(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    m: project::Model,
) -> CoreResult<ProjectView> {
    let studio = darkroom_domain::StudioId::from_uuid(m.studio_id);
    let people = repo::project::people(c, studio, ProjectId::from_uuid(m.id)).await?;
    let name = crate::crm::interface::client_names(c, studio, &[m.client_id]).await?;
    let client = name.into_iter().next().map(|(_, n)| n);
    Ok(view(m, &people, client))
}

/// Who may see projects: anyone who sees galleries or the calendar.
pub(crate) fn authorize_read(core: &Core, p: &Principal) -> CoreResult<()> {
    let held = core.permissions_anywhere(p);
    if held.contains(&Permission::GalleryView) || held.contains(&Permission::BookingView) {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you need the `gallery.view` or `booking.view` permission to see projects; ask the studio owner",
        ))
    }
}

/// Who may change projects: those who manage galleries.
pub(crate) fn authorize_write(core: &Core, p: &Principal) -> CoreResult<()> {
    if core
        .permissions_anywhere(p)
        .contains(&Permission::GalleryManage)
    {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "you do not have the `gallery.manage` permission; ask the studio owner if you need it",
        ))
    }
}

/// A live project of the principal's studio (404 otherwise).
pub(crate) async fn load(core: &Core, p: &Principal, id: ProjectId) -> CoreResult<project::Model> {
    let m = repo::project::find(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("project"))?;
    authorize_read(core, p)?;
    Ok(m)
}

pub(crate) async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    m: &project::Model,
    event_type: &'static str,
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: m.branch_id.map(BranchId::from_uuid),
            who: Who::of(p),
            event_type,
            severity: Severity::Low,
            target_type: "project",
            target_id: ProjectId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}

/// What to list projects by.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    pub status: Option<darkroom_domain::field::ProjectStatusName>,
    pub client_id: Option<ClientId>,
    pub branch_id: Option<BranchId>,
    /// Only the projects this staff member is on.
    pub person_id: Option<UserId>,
    /// Deleted projects (to restore one) instead of live ones.
    pub deleted: Option<bool>,
}

/// How many projects a list shows at most.
const LIST_LIMIT: u64 = 500;

/// A studio's projects, soonest first.
pub async fn list(core: &Core, p: &Principal, f: &ProjectFilter) -> CoreResult<Vec<ProjectView>> {
    authorize_read(core, p)?;
    let c = core.db().conn();
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|e| CoreError::invalid("status", e))?),
        None => None,
    };
    let ids = match f.person_id {
        Some(u) => Some(repo::project::ids_of_person(c, p.studio, u.uuid()).await?),
        None => None,
    };
    let filter = repo::project::Filter {
        status,
        client: f.client_id.map(|x| x.uuid()),
        branch: f.branch_id.map(|x| x.uuid()),
        lead: None,
        ids,
        deleted: f.deleted.unwrap_or(false),
    };
    let rows = repo::project::list(c, p.studio, &filter, LIST_LIMIT).await?;
    views(c, p.studio, rows).await
}

/// The views of `rows`, with client names read once.
pub(crate) async fn views(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: darkroom_domain::StudioId,
    rows: Vec<project::Model>,
) -> CoreResult<Vec<ProjectView>> {
    let clients: Vec<_> = rows.iter().map(|r| r.client_id).collect();
    let names = crate::crm::interface::client_names(c, studio, &clients).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let everyone = repo::project::people_of(c, studio, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let people: Vec<_> = everyone
            .iter()
            .filter(|x| x.project_id == m.id)
            .cloned()
            .collect();
        let name = names
            .iter()
            .find(|(id, _)| *id == m.client_id)
            .map(|(_, n)| n.clone());
        out.push(view(m, &people, name));
    }
    Ok(out)
}
