//! Who is making a request, and the one authorization function.

use darkroom_db::entity::{membership, role};
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::authz::{
    self, Actor, BranchFilter, ContextGrant, ResourceKind, ScopedPermissions, Target,
};
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::{BuiltinRole, Permission, PermissionSet};
use darkroom_domain::{SessionId, StudioId, TokenId, TypedId, UserId};

use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};

/// How the principal proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Session(SessionId),
    Token(TokenId),
    /// The command line, run by the instance's operator.
    System,
}

/// An authenticated staff member acting in one studio.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserId,
    pub studio: StudioId,
    pub email: String,
    pub name: String,
    /// Their own time zone in this studio (IANA name).
    pub time_zone: String,
    pub actor: Actor,
    pub via: Via,
}

impl Principal {
    /// "Name <email>" for the audit log.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }

    pub fn is_owner(&self) -> bool {
        self.actor.is_owner
    }
}

/// Loads a principal for `user` in `studio`: `None` unless the person has an
/// active staff account there. Roles and grants are read fresh every time,
/// so a revocation takes effect on the very next request.
pub async fn load(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    via: Via,
    token_scopes: Option<PermissionSet>,
) -> CoreResult<Option<Principal>> {
    let Some(m) = repo::person::find_membership(c, studio, user, false).await? else {
        return Ok(None);
    };
    if m.status != StaffStatus::Active {
        return Ok(None);
    }
    let Some(u) = repo::person::find_user(c, user).await? else {
        return Ok(None);
    };
    let actor = load_actor(c, &m, token_scopes).await?;
    Ok(Some(Principal {
        user,
        studio,
        email: u.email,
        name: m.name,
        time_zone: m.time_zone,
        actor,
        via,
    }))
}

async fn load_actor(
    c: &impl ConnectionTrait,
    m: &membership::Model,
    token_scopes: Option<PermissionSet>,
) -> CoreResult<Actor> {
    let roles = repo::access::list_roles(c, StudioId::from_uuid(m.studio_id)).await?;
    let assignments = repo::access::assignments_of_user(
        c,
        StudioId::from_uuid(m.studio_id),
        UserId::from_uuid(m.user_id),
    )
    .await?;
    let grants = repo::access::grants_of_user(
        c,
        StudioId::from_uuid(m.studio_id),
        UserId::from_uuid(m.user_id),
    )
    .await?;
    let mut is_owner = false;
    let mut scoped = Vec::new();
    for a in &assignments {
        let Some(role) = roles.iter().find(|r| r.id == a.role_id) else {
            continue;
        };
        if role.builtin_key.as_deref() == Some(BuiltinRole::Owner.key()) {
            is_owner = true;
        }
        scoped.push(ScopedPermissions {
            branch: a.branch_id.map(darkroom_domain::BranchId::from_uuid),
            permissions: role_permissions(role)?,
        });
    }
    let mut context = Vec::new();
    for g in grants {
        let (Ok(permission), Ok(kind)) = (
            Permission::parse(&g.permission),
            ResourceKind::parse(g.resource_type.name()),
        ) else {
            continue;
        };
        context.push(ContextGrant {
            permission,
            kind,
            resource_id: g.resource_id,
            expires_at: g.expires_at.map(darkroom_domain::Timestamp::from_micros),
        });
    }
    Ok(Actor {
        user: UserId::from_uuid(m.user_id),
        studio: StudioId::from_uuid(m.studio_id),
        is_owner,
        assignments: scoped,
        grants: context,
        token_scopes,
    })
}

/// Every permission a staff member holds anywhere (studio-wide, for a
/// branch, or by an unexpired grant): what someone must hold to manage them.
pub(crate) async fn holdings_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    now: darkroom_domain::Timestamp,
) -> CoreResult<PermissionSet> {
    let Some(m) = repo::person::find_membership(c, studio, user, true).await? else {
        return Ok(PermissionSet::new());
    };
    Ok(load_actor(c, &m, None).await?.any_permissions(now))
}

/// The permissions a stored role grants.
pub fn role_permissions(r: &role::Model) -> CoreResult<PermissionSet> {
    if r.builtin_key.as_deref() == Some(BuiltinRole::Owner.key()) {
        return Ok(Permission::ALL.iter().copied().collect());
    }
    let names: Vec<String> = serde_json::from_str(&r.permissions)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("role permissions: {e}")))?;
    Ok(names
        .iter()
        .filter_map(|n| Permission::parse(n).ok())
        .collect())
}

impl Core {
    /// The one authorization function: may `p` do `action` on `target`?
    /// Every route (pages, API, and later media bytes and downloads) comes here.
    pub fn authorize(&self, p: &Principal, action: Permission, target: Target) -> CoreResult<()> {
        if authz::decide(&p.actor, action, target, self.now()) {
            Ok(())
        } else {
            metrics::counter!("darkroom_authz_denied_total", "permission" => action.name())
                .increment(1);
            Err(CoreError::forbidden(format!(
                "you do not have the `{}` permission{}; ask the studio owner if you need it",
                action.name(),
                match target.branch {
                    Some(_) if target.kind == ResourceKind::Branch => " for this branch",
                    _ => "",
                }
            )))
        }
    }

    /// Like [`Core::authorize`], as a yes/no for menus and buttons.
    pub fn can(&self, p: &Principal, action: Permission, target: Target) -> bool {
        authz::decide(&p.actor, action, target, self.now())
    }

    /// The branches whose rows `p` may see with `action`.
    pub fn branch_filter(&self, p: &Principal, action: Permission) -> BranchFilter {
        p.actor.branch_filter(action, self.now())
    }

    /// Every permission `p` holds somewhere (for navigation).
    pub fn permissions_anywhere(&self, p: &Principal) -> PermissionSet {
        p.actor.any_permissions(self.now())
    }
}
