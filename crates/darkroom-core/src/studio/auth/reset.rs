//! Password resets: asking for one (a studio's own email, or the instance's server when the sign-in is shared), the links, and setting the new password.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs::JobError;
use crate::kernel::registry::{BoxFuture, Job};
use crate::kernel::secret::{hash_token, new_token};
use crate::{Core, Meta, kernel::jobs, kernel::password};
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::people::{self, Account, SignInRefusal, StaffStatus};
use darkroom_domain::validate;
use darkroom_domain::{LoginId, PasswordResetId, StudioId, TypedId, UserId};

use super::*;

/// Starts a password reset. Always answers the same way, in the same time,
/// whether or not the address has an account: the lookup and the email
/// happen in a job.
pub async fn request_password_reset(core: &Core, email: &str, meta: &Meta) -> CoreResult<()> {
    let email = email.trim().to_lowercase();
    let (email_key, ip_key) =
        throttle_keys(&format!("reset:{email}"), &format!("reset:{}", meta.ip));
    check_throttle(core, &ip_key, core.settings().signin_ip_max_failures).await?;
    check_throttle(core, &email_key, core.settings().signin_max_failures).await?;
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let since = core.now().minus(core.settings().signin_window).as_micros();
    // Each request counts, so reset emails cannot be used to flood an inbox.
    repo::signin::throttle_record_failure(&tx, &email_key, now, since).await?;
    repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
    jobs::enqueue(
        core,
        &tx,
        None,
        &PasswordResetRequest {
            email,
            ip: meta.ip.clone(),
            request: PasswordResetId::new(),
        },
        None,
    )
    .await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(())
}

/// Who made a reset link: the person themselves (by email), or a studio
/// holding their sign-in (decision 0020), for its person `user`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ResetBy {
    Person,
    Studio {
        studio: StudioId,
        user: UserId,
        by: UserId,
    },
}

/// Whether `studio` holds the sign-in `login`: every staff account the
/// login has (accepted, not deleted) is in that studio.
pub(crate) async fn studio_holds_sign_in(
    c: &impl ConnectionTrait,
    studio: StudioId,
    login: uuid::Uuid,
) -> CoreResult<Result<(), SignInRefusal>> {
    let accounts: Vec<Account> = repo::person::memberships_of_login(c, LoginId::from_uuid(login))
        .await?
        .into_iter()
        .map(|m| Account {
            studio: StudioId::from_uuid(m.studio_id),
            status: m.status,
            deleted: m.deleted_at.is_some(),
        })
        .collect();
    Ok(people::studio_holds_sign_in(studio, &accounts))
}

/// Creates a reset link for a sign-in (revoking older ones) inside a transaction.
pub(crate) async fn create_reset_link(
    core: &Core,
    c: &impl ConnectionTrait,
    login: uuid::Uuid,
    by: ResetBy,
    id: PasswordResetId,
) -> CoreResult<String> {
    let now = core.now();
    repo::signin::revoke_one_time_for_login(
        c,
        RESET_PURPOSE,
        LoginId::from_uuid(login),
        now.as_micros(),
    )
    .await?;
    let token = new_token("");
    let (studio, user, created_by) = match by {
        ResetBy::Person => (None, None, None),
        ResetBy::Studio { studio, user, by } => {
            (Some(studio.uuid()), Some(user.uuid()), Some(by.uuid()))
        }
    };
    repo::signin::insert_one_time(
        c,
        darkroom_db::entity::one_time_token::Model {
            id: id.uuid(),
            purpose: RESET_PURPOSE.into(),
            token_hash: hash_token(&token),
            studio_id: studio,
            user_id: user,
            login_id: Some(login),
            created_by,
            created_at: now.as_micros(),
            expires_at: now.plus(core.settings().reset_ttl).as_micros(),
            used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    Ok(core.settings().link(&format!("/password-reset/{token}")))
}

/// Looks up an address and, if it has an account, emails a reset link.
/// `request` becomes the link's id, so running the job twice sends one email.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordResetRequest {
    pub email: String,
    pub ip: String,
    pub request: PasswordResetId,
}

impl Job for PasswordResetRequest {
    const NAME: &'static str = "password_reset_request";
    fn run(self, core: Core, _last: bool) -> BoxFuture<'static, Result<(), JobError>> {
        Box::pin(async move {
            run_reset_request(&core, &self.email, &self.ip, self.request)
                .await
                .map_err(JobError::retry)
        })
    }
}

/// The studio's chore: sessions past their idle or absolute limit go.
pub(crate) fn purge_sessions(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move {
        let now = core.now();
        let idle_cutoff = now.minus(core.settings().session_idle).as_micros();
        repo::signin::delete_expired_sessions(core.db().conn(), now.as_micros(), idle_cutoff)
            .await?;
        Ok(())
    })
}

/// The job half of [`request_password_reset`].
pub(crate) async fn run_reset_request(
    core: &Core,
    email: &str,
    ip: &str,
    request: PasswordResetId,
) -> CoreResult<()> {
    if repo::signin::find_one_time(core.db().conn(), request.uuid())
        .await?
        .is_some()
    {
        // This job already ran to completion once (its worker died before recording it).
        return Ok(());
    }
    let Some(login) = repo::person::find_login_by_email(core.db().conn(), email).await? else {
        tracing::info!("password reset requested for an address with no account");
        return Ok(());
    };
    let memberships =
        repo::person::memberships_of_login(core.db().conn(), LoginId::from_uuid(login.id)).await?;
    let active: Vec<_> = memberships
        .iter()
        .filter(|m| m.status == StaffStatus::Active)
        .collect();
    let Some(m) = active.first() else {
        tracing::info!("password reset requested for an account with no active staff membership");
        return Ok(());
    };
    let studio = StudioId::from_uuid(m.studio_id);
    // A studio's own email server is a channel that studio controls: it may
    // carry the link only when that studio holds the sign-in anyway. A
    // person of several studios gets it through the instance's server.
    let route = if studio_holds_sign_in(core.db().conn(), studio, login.id)
        .await?
        .is_ok()
    {
        Some(studio)
    } else {
        None
    };
    if crate::studio::smtp_for(core, route).await?.is_none() {
        tracing::warn!(%studio, "password reset requested but no SMTP server can carry it (a person of several studios needs the instance's server); the person can change their password while signed in, or the operator can make a link with `darkroom account reset-link`");
        return Ok(());
    }
    let tx = core.db().begin().await?;
    let link = create_reset_link(core, &tx, login.id, ResetBy::Person, request).await?;
    let (studio_name, branding) = match route {
        Some(s) => crate::studio::header(core, s).await?,
        None => ("Darkroom".to_string(), Default::default()),
    };
    let msg = crate::studio::emails::password_reset(
        &studio_name,
        &m.name,
        &link,
        core.settings().reset_ttl,
        ip,
        &branding,
    );
    crate::kernel::mail::queue(core, &tx, route, "password_reset", &login.email, msg).await?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(())
}

/// Whether a reset link is still usable (for showing the form).
pub async fn reset_token_usable(core: &Core, token: &str) -> CoreResult<bool> {
    Ok(repo::signin::find_one_time_usable(
        core.db().conn(),
        RESET_PURPOSE,
        &hash_token(token),
        core.now().as_micros(),
    )
    .await?
    .is_some())
}

/// Sets a new password from a reset link; ends every session of the person.
/// A link a studio made works only while that studio still holds the
/// sign-in (the person may have joined another studio since).
pub async fn complete_password_reset(
    core: &Core,
    token: &str,
    new: &str,
    meta: &Meta,
) -> CoreResult<()> {
    let bad_link = || CoreError::Unauthenticated {
        message:
            "this reset link is not valid: it may have expired or been used; ask for a new one"
                .into(),
    };
    let t = repo::signin::find_one_time_usable(
        core.db().conn(),
        RESET_PURPOSE,
        &hash_token(token),
        core.now().as_micros(),
    )
    .await?
    .ok_or_else(bad_link)?;
    let login_id = t.login_id.ok_or_else(bad_link)?;
    let login = repo::person::find_login(core.db().conn(), LoginId::from_uuid(login_id))
        .await?
        .ok_or_else(bad_link)?;
    validate::password(new, &login.email).map_err(|m| CoreError::invalid("password", m))?;
    let hash = password::hash(new.to_string()).await?;
    let tx = core.db().begin().await?;
    if let Some(studio) = t.studio_id
        && let Err(refusal) =
            studio_holds_sign_in(&tx, StudioId::from_uuid(studio), login.id).await?
    {
        return Err(CoreError::Unauthenticated {
            message: format!("this reset link no longer works: {}", refusal.message()),
        });
    }
    if !repo::signin::use_one_time(&tx, t.id, core.now().as_micros()).await? {
        return Err(bad_link());
    }
    repo::person::set_password(
        &tx,
        LoginId::from_uuid(login.id),
        &hash,
        core.now().as_micros(),
    )
    .await?;
    let ended =
        repo::signin::delete_sessions_of_login(&tx, LoginId::from_uuid(login.id), None).await?;
    let (email_key, _) = throttle_keys(&login.email, &meta.ip);
    repo::signin::throttle_clear(&tx, &email_key).await?;
    for m in repo::person::memberships_of_login(&tx, LoginId::from_uuid(login.id)).await? {
        let user = UserId::from_uuid(m.user_id);
        audit::record(
            core,
            &tx,
            meta,
            Event {
                studio: Some(StudioId::from_uuid(m.studio_id)),
                branch: None,
                who: Who {
                    user: Some(user),
                    label: format!("{} <{}>", m.name, login.email),
                },
                event_type: "auth.password_reset",
                severity: Severity::High,
                target_type: "user",
                target_id: user.to_string(),
                payload: serde_json::json!({ "sessions_ended": ended }),
            },
        )
        .await?;
    }
    crate::commit(tx).await?;
    Ok(())
}

/// A password-reset link made by the instance's operator on the command
/// line (`darkroom account reset-link`), for someone who cannot receive the
/// reset email; audited in every studio the person works for.
pub async fn operator_reset_link(core: &Core, email: &str) -> CoreResult<String> {
    let email = email.trim().to_lowercase();
    let login = repo::person::find_login_by_email(core.db().conn(), &email)
        .await?
        .ok_or_else(|| {
            CoreError::invalid(
                "email",
                format!("nobody signs in with {email} on this instance; check the address"),
            )
        })?;
    let tx = core.db().begin().await?;
    let link =
        create_reset_link(core, &tx, login.id, ResetBy::Person, PasswordResetId::new()).await?;
    for m in repo::person::memberships_of_login(&tx, LoginId::from_uuid(login.id)).await? {
        audit::record(
            core,
            &tx,
            &Meta::system(),
            Event {
                studio: Some(StudioId::from_uuid(m.studio_id)),
                branch: None,
                who: Who::system("the operator (command line)"),
                event_type: "auth.reset_link_created",
                severity: Severity::High,
                target_type: "user",
                target_id: UserId::from_uuid(m.user_id).to_string(),
                payload: serde_json::json!({ "email": login.email, "by": "operator" }),
            },
        )
        .await?;
    }
    crate::commit(tx).await?;
    Ok(link)
}
