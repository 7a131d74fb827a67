//! Staff accounts: invitations, profiles, suspension and deletion.
//!
//! A person's sign-in identity (email, password) is shared by every studio
//! they work for; their staff account (name, phone, time zone, status) is per
//! studio. Suspending or deleting an account ends the person's sessions and
//! revokes their API tokens in that studio at once. The owner cannot be
//! suspended or deleted, and nobody can suspend or delete themselves.

use darkroom_db::entity::{login, membership, one_time_token, user};
use darkroom_db::repo::{self, person::StaffQuery};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Email, Line, Phone, StaffStatusName, Zone};
use darkroom_domain::people::SignInRefusal;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{BranchId, InvitationId, RoleId, StudioId, Timestamp, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::kernel::secret::{hash_token, new_token};
use crate::studio::access::{self, AssignmentView, GrantView, NewAssignment};
use crate::studio::auth::{self, NewSession};
use crate::{Core, Meta, Principal, kernel::password};

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
    let assignments = repo::access::assignments_of_user(c, studio.uuid(), m.user_id).await?;
    let roles = access::assignment_views(c, studio, assignments).await?;
    let owner_role = repo::access::find_builtin_role(c, studio.uuid(), "owner")
        .await?
        .map(|r| r.id);
    let is_owner = roles.iter().any(|a| Some(a.role_id.uuid()) == owner_role);
    let now = core.now();
    let grants = repo::access::grants_of_user(c, studio.uuid(), m.user_id)
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
    let m = repo::person::find_membership(c, p.studio.uuid(), id.uuid(), deleted)
        .await?
        .ok_or(CoreError::not_found("staff member"))?;
    let u = repo::person::find_user(c, id.uuid())
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
    let rows = repo::person::list_memberships(core.db().conn(), p.studio.uuid(), &q, &page).await?;
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

/// Whom to invite, and the role they start with.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: Email,
    pub name: Line<200>,
    pub role_id: RoleId,
    /// Limit the role to one branch; absent means studio-wide.
    pub branch_id: Option<BranchId>,
    /// Defaults to the studio's.
    pub time_zone: Option<Zone>,
}

/// An invitation just sent.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    pub expires_at: Timestamp,
    /// The email with the link is in the outbox.
    pub email_queued: bool,
    /// Present when no SMTP server is configured: give this link to the person yourself.
    pub invite_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub staff: StaffView,
    pub invitation: InvitationView,
}

/// Creates the invitation token and its email (or returns the link).
async fn issue_invitation(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    user: UserId,
    email: &str,
    name: &str,
    role_name: &str,
) -> CoreResult<InvitationView> {
    let now = core.now();
    repo::signin::revoke_one_time_for(
        c,
        INVITE_PURPOSE,
        Some(p.studio.uuid()),
        Some(user.uuid()),
        now.as_micros(),
    )
    .await?;
    let token = new_token("");
    let id = InvitationId::new();
    let expires_at = now.plus(core.settings().invite_ttl);
    repo::signin::insert_one_time(
        c,
        one_time_token::Model {
            id: id.uuid(),
            purpose: INVITE_PURPOSE.into(),
            token_hash: hash_token(&token),
            studio_id: Some(p.studio.uuid()),
            user_id: Some(user.uuid()),
            login_id: None,
            created_by: Some(p.user.uuid()),
            created_at: now.as_micros(),
            expires_at: expires_at.as_micros(),
            used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    let link = core.settings().link(&format!("/invitations/{token}"));
    let smtp = crate::studio::smtp_for(core, Some(p.studio)).await?;
    if smtp.is_some() {
        let (studio_name, branding) = crate::studio::header(core, p.studio).await?;
        let msg = crate::studio::emails::invitation(
            &studio_name,
            &p.name,
            name,
            role_name,
            &link,
            core.settings().invite_ttl,
            &branding,
        );
        crate::kernel::mail::queue(core, c, Some(p.studio), "staff_invite", email, msg).await?;
        Ok(InvitationView {
            id,
            expires_at,
            email_queued: true,
            invite_url: None,
        })
    } else {
        Ok(InvitationView {
            id,
            expires_at,
            email_queued: false,
            invite_url: Some(link),
        })
    }
}

/// Invites a person to the studio with a first role.
pub async fn invite(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewInvitation,
) -> CoreResult<Invited> {
    core.authorize(p, Permission::StaffInvite, Target::STUDIO)?;
    let studio = crate::studio::load(core, p.studio).await?;
    let mut errs = FieldErrors::new();
    let email = errs.check("email", input.email.check());
    let name = errs.check("name", input.name.check("the name"));
    let zone = match &input.time_zone {
        Some(z) => errs.check("time_zone", z.check()),
        None => Some(studio.time_zone.clone()),
    };
    errs.into_result()?;
    let (Some(email), Some(name), Some(zone)) = (email, name, zone) else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    if let Some((m, _)) =
        repo::person::find_user_in_studio_by_email(&tx, p.studio.uuid(), &email).await?
    {
        return Err(if m.deleted_at.is_some() {
            CoreError::conflict(
                "staff_deleted",
                format!(
                    "{email} had a staff account here that was deleted; restore it from the deleted staff list"
                ),
            )
        } else {
            CoreError::conflict(
                "already_member",
                format!("{email} already has a staff account in this studio"),
            )
        });
    }
    // Always a new person for this studio, bound to a sign-in only when they
    // accept: the answer never depends on whether the address already signs
    // in here for another studio (decision 0020).
    let user_id = UserId::new();
    repo::person::insert_user(
        &tx,
        user::Model {
            id: user_id.uuid(),
            email: email.clone(),
            login_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    repo::person::insert_membership(
        &tx,
        membership::Model {
            id: uuid::Uuid::now_v7(),
            studio_id: p.studio.uuid(),
            user_id: user_id.uuid(),
            kind: "staff".into(),
            name: name.clone(),
            phone: None,
            time_zone: zone,
            status: StaffStatus::Invited,
            invited_by: Some(p.user.uuid()),
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )
    .await?;
    let assignment = access::assign_in(
        core,
        &tx,
        p,
        user_id,
        &NewAssignment {
            role_id: input.role_id,
            branch_id: input.branch_id,
        },
    )
    .await?;
    let role_name = repo::access::find_role(&tx, p.studio.uuid(), assignment.role_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let invitation = issue_invitation(core, &tx, p, user_id, &email, &name, &role_name).await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: input.branch_id,
        who: Who::of(p),
        event_type: "staff.invited",
        severity: Severity::High,
        target_type: "user",
        target_id: user_id.to_string(),
        payload: serde_json::json!({ "email": email, "name": name, "role": role_name, "branch_id": input.branch_id }),
    })
    .await?;
    let staff = load_view(core, &tx, p, user_id).await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(Invited { staff, invitation })
}

/// Sends a fresh invitation (the old link stops working).
pub async fn resend_invitation(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: UserId,
) -> CoreResult<InvitationView> {
    let tx = core.db().begin().await?;
    let (m, u) = load(&tx, p, id, false).await?;
    core.authorize(p, Permission::StaffInvite, Target::user(id))?;
    // The link makes whoever holds it this person: only for people whose
    // permissions the sender holds.
    access::check_may_manage(core, &tx, p, id).await?;
    if m.status != StaffStatus::Invited {
        return Err(CoreError::conflict(
            "invalid_state",
            "this person has already accepted; nothing to resend",
        ));
    }
    let role = repo::access::assignments_of_user(&tx, p.studio.uuid(), id.uuid()).await?;
    let role_name = match role.first() {
        Some(a) => repo::access::find_role(&tx, p.studio.uuid(), a.role_id)
            .await?
            .map(|r| r.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let inv = issue_invitation(core, &tx, p, id, &u.email, &m.name, &role_name).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "staff.invitation_resent",
            severity: Severity::Medium,
            target_type: "user",
            target_id: id.to_string(),
            payload: serde_json::json!({ "email": u.email }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(inv)
}

/// What the invitation page shows before it is accepted.
#[derive(Clone, Debug)]
pub struct InvitationInfo {
    pub studio_name: String,
    pub name: String,
    pub email: String,
}

async fn usable_invite(
    core: &Core,
    c: &impl ConnectionTrait,
    token: &str,
) -> CoreResult<one_time_token::Model> {
    repo::signin::find_one_time_usable(c, INVITE_PURPOSE, &hash_token(token), core.now().as_micros())
        .await?
        .ok_or_else(|| CoreError::Unauthenticated {
            message: "this invitation link is not valid: it may have expired, been used or been replaced; ask the studio for a new one".into(),
        })
}

pub async fn invitation_info(core: &Core, token: &str) -> CoreResult<InvitationInfo> {
    let c = core.db().conn();
    let t = usable_invite(core, c, token).await?;
    let (Some(studio), Some(user)) = (t.studio_id, t.user_id) else {
        return Err(CoreError::not_found("invitation"));
    };
    let m = repo::person::find_membership(c, studio, user, false)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    let u = repo::person::find_user(c, user)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    let s = repo::studio::find(c, studio)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    Ok(InvitationInfo {
        studio_name: s.name,
        name: m.name,
        email: u.email,
    })
}

/// Accepts an invitation. The person proves the sign-in they join with:
/// the password of their existing Darkroom sign-in for this email (checked
/// under the sign-in throttle), or, when the email has none, the password
/// they choose now. Only then is the studio's person bound to it, made
/// active and signed in.
pub async fn accept_invitation(
    core: &Core,
    token: &str,
    password_in: Option<&str>,
    meta: &Meta,
) -> CoreResult<NewSession> {
    let t = usable_invite(core, core.db().conn(), token).await?;
    let (Some(studio), Some(user_id)) = (t.studio_id, t.user_id) else {
        return Err(CoreError::not_found("invitation"));
    };
    let u = repo::person::find_user(core.db().conn(), user_id)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    let pw = password_in.unwrap_or("");
    let existing = auth::prove_password(core, &u.email, pw, &meta.ip, "password").await?;
    let new_login = match &existing {
        Some(_) => None,
        None => {
            validate::password(pw, &u.email).map_err(|m| CoreError::invalid("password", m))?;
            Some(password::hash(pw.to_string()).await?)
        }
    };
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    if !repo::signin::use_one_time(&tx, t.id, now).await? {
        return Err(CoreError::conflict(
            "link_used",
            "this invitation was just used",
        ));
    }
    let m = repo::person::find_membership(&tx, studio, user_id, false)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    if m.status != StaffStatus::Invited {
        return Err(CoreError::conflict(
            "invalid_state",
            "this staff account is not waiting for an invitation",
        ));
    }
    let login_id = match (existing, new_login) {
        (Some(l), _) => {
            let here = repo::person::memberships_of_login(&tx, l.id).await?;
            if here
                .iter()
                .any(|x| x.studio_id == studio && x.user_id != user_id)
            {
                return Err(CoreError::conflict(
                    "already_member",
                    format!(
                        "{} already has a staff account in this studio; sign in instead",
                        u.email
                    ),
                ));
            }
            l.id
        }
        (None, Some(hash)) => {
            let id = uuid::Uuid::now_v7();
            repo::person::insert_login(
                &tx,
                login::Model {
                    id,
                    email: u.email.clone(),
                    password_hash: Some(hash),
                    password_changed_at: Some(now),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
            .await
            .map_err(|e| match e {
                darkroom_db::DbError::Unique(_) => CoreError::conflict(
                    "link_used",
                    "a sign-in for this email was just created; open the invitation again and enter its password",
                ),
                other => CoreError::from(other),
            })?;
            id
        }
        (None, None) => return Err(CoreError::Internal(anyhow::anyhow!("no sign-in to bind"))),
    };
    if u.login_id != Some(login_id) {
        repo::person::bind_login(&tx, user_id, login_id, now).await?;
    }
    let am = membership::ActiveModel {
        status: Set(StaffStatus::Active),
        updated_at: Set(now),
        ..Default::default()
    };
    repo::person::update_membership_versioned(&tx, studio, user_id, m.version, am).await?;
    let studio_id = StudioId::from_uuid(studio);
    let user = UserId::from_uuid(user_id);
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(studio_id),
            branch: None,
            who: Who {
                user: Some(user),
                label: format!("{} <{}>", m.name, u.email),
            },
            event_type: "staff.invite_accepted",
            severity: Severity::Medium,
            target_type: "user",
            target_id: user.to_string(),
            payload: serde_json::json!({ "email": u.email }),
        },
    )
    .await?;
    let session = auth::start_session(core, &tx, user, studio_id, meta).await?;
    crate::commit(tx).await?;
    Ok(session)
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
    am.updated_at = Set(core.now().as_micros());
    if !repo::person::update_membership_versioned(
        &tx,
        p.studio.uuid(),
        id.uuid(),
        patch.version,
        am,
    )
    .await?
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
    if !repo::person::update_membership_versioned(
        &tx,
        p.studio.uuid(),
        id.uuid(),
        current.version,
        am,
    )
    .await?
    {
        return Err(CoreError::stale(load_view(core, &tx, p, id).await?));
    }
    let mut ended = 0;
    let mut revoked = 0;
    if matches!(change, Standing::Suspend | Standing::Delete) {
        ended = repo::signin::delete_sessions_of_user(&tx, id.uuid(), Some(p.studio.uuid()), None)
            .await?;
        revoked = repo::signin::revoke_tokens_of_user(&tx, p.studio.uuid(), id.uuid(), now).await?;
        repo::signin::revoke_one_time_for(
            &tx,
            INVITE_PURPOSE,
            Some(p.studio.uuid()),
            Some(id.uuid()),
            now,
        )
        .await?;
    }
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
