//! Inviting someone to a studio's staff, and accepting: the invitation
//! binds the new staff account to the person's sign-in (decision 0020).

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::{hash_token, new_token};
use crate::kernel::write;
use crate::studio::access::{self, NewAssignment};
use crate::studio::auth::{self, NewSession};
use crate::{Core, Meta, Principal, kernel::password};
use darkroom_db::entity::{login, membership, one_time_token, user};
use darkroom_db::repo;
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Email, Line, Zone};
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::{self, FieldErrors};
use darkroom_domain::{
    BranchId, InvitationId, LoginId, RoleId, StudioId, Timestamp, TypedId, UserId,
};
use serde::{Deserialize, Serialize};

use super::*;

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
    refuse_known(&tx, p.studio, &email).await?;
    // Always a new person for this studio, bound to a sign-in only when they
    // accept: the answer never depends on whether the address already signs
    // in here for another studio (decision 0020).
    let user_id = UserId::new();
    insert_invited(core, &tx, p, user_id, &email, &name, zone).await?;
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
    let role_name = repo::access::find_role(&tx, p.studio, RoleId::from_uuid(assignment.role_id))
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

/// Refuses an address that already has a staff account in this studio
/// (a deleted one is restored, not invited again).
async fn refuse_known(tx: &darkroom_db::Tx, studio: StudioId, email: &str) -> CoreResult<()> {
    if let Some((m, _)) = repo::person::find_user_in_studio_by_email(tx, studio, email).await? {
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
    Ok(())
}

/// The invited person and their staff account, waiting for acceptance.
async fn insert_invited(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    user_id: UserId,
    email: &str,
    name: &str,
    zone: String,
) -> CoreResult<()> {
    let now = core.now().as_micros();
    repo::person::insert_user(
        tx,
        user::Model {
            id: user_id.uuid(),
            email: email.to_string(),
            login_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    write::insert::<membership::Entity>(
        core,
        tx,
        p.studio,
        &user_id,
        membership::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(user_id.uuid()),
            kind: Set("staff".into()),
            name: Set(name.to_string()),
            phone: Set(None),
            time_zone: Set(zone),
            status: Set(StaffStatus::Invited),
            invited_by: Set(Some(p.user.uuid())),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
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
    let role = repo::access::assignments_of_user(&tx, p.studio, id).await?;
    let role_name = match role.first() {
        Some(a) => repo::access::find_role(&tx, p.studio, RoleId::from_uuid(a.role_id))
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
    let m = repo::person::find_membership(
        c,
        StudioId::from_uuid(studio),
        UserId::from_uuid(user),
        false,
    )
    .await?
    .ok_or(CoreError::not_found("invitation"))?;
    let u = repo::person::find_user(c, UserId::from_uuid(user))
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    let s = repo::studio::find(c, StudioId::from_uuid(studio))
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
    let u = repo::person::find_user(core.db().conn(), UserId::from_uuid(user_id))
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    let pw = password_in.unwrap_or("");
    let existing = auth::prove_password(core, &u.email, pw, &meta.ip, "password").await?;
    // A person new to Darkroom chooses their password here.
    let new_login = match &existing {
        Some(_) => None,
        None => Some(new_password(pw, &u.email).await?),
    };
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    if !repo::signin::use_one_time(&tx, t.id, now).await? {
        return Err(CoreError::conflict(
            "link_used",
            "this invitation was just used",
        ));
    }
    let (studio_id, user) = (StudioId::from_uuid(studio), UserId::from_uuid(user_id));
    let m = repo::person::find_membership(&tx, studio_id, user, false)
        .await?
        .ok_or(CoreError::not_found("invitation"))?;
    if m.status != StaffStatus::Invited {
        return Err(CoreError::conflict(
            "invalid_state",
            "this staff account is not waiting for an invitation",
        ));
    }
    let login_id = login_for_invite(&tx, &u, studio, existing, new_login, now).await?;
    if u.login_id != Some(login_id) {
        repo::person::bind_login(&tx, user, LoginId::from_uuid(login_id), now).await?;
    }
    let am = membership::ActiveModel {
        status: Set(StaffStatus::Active),
        ..Default::default()
    };
    if write::try_update::<membership::Entity>(core, &tx, studio_id, user_id, m.version, am)
        .await?
        .is_err()
    {
        return Err(CoreError::conflict(
            "link_used",
            "this invitation changed while it was being accepted; open it again",
        ));
    }
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

/// A new sign-in's password, checked and hashed.
async fn new_password(pw: &str, email: &str) -> CoreResult<String> {
    validate::password(pw, email).map_err(|m| CoreError::invalid("password", m))?;
    password::hash(pw.to_string()).await
}

/// The sign-in an accepted invitation binds to: the person's existing one
/// (refused when it already has an account in this studio), or a new one
/// with the password they chose.
async fn login_for_invite(
    tx: &darkroom_db::Tx,
    u: &darkroom_db::entity::user::Model,
    studio: uuid::Uuid,
    existing: Option<login::Model>,
    new_login: Option<String>,
    now: i64,
) -> CoreResult<uuid::Uuid> {
    let user_id = u.id;
    let id = match (existing, new_login) {
        (Some(l), _) => {
            let here = repo::person::memberships_of_login(tx, LoginId::from_uuid(l.id)).await?;
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
                tx,
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
    Ok(id)
}
