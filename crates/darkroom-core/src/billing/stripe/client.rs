//! A thin client of Stripe's HTTP API (form-encoded requests, JSON
//! answers), for the few calls Darkroom makes: check a key, start a
//! payment (a PaymentIntent), read one back, give money back (a refund),
//! and list a payment's refunds. Every write carries an idempotency key, so
//! a retried request never charges or refunds twice.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::kernel::error::{CoreError, CoreResult};

/// Stripe, with one studio's secret key.
pub struct Stripe {
    base: String,
    key: String,
    http: reqwest::Client,
}

/// Where a payment stands at Stripe (Stripe's names; any other is `other`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
    #[serde(other)]
    Other,
}

/// Where a refund stands at Stripe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
    #[serde(other)]
    Other,
}

/// The parts of a PaymentIntent Darkroom reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Intent {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_received: Option<i64>,
    pub currency: String,
    pub status: IntentStatus,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
}

impl Intent {
    /// What Stripe took: `amount_received` where Stripe gives it.
    pub fn received(&self) -> i64 {
        self.amount_received
            .filter(|a| *a > 0)
            .unwrap_or(self.amount)
    }
}

/// The parts of a Refund Darkroom reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub status: Option<RefundStatus>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// When it was made (unix seconds).
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
}

impl Refund {
    /// Money has gone back (Stripe's `succeeded`; a refund without a status
    /// is an old-API one, which is immediate).
    pub fn done(&self) -> bool {
        self.status.is_none_or(|s| s == RefundStatus::Succeeded)
    }
}

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
}

impl Stripe {
    pub fn new(base: &str, key: &str) -> CoreResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent("Darkroom")
            .build()
            .map_err(|e| CoreError::Unavailable(format!("cannot reach Stripe now ({e})")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
            http,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, String)],
        idempotency: Option<&str>,
    ) -> CoreResult<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.key);
        if !form.is_empty() {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            if method == reqwest::Method::GET {
                req = self
                    .http
                    .get(format!("{url}?{body}"))
                    .bearer_auth(&self.key);
            } else {
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
            }
        }
        if let Some(k) = idempotency {
            req = req.header("idempotency-key", k);
        }
        let res = req.send().await.map_err(|e| {
            CoreError::Unavailable(format!("Stripe could not be reached ({e}); try again"))
        })?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(|e| {
            CoreError::Unavailable(format!(
                "Stripe's answer ({status}) could not be read ({e})"
            ))
        })?;
        let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
            CoreError::Unavailable(format!("Stripe's answer ({status}) is not JSON ({e})"))
        })?;
        if status.is_success() {
            return Ok(body);
        }
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_string();
        Err(match status.as_u16() {
            401 | 403 => CoreError::conflict(
                "stripe_key",
                format!(
                    "Stripe refused the studio's secret key ({message}); check it in Settings → Online payments"
                ),
            ),
            402 | 400 | 404 => {
                CoreError::conflict("stripe_refused", format!("Stripe refused: {message}"))
            }
            _ => CoreError::Unavailable(format!("Stripe answered {status} ({message}); try again")),
        })
    }

    /// Whether the key works: reads the account's balance.
    pub async fn check_key(&self) -> CoreResult<()> {
        self.call(reqwest::Method::GET, "/v1/balance", &[], None)
            .await
            .map(|_| ())
    }

    /// Starts a card payment of `amount` (minor units) in `currency`.
    pub async fn create_intent(
        &self,
        amount: i64,
        currency: &str,
        metadata: &[(&str, String)],
        idempotency: &str,
    ) -> CoreResult<Intent> {
        let mut form = vec![
            ("amount", amount.to_string()),
            ("currency", currency.to_lowercase()),
            ("payment_method_types[]", "card".to_string()),
        ];
        let keys: Vec<String> = metadata
            .iter()
            .map(|(k, _)| format!("metadata[{k}]"))
            .collect();
        for ((_, v), k) in metadata.iter().zip(&keys) {
            form.push((k.as_str(), v.clone()));
        }
        let v = self
            .call(
                reqwest::Method::POST,
                "/v1/payment_intents",
                &form,
                Some(idempotency),
            )
            .await?;
        parse(v)
    }

    /// A PaymentIntent as Stripe has it now.
    pub async fn intent(&self, id: &str) -> CoreResult<Intent> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/v1/payment_intents/{id}"),
                &[],
                None,
            )
            .await?;
        parse(v)
    }

    /// Gives back `amount` of a payment; `entry` (the ledger entry that
    /// will record it) goes in the refund's metadata and is its idempotency
    /// key.
    pub async fn refund(&self, intent: &str, amount: i64, entry: &str) -> CoreResult<Refund> {
        let idempotency = entry;
        let form = [
            ("payment_intent", intent.to_string()),
            ("amount", amount.to_string()),
            ("metadata[darkroom_entry]", entry.to_string()),
        ];
        let v = self
            .call(
                reqwest::Method::POST,
                "/v1/refunds",
                &form,
                Some(idempotency),
            )
            .await?;
        parse(v)
    }

    /// The refunds of a payment.
    pub async fn refunds_of(&self, intent: &str) -> CoreResult<Vec<Refund>> {
        let form = [
            ("payment_intent", intent.to_string()),
            ("limit", "100".into()),
        ];
        let v = self
            .call(reqwest::Method::GET, "/v1/refunds", &form, None)
            .await?;
        let list: List<Refund> = parse(v)?;
        Ok(list.data)
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> CoreResult<T> {
    serde_json::from_value(v).map_err(|e| {
        CoreError::Unavailable(format!(
            "Stripe's answer was not what Darkroom expects ({e})"
        ))
    })
}
