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
use darkroom_domain::people::StaffStatus;
use darkroom_domain::validate;
use darkroom_domain::{LoginId, SessionId, StudioId, Timestamp, TypedId, UserId};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::{self, Principal, Via};
use crate::kernel::secret::{hash_token, new_token, sha256_hex};
use crate::{Core, Meta, kernel::password};

mod reset;
pub use reset::*;

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
        Some(l) => {
            repo::person::memberships_of_login(core.db().conn(), LoginId::from_uuid(l.id)).await?
        }
        None => Vec::new(),
    };

    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    let since = core.now().minus(core.settings().signin_window).as_micros();
    if !ok {
        repo::signin::throttle_record_failure(&tx, &email_key, now, since).await?;
        repo::signin::throttle_record_failure(&tx, &ip_key, now, since).await?;
        audit_failure(core, &tx, meta, &email, &memberships).await?;
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

/// A failed sign-in in the log of each studio the sign-in reaches (on its
/// own person there), or of the platform when it reaches none.
async fn audit_failure(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    email: &str,
    memberships: &[darkroom_db::entity::membership::Model],
) -> CoreResult<()> {
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
            tx,
            meta,
            Event {
                studio,
                branch: None,
                who: Who {
                    user,
                    label: email.to_string(),
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
    Ok(())
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
        repo::signin::delete_session(c, SessionId::from_uuid(s.id)).await?;
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
        repo::signin::delete_session(c, SessionId::from_uuid(s.id)).await?;
        return Ok(None);
    }
    // Recording activity at most once a minute keeps reads cheap.
    if now.since(last_seen) > Duration::from_secs(60) {
        repo::signin::touch_session(c, SessionId::from_uuid(s.id), now.as_micros()).await?;
    }
    Ok(p)
}

/// Ends the session behind a cookie.
pub async fn sign_out(core: &Core, token: &str) -> CoreResult<()> {
    if let Some(s) =
        repo::signin::find_session_by_hash(core.db().conn(), &hash_token(token)).await?
    {
        repo::signin::delete_session(core.db().conn(), SessionId::from_uuid(s.id)).await?;
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
    let m = repo::person::memberships_of_login(core.db().conn(), LoginId::from_uuid(login))
        .await?
        .into_iter()
        .find(|m| m.studio_id == studio.uuid() && m.status == StaffStatus::Active)
        .ok_or(CoreError::not_found("studio"))?;
    repo::signin::set_session_studio(
        core.db().conn(),
        sid,
        StudioId::from_uuid(m.studio_id),
        UserId::from_uuid(m.user_id),
    )
    .await?;
    Ok(())
}

/// The sign-in a studio's person signs in with.
pub(crate) async fn login_of(c: &impl ConnectionTrait, user: UserId) -> CoreResult<uuid::Uuid> {
    repo::person::find_user(c, user)
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
    let user = repo::person::find_login(core.db().conn(), LoginId::from_uuid(login_id))
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
    repo::person::set_password(
        &tx,
        LoginId::from_uuid(user.id),
        &hash,
        core.now().as_micros(),
    )
    .await?;
    let keep = match p.via {
        Via::Session(s) => Some(s.uuid()),
        _ => None,
    };
    let ended =
        repo::signin::delete_sessions_of_login(&tx, LoginId::from_uuid(user.id), keep).await?;
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
