//! Roles, role assignments and contextual grants.
//!
//! Safeguards: nobody changes their own roles or grants; nobody hands out a
//! permission they do not hold studio-wide themselves; nobody changes the
//! roles or grants of someone holding a permission they lack; the owner role
//! cannot be edited, assigned or removed, so nobody can demote the owner.

use darkroom_db::entity::role;
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Line, PermissionName, Text};
use darkroom_domain::people;
use darkroom_domain::permission::{BuiltinRole, Permission, PermissionSet, parse_permission_list};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{RoleId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

pub use crate::kernel::principal::role_permissions;

mod grants;
pub use grants::*;

mod assignments;
pub use assignments::*;

fn perms_json(set: &PermissionSet) -> String {
    serde_json::to_string(&set.iter().map(|p| p.name()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

fn is_owner_role(r: &role::Model) -> bool {
    r.builtin_key.as_deref() == Some(BuiltinRole::Owner.key())
}

/// Creates the built-in roles of a new studio.
pub(crate) async fn seed_roles(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> CoreResult<Vec<role::Model>> {
    let mut out = Vec::new();
    for r in BuiltinRole::ALL {
        let id = RoleId::new();
        out.push(
            write::insert::<role::Entity>(
                core,
                c,
                studio,
                &id,
                role::ActiveModel {
                    id: Set(id.uuid()),
                    builtin_key: Set(Some(r.key().into())),
                    name: Set(r.display_name().into()),
                    description: Set(r.description().into()),
                    permissions: Set(perms_json(&r.default_permissions())),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    Ok(out)
}

/// A permission as listed for people.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionView {
    pub name: &'static str,
    pub area: &'static str,
    pub description: &'static str,
}

/// Every permission there is.
pub fn permissions() -> Vec<PermissionView> {
    Permission::ALL
        .iter()
        .map(|p| PermissionView {
            name: p.name(),
            area: p.area(),
            description: p.description(),
        })
        .collect()
}

/// A role as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub id: RoleId,
    /// `owner`, `manager`, ... for built-in roles; absent for the studio's own.
    pub builtin: Option<String>,
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    /// `false` for the owner role, which always holds every permission.
    pub editable: bool,
    /// How many role assignments use it.
    pub assignments: u64,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

async fn role_view(c: &impl ConnectionTrait, r: role::Model) -> CoreResult<RoleView> {
    let perms = role_permissions(&r)?;
    let n = repo::access::count_assignments_of_role(
        c,
        StudioId::from_uuid(r.studio_id),
        RoleId::from_uuid(r.id),
    )
    .await?;
    Ok(RoleView {
        id: RoleId::from_uuid(r.id),
        editable: !is_owner_role(&r),
        builtin: r.builtin_key,
        name: r.name,
        description: r.description,
        permissions: perms.iter().map(|p| p.name().to_string()).collect(),
        assignments: n,
        version: r.version,
        created_at: Timestamp::from_micros(r.created_at),
        updated_at: Timestamp::from_micros(r.updated_at),
    })
}

pub async fn list_roles(core: &Core, p: &Principal) -> CoreResult<Vec<RoleView>> {
    core.authorize(p, Permission::RoleView, Target::STUDIO)?;
    let mut out = Vec::new();
    for r in repo::access::list_roles(core.db().conn(), p.studio).await? {
        out.push(role_view(core.db().conn(), r).await?);
    }
    Ok(out)
}

/// Roles as (id, name) for pickers; visible to anyone who may invite.
pub async fn role_names(core: &Core, p: &Principal) -> CoreResult<Vec<(RoleId, String, bool)>> {
    let rows = repo::access::list_roles(core.db().conn(), p.studio).await?;
    Ok(rows
        .into_iter()
        .map(|r| (RoleId::from_uuid(r.id), r.name.clone(), is_owner_role(&r)))
        .collect())
}

pub async fn get_role(core: &Core, p: &Principal, id: RoleId) -> CoreResult<RoleView> {
    let r = repo::access::find_role(core.db().conn(), p.studio, id)
        .await?
        .ok_or(CoreError::not_found("role"))?;
    core.authorize(p, Permission::RoleView, Target::STUDIO)?;
    role_view(core.db().conn(), r).await
}

/// Refuses to let `p` change the account of someone holding a permission
/// `p` does not hold studio-wide (decision 0020): managing a colleague
/// (profile, standing, roles, grants, reset links) needs every permission
/// they hold, so nobody gains a permission by taking over a colleague's
/// account. The owner holds everything, so only the owner manages the owner.
pub(crate) async fn check_may_manage(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    target: UserId,
) -> CoreResult<()> {
    let theirs = crate::kernel::principal::holdings_of(c, p.studio, target, core.now()).await?;
    let missing = people::missing_to_manage(&p.actor.studio_wide_permissions(), &theirs);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CoreError::forbidden(people::outranked_message(&missing)))
    }
}

/// Refuses to hand out permissions the principal does not hold studio-wide.
fn check_can_give(p: &Principal, perms: &PermissionSet, field: &str) -> CoreResult<()> {
    let mine = p.actor.studio_wide_permissions();
    let missing: Vec<&str> = perms
        .iter()
        .filter(|x| !mine.contains(x))
        .map(|x| x.name())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Forbidden {
            message: format!(
                "you cannot give permissions you do not hold yourself ({}); {field} was not changed",
                missing.join(", ")
            ),
        })
    }
}

/// A new role.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub id: Option<RoleId>,
    pub name: Line<80>,
    #[serde(default)]
    pub description: Text<300>,
    /// Permission names, e.g. `["branch.view", "staff.view"]`.
    pub permissions: Vec<PermissionName>,
}

/// Changes to a role.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    pub version: i64,
    pub name: Option<Line<80>>,
    pub description: Option<Text<300>>,
    pub permissions: Option<Vec<PermissionName>>,
}

pub async fn create_role(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewRole,
) -> CoreResult<(RoleView, bool)> {
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("the role name"));
    let description = errs
        .check("description", input.description.check("the description"))
        .flatten();
    let perms = errs.check("permissions", parse_permission_list(&input.permissions));
    errs.into_result()?;
    let (Some(name), Some(perms)) = (name, perms) else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    check_can_give(p, &perms, "the role")?;
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let id = input.id.unwrap_or_default();
    if input.id.is_some()
        && created::claim(&tx, p.studio, "role", id, &created::digest(&input), now).await?
            == Claim::Replay
    {
        let r = repo::access::find_role(&tx, p.studio, id)
            .await?
            .ok_or(CoreError::not_found("role"))?;
        return Ok((role_view(&tx, r).await?, false));
    }
    let existing = repo::access::list_roles(&tx, p.studio).await?;
    if existing.iter().any(|r| r.name.eq_ignore_ascii_case(&name)) {
        return Err(CoreError::taken(
            "name",
            format!("a role named `{name}` already exists; pick another name"),
        ));
    }
    let saved = write::insert::<role::Entity>(
        core,
        &tx,
        p.studio,
        &id,
        role::ActiveModel {
            id: Set(id.uuid()),
            builtin_key: Set(None),
            name: Set(name),
            description: Set(description.unwrap_or_default()),
            permissions: Set(perms_json(&perms)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "role.created",
        severity: Severity::High,
        target_type: "role",
        target_id: id.to_string(),
        payload: serde_json::json!({ "name": saved.name, "permissions": perms.iter().map(|x| x.name()).collect::<Vec<_>>() }),
    })
    .await?;
    let v = role_view(&tx, saved).await?;
    crate::commit(tx).await?;
    Ok((v, true))
}

pub async fn update_role(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: RoleId,
    patch: RolePatch,
) -> CoreResult<RoleView> {
    let tx = core.db().begin().await?;
    let current = repo::access::find_role(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("role"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    if is_owner_role(&current) {
        return Err(CoreError::forbidden(
            "the owner role always holds every permission and cannot be edited",
        ));
    }
    let mut errs = FieldErrors::new();
    let mut am = role::ActiveModel::default();
    let old_perms = role_permissions(&current)?;
    let mut new_perms = None;
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the role name"))
    {
        am.name = Set(n);
    }
    if let Some(d) = &patch.description
        && let Some(d) = errs.check("description", d.check("the description"))
    {
        am.description = Set(d.unwrap_or_default());
    }
    if let Some(list) = &patch.permissions
        && let Some(set) = errs.check("permissions", parse_permission_list(list))
    {
        new_perms = Some(set);
    }
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(role_view(&tx, current).await?));
    }
    let mut payload = serde_json::Map::new();
    if let Some(set) = &new_perms {
        let added: PermissionSet = set.difference(&old_perms).copied().collect();
        check_can_give(p, &added, "the role")?;
        am.permissions = Set(perms_json(set));
        let removed: PermissionSet = old_perms.difference(set).copied().collect();
        payload.insert("added".into(), names_of(&added));
        payload.insert("removed".into(), names_of(&removed));
    }
    if let Err(fresh) =
        write::try_update::<role::Entity>(core, &tx, p.studio, id.uuid(), patch.version, am).await?
    {
        return Err(CoreError::stale(role_view(&tx, fresh).await?));
    }
    let name = patch.name.clone().map_or(current.name.clone(), |n| n.0);
    payload.insert("name".into(), serde_json::json!(name));
    let ev = Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "role.updated",
        severity: Severity::High,
        target_type: "role",
        target_id: id.to_string(),
        payload: serde_json::Value::Object(payload),
    };
    audit::record(core, &tx, meta, ev).await?;
    let fresh = repo::access::find_role(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("role"))?;
    let v = role_view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// Permission names, as the audit log lists them.
fn names_of(set: &PermissionSet) -> serde_json::Value {
    serde_json::json!(set.iter().map(|x| x.name()).collect::<Vec<_>>())
}

/// Deletes a studio-defined role nobody holds.
pub async fn delete_role(core: &Core, p: &Principal, meta: &Meta, id: RoleId) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    let current = repo::access::find_role(&tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("role"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    if current.builtin_key.is_some() {
        return Err(CoreError::conflict(
            "builtin_role",
            "built-in roles cannot be deleted; edit their permissions instead",
        ));
    }
    let n = repo::access::count_assignments_of_role(&tx, p.studio, id).await?;
    if n > 0 {
        return Err(CoreError::conflict(
            "role_in_use",
            format!("{n} role assignment(s) still use this role; remove them first"),
        ));
    }
    let now = core.now().as_micros();
    let am = role::ActiveModel {
        deleted_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Err(fresh) =
        write::try_update::<role::Entity>(core, &tx, p.studio, id.uuid(), current.version, am)
            .await?
    {
        return Err(CoreError::stale(role_view(&tx, fresh).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "role.deleted",
            severity: Severity::High,
            target_type: "role",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": current.name }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}
