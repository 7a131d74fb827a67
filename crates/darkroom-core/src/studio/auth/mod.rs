//! Signing in and out, browser sessions, password changes and resets.
//!
//! Sessions are opaque random tokens in a cookie; only their SHA-256 is
//! stored. A new session (new id) is created at every sign-in, so a session
//! id planted before sign-in is worthless. Sessions end after an idle period
//! and at an absolute limit, when the person signs out, changes their
//! password, or is suspended or deleted.

use std::time::Duration;

use darkroom_db::entity::auth_session;
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::audit::Severity;
use darkroom_domain::people::{self, Account, SignInRefusal, StaffStatus};
use darkroom_domain::validate;
use darkroom_domain::{PasswordResetId, SessionId, StudioId, Timestamp, TypedId, UserId};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs::JobError;
use crate::kernel::principal::{self, Principal, Via};
use crate::kernel::registry::{BoxFuture, Job};
use crate::kernel::secret::{hash_token, new_token, sha256_hex};
use crate::{Core, Meta, kernel::jobs, kernel::password};

pub const SESSION_PREFIX: &str = "drs_";
pub const RESET_PURPOSE: &str = "password_reset";

/// A session just started; `token` goes in the cookie and is never stored.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub id: SessionId,
    pub studio: StudioId,
    pub expires_at: Timestamp,
}

/// Creates a session for `user` in `studio` inside the caller's transaction.
pub(crate) async fn start_session(
    core: &Core,
    c: &impl ConnectionTrait,
    user: UserId,
    studio: StudioId,
    meta: &Meta,
) -> CoreResult<NewSession> {
    let token = new_token(SESSION_PREFIX);
    let id = SessionId::new();
    let now = core.now();
    let expires_at = now.plus(core.settings().session_absolute);
    repo::signin::insert_session(
        c,
        auth_session::Model {
            id: id.uuid(),
            token_hash: hash_token(&token),
            user_id: user.uuid(),
            studio_id: studio.uuid(),
            created_at: now.as_micros(),
            last_seen_at: now.as_micros(),
            expires_at: expires_at.as_micros(),
            ip: Some(meta.ip.clone()),
            user_agent: meta
                .user_agent
                .clone()
                .map(|u| u.chars().take(300).collect()),
        },
    )
    .await?;
    Ok(NewSession {
        token,
        id,
        studio,
        expires_at,
    })
}

fn throttle_keys(email: &str, ip: &str) -> (String, String) {
    (
        format!("signin:email:{}", sha256_hex(email.as_bytes())),
        format!("signin:ip:{ip}"),
    )
}

fn invalid_credentials() -> CoreError {
    CoreError::Unauthenticated {
        message: "the email or password is not right; check both and try again".into(),
    }
}

/// Checks the throttle for a key; 429 once `max` failures fell in the window.
async fn check_throttle(core: &Core, key: &str, max: i64) -> CoreResult<()> {
    let window = core.settings().signin_window;
    let since = core.now().minus(window).as_micros();
    let failures = repo::signin::throttle_failures(core.db().conn(), key, since).await?;
    if failures >= max {
        metrics::counter!("darkroom_signin_throttled_total").increment(1);
        return Err(CoreError::RateLimited {
            retry_after: window,
        });
    }
    Ok(())
}

/// Signs a person in with email and password.
pub async fn sign_in(
    core: &Core,
    email: &str,
    password_in: &str,
    meta: &Meta,
) -> CoreResult<NewSession> {
    let email = email.trim().to_lowercase();
    let (email_key, ip_key) = throttle_keys(&email, &meta.ip);
    check_throttle(core, &ip_key, core.settings().signin_ip_max_failures).await?;
    check_throttle(core, &email_key, core.settings().signin_max_failures).await?;
    let password_in = password_in
        .chars()
        .take(validate::PASSWORD_MAX + 1)
        .collect::<String>();

    let login = repo::person::find_login_by_email(core.db().conn(), &email).await?;
    let stored = login.as_ref().and_then(|l| l.password_hash.clone());
    let ok = password::verify(password_in, stored).await?;
    let memberships = match &login {
        Some(l) => repo::person::memberships_of_login(core.db().conn(), l.id).await?,
        None => Vec::new(),
    };

    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let since = core.now().minus(core.settings().signin_window).as_micros();
    if !ok {
        repo::signin::throttle_record_failure(&tx, &email_key, now, since).await?;
        repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
        // Each studio the sign-in reaches sees the failure on its own person.
        let mut seen: Vec<(Option<StudioId>, Option<UserId>)> = memberships
            .iter()
            .map(|m| {
                (
                    Some(StudioId::from_uuid(m.studio_id)),
                    Some(UserId::from_uuid(m.user_id)),
                )
            })
            .collect();
        if seen.is_empty() {
            seen.push((None, None));
        }
        for (studio, user) in seen {
            audit::record(
                core,
                &tx,
                meta,
                Event {
                    studio,
                    branch: None,
                    who: Who {
                        user,
                        label: email.clone(),
                    },
                    event_type: "auth.sign_in_failed",
                    severity: Severity::Medium,
                    target_type: "user",
                    target_id: user.map(|u| u.to_string()).unwrap_or_default(),
                    payload: serde_json::json!({ "email": email, "user_agent": meta.user_agent }),
                },
            )
            .await?;
        }
        crate::commit(tx).await?;
        metrics::counter!("darkroom_signin_total", "outcome" => "failed").increment(1);
        return Err(invalid_credentials());
    }
    let Some(login) = login else {
        return Err(invalid_credentials());
    };
    let Some(m) = memberships.iter().find(|m| m.status == StaffStatus::Active) else {
        return Err(CoreError::Unauthenticated {
            message: "your staff account is suspended or not yet active; ask the studio owner"
                .into(),
        });
    };
    repo::signin::throttle_clear(&tx, &email_key).await?;
    let studio = StudioId::from_uuid(m.studio_id);
    let user = UserId::from_uuid(m.user_id);
    let session = start_session(core, &tx, user, studio, meta).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(studio),
            branch: None,
            who: Who {
                user: Some(user),
                label: format!("{} <{}>", m.name, login.email),
            },
            event_type: "auth.signed_in",
            severity: Severity::Low,
            target_type: "user",
            target_id: user.to_string(),
            payload: serde_json::json!({ "user_agent": meta.user_agent }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    metrics::counter!("darkroom_signin_total", "outcome" => "ok").increment(1);
    Ok(session)
}

/// Checks a password against the sign-in behind `email` under the same
/// throttle as signing in (so no other form becomes a guessing oracle).
/// `Ok(Some(login))` when it matches, `Ok(None)` when the email has no
/// sign-in; a wrong password counts as a failure and is refused.
pub(crate) async fn prove_password(
    core: &Core,
    email: &str,
    password_in: &str,
    ip: &str,
    field: &str,
) -> CoreResult<Option<darkroom_db::entity::login::Model>> {
    let (email_key, ip_key) = throttle_keys(email, ip);
    check_throttle(core, &ip_key, core.settings().signin_ip_max_failures).await?;
    check_throttle(core, &email_key, core.settings().signin_max_failures).await?;
    let Some(login) = repo::person::find_login_by_email(core.db().conn(), email).await? else {
        return Ok(None);
    };
    let password_in = password_in
        .chars()
        .take(validate::PASSWORD_MAX + 1)
        .collect::<String>();
    if password::verify(password_in, login.password_hash.clone()).await? {
        return Ok(Some(login));
    }
    let now = core.now().as_micros();
    let since = core.now().minus(core.settings().signin_window).as_micros();
    let tx = core.db().begin().await?;
    repo::signin::throttle_record_failure(&tx, &email_key, now, since).await?;
    repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
    crate::commit(tx).await?;
    Err(CoreError::invalid(
        field,
        format!(
            "{email} already signs in to Darkroom with a password, and this is not it; enter that password, or use \"Forgot your password?\" on the sign-in page first"
        ),
    ))
}

/// The principal behind a session cookie, if the session is alive.
pub async fn resolve_session(core: &Core, token: &str) -> CoreResult<Option<Principal>> {
    if !token.starts_with(SESSION_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let c = core.db().conn();
    let Some(s) = repo::signin::find_session_by_hash(c, &hash_token(token)).await? else {
        return Ok(None);
    };
    let now = core.now();
    let idle = core.settings().session_idle;
    let last_seen = Timestamp::from_micros(s.last_seen_at);
    if s.expires_at <= now.as_micros() || now.since(last_seen) > idle {
        repo::signin::delete_session(c, s.id).await?;
        return Ok(None);
    }
    let p = principal::load(
        c,
        StudioId::from_uuid(s.studio_id),
        UserId::from_uuid(s.user_id),
        Via::Session(SessionId::from_uuid(s.id)),
        None,
    )
    .await?;
    if p.is_none() {
        repo::signin::delete_session(c, s.id).await?;
        return Ok(None);
    }
    // Recording activity at most once a minute keeps reads cheap.
    if now.since(last_seen) > Duration::from_secs(60) {
        repo::signin::touch_session(c, s.id, now.as_micros()).await?;
    }
    Ok(p)
}

/// Ends the session behind a cookie.
pub async fn sign_out(core: &Core, token: &str) -> CoreResult<()> {
    if let Some(s) =
        repo::signin::find_session_by_hash(core.db().conn(), &hash_token(token)).await?
    {
        repo::signin::delete_session(core.db().conn(), s.id).await?;
    }
    Ok(())
}

/// Moves a session to another studio the person works for.
pub async fn switch_studio(core: &Core, p: &Principal, studio: StudioId) -> CoreResult<()> {
    let Via::Session(sid) = p.via else {
        return Err(CoreError::forbidden(
            "only a browser session can switch studios; API tokens belong to one studio",
        ));
    };
    let login = login_of(core.db().conn(), p.user).await?;
    let m = repo::person::memberships_of_login(core.db().conn(), login)
        .await?
        .into_iter()
        .find(|m| m.studio_id == studio.uuid() && m.status == StaffStatus::Active)
        .ok_or(CoreError::not_found("studio"))?;
    repo::signin::set_session_studio(core.db().conn(), sid.uuid(), m.studio_id, m.user_id).await?;
    Ok(())
}

/// The sign-in a studio's person signs in with.
pub(crate) async fn login_of(c: &impl ConnectionTrait, user: UserId) -> CoreResult<uuid::Uuid> {
    repo::person::find_user(c, user.uuid())
        .await?
        .and_then(|u| u.login_id)
        .ok_or(CoreError::not_found("sign-in"))
}

/// Changes the signed-in person's password and ends their other sessions.
pub async fn change_password(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    current: &str,
    new: &str,
) -> CoreResult<()> {
    let login_id = login_of(core.db().conn(), p.user).await?;
    let user = repo::person::find_login(core.db().conn(), login_id)
        .await?
        .ok_or(CoreError::not_found("sign-in"))?;
    if !password::verify(current.to_string(), user.password_hash.clone()).await? {
        return Err(CoreError::invalid(
            "current_password",
            "the current password is not right",
        ));
    }
    validate::password(new, &user.email).map_err(|m| CoreError::invalid("new_password", m))?;
    let hash = password::hash(new.to_string()).await?;
    let tx = core.db().begin().await?;
    repo::person::set_password(&tx, user.id, &hash, core.now().as_micros()).await?;
    let keep = match p.via {
        Via::Session(s) => Some(s.uuid()),
        _ => None,
    };
    let ended = repo::signin::delete_sessions_of_login(&tx, user.id, keep).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "auth.password_changed",
            severity: Severity::High,
            target_type: "user",
            target_id: p.user.to_string(),
            payload: serde_json::json!({ "other_sessions_ended": ended }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}

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
    let accounts: Vec<Account> = repo::person::memberships_of_login(c, login)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(Account {
                studio: StudioId::from_uuid(m.studio_id),
                status: m.status,
                deleted: m.deleted_at.is_some(),
            })
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
    repo::signin::revoke_one_time_for_login(c, RESET_PURPOSE, login, now.as_micros()).await?;
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
    let memberships = repo::person::memberships_of_login(core.db().conn(), login.id).await?;
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
    let login = repo::person::find_login(core.db().conn(), login_id)
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
    repo::person::set_password(&tx, login.id, &hash, core.now().as_micros()).await?;
    let ended = repo::signin::delete_sessions_of_login(&tx, login.id, None).await?;
    let (email_key, _) = throttle_keys(&login.email, &meta.ip);
    repo::signin::throttle_clear(&tx, &email_key).await?;
    for m in repo::person::memberships_of_login(&tx, login.id).await? {
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
    for m in repo::person::memberships_of_login(&tx, login.id).await? {
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
