//! Online card payments through the studio's own Stripe account (decision
//! 0033): its keys (the secret ones sealed like the SMTP password), the
//! payment a client starts from the portal, refunds through Stripe, and the
//! signed notices (webhooks) that record the money: each Stripe object is
//! taken once, by its id, whatever the order or number of deliveries.

use darkroom_db::entity::payment_account;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{StudioId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

pub mod client;
pub mod online;
pub mod signature;
pub mod webhook;

pub use client::Stripe;

pub(crate) const PROVIDER: &str = "stripe";

/// The studio's Stripe account as staff see it (never its secrets).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StripeAccountView {
    /// Keys are set: clients can pay invoices by card in the portal.
    pub connected: bool,
    /// `live` (money moves) or `test`.
    pub mode: Option<String>,
    pub publishable_key: Option<String>,
    /// The secret key's kind and last four, e.g. `sk_test_…4242`.
    pub secret_key_hint: Option<String>,
    /// The address to give Stripe as the webhook endpoint (events
    /// `payment_intent.succeeded`, `charge.refunded`, `refund.created`,
    /// `refund.updated`).
    pub webhook_url: String,
    pub version: i64,
    pub updated_at: Option<Timestamp>,
}

/// The studio's Stripe keys, from its Stripe dashboard (Developers → API
/// keys, and Webhooks → the endpoint's signing secret).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StripeAccountInput {
    /// The version read (0 when no account is set yet).
    pub version: i64,
    /// `sk_live_…`, `sk_test_…` or a restricted `rk_…` key. Absent keeps
    /// the stored one.
    pub secret_key: Option<String>,
    /// `pk_live_…` or `pk_test_…`, of the same mode as the secret key.
    pub publishable_key: String,
    /// The webhook endpoint's signing secret, `whsec_…`. Absent keeps the
    /// stored one.
    pub webhook_secret: Option<String>,
}

fn mode_of(key: &str) -> Option<&'static str> {
    ["sk_live_", "rk_live_", "pk_live_"]
        .iter()
        .any(|p| key.starts_with(p))
        .then_some("live")
        .or_else(|| {
            ["sk_test_", "rk_test_", "pk_test_"]
                .iter()
                .any(|p| key.starts_with(p))
                .then_some("test")
        })
}

fn hint(key: &str) -> String {
    let kind: String = key.split('_').take(2).collect::<Vec<_>>().join("_");
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{kind}_…{tail}")
}

fn webhook_url(core: &Core, studio: StudioId) -> String {
    core.settings().link(&format!("/hooks/stripe/{studio}"))
}

fn view(core: &Core, studio: StudioId, m: Option<&payment_account::Model>) -> StripeAccountView {
    StripeAccountView {
        connected: m.is_some(),
        mode: m.map(|m| if m.live != 0 { "live" } else { "test" }.to_string()),
        publishable_key: m.map(|m| m.publishable_key.clone()),
        secret_key_hint: m.map(|m| m.secret_key_hint.clone()),
        webhook_url: webhook_url(core, studio),
        version: m.map_or(0, |m| m.version),
        updated_at: m.map(|m| Timestamp::from_micros(m.updated_at)),
    }
}

/// The studio's Stripe account.
pub async fn get(core: &Core, p: &Principal) -> CoreResult<StripeAccountView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    let m = repo::billing::payment_account(core.db().conn(), p.studio, PROVIDER).await?;
    Ok(view(core, p.studio, m.as_ref()))
}

/// What a studio's Stripe account gives the code that moves money.
pub(crate) struct Account {
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
}

/// The studio's keys, opened; `None` when it has no Stripe account.
pub(crate) async fn account(core: &Core, studio: StudioId) -> CoreResult<Option<Account>> {
    let Some(m) = repo::billing::payment_account(core.db().conn(), studio, PROVIDER).await? else {
        return Ok(None);
    };
    let open = |s: &str| {
        core.keys().open(s).ok_or_else(|| {
            CoreError::Unavailable(
                "the studio's Stripe keys cannot be opened with this instance's key; enter them again in Settings → Online payments".into(),
            )
        })
    };
    Ok(Some(Account {
        secret_key: open(&m.secret_key_sealed)?,
        publishable_key: m.publishable_key.clone(),
        webhook_secret: open(&m.webhook_secret_sealed)?,
    }))
}

/// The client for a studio's account.
pub(crate) fn client(core: &Core, a: &Account) -> CoreResult<Stripe> {
    Stripe::new(&core.settings().payments.stripe_api_base, &a.secret_key)
}

struct Keys {
    secret: Option<String>,
    publishable: String,
    webhook: Option<String>,
}

fn checked(
    input: &StripeAccountInput,
    stored: Option<&payment_account::Model>,
) -> CoreResult<Keys> {
    let mut errs = FieldErrors::new();
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let secret = clean(&input.secret_key);
    let webhook = clean(&input.webhook_secret);
    let publishable = input.publishable_key.trim().to_string();
    let secret_mode = match (&secret, stored) {
        (Some(s), _) => {
            let ok = (s.starts_with("sk_") || s.starts_with("rk_")) && s.len() <= 255;
            if !ok || mode_of(s).is_none() {
                errs.add(
                    "secret_key",
                    "format",
                    "a Stripe secret key starts with sk_live_, sk_test_, rk_live_ or rk_test_ (Stripe dashboard → Developers → API keys)",
                );
            }
            mode_of(s)
        }
        (None, Some(m)) => Some(if m.live != 0 { "live" } else { "test" }),
        (None, None) => {
            errs.add(
                "secret_key",
                "required",
                "the secret key is needed to take payments",
            );
            None
        }
    };
    if !publishable.starts_with("pk_") || mode_of(&publishable).is_none() || publishable.len() > 255
    {
        errs.add(
            "publishable_key",
            "format",
            "a Stripe publishable key starts with pk_live_ or pk_test_",
        );
    } else if secret_mode.is_some() && mode_of(&publishable) != secret_mode {
        errs.add(
            "publishable_key",
            "mode",
            "the publishable key and the secret key are of different modes (live and test); use the pair from one mode",
        );
    }
    match (&webhook, stored) {
        (Some(w), _) if !w.starts_with("whsec_") || w.len() > 255 => errs.add(
            "webhook_secret",
            "format",
            "the webhook signing secret starts with whsec_ (Stripe dashboard → Webhooks → your endpoint → Signing secret)",
        ),
        (None, None) => errs.add(
            "webhook_secret",
            "required",
            "the webhook signing secret is needed to trust Stripe's notices of payment",
        ),
        _ => {}
    }
    errs.into_result()?;
    Ok(Keys {
        secret,
        publishable,
        webhook,
    })
}

/// Sets the studio's Stripe keys; a new secret key is tried against Stripe
/// before it is kept.
pub async fn set(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: StripeAccountInput,
) -> CoreResult<StripeAccountView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    let c = core.db().conn();
    let stored = repo::billing::payment_account(c, p.studio, PROVIDER).await?;
    let current_version = stored.as_ref().map_or(0, |m| m.version);
    if input.version != current_version {
        return Err(CoreError::stale(view(core, p.studio, stored.as_ref())));
    }
    let keys = checked(&input, stored.as_ref())?;
    if let Some(secret) = &keys.secret {
        Stripe::new(&core.settings().payments.stripe_api_base, secret)?
            .check_key()
            .await
            .map_err(|e| match e {
                CoreError::Conflict { message, .. } => CoreError::invalid("secret_key", message),
                other => other,
            })?;
    }
    let live = mode_of(&keys.publishable) == Some("live");
    let tx = core.db().begin().await?;
    save_row(core, &tx, p.studio, stored.as_ref(), &keys, live).await?;
    record(
        core,
        &tx,
        meta,
        p,
        "payments.stripe_connected",
        serde_json::json!({
            "mode": if live { "live" } else { "test" },
            "publishable_key": keys.publishable,
            "secret_key_changed": keys.secret.is_some(),
            "webhook_secret_changed": keys.webhook.is_some(),
        }),
    )
    .await?;
    let fresh = repo::billing::payment_account(&tx, p.studio, PROVIDER).await?;
    crate::commit(tx).await?;
    Ok(view(core, p.studio, fresh.as_ref()))
}

/// Writes the account row: a new one, or the stored one changed (secrets
/// replaced only when new ones were given).
async fn save_row(
    core: &Core,
    tx: &darkroom_db::Tx,
    studio: StudioId,
    stored: Option<&payment_account::Model>,
    keys: &Keys,
    live: bool,
) -> CoreResult<()> {
    match stored {
        None => {
            let id = uuid::Uuid::now_v7();
            let am = payment_account::ActiveModel {
                id: Set(id),
                provider: Set(PROVIDER.into()),
                secret_key_sealed: Set(core
                    .keys()
                    .seal(keys.secret.as_deref().unwrap_or_default())),
                secret_key_hint: Set(hint(keys.secret.as_deref().unwrap_or_default())),
                publishable_key: Set(keys.publishable.clone()),
                webhook_secret_sealed: Set(core
                    .keys()
                    .seal(keys.webhook.as_deref().unwrap_or_default())),
                live: Set(i64::from(live)),
                ..Default::default()
            };
            write::insert::<payment_account::Entity>(core, tx, studio, &id, am).await?;
        }
        Some(m) => {
            let mut am = payment_account::ActiveModel {
                publishable_key: Set(keys.publishable.clone()),
                live: Set(i64::from(live)),
                ..Default::default()
            };
            if let Some(s) = &keys.secret {
                am.secret_key_sealed = Set(core.keys().seal(s));
                am.secret_key_hint = Set(hint(s));
            }
            if let Some(w) = &keys.webhook {
                am.webhook_secret_sealed = Set(core.keys().seal(w));
            }
            write::update::<payment_account::Entity, _>(
                core,
                tx,
                studio,
                m.id,
                m.version,
                am,
                |m| view(core, studio, Some(&m)),
            )
            .await?;
        }
    }
    Ok(())
}

/// Disconnects the studio's Stripe account: clients can no longer pay by
/// card; money already recorded stays.
pub async fn remove(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    version: Option<i64>,
) -> CoreResult<StripeAccountView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    let c = core.db().conn();
    let Some(m) = repo::billing::payment_account(c, p.studio, PROVIDER).await? else {
        return Ok(view(core, p.studio, None));
    };
    if version.is_some_and(|v| v != m.version) {
        return Err(CoreError::stale(view(core, p.studio, Some(&m))));
    }
    let tx = core.db().begin().await?;
    repo::billing::delete_payment_account(&tx, p.studio, m.id).await?;
    record(
        core,
        &tx,
        meta,
        p,
        "payments.stripe_disconnected",
        serde_json::json!({
            "publishable_key": m.publishable_key,
        }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(view(core, p.studio, None))
}

async fn record(
    core: &Core,
    tx: &darkroom_db::Tx,
    meta: &Meta,
    p: &Principal,
    event_type: &'static str,
    payload: serde_json::Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type,
            severity: Severity::High,
            target_type: "studio",
            target_id: p.studio.to_string(),
            payload,
        },
    )
    .await
}
