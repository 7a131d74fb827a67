//! Who holds which role: assigning and unassigning roles, with the rule that nobody gives what they do not hold.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};
use darkroom_db::entity::role_assignment;
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{AssignmentId, BranchId, RoleId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::*;

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
    let roles = repo::access::list_roles(c, studio).await?;
    let branches = repo::branch::list_names(c, studio).await?;
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

pub(super) async fn target_member(
    c: &impl ConnectionTrait,
    p: &Principal,
    user: UserId,
) -> CoreResult<()> {
    repo::person::find_membership(c, p.studio, user, false)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    Ok(())
}

pub(super) fn not_self(p: &Principal, user: UserId) -> CoreResult<()> {
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
    let role = repo::access::find_role(c, p.studio, input.role_id)
        .await?
        .ok_or_else(|| CoreError::missing("role_id", "role", input.role_id))?;
    if is_owner_role(&role) {
        return Err(CoreError::forbidden(
            "the owner role cannot be given to anyone; a studio has one owner",
        ));
    }
    check_can_give(p, &role_permissions(&role)?, "the assignment")?;
    if let Some(b) = input.branch_id {
        repo::branch::find(c, p.studio, b, false)
            .await?
            .ok_or_else(|| CoreError::missing("branch_id", "branch", b))?;
    }
    let existing = repo::access::assignments_of_user(c, p.studio, user).await?;
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
    let a = repo::access::find_assignment(&tx, p.studio, id)
        .await?
        .filter(|a| a.user_id == user.uuid())
        .ok_or(CoreError::not_found("role assignment"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    let role = repo::access::find_role(&tx, p.studio, RoleId::from_uuid(a.role_id)).await?;
    if role.as_ref().is_some_and(is_owner_role) {
        return Err(CoreError::forbidden(
            "the owner's role cannot be removed; nobody can demote the owner",
        ));
    }
    repo::access::delete_assignment(&tx, p.studio, id).await?;
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
