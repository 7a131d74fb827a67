//! Adding, changing, deleting and restoring projects.

use darkroom_db::entity::project;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::project::ProjectStatus;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, ProjectId, StudioId, TypedId, UserId};

use super::input::{ProjectInput, check_days};
use super::{ProjectView, authorize_write, milestones, record, view, view_of};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The number a new project of `branch` takes: `P-BLR-0007` from the
/// branch's invoice prefix, `P-0007` for a studio-wide one.
pub(crate) async fn take_number(
    c: &impl ConnectionTrait,
    studio: StudioId,
    branch: Option<&darkroom_db::entity::branch::Model>,
) -> CoreResult<String> {
    let scope = match branch {
        Some(b) => format!("project:{}", b.id),
        None => "project:studio".to_string(),
    };
    let n = repo::project::next_number(c, studio, &scope).await?;
    let prefix = branch
        .map(|b| b.invoice_prefix.trim_end_matches(['-', '/']).to_uppercase())
        .filter(|p| !p.is_empty());
    Ok(match prefix {
        Some(p) => format!("P-{p}-{n:04}"),
        None => format!("P-{n:04}"),
    })
}

/// Checks that every person named is on the studio's staff (one who is
/// not answers like any missing record, naming the field).
async fn check_people(
    c: &impl ConnectionTrait,
    studio: StudioId,
    input: &ProjectInput,
) -> CoreResult<()> {
    let people = input.people();
    if people.is_empty() {
        return Ok(());
    }
    let staff = repo::person::staff_names(c, studio).await?;
    for (field, ids, _) in people {
        for (i, id) in ids.iter().enumerate() {
            if !staff.iter().any(|(u, _)| u == id) {
                return Err(CoreError::missing(
                    &format!("{field}[{i}]"),
                    "staff member",
                    id,
                ));
            }
        }
    }
    Ok(())
}

/// Puts the people sent on the project, role by role.
async fn save_people(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ProjectId,
    input: &ProjectInput,
) -> CoreResult<()> {
    for (_, ids, role) in input.people() {
        let ids: Vec<_> = ids.iter().map(|u: &UserId| u.uuid()).collect();
        repo::project::set_people(c, studio, id, role, &ids, core.now().as_micros()).await?;
    }
    Ok(())
}

/// The live branch `id` of the studio, or a field error.
async fn branch_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: BranchId,
) -> CoreResult<darkroom_db::entity::branch::Model> {
    repo::branch::find(c, studio, id, false)
        .await?
        .ok_or_else(|| CoreError::missing("branch_id", "branch", id))
}

/// The studio's own zone (for a project of no branch).
async fn studio_zone(c: &impl ConnectionTrait, studio: StudioId) -> CoreResult<String> {
    Ok(repo::studio::find(c, studio)
        .await?
        .map_or_else(|| "UTC".to_string(), |s| s.time_zone))
}

/// A new project's row, made and numbered in `tx`, with its default
/// milestones and the audit entry.
pub(crate) async fn insert(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    meta: &Meta,
    id: ProjectId,
    branch: Option<&darkroom_db::entity::branch::Model>,
    mut am: project::ActiveModel,
) -> CoreResult<project::Model> {
    am.id = Set(id.uuid());
    am.branch_id = Set(branch.map(|b| b.id));
    am.number = Set(take_number(tx, p.studio, branch).await?);
    let m = write::insert::<project::Entity>(core, tx, p.studio, &id, am).await?;
    milestones::add_defaults(core, tx, p.studio, &m).await?;
    let payload = serde_json::json!({ "number": m.number, "name": m.name, "lead": m.lead_id });
    record(core, tx, meta, p, &m, "project.created", payload).await?;
    Ok(m)
}

/// The name a project gets when none is given: `Asha & Ravi — wedding`.
pub(crate) fn default_name(client: &str, kind: darkroom_domain::project::ProjectKind) -> String {
    format!("{client} — {}", kind.name().replace('_', "-"))
}

/// Adds a project for a client.
pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: ProjectInput,
) -> CoreResult<ProjectView> {
    authorize_write(core, p)?;
    let c = core.db().conn();
    let mut errs = FieldErrors::new();
    let mut am = project::ActiveModel {
        status: Set(ProjectStatus::Scheduled),
        ..Default::default()
    };
    input.apply(&mut am, &mut errs);
    if input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new project has no version; leave it out",
        );
    }
    if input.kind.is_none() {
        errs.add(
            "kind",
            "required",
            "say what kind of job it is (wedding, headshot, event...)",
        );
    }
    let Some(client_id) = input.client_id else {
        errs.add(
            "client_id",
            "required",
            "name the client (`cli_...`) the project is for",
        );
        return Err(CoreError::Validation(errs));
    };
    check_days(value(&am.starts_on), value(&am.ends_on), &mut errs);
    errs.into_result()?;
    check_people(c, p.studio, &input).await?;
    let client = crate::crm::interface::client_card(c, p.studio, client_id)
        .await?
        .ok_or_else(|| CoreError::missing("client_id", "client", client_id))?;
    let branch = match input.branch_id.or(client.branch_id) {
        Some(b) => Some(branch_of(c, p.studio, b).await?),
        None => None,
    };
    if !am.time_zone.is_set() {
        am.time_zone = Set(match &branch {
            Some(b) => b.time_zone.clone(),
            None => studio_zone(c, p.studio).await?,
        });
    }
    if !am.name.is_set()
        && let Set(kind) = am.kind
    {
        am.name = Set(default_name(&client.name, kind));
    }
    am.client_id = Set(client_id.uuid());
    if let Some(pkg) = input.package_id {
        am.package_id = Set(Some(check_package(c, p.studio, pkg).await?));
    }
    let id = input.id.unwrap_or_default();
    let tx = core.db().begin().await?;
    let m = insert(core, &tx, p, meta, id, branch.as_ref(), am).await?;
    save_people(core, &tx, p.studio, id, &input).await?;
    let fresh = view_of(&tx, m).await?;
    crate::commit(tx).await?;
    Ok(fresh)
}

fn value(v: &darkroom_db::sea_orm::ActiveValue<Option<String>>) -> Option<&str> {
    match v {
        Set(Some(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Changes a project: its fields, its people, or its status (archiving
/// stamps when).
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ProjectId,
    input: ProjectInput,
) -> CoreResult<ProjectView> {
    let current = super::load(core, p, id).await?;
    authorize_write(core, p)?;
    let c = core.db().conn();
    let mut errs = FieldErrors::new();
    let mut am = project::ActiveModel::default();
    input.apply(&mut am, &mut errs);
    if input.id.is_some_and(|x| x != id) {
        errs.add(
            "id",
            "not_allowed",
            "a project's id does not change; leave it out",
        );
    }
    let starts = if am.starts_on.is_set() {
        value(&am.starts_on)
    } else {
        current.starts_on.as_deref()
    };
    let ends = if am.ends_on.is_set() {
        value(&am.ends_on)
    } else {
        current.ends_on.as_deref()
    };
    check_days(starts, ends, &mut errs);
    let Some(version) = input.version else {
        errs.add(
            "version",
            "required",
            "send the version you read, so a change made meanwhile is not lost",
        );
        return Err(CoreError::Validation(errs));
    };
    errs.into_result()?;
    check_people(c, p.studio, &input).await?;
    if let Some(client) = input.client_id {
        check_client(c, p.studio, client).await?;
        am.client_id = Set(client.uuid());
    }
    if let Some(b) = input.branch_id {
        am.branch_id = Set(Some(branch_of(c, p.studio, b).await?.id));
    }
    let limits = package_change(c, p.studio, &current, &input, &mut am).await?;
    let event = status_change(core, &current, &mut am);
    if current.version != version {
        return Err(CoreError::stale(view_of(c, current).await?));
    }
    let tx = core.db().begin().await?;
    let people: Vec<_> = repo::project::people(&tx, p.studio, id).await?;
    write::update::<project::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, |m| {
        view(m, &people, None)
    })
    .await?;
    save_people(core, &tx, p.studio, id, &input).await?;
    if let Some((from, to)) = limits {
        follow_limits(core, &tx, p.studio, id, from, to).await?;
    }
    let fresh = repo::project::find(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("project"))?;
    let payload = serde_json::json!({ "from": current.status, "to": fresh.status });
    record(core, &tx, meta, p, &fresh, event, payload).await?;
    let fresh = view_of(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(fresh)
}

/// The package a change sets (or takes off with `no_package`), and the
/// photos included before and after when that changes them.
async fn package_change(
    c: &impl ConnectionTrait,
    studio: StudioId,
    current: &project::Model,
    input: &ProjectInput,
    am: &mut project::ActiveModel,
) -> CoreResult<Option<(Option<i64>, Option<i64>)>> {
    let to = match (input.package_id, input.no_package == Some(true)) {
        (Some(_), true) => {
            return Err(CoreError::invalid(
                "no_package",
                "send either `package_id` (a package) or `no_package` (none), not both",
            ));
        }
        (Some(pkg), false) => Some(check_package(c, studio, pkg).await?),
        (None, true) => None,
        (None, false) => return Ok(None),
    };
    am.package_id = Set(to);
    if to == current.package_id {
        return Ok(None);
    }
    let photos = |id: Option<uuid::Uuid>| async move {
        let Some(id) = id else {
            return Ok::<_, CoreError>(None);
        };
        let pkg = darkroom_domain::PackageId::from_uuid(id);
        Ok(crate::bookings::interface::package(c, studio, pkg, false)
            .await?
            .and_then(|p| p.photos_included))
    };
    Ok(Some((photos(current.package_id).await?, photos(to).await?)))
}

/// The project's galleries follow its package's photos included (where
/// they had no limit, or still the previous package's).
pub(crate) async fn follow_limits(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    id: ProjectId,
    from: Option<i64>,
    to: Option<i64>,
) -> CoreResult<()> {
    for l in repo::project::links(tx, studio, id).await? {
        if l.kind == darkroom_domain::project::LinkKind::Gallery {
            crate::photos::interface::follow_package_limit(core, tx, studio, l.target_id, from, to)
                .await?;
        }
    }
    Ok(())
}

/// A live package of the studio, or a missing-record answer naming the field.
async fn check_package(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: darkroom_domain::PackageId,
) -> CoreResult<uuid::Uuid> {
    crate::bookings::interface::package(c, studio, id, true)
        .await?
        .map(|_| id.uuid())
        .ok_or_else(|| CoreError::missing("package_id", "package", id))
}

async fn check_client(c: &impl ConnectionTrait, studio: StudioId, id: ClientId) -> CoreResult<()> {
    crate::crm::interface::client_card(c, studio, id)
        .await?
        .map(|_| ())
        .ok_or_else(|| CoreError::missing("client_id", "client", id))
}

/// The audit event of a change, stamping `archived_at` when it archives.
fn status_change(
    core: &Core,
    current: &project::Model,
    am: &mut project::ActiveModel,
) -> &'static str {
    match am.status {
        Set(s) if s != current.status => {
            am.archived_at = Set((s == ProjectStatus::Archived).then(|| core.now().as_micros()));
            "project.status_changed"
        }
        _ => "project.updated",
    }
}

/// Deletes (`deleted`) or restores a project; its milestones and links
/// stay. A `version` sent must be the current one.
pub async fn set_deleted(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ProjectId,
    version: Option<i64>,
    deleted: bool,
) -> CoreResult<ProjectView> {
    let current = repo::project::find_any(core.db().conn(), p.studio, id)
        .await?
        .filter(|m| m.deleted_at.is_some() != deleted)
        .ok_or(CoreError::not_found("project"))?;
    authorize_write(core, p)?;
    if version.is_some_and(|v| v != current.version) {
        return Err(CoreError::stale(view_of(core.db().conn(), current).await?));
    }
    let version = current.version;
    let am = project::ActiveModel {
        deleted_at: Set(deleted.then(|| core.now().as_micros())),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<project::Entity, _>(core, &tx, p.studio, id.uuid(), version, am, |m| {
        view(m, &[], None)
    })
    .await?;
    let event = if deleted {
        "project.deleted"
    } else {
        "project.restored"
    };
    record(core, &tx, meta, p, &current, event, serde_json::json!({})).await?;
    let fresh = repo::project::find_any(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("project"))?;
    let fresh = view_of(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(fresh)
}
