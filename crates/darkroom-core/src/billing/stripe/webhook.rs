//! Stripe's signed notices. The signature is checked against the studio's
//! signing secret before anything is read; then each payment and refund is
//! recorded once, keyed by Stripe's id in the ledger's `external_id`, so a
//! notice delivered ten times, or a refund's notice arriving before the
//! payment's, moves money exactly once. Notices about objects Darkroom did
//! not start (no invoice of this studio in the metadata) are acknowledged
//! and left alone.

use darkroom_db::entity::{invoice, ledger_entry};
use darkroom_db::repo;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::{EntryKind, PaymentMethod};
use darkroom_domain::{BranchId, InvoiceId, StudioId, TypedId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{Intent, IntentStatus, Refund};
use super::signature;
use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta};

/// What a notice did, for Stripe's delivery log and ours.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Stripe's event id (`evt_…`).
    pub event: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// What was recorded or why nothing was, one line per object.
    pub results: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: Value,
}

/// How long a refund Darkroom itself asked for may go unrecorded before a
/// notice records it on its own (the staff's request is still committing).
const OWN_REFUND_GRACE_SECS: i64 = 600;

/// Checks and takes one notice for `studio`.
pub async fn receive(
    core: &Core,
    studio: StudioId,
    signature_header: Option<&str>,
    body: &[u8],
) -> CoreResult<Outcome> {
    let account = super::account(core, studio)
        .await?
        .ok_or(CoreError::not_found("Stripe endpoint"))?;
    let tolerance =
        i64::try_from(core.settings().payments.webhook_tolerance.as_secs()).unwrap_or(300);
    let now = core.now().as_micros() / 1_000_000;
    signature::verify(
        signature_header,
        body,
        &account.webhook_secret,
        now,
        tolerance,
    )
    .map_err(|e| CoreError::Unauthenticated {
        message: e.to_string(),
    })?;
    let ev: Envelope = serde_json::from_slice(body).map_err(|e| {
        CoreError::invalid("body", format!("the notice is not a Stripe event ({e})"))
    })?;
    let mut results = Vec::new();
    match ev.kind.as_str() {
        "payment_intent.succeeded" => {
            let intent: Intent = object(&ev.data.object)?;
            results.push(take_payment(core, studio, &intent).await?);
        }
        "charge.refunded" | "charge.refund.updated" | "refund.created" | "refund.updated" => {
            let intent = ev
                .data
                .object
                .get("payment_intent")
                .and_then(Value::as_str)
                .map(String::from);
            match intent {
                Some(pi) => {
                    let stripe = super::client(core, &account)?;
                    results.extend(sync_refunds(core, studio, &stripe, &pi).await?);
                }
                None => results.push("not a payment Darkroom started; left alone".into()),
            }
        }
        other => results.push(format!("`{other}` is not a notice Darkroom acts on")),
    }
    tracing::info!(event = %ev.id, kind = %ev.kind, ?results, "stripe notice");
    Ok(Outcome {
        event: ev.id,
        kind: ev.kind,
        results,
    })
}

fn object<T: serde::de::DeserializeOwned>(v: &Value) -> CoreResult<T> {
    serde_json::from_value(v.clone()).map_err(|e| {
        CoreError::invalid(
            "data.object",
            format!("the event's object is not what its type says ({e})"),
        )
    })
}

/// The invoice a payment was for, if it is one of this studio's.
async fn invoice_of(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    studio: StudioId,
    intent: &Intent,
) -> CoreResult<Option<invoice::Model>> {
    let Some(id) = intent
        .metadata
        .get("invoice_id")
        .and_then(|s| InvoiceId::parse(s).ok())
    else {
        return Ok(None);
    };
    Ok(repo::billing::find(c, studio, id).await?)
}

/// Records a succeeded payment once: what the invoice owes as a payment,
/// anything beyond as the client's credit.
pub(crate) async fn take_payment(
    core: &Core,
    studio: StudioId,
    intent: &Intent,
) -> CoreResult<String> {
    if intent.status != IntentStatus::Succeeded {
        return Ok(format!(
            "{}: {:?}, nothing to record yet",
            intent.id, intent.status
        ));
    }
    let tx = core.db().begin().await?;
    if repo::billing::entry_by_external(&tx, studio, &intent.id)
        .await?
        .is_some()
    {
        return Ok(format!("{}: recorded already", intent.id));
    }
    let Some(m) = invoice_of(&tx, studio, intent).await? else {
        return Ok(format!(
            "{}: not for an invoice of this studio; left alone",
            intent.id
        ));
    };
    if !intent.currency.eq_ignore_ascii_case(&m.currency) {
        unmatched(core, &tx, &m, intent).await?;
        crate::commit(tx).await?;
        return Ok(format!(
            "{}: paid in {} but invoice is in {}; recorded for staff to resolve",
            intent.id, intent.currency, m.currency
        ));
    }
    let today = today(core, &tx, &m).await?;
    let entries = repo::billing::entries(&tx, studio, &[m.id], None).await?;
    let owed = repo::billing::Sums::of(&entries).owed().max(0);
    let amount = intent.received();
    let applied = amount.min(owed);
    for mut r in payment_rows(core, &m, intent, applied, &today) {
        r.reference = Some(intent.id.clone());
        repo::billing::append(&tx, r).await?;
    }
    let status = crate::billing::issue::settle(core, &tx, &m, &today).await?;
    gateway_audit(
        core,
        &tx,
        &m,
        ("payment.recorded", Severity::Medium),
        serde_json::json!({
            "amount": amount, "method": PaymentMethod::Stripe, "currency": m.currency,
            "received_on": today, "status": status, "held_as_credit": amount - applied,
            "stripe_payment_intent": intent.id,
        }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(format!("{}: payment of {amount} recorded", intent.id))
}

/// What is owed taken as a payment, the rest as the client's credit; the
/// first row carries the payment's id, so it is taken once.
fn payment_rows(
    core: &Core,
    m: &invoice::Model,
    intent: &Intent,
    applied: i64,
    today: &str,
) -> Vec<ledger_entry::Model> {
    let amount = intent.received();
    let mut rows = Vec::new();
    if applied > 0 {
        rows.push(row(core, m, EntryKind::Payment, applied, today, &intent.id));
    }
    if amount > applied {
        let key = if rows.is_empty() {
            intent.id.clone()
        } else {
            format!("{}:credit", intent.id)
        };
        rows.push(row(
            core,
            m,
            EntryKind::Overpayment,
            amount - applied,
            today,
            &key,
        ));
    }
    rows
}

fn row(
    core: &Core,
    m: &invoice::Model,
    kind: EntryKind,
    amount: i64,
    day: &str,
    external: &str,
) -> ledger_entry::Model {
    let mut r = crate::billing::entry_row(core, None, m, kind, amount, day);
    r.method = Some(PaymentMethod::Stripe);
    r.external_id = Some(external.to_string());
    r
}

async fn today(core: &Core, tx: &darkroom_db::Tx, m: &invoice::Model) -> CoreResult<String> {
    let (b, _) = crate::billing::profile::branch_settings(
        tx,
        StudioId::from_uuid(m.studio_id),
        BranchId::from_uuid(m.branch_id),
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    Ok(crate::billing::issue::today_at(core, &b).to_string())
}

/// Records every finished refund of payment `pi` not recorded yet (the
/// payment first, if its own notice has not come).
pub(crate) async fn sync_refunds(
    core: &Core,
    studio: StudioId,
    stripe: &super::Stripe,
    pi: &str,
) -> CoreResult<Vec<String>> {
    let mut results = Vec::new();
    let c = core.db().conn();
    if repo::billing::entry_by_external(c, studio, pi)
        .await?
        .is_none()
    {
        let intent = stripe.intent(pi).await?;
        results.push(take_payment(core, studio, &intent).await?);
    }
    let Some(paid) = repo::billing::entry_by_external(c, studio, pi).await? else {
        results.push(format!(
            "{pi}: not a payment of this studio's invoices; left alone"
        ));
        return Ok(results);
    };
    let now = core.now().as_micros() / 1_000_000;
    for r in stripe.refunds_of(pi).await? {
        if !r.done() {
            results.push(format!("{}: {:?}, nothing to record yet", r.id, r.status));
            continue;
        }
        if repo::billing::entry_by_external(c, studio, &r.id)
            .await?
            .is_some()
        {
            results.push(format!("{}: recorded already", r.id));
            continue;
        }
        if r.metadata.contains_key("darkroom_entry") && now - r.created < OWN_REFUND_GRACE_SECS {
            return Err(CoreError::Unavailable(format!(
                "refund {} was asked for from Darkroom and is still being recorded; send the notice again later",
                r.id
            )));
        }
        results.push(take_refund(core, studio, &paid, &r).await?);
    }
    Ok(results)
}

/// Records one refund made in Stripe (its dashboard, or Darkroom's request
/// whose own recording never finished), without a credit note: the client
/// owes it again until staff credit it.
async fn take_refund(
    core: &Core,
    studio: StudioId,
    paid: &ledger_entry::Model,
    r: &Refund,
) -> CoreResult<String> {
    let Some(invoice) = paid.invoice_id else {
        return Ok(format!(
            "{}: its payment is on no invoice; left alone",
            r.id
        ));
    };
    let tx = core.db().begin().await?;
    if repo::billing::entry_by_external(&tx, studio, &r.id)
        .await?
        .is_some()
    {
        return Ok(format!("{}: recorded already", r.id));
    }
    let m = repo::billing::find(&tx, studio, InvoiceId::from_uuid(invoice))
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    let today = today(core, &tx, &m).await?;
    let mut e = row(core, &m, EntryKind::Refund, r.amount, &today, &r.id);
    e.reference = r.payment_intent.clone();
    e.note = Some("Refunded in Stripe".into());
    repo::billing::append(&tx, e).await?;
    let fresh = repo::billing::find(&tx, studio, InvoiceId::from_uuid(invoice))
        .await?
        .ok_or(CoreError::not_found("invoice"))?;
    let status = crate::billing::issue::settle(core, &tx, &fresh, &today).await?;
    gateway_audit(
        core,
        &tx,
        &m,
        ("payment.refunded", Severity::High),
        serde_json::json!({
            "amount": r.amount, "method": PaymentMethod::Stripe, "currency": m.currency,
            "status": status, "stripe_refund": r.id, "stripe_payment_intent": r.payment_intent,
        }),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(format!("{}: refund of {} recorded", r.id, r.amount))
}

async fn unmatched(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
    intent: &Intent,
) -> CoreResult<()> {
    gateway_audit(
        core,
        tx,
        m,
        ("payment.unmatched", Severity::High),
        serde_json::json!({
            "amount": intent.received(), "currency": intent.currency,
            "invoice_currency": m.currency, "stripe_payment_intent": intent.id,
        }),
    )
    .await
}

async fn gateway_audit(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
    (event_type, severity): (&'static str, Severity),
    payload: Value,
) -> CoreResult<()> {
    audit::record(
        core,
        tx,
        &Meta::system(),
        Event {
            studio: Some(StudioId::from_uuid(m.studio_id)),
            branch: Some(BranchId::from_uuid(m.branch_id)),
            who: Who::system("Stripe"),
            event_type,
            severity,
            target_type: "invoice",
            target_id: InvoiceId::from_uuid(m.id).to_string(),
            payload,
        },
    )
    .await
}
