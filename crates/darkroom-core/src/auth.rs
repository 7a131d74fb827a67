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
use darkroom_domain::validate;
use darkroom_domain::{PasswordResetId, SessionId, StudioId, Timestamp, TypedId, UserId};

use crate::audit::{self, Event, Who};
use crate::error::{CoreError, CoreResult};
use crate::principal::{self, Principal, Via};
use crate::secret::{hash_token, new_token, sha256_hex};
use crate::{Core, Meta, jobs, password};

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

    let user = repo::person::find_user_by_email(core.db().conn(), &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = password::verify(password_in, stored).await?;
    let memberships = match &user {
        Some(u) => repo::person::memberships_of_user(core.db().conn(), u.id).await?,
        None => Vec::new(),
    };

    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let since = core.now().minus(core.settings().signin_window).as_micros();
    if !ok {
        repo::signin::throttle_record_failure(&tx, &email_key, now, since).await?;
        repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
        let who = Who {
            user: user.as_ref().map(|u| UserId::from_uuid(u.id)),
            label: email.clone(),
        };
        let studios: Vec<Option<StudioId>> = if memberships.is_empty() {
            vec![None]
        } else {
            memberships
                .iter()
                .map(|m| Some(StudioId::from_uuid(m.studio_id)))
                .collect()
        };
        for studio in studios {
            audit::record(
                core,
                &tx,
                meta,
                Event {
                    studio,
                    branch: None,
                    who: who.clone(),
                    event_type: "auth.sign_in_failed",
                    severity: Severity::Medium,
                    target_type: "user",
                    target_id: user
                        .as_ref()
                        .map(|u| UserId::from_uuid(u.id).to_string())
                        .unwrap_or_default(),
                    payload: serde_json::json!({ "email": email, "user_agent": meta.user_agent }),
                },
            )
            .await?;
        }
        crate::commit(tx).await?;
        metrics::counter!("darkroom_signin_total", "outcome" => "failed").increment(1);
        return Err(invalid_credentials());
    }
    let Some(user) = user else {
        return Err(invalid_credentials());
    };
    let Some(m) = memberships.iter().find(|m| m.status == "active") else {
        return Err(CoreError::Unauthenticated {
            message: "your staff account is suspended or not yet active; ask the studio owner"
                .into(),
        });
    };
    repo::signin::throttle_clear(&tx, &email_key).await?;
    let studio = StudioId::from_uuid(m.studio_id);
    let session = start_session(core, &tx, UserId::from_uuid(user.id), studio, meta).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(studio),
            branch: None,
            who: Who {
                user: Some(UserId::from_uuid(user.id)),
                label: format!("{} <{}>", m.name, user.email),
            },
            event_type: "auth.signed_in",
            severity: Severity::Low,
            target_type: "user",
            target_id: UserId::from_uuid(user.id).to_string(),
            payload: serde_json::json!({ "user_agent": meta.user_agent }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    metrics::counter!("darkroom_signin_total", "outcome" => "ok").increment(1);
    Ok(session)
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
    let m = repo::person::find_membership(core.db().conn(), studio.uuid(), p.user.uuid(), false)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(CoreError::not_found("studio"))?;
    repo::signin::set_session_studio(core.db().conn(), sid.uuid(), m.studio_id).await?;
    Ok(())
}

/// Changes the signed-in person's password and ends their other sessions.
pub async fn change_password(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    current: &str,
    new: &str,
) -> CoreResult<()> {
    let user = repo::person::find_user(core.db().conn(), p.user.uuid())
        .await?
        .ok_or(CoreError::not_found("user"))?;
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
    let ended = repo::signin::delete_sessions_of_user(&tx, user.id, None, keep).await?;
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
        &jobs::Job::PasswordResetRequest {
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

/// Creates a reset link for `user` (revoking older ones) inside a transaction.
pub(crate) async fn create_reset_link(
    core: &Core,
    c: &impl ConnectionTrait,
    user: UserId,
    created_by: Option<UserId>,
    id: PasswordResetId,
) -> CoreResult<String> {
    let now = core.now();
    repo::signin::revoke_one_time_for(c, RESET_PURPOSE, None, Some(user.uuid()), now.as_micros())
        .await?;
    let token = new_token("");
    repo::signin::insert_one_time(
        c,
        darkroom_db::entity::one_time_token::Model {
            id: id.uuid(),
            purpose: RESET_PURPOSE.into(),
            token_hash: hash_token(&token),
            studio_id: None,
            user_id: Some(user.uuid()),
            created_by: created_by.map(|u| u.uuid()),
            created_at: now.as_micros(),
            expires_at: now.plus(core.settings().reset_ttl).as_micros(),
            used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    Ok(core.settings().link(&format!("/password-reset/{token}")))
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
    let Some(user) = repo::person::find_user_by_email(core.db().conn(), email).await? else {
        tracing::info!("password reset requested for an address with no account");
        return Ok(());
    };
    let memberships = repo::person::memberships_of_user(core.db().conn(), user.id).await?;
    let Some(m) = memberships.iter().find(|m| m.status == "active") else {
        tracing::info!("password reset requested for an account with no active staff membership");
        return Ok(());
    };
    let studio = StudioId::from_uuid(m.studio_id);
    if crate::studio::smtp_for(core, Some(studio)).await?.is_none() {
        tracing::warn!(%studio, "password reset requested but no SMTP server is configured; the owner can create a reset link from the staff page");
        return Ok(());
    }
    let tx = core.db().begin().await?;
    let link = create_reset_link(core, &tx, UserId::from_uuid(user.id), None, request).await?;
    let (studio_name, branding) = crate::studio::header(core, studio).await?;
    let msg = crate::mail::templates::password_reset(
        &studio_name,
        &m.name,
        &link,
        core.settings().reset_ttl,
        ip,
        &branding,
    );
    crate::mail::queue(core, &tx, Some(studio), "password_reset", &user.email, msg).await?;
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
    let user_id = t.user_id.ok_or_else(bad_link)?;
    let user = repo::person::find_user(core.db().conn(), user_id)
        .await?
        .ok_or_else(bad_link)?;
    validate::password(new, &user.email).map_err(|m| CoreError::invalid("password", m))?;
    let hash = password::hash(new.to_string()).await?;
    let tx = core.db().begin().await?;
    if !repo::signin::use_one_time(&tx, t.id, core.now().as_micros()).await? {
        return Err(bad_link());
    }
    repo::person::set_password(&tx, user.id, &hash, core.now().as_micros()).await?;
    let ended = repo::signin::delete_sessions_of_user(&tx, user.id, None, None).await?;
    let (email_key, _) = throttle_keys(&user.email, &meta.ip);
    repo::signin::throttle_clear(&tx, &email_key).await?;
    for m in repo::person::memberships_of_user(&tx, user.id).await? {
        audit::record(
            core,
            &tx,
            meta,
            Event {
                studio: Some(StudioId::from_uuid(m.studio_id)),
                branch: None,
                who: Who {
                    user: Some(UserId::from_uuid(user.id)),
                    label: format!("{} <{}>", m.name, user.email),
                },
                event_type: "auth.password_reset",
                severity: Severity::High,
                target_type: "user",
                target_id: UserId::from_uuid(user.id).to_string(),
                payload: serde_json::json!({ "sessions_ended": ended }),
            },
        )
        .await?;
    }
    crate::commit(tx).await?;
    Ok(())
}
