//! Contextual grants: one permission for one person on one branch or gallery, optionally until a date.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};
use darkroom_db::entity::permission_grant;
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Future, GrantKindName, PermissionName};
use darkroom_domain::names::GrantKind;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, GalleryId, GrantId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use super::*;

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
pub(super) async fn grant_resource(
    c: &impl ConnectionTrait,
    p: &Principal,
    kind: GrantKind,
    raw: &str,
) -> CoreResult<(uuid::Uuid, BranchId)> {
    match kind {
        GrantKind::Branch => {
            let id = BranchId::parse(raw).map_err(|_| CoreError::not_found("branch"))?;
            repo::branch::find(c, p.studio, id, false)
                .await?
                .ok_or(CoreError::not_found("branch"))?;
            Ok((id.uuid(), id))
        }
        GrantKind::Gallery => {
            let id = GalleryId::parse(raw).map_err(|_| CoreError::not_found("gallery"))?;
            let g = repo::gallery::find(c, p.studio, id, false)
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
    let g = repo::access::find_grant(&tx, p.studio, id)
        .await?
        .filter(|g| g.user_id == user.uuid())
        .ok_or(CoreError::not_found("grant"))?;
    core.authorize(p, Permission::RoleManage, Target::STUDIO)?;
    not_self(p, user)?;
    check_may_manage(core, &tx, p, user).await?;
    repo::access::delete_grant(&tx, p.studio, id).await?;
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
