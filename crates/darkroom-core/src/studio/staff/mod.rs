//! Staff accounts: invitations, profiles, suspension and deletion.
//!
//! A person's sign-in identity (email, password) is shared by every studio
//! they work for; their staff account (name, phone, time zone, status) is per
//! studio. Suspending or deleting an account ends the person's sessions and
//! revokes their API tokens in that studio at once. The owner cannot be
//! suspended or deleted, and nobody can suspend or delete themselves.

use darkroom_db::entity::{membership, user};
use darkroom_db::repo::{self, person::StaffQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Line, Phone, StaffStatusName, Zone};
use darkroom_domain::people::SignInRefusal;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::kernel::write;
use crate::studio::access::{self, AssignmentView, GrantView};
use crate::studio::auth::{self};
use crate::{Core, Meta, Principal};

mod invitation;
pub use invitation::*;

pub const INVITE_PURPOSE: &str = "staff_invite";

/// A staff member as the API and pages show them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StaffView {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub time_zone: String,
    /// `invited`, `active` or `suspended`.
    pub status: StaffStatus,
    pub is_owner: bool,
    pub roles: Vec<AssignmentView>,
    pub grants: Vec<GrantView>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

async fn view(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    m: membership::Model,
    email: String,
) -> CoreResult<StaffView> {
    let assignments =
        repo::access::assignments_of_user(c, studio, UserId::from_uuid(m.user_id)).await?;
    let roles = access::assignment_views(c, studio, assignments).await?;
    let owner_role = repo::access::find_builtin_role(c, studio, "owner")
        .await?
        .map(|r| r.id);
    let is_owner = roles.iter().any(|a| Some(a.role_id.uuid()) == owner_role);
    let now = core.now();
    let grants = repo::access::grants_of_user(c, studio, UserId::from_uuid(m.user_id))
        .await?
        .into_iter()
        .map(|g| access::grant_view(g, now))
        .collect();
    Ok(StaffView {
        id: UserId::from_uuid(m.user_id),
        name: m.name,
        email,
        phone: m.phone,
        time_zone: m.time_zone,
        status: m.status,
        is_owner,
        roles,
        grants,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    })
}

async fn load(
    c: &impl ConnectionTrait,
    p: &Principal,
    id: UserId,
    deleted: bool,
) -> CoreResult<(membership::Model, user::Model)> {
    let m = repo::person::find_membership(c, p.studio, id, deleted)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    let u = repo::person::find_user(c, id)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    Ok((m, u))
}

async fn load_view(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    id: UserId,
) -> CoreResult<StaffView> {
    let (m, u) = load(c, p, id, true).await?;
    view(core, c, p.studio, m, u.email).await
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StaffFilter {
    /// Only names containing this text (any case).
    pub q: Option<String>,
    pub status: Option<StaffStatusName>,
    /// `true` lists deleted accounts (to restore them).
    pub deleted: Option<bool>,
    pub cursor: Option<crate::kernel::listing::IdCursor>,
    pub limit: Option<crate::kernel::listing::ListLimit>,
}

pub async fn list(core: &Core, p: &Principal, f: &StaffFilter) -> CoreResult<Listing<StaffView>> {
    let deleted = f.deleted.unwrap_or(false);
    core.authorize(
        p,
        if deleted {
            Permission::StaffDelete
        } else {
            Permission::StaffView
        },
        Target::STUDIO,
    )?;
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|m| CoreError::invalid("status", m))?),
        None => None,
    };
    let page = listing::by_id(f.cursor.as_deref(), f.limit)?;
    let q = StaffQuery {
        deleted,
        status: status.map(|s| s.name().to_string()),
        search: f
            .q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    };
    let rows = repo::person::list_memberships(core.db().conn(), p.studio, &q, &page).await?;
    let mut items = Vec::new();
    for (m, email) in rows.items {
        items.push(view(core, core.db().conn(), p.studio, m, email).await?);
    }
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items,
    })
}

/// One staff member. Everyone may see their own account.
pub async fn get(core: &Core, p: &Principal, id: UserId) -> CoreResult<StaffView> {
    let v = load_view(core, core.db().conn(), p, id).await?;
    if p.user != id {
        core.authorize(p, Permission::StaffView, Target::user(id))?;
    }
    if v.deleted_at.is_some() {
        core.authorize(p, Permission::StaffDelete, Target::user(id))?;
    }
    Ok(v)
}
/// Changes to a staff profile.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    pub version: i64,
    pub name: Option<Line<200>>,
    /// Only spaces (or `""`) clears it.
    pub phone: Option<Phone>,
    pub time_zone: Option<Zone>,
}

/// Edits a profile: one's own, or anyone's with `staff.edit`.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: UserId,
    patch: StaffPatch,
) -> CoreResult<StaffView> {
    let tx = core.db().begin().await?;
    let (current, _) = load(&tx, p, id, false).await?;
    if p.user != id {
        core.authorize(p, Permission::StaffEdit, Target::user(id))?;
        access::check_may_manage(core, &tx, p, id).await?;
    }
    let mut errs = FieldErrors::new();
    let mut am = membership::ActiveModel::default();
    let mut fields = Vec::new();
    if let Some(n) = &patch.name
        && let Some(n) = errs.check("name", n.check("the name"))
    {
        am.name = Set(n);
        fields.push("name");
    }
    if let Some(ph) = &patch.phone
        && let Some(ph) = errs.check("phone", ph.check())
    {
        am.phone = Set(ph);
        fields.push("phone");
    }
    if let Some(z) = &patch.time_zone
        && let Some(z) = errs.check("time_zone", z.check())
    {
        am.time_zone = Set(z);
        fields.push("time_zone");
    }
    errs.into_result()?;
    if current.version != patch.version {
        return Err(CoreError::stale(load_view(core, &tx, p, id).await?));
    }
    if write::try_update::<membership::Entity>(core, &tx, p.studio, id.uuid(), patch.version, am)
        .await?
        .is_err()
    {
        return Err(CoreError::stale(load_view(core, &tx, p, id).await?));
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "staff.updated",
            severity: Severity::Low,
            target_type: "user",
            target_id: id.to_string(),
            payload: serde_json::json!({ "fields": fields }),
        },
    )
    .await?;
    let v = load_view(core, &tx, p, id).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// A change of an account's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Suspend,
    Reactivate,
    Delete,
    Restore,
}

impl Standing {
    fn permission(self) -> Permission {
        match self {
            Standing::Suspend | Standing::Reactivate => Permission::StaffSuspend,
            Standing::Delete | Standing::Restore => Permission::StaffDelete,
        }
    }
    fn event(self) -> &'static str {
        match self {
            Standing::Suspend => "staff.suspended",
            Standing::Reactivate => "staff.reactivated",
            Standing::Delete => "staff.deleted",
            Standing::Restore => "staff.restored",
        }
    }
}

/// Suspends, reactivates, deletes or restores a staff account.
pub async fn set_standing(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: UserId,
    version: Option<i64>,
    change: Standing,
) -> CoreResult<StaffView> {
    let tx = core.db().begin().await?;
    let (current, _) = load(&tx, p, id, true).await?;
    core.authorize(p, change.permission(), Target::user(id))?;
    if p.user == id {
        return Err(CoreError::forbidden(
            "you cannot suspend or delete your own account",
        ));
    }
    let v = load_view(core, &tx, p, id).await?;
    if v.is_owner && matches!(change, Standing::Suspend | Standing::Delete) {
        return Err(CoreError::forbidden(
            "the studio owner cannot be suspended or deleted",
        ));
    }
    access::check_may_manage(core, &tx, p, id).await?;
    if let Some(ver) = version
        && ver != current.version
    {
        return Err(CoreError::stale(v));
    }
    let deleted = current.deleted_at.is_some();
    let now = core.now().as_micros();
    let mut am = membership::ActiveModel {
        updated_at: Set(now),
        ..Default::default()
    };
    let wrong = |msg: &str| Err(CoreError::conflict("invalid_state", msg.to_string()));
    match change {
        Standing::Suspend if deleted || current.status != StaffStatus::Active => {
            return wrong("only an active account can be suspended");
        }
        Standing::Reactivate if deleted || current.status != StaffStatus::Suspended => {
            return wrong("only a suspended account can be reactivated");
        }
        Standing::Delete if deleted => return wrong("this account is already deleted"),
        Standing::Restore if !deleted => return wrong("this account is not deleted"),
        Standing::Suspend => am.status = Set(StaffStatus::Suspended),
        Standing::Reactivate => am.status = Set(StaffStatus::Active),
        Standing::Delete => am.deleted_at = Set(Some(now)),
        Standing::Restore => am.deleted_at = Set(None),
    }
    if write::try_update::<membership::Entity>(core, &tx, p.studio, id.uuid(), current.version, am)
        .await?
        .is_err()
    {
        return Err(CoreError::stale(load_view(core, &tx, p, id).await?));
    }
    let (ended, revoked) = if matches!(change, Standing::Suspend | Standing::Delete) {
        shut_out(&tx, p.studio, id, now).await?
    } else {
        (0, 0)
    };
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: change.event(),
        severity: Severity::High,
        target_type: "user",
        target_id: id.to_string(),
        payload: serde_json::json!({ "name": current.name, "sessions_ended": ended, "tokens_revoked": revoked }),
    })
    .await?;
    let v = load_view(core, &tx, p, id).await?;
    crate::commit(tx).await?;
    Ok(v)
}

/// Ends a suspended or deleted person's way in to this studio: their
/// sessions here, their API tokens and any open invitation. How many
/// sessions ended and tokens were revoked.
async fn shut_out(
    tx: &darkroom_db::Tx,
    studio: StudioId,
    id: UserId,
    now: i64,
) -> CoreResult<(u64, u64)> {
    let s = Some(studio.uuid());
    let ended = repo::signin::delete_sessions_of_user(tx, id, s, None).await?;
    let revoked = repo::signin::revoke_tokens_of_user(tx, studio, id, now).await?;
    repo::signin::revoke_one_time_for(tx, INVITE_PURPOSE, s, Some(id.uuid()), now).await?;
    Ok((ended, revoked))
}

/// A password-reset link made by the owner or a manager for a colleague
/// (for studios without email); shown once. Only while the studio holds the
/// person's sign-in (they work for no other studio), and only for people
/// whose permissions the maker holds (decision 0020).
pub async fn reset_link(core: &Core, p: &Principal, meta: &Meta, id: UserId) -> CoreResult<String> {
    let tx = core.db().begin().await?;
    let (_, u) = load(&tx, p, id, false).await?;
    core.authorize(p, Permission::StaffEdit, Target::user(id))?;
    if p.user != id {
        access::check_may_manage(core, &tx, p, id).await?;
    }
    let refused = |r: SignInRefusal| match r {
        SignInRefusal::NotAccepted => CoreError::conflict("invalid_state", r.message()),
        SignInRefusal::SharedWithAnotherStudio => CoreError::forbidden(r.message()),
    };
    let login = u
        .login_id
        .ok_or_else(|| refused(SignInRefusal::NotAccepted))?;
    auth::studio_holds_sign_in(&tx, p.studio, login)
        .await?
        .map_err(refused)?;
    let link = auth::create_reset_link(
        core,
        &tx,
        login,
        auth::ResetBy::Studio {
            studio: p.studio,
            user: id,
            by: p.user,
        },
        darkroom_domain::PasswordResetId::new(),
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "auth.reset_link_created",
            severity: Severity::High,
            target_type: "user",
            target_id: id.to_string(),
            payload: serde_json::json!({ "email": u.email }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(link)
}
