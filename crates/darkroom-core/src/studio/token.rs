//! Personal API tokens: scoped, expiring, revocable; shown once, stored as a
//! SHA-256 hash.

use std::time::Duration;

use darkroom_db::entity::api_token;
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::field::{Line, PermissionName, Ranged};
use darkroom_domain::permission::{PermissionSet, parse_permission_list};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{StudioId, Timestamp, TokenId, TypedId, UserId};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::principal::{self, Principal, Via};
use crate::kernel::secret::{hash_token, new_token};
use crate::{Core, Meta};

pub const TOKEN_PREFIX: &str = "drk_";

/// A token as listed (never the secret).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: TokenId,
    pub name: String,
    /// The permissions it may use (never more than its owner holds).
    pub scopes: Vec<String>,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

fn view(m: api_token::Model) -> TokenView {
    TokenView {
        id: TokenId::from_uuid(m.id),
        name: m.name,
        scopes: serde_json::from_str(&m.scopes).unwrap_or_default(),
        expires_at: Timestamp::from_micros(m.expires_at),
        last_used_at: m.last_used_at.map(Timestamp::from_micros),
        created_at: Timestamp::from_micros(m.created_at),
        revoked_at: m.revoked_at.map(Timestamp::from_micros),
    }
}

/// A new token.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: Line<100>,
    /// Permission names the token may use, e.g. `["branch.view"]`: only
    /// ones you hold.
    #[schema(min_items = 1)]
    pub scopes: Vec<PermissionName>,
    /// Days until it expires (default 90; the instance may allow fewer).
    pub expires_in_days: Option<Ranged<1, 366>>,
}

/// A token just created: `token` is shown this once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. It cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

async fn api_tokens_enabled(core: &Core, studio: StudioId) -> CoreResult<bool> {
    let m = crate::studio::load(core, studio).await?;
    Ok(crate::studio::StudioSettings::parse(&m.settings)?
        .features
        .api_tokens)
}

pub async fn create(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: NewToken,
) -> CoreResult<CreatedToken> {
    if matches!(p.via, Via::Token(_)) {
        return Err(CoreError::forbidden(
            "API tokens cannot create more tokens; sign in to the web app to create one",
        ));
    }
    if !api_tokens_enabled(core, p.studio).await? {
        return Err(CoreError::forbidden(
            "API tokens are switched off for this studio (Settings → Features)",
        ));
    }
    let mut errs = FieldErrors::new();
    let name = errs.check("name", input.name.check("the token name"));
    let scopes = errs.check("scopes", parse_permission_list(&input.scopes));
    let days = input.expires_in_days.map_or(90, |d| d.0);
    let max_days = core.settings().token_max_ttl.as_secs() / 86_400;
    if days < 1 || u64::try_from(days).unwrap_or(u64::MAX) > max_days {
        errs.add(
            "expires_in_days",
            "invalid",
            format!("a token lives 1 to {max_days} days"),
        );
    }
    if let Some(s) = &scopes {
        check_scopes(core, p, s, &mut errs);
    }
    errs.into_result()?;
    let (Some(name), Some(scopes)) = (name, scopes) else {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let token = new_token(TOKEN_PREFIX);
    let now = core.now();
    let row = api_token::Model {
        id: TokenId::new().uuid(),
        studio_id: p.studio.uuid(),
        user_id: p.user.uuid(),
        name,
        token_hash: hash_token(&token),
        scopes: serde_json::to_string(&scopes.iter().map(|x| x.name()).collect::<Vec<_>>())
            .unwrap_or_default(),
        expires_at: now
            .plus(Duration::from_secs(
                u64::try_from(days).unwrap_or(1) * 86_400,
            ))
            .as_micros(),
        last_used_at: None,
        created_at: now.as_micros(),
        revoked_at: None,
    };
    let tx = core.db().begin().await?;
    let saved = repo::signin::insert_token(&tx, row).await?;
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: None,
        who: Who::of(p),
        event_type: "token.created",
        severity: Severity::High,
        target_type: "api_token",
        target_id: TokenId::from_uuid(saved.id).to_string(),
        payload: serde_json::json!({ "name": saved.name, "scopes": scopes.iter().map(|x| x.name()).collect::<Vec<_>>(), "expires_in_days": days }),
    })
    .await?;
    crate::commit(tx).await?;
    Ok(CreatedToken {
        token,
        info: view(saved),
    })
}

/// A token's scopes are at least one permission, each held by its maker.
fn check_scopes(core: &Core, p: &Principal, s: &PermissionSet, errs: &mut FieldErrors) {
    if s.is_empty() {
        errs.add(
            "scopes",
            "required",
            "give the token at least one permission, e.g. branch.view",
        );
    }
    let held = core.permissions_anywhere(p);
    let extra: Vec<&str> = s
        .iter()
        .filter(|x| !held.contains(x))
        .map(|x| x.name())
        .collect();
    if !extra.is_empty() {
        errs.add(
            "scopes",
            "not_held",
            format!(
                "you do not hold {}; a token can only use permissions you have",
                extra.join(", ")
            ),
        );
    }
}

/// A token holding every permission `p` holds now, valid for `days` (what
/// `darkroom token create` makes for the operator's scripts).
pub async fn create_full(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    name: &str,
    days: u32,
) -> CoreResult<CreatedToken> {
    let scopes = core
        .permissions_anywhere(p)
        .iter()
        .map(|x| PermissionName::from(*x))
        .collect();
    create(
        core,
        p,
        meta,
        NewToken {
            name: name.into(),
            scopes,
            expires_in_days: Some(Ranged(i64::from(days))),
        },
    )
    .await
}

/// The signed-in person's own tokens.
pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<TokenView>> {
    Ok(
        repo::signin::tokens_of_user(core.db().conn(), p.studio, p.user)
            .await?
            .into_iter()
            .map(view)
            .collect(),
    )
}

pub async fn revoke(core: &Core, p: &Principal, meta: &Meta, id: TokenId) -> CoreResult<()> {
    let t = repo::signin::find_token(core.db().conn(), p.studio, p.user, id)
        .await?
        .ok_or(CoreError::not_found("API token"))?;
    if t.revoked_at.is_some() {
        return Ok(());
    }
    let tx = core.db().begin().await?;
    repo::signin::revoke_token(&tx, TokenId::from_uuid(t.id), core.now().as_micros()).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "token.revoked",
            severity: Severity::Medium,
            target_type: "api_token",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": t.name }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}

/// The principal behind a bearer token, if the token is alive.
pub async fn resolve(core: &Core, token: &str) -> CoreResult<Option<Principal>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let c = core.db().conn();
    let Some(t) = repo::signin::find_token_by_hash(c, &hash_token(token)).await? else {
        return Ok(None);
    };
    let now = core.now();
    if t.revoked_at.is_some() || t.expires_at <= now.as_micros() {
        return Ok(None);
    }
    let studio = StudioId::from_uuid(t.studio_id);
    if !api_tokens_enabled(core, studio).await? {
        return Ok(None);
    }
    let names: Vec<String> = serde_json::from_str(&t.scopes).unwrap_or_default();
    let scopes: PermissionSet = parse_permission_list(&names).unwrap_or_default();
    let p = principal::load(
        c,
        studio,
        UserId::from_uuid(t.user_id),
        Via::Token(TokenId::from_uuid(t.id)),
        Some(scopes),
    )
    .await?;
    if p.is_some()
        && t.last_used_at
            .is_none_or(|l| now.since(Timestamp::from_micros(l)) > Duration::from_secs(60))
    {
        repo::signin::touch_token(c, TokenId::from_uuid(t.id), now.as_micros()).await?;
    }
    Ok(p)
}
