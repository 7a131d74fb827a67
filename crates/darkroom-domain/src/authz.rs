//! The authorization decision: may this actor do this action on this target?
//!
//! This is the one place where the answer is computed. The core loads the
//! actor (roles, branch scopes, contextual grants, token scopes) and the
//! target's tenancy, then asks [`decide`]. Pages, the JSON API, media bytes
//! and downloads all come through it.

use uuid::Uuid;

use crate::permission::{Permission, PermissionSet};
use crate::{BranchId, StudioId, Timestamp, TypedId, UserId};

/// The kind of resource a contextual grant can point at.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Studio,
    Branch,
    User,
    Role,
    Gallery,
}

impl ResourceKind {
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Studio => "studio",
            ResourceKind::Branch => "branch",
            ResourceKind::User => "user",
            ResourceKind::Role => "role",
            ResourceKind::Gallery => "gallery",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "studio" => Ok(ResourceKind::Studio),
            "branch" => Ok(ResourceKind::Branch),
            "user" => Ok(ResourceKind::User),
            "role" => Ok(ResourceKind::Role),
            "gallery" => Ok(ResourceKind::Gallery),
            _ => Err(format!(
                "`{s}` is not a resource type a permission can be granted on; use `branch` or `gallery`"
            )),
        }
    }

    /// Kinds a contextual grant may target today.
    pub fn grantable(self) -> bool {
        matches!(self, ResourceKind::Branch | ResourceKind::Gallery)
    }
}

/// What an action is performed on, with the tenancy facts the rules need.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Target {
    pub kind: ResourceKind,
    /// The resource's id; `None` for the studio as a whole or a collection.
    pub id: Option<Uuid>,
    /// The branch the resource belongs to, if any.
    pub branch: Option<BranchId>,
}

impl Target {
    /// The studio itself, or any studio-wide collection.
    pub const STUDIO: Target = Target {
        kind: ResourceKind::Studio,
        id: None,
        branch: None,
    };

    pub fn branch(id: BranchId) -> Self {
        Target {
            kind: ResourceKind::Branch,
            id: Some(id.into()),
            branch: Some(id),
        }
    }

    /// A gallery of a branch: branch roles apply to it, and so do grants on it.
    pub fn gallery(id: crate::GalleryId, branch: BranchId) -> Self {
        Target {
            kind: ResourceKind::Gallery,
            id: Some(id.into()),
            branch: Some(branch),
        }
    }

    pub fn user(id: UserId) -> Self {
        Target {
            kind: ResourceKind::User,
            id: Some(id.into()),
            branch: None,
        }
    }
}

/// Permissions held through one role assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedPermissions {
    /// `None`: studio-wide. `Some(b)`: only for resources of branch `b`.
    pub branch: Option<BranchId>,
    pub permissions: PermissionSet,
}

/// One permission on one resource, possibly expiring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextGrant {
    pub permission: Permission,
    pub kind: ResourceKind,
    pub resource_id: Uuid,
    pub expires_at: Option<Timestamp>,
}

/// Who is acting, with everything needed to decide.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: UserId,
    pub studio: StudioId,
    pub is_owner: bool,
    pub assignments: Vec<ScopedPermissions>,
    pub grants: Vec<ContextGrant>,
    /// When acting through an API token: the token's scopes. Nothing outside
    /// them is allowed, whatever the roles say.
    pub token_scopes: Option<PermissionSet>,
}

/// Which branches' rows an actor may see for a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BranchFilter {
    All,
    Only(Vec<BranchId>),
}

impl BranchFilter {
    pub fn allows(&self, b: BranchId) -> bool {
        match self {
            BranchFilter::All => true,
            BranchFilter::Only(list) => list.contains(&b),
        }
    }
}

impl Actor {
    fn token_allows(&self, p: Permission) -> bool {
        self.token_scopes.as_ref().is_none_or(|s| s.contains(&p))
    }

    /// Permissions held studio-wide (not through a branch or a grant).
    pub fn studio_wide_permissions(&self) -> PermissionSet {
        let mut set: PermissionSet = if self.is_owner {
            Permission::ALL.iter().copied().collect()
        } else {
            self.assignments
                .iter()
                .filter(|a| a.branch.is_none())
                .flat_map(|a| a.permissions.iter().copied())
                .collect()
        };
        if let Some(scopes) = &self.token_scopes {
            set.retain(|p| scopes.contains(p));
        }
        set
    }

    /// Every permission the actor holds anywhere (for menus).
    pub fn any_permissions(&self, now: Timestamp) -> PermissionSet {
        let mut set = self.studio_wide_permissions();
        if !self.is_owner {
            for a in &self.assignments {
                set.extend(
                    a.permissions
                        .iter()
                        .copied()
                        .filter(|p| self.token_allows(*p)),
                );
            }
            for g in &self.grants {
                if g.expires_at.is_none_or(|e| e > now) && self.token_allows(g.permission) {
                    set.insert(g.permission);
                }
            }
        }
        set
    }

    /// The branches whose rows the actor may see with `p`.
    pub fn branch_filter(&self, p: Permission, now: Timestamp) -> BranchFilter {
        if !self.token_allows(p) {
            return BranchFilter::Only(Vec::new());
        }
        if self.is_owner
            || self
                .assignments
                .iter()
                .any(|a| a.branch.is_none() && a.permissions.contains(&p))
        {
            return BranchFilter::All;
        }
        let mut list: Vec<BranchId> = self
            .assignments
            .iter()
            .filter(|a| a.permissions.contains(&p))
            .filter_map(|a| a.branch)
            .collect();
        for g in &self.grants {
            if g.permission == p
                && g.kind == ResourceKind::Branch
                && g.expires_at.is_none_or(|e| e > now)
            {
                list.push(BranchId::from_uuid(g.resource_id));
            }
        }
        list.sort();
        list.dedup();
        BranchFilter::Only(list)
    }
}

/// The decision. `true` means allowed.
///
/// Rules, in order: a token's scopes bound everything; the owner may do
/// anything; a studio-wide role allows on any target; a branch-scoped role
/// allows on targets of that branch; an unexpired contextual grant allows on
/// exactly its resource.
pub fn decide(actor: &Actor, action: Permission, target: Target, now: Timestamp) -> bool {
    if !actor.token_allows(action) {
        return false;
    }
    if actor.is_owner {
        return true;
    }
    for a in &actor.assignments {
        if !a.permissions.contains(&action) {
            continue;
        }
        match a.branch {
            None => return true,
            Some(b) if target.branch == Some(b) => return true,
            Some(_) => {}
        }
    }
    actor.grants.iter().any(|g| {
        g.permission == action
            && g.kind == target.kind
            && Some(g.resource_id) == target.id
            && g.expires_at.is_none_or(|e| e > now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::BuiltinRole;
    use std::time::Duration;

    fn actor(assignments: Vec<ScopedPermissions>, grants: Vec<ContextGrant>) -> Actor {
        Actor {
            user: UserId::new(),
            studio: StudioId::new(),
            is_owner: false,
            assignments,
            grants,
            token_scopes: None,
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000)
    }

    #[test]
    fn owner_may_do_anything() {
        let mut a = actor(vec![], vec![]);
        a.is_owner = true;
        for p in Permission::ALL {
            assert!(decide(&a, *p, Target::STUDIO, now()));
        }
    }

    #[test]
    fn studio_wide_role_applies_everywhere() {
        let a = actor(
            vec![ScopedPermissions {
                branch: None,
                permissions: BuiltinRole::Manager.default_permissions(),
            }],
            vec![],
        );
        assert!(decide(
            &a,
            Permission::BranchEdit,
            Target::branch(BranchId::new()),
            now()
        ));
        assert!(!decide(&a, Permission::RoleManage, Target::STUDIO, now()));
    }

    #[test]
    fn branch_role_applies_only_to_its_branch() {
        let b1 = BranchId::new();
        let b2 = BranchId::new();
        let a = actor(
            vec![ScopedPermissions {
                branch: Some(b1),
                permissions: [Permission::BranchEdit].into_iter().collect(),
            }],
            vec![],
        );
        assert!(decide(
            &a,
            Permission::BranchEdit,
            Target::branch(b1),
            now()
        ));
        assert!(!decide(
            &a,
            Permission::BranchEdit,
            Target::branch(b2),
            now()
        ));
        assert!(!decide(&a, Permission::BranchEdit, Target::STUDIO, now()));
        assert_eq!(
            a.branch_filter(Permission::BranchEdit, now()),
            BranchFilter::Only(vec![b1])
        );
    }

    #[test]
    fn grants_expire() {
        let b = BranchId::new();
        let a = actor(
            vec![],
            vec![ContextGrant {
                permission: Permission::BranchEdit,
                kind: ResourceKind::Branch,
                resource_id: b.into(),
                expires_at: Some(now().plus(Duration::from_secs(60))),
            }],
        );
        assert!(decide(&a, Permission::BranchEdit, Target::branch(b), now()));
        assert!(!decide(
            &a,
            Permission::BranchDelete,
            Target::branch(b),
            now()
        ));
        assert!(!decide(
            &a,
            Permission::BranchEdit,
            Target::branch(BranchId::new()),
            now()
        ));
        let later = now().plus(Duration::from_secs(61));
        assert!(!decide(
            &a,
            Permission::BranchEdit,
            Target::branch(b),
            later
        ));
        assert_eq!(
            a.branch_filter(Permission::BranchEdit, later),
            BranchFilter::Only(vec![])
        );
    }

    #[test]
    fn token_scopes_bound_even_the_owner() {
        let mut a = actor(vec![], vec![]);
        a.is_owner = true;
        a.token_scopes = Some([Permission::BranchView].into_iter().collect());
        assert!(decide(&a, Permission::BranchView, Target::STUDIO, now()));
        assert!(!decide(&a, Permission::BranchEdit, Target::STUDIO, now()));
        assert_eq!(a.studio_wide_permissions().len(), 1);
    }
}
