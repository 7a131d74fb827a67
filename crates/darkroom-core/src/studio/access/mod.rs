//! Roles, role assignments and contextual grants.
//!
//! Safeguards: nobody changes their own roles or grants; nobody hands out a
//! permission they do not hold studio-wide themselves; nobody changes the
//! roles or grants of someone holding a permission they lack; the owner role
//! cannot be edited, assigned or removed, so nobody can demote the owner.

use darkroom_db::entity::{permission_grant, role, role_assignment};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Future, GrantKindName, Line, PermissionName, Text};
use darkroom_domain::names::GrantKind;
use darkroom_domain::people;
use darkroom_domain::permission::{BuiltinRole, Permission, PermissionSet, parse_permission_list};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{
    AssignmentId, BranchId, GalleryId, GrantId, RoleId, StudioId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::created::{self, Claim};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

pub use crate::kernel::principal::role_permissions;

fn perms_json(set: &PermissionSet) -> String {
    serde_json::to_string(&set.iter().map(|p| p.name()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

fn is_owner_role(r: &role::Model) -> bool {
    r.builtin_key.as_deref() == Some(BuiltinRole::Owner.key())
}

/// Creates the built-in roles of a new studio.
pub(crate) async fn seed_roles(
    c: &impl ConnectionTrait,
    studio: StudioId,
    now: i64,
) -> CoreResult<Vec<role::Model>> {
    let mut out = Vec::new();
    for r in BuiltinRole::ALL {
        out.push(
            repo::access::insert_role(
                c,
                role::Model {
                    id: RoleId::new().uuid(),
                    studio_id: studio.uuid(),
                    builtin_key: Some(r.key().into()),
                    name: r.display_name().into(),
                    description: r.description().into(),
                    permissions: perms_json(&r.default_permissions()),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
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
    let n = repo::access::count_assignments_of_role(c, r.studio_id, r.id).await?;
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
    for r in repo::access::list_roles(core.db().conn(), p.studio.uuid()).await? {
        out.push(role_view(core.db().conn(), r).await?);
    }
    Ok(out)
}

/// Roles as (id, name) for pickers; visible to anyone who may invite.
pub async fn role_names(core: &Core, p: &Principal) -> CoreResult<Vec<(RoleId, String, bool)>> {
    let rows = repo::access::list_roles(core.db().conn(), p.studio.uuid()).await?;
    Ok(rows
        .into_iter()
        .map(|r| (RoleId::from_uuid(r.id), r.name.clone(), is_owner_role(&r)))
        .collect())
}

pub async fn get_role(core: &Core, p: &Principal, id: RoleId) -> CoreResult<RoleView> {
    let r = repo::access::find_role(core.db().conn(), p.studio.uuid(), id.uuid())
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
        let r = repo::access::find_role(&tx, p.studio.uuid(), id.uuid())
            .await?
            .ok_or(CoreError::not_found("role"))?;
        return Ok((role_view(&tx, r).await?, false));
    }
    let existing = repo::access::list_roles(&tx, p.studio.uuid()).await?;
    if existing.iter().any(|r| r.name.eq_ignore_ascii_case(&name)) {
        return Err(CoreError::taken(
            "name",
            format!("a role named `{name}` already exists; pick another name"),
        ));
    }
    let saved = repo::access::insert_role(
        &tx,
        role::Model {
            id: id.uuid(),
            studio_id: p.studio.uuid(),
            builtin_key: None,
            name,
            description: description.unwrap_or_default(),
            permissions: perms_json(&perms),
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await
    .map_err(|e| created::on_insert_error(e, &id))?;
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
    let current = repo::access::find_role(&tx, p.studio.uuid(), id.uuid())
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
        payload.insert(
            "added".into(),
            serde_json::json!(added.iter().map(|x| x.name()).collect::<Vec<_>>()),
        );
        payload.insert(
            "removed".into(),
            serde_json::json!(
                old_perms
                    .difference(set)
                    .map(|x| x.name())
                    .collect::<Vec<_>>()
            ),
        );
    }
    am.updated_at = Set(core.now().as_micros());
    if !repo::access::update_role_versioned(&tx, p.studio.uuid(), id.uuid(), patch.version, am)
        .await?
    {
        let fresh = repo::access::find_role(&tx, p.studio.uuid(), id.uuid())
            .await?
            .ok_or(CoreError::not_found("role"))?;
        return Err(CoreError::stale(role_view(&tx, fresh).await?));
    }
    payload.insert(
        "name".into(),
        serde_json::json!(
            patch
                .name
                .clone()
                .map(|n| n.0)
                .unwrap_or(current.name.clone())
        ),
    );
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "role.updated",
            severity: Severity::High,
            target_type: "role",
            target_id: id.to_string(),
            payload: serde_json::Value::Object(payload),
        },
    )
    .await?;
    let fresh = repo::access::find_role(&tx, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("role"))?;
    let v = role_view(&tx, fresh).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// Deletes a studio-defined role nobody holds.
pub async fn delete_role(core: &Core, p: &Principal, meta: &Meta, id: RoleId) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    let current = repo::access::find_role(&tx, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("role"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    if current.builtin_key.is_some() {
        return Err(CoreError::conflict(
            "builtin_role",
            "built-in roles cannot be deleted; edit their permissions instead",
        ));
    }
    let n = repo::access::count_assignments_of_role(&tx, p.studio.uuid(), id.uuid()).await?;
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
    repo::access::update_role_versioned(&tx, p.studio.uuid(), id.uuid(), current.version, am)
        .await?;
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

/// One role held by a staff member.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    pub id: AssignmentId,
    pub user_id: UserId,
    pub role_id: RoleId,
    pub role_name: String,
    /// Absent: studio-wide. Present: only for this branch.
    pub branch_id: Option<BranchId>,
    pub branch_name: Option<String>,
    pub created_at: Timestamp,
}

pub(crate) async fn assignment_views(
    c: &impl ConnectionTrait,
    studio: StudioId,
    rows: Vec<role_assignment::Model>,
) -> CoreResult<Vec<AssignmentView>> {
    let roles = repo::access::list_roles(c, studio.uuid()).await?;
    let branches = repo::branch::list_names(c, studio.uuid()).await?;
    Ok(rows
        .into_iter()
        .map(|a| AssignmentView {
            id: AssignmentId::from_uuid(a.id),
            user_id: UserId::from_uuid(a.user_id),
            role_id: RoleId::from_uuid(a.role_id),
            role_name: roles
                .iter()
                .find(|r| r.id == a.role_id)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            branch_id: a.branch_id.map(BranchId::from_uuid),
            branch_name: a.branch_id.and_then(|b| {
                branches
                    .iter()
                    .find(|(id, _)| *id == b)
                    .map(|(_, n)| n.clone())
            }),
            created_at: Timestamp::from_micros(a.created_at),
        })
        .collect())
}

/// Gives a staff member a role.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    pub role_id: RoleId,
    /// Limit the role to one branch; absent means studio-wide.
    pub branch_id: Option<BranchId>,
}

async fn target_member(c: &impl ConnectionTrait, p: &Principal, user: UserId) -> CoreResult<()> {
    repo::person::find_membership(c, p.studio.uuid(), user.uuid(), false)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    Ok(())
}

fn not_self(p: &Principal, user: UserId) -> CoreResult<()> {
    if p.user == user {
        Err(CoreError::forbidden(
            "you cannot change your own roles or grants; ask another person with role management rights",
        ))
    } else {
        Ok(())
    }
}

/// Checks and inserts an assignment inside the caller's transaction.
pub(crate) async fn assign_in(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    user: UserId,
    input: &NewAssignment,
) -> CoreResult<role_assignment::Model> {
    let role = repo::access::find_role(c, p.studio.uuid(), input.role_id.uuid())
        .await?
        .ok_or_else(|| CoreError::missing("role_id", "role", input.role_id))?;
    if is_owner_role(&role) {
        return Err(CoreError::forbidden(
            "the owner role cannot be given to anyone; a studio has one owner",
        ));
    }
    check_can_give(p, &role_permissions(&role)?, "the assignment")?;
    if let Some(b) = input.branch_id {
        repo::branch::find(c, p.studio.uuid(), b.uuid(), false)
            .await?
            .ok_or_else(|| CoreError::missing("branch_id", "branch", b))?;
    }
    let existing = repo::access::assignments_of_user(c, p.studio.uuid(), user.uuid()).await?;
    if existing
        .iter()
        .any(|a| a.role_id == role.id && a.branch_id == input.branch_id.map(|b| b.uuid()))
    {
        return Err(CoreError::conflict(
            "already_assigned",
            "this person already has this role there",
        ));
    }
    let now = core.now().as_micros();
    Ok(repo::access::insert_assignment(
        c,
        role_assignment::Model {
            id: AssignmentId::new().uuid(),
            studio_id: p.studio.uuid(),
            user_id: user.uuid(),
            role_id: role.id,
            branch_id: input.branch_id.map(|b| b.uuid()),
            created_by: Some(p.user.uuid()),
            created_at: now,
        },
    )
    .await?)
}

pub async fn assign_role(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    input: NewAssignment,
) -> CoreResult<AssignmentView> {
    let tx = core.db().begin().await?;
    target_member(&tx, p, user).await?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    let row = assign_in(core, &tx, p, user, &input).await?;
    let view = assignment_views(&tx, p.studio, vec![row]).await?.remove(0);
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: input.branch_id,
        who: Who::of(p),
        event_type: "role.assigned",
        severity: Severity::High,
        target_type: "user",
        target_id: user.to_string(),
        payload: serde_json::json!({ "role": view.role_name, "role_id": view.role_id, "branch_id": view.branch_id }),
    })
    .await?;
    crate::commit(tx).await?;
    Ok(view)
}

pub async fn unassign_role(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    id: AssignmentId,
) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    target_member(&tx, p, user).await?;
    let a = repo::access::find_assignment(&tx, p.studio.uuid(), id.uuid())
        .await?
        .filter(|a| a.user_id == user.uuid())
        .ok_or(CoreError::not_found("role assignment"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    let role = repo::access::find_role(&tx, p.studio.uuid(), a.role_id).await?;
    if role.as_ref().is_some_and(is_owner_role) {
        return Err(CoreError::forbidden(
            "the owner's role cannot be removed; nobody can demote the owner",
        ));
    }
    repo::access::delete_assignment(&tx, p.studio.uuid(), id.uuid()).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: a.branch_id.map(BranchId::from_uuid),
            who: Who::of(p),
            event_type: "role.unassigned",
            severity: Severity::High,
            target_type: "user",
            target_id: user.to_string(),
            payload: serde_json::json!({ "role": role.map(|r| r.name), "assignment_id": id }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}

/// A contextual grant as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: GrantId,
    pub user_id: UserId,
    pub permission: String,
    pub resource_type: GrantKind,
    pub resource_id: String,
    pub expires_at: Option<Timestamp>,
    /// `true` once past `expires_at`; it no longer allows anything.
    pub expired: bool,
    pub created_at: Timestamp,
}

pub(crate) fn grant_view(g: permission_grant::Model, now: Timestamp) -> GrantView {
    let resource_id = match g.resource_type {
        GrantKind::Branch => BranchId::from_uuid(g.resource_id).to_string(),
        GrantKind::Gallery => GalleryId::from_uuid(g.resource_id).to_string(),
    };
    GrantView {
        id: GrantId::from_uuid(g.id),
        user_id: UserId::from_uuid(g.user_id),
        permission: g.permission,
        resource_type: g.resource_type,
        resource_id,
        expires_at: g.expires_at.map(Timestamp::from_micros),
        expired: g.expires_at.is_some_and(|e| e <= now.as_micros()),
        created_at: Timestamp::from_micros(g.created_at),
    }
}

/// One permission on one resource for one person, possibly expiring.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// A permission name, e.g. `gallery.manage`.
    pub permission: PermissionName,
    /// What it applies to: a `branch` (everything of that branch) or one `gallery`.
    pub resource_type: GrantKindName,
    /// The resource's id: `brn_...` for a branch, `gal_...` for a gallery.
    pub resource_id: GrantResource,
    /// When it stops applying; absent means until revoked.
    pub expires_at: Option<Future>,
}

/// A branch's or a gallery's id (`brn_...` or `gal_...`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GrantResource(pub String);

impl utoipa::PartialSchema for GrantResource {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let b = darkroom_domain::id::pattern(BranchId::PREFIX);
        let g = darkroom_domain::id::pattern(GalleryId::PREFIX);
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!("({b})|({g})")))
            .into()
    }
}
impl utoipa::ToSchema for GrantResource {}

/// The grant's resource in this studio (404 when it is not one here), with
/// the branch it belongs to.
async fn grant_resource(
    c: &impl ConnectionTrait,
    p: &Principal,
    kind: GrantKind,
    raw: &str,
) -> CoreResult<(uuid::Uuid, BranchId)> {
    match kind {
        GrantKind::Branch => {
            let id = BranchId::parse(raw).map_err(|_| CoreError::not_found("branch"))?;
            repo::branch::find(c, p.studio.uuid(), id.uuid(), false)
                .await?
                .ok_or(CoreError::not_found("branch"))?;
            Ok((id.uuid(), id))
        }
        GrantKind::Gallery => {
            let id = GalleryId::parse(raw).map_err(|_| CoreError::not_found("gallery"))?;
            let g = repo::gallery::find(c, p.studio.uuid(), id.uuid(), false)
                .await?
                .ok_or(CoreError::not_found("gallery"))?;
            Ok((id.uuid(), BranchId::from_uuid(g.branch_id)))
        }
    }
}

pub async fn grant(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    input: NewGrant,
) -> CoreResult<GrantView> {
    let tx = core.db().begin().await?;
    target_member(&tx, p, user).await?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    let now = core.now();
    let mut errs = FieldErrors::new();
    let perm = errs.check("permission", input.permission.check());
    let kind = errs.check("resource_type", input.resource_type.check());
    let expires_at = match &input.expires_at {
        Some(f) => errs.check("expires_at", f.check(now)).map(Some),
        None => Some(None),
    };
    errs.into_result()?;
    let (Some(perm), Some(kind), Some(expires_at)) = (perm, kind, expires_at) else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let (resource, branch) = grant_resource(&tx, p, kind, &input.resource_id.0).await?;
    check_can_give(p, &[perm].into_iter().collect(), "the grant")?;
    let row = repo::access::insert_grant(
        &tx,
        permission_grant::Model {
            id: GrantId::new().uuid(),
            studio_id: p.studio.uuid(),
            user_id: user.uuid(),
            permission: perm.name().into(),
            resource_type: kind,
            resource_id: resource,
            expires_at: expires_at.map(Timestamp::as_micros),
            created_by: Some(p.user.uuid()),
            created_at: now.as_micros(),
        },
    )
    .await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: Some(branch),
        who: Who::of(p),
        event_type: "grant.created",
        severity: Severity::High,
        target_type: "user",
        target_id: user.to_string(),
        payload: serde_json::json!({ "permission": perm.name(), "resource_type": kind.name(), "resource": input.resource_id.0, "expires_at": expires_at }),
    })
    .await?;
    crate::commit(tx).await?;
    Ok(grant_view(row, now))
}

pub async fn revoke_grant(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    user: UserId,
    id: GrantId,
) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    target_member(&tx, p, user).await?;
    let g = repo::access::find_grant(&tx, p.studio.uuid(), id.uuid())
        .await?
        .filter(|g| g.user_id == user.uuid())
        .ok_or(CoreError::not_found("grant"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    repo::access::delete_grant(&tx, p.studio.uuid(), id.uuid()).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(BranchId::from_uuid(g.resource_id))
                .filter(|_| g.resource_type == GrantKind::Branch),
            who: Who::of(p),
            event_type: "grant.revoked",
            severity: Severity::High,
            target_type: "user",
            target_id: user.to_string(),
            payload: serde_json::json!({ "permission": g.permission, "grant_id": id }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}
