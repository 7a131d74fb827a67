//! Card payments the client starts in the portal, and refunds staff send
//! back through Stripe. Starting a payment records nothing: money is
//! recorded when Stripe's signed notice says it arrived.

use darkroom_db::entity::{invoice, ledger_entry};
use darkroom_db::repo;
use darkroom_domain::billing::{EntryKind, PaymentMethod};
use darkroom_domain::{ClientId, InvoiceId, StudioId, TypedId};
use serde::Serialize;

use super::client::Refund;
use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};

/// What the pay page needs to take the card (Stripe.js confirms the
/// payment in the browser; the card never reaches Darkroom).
#[derive(Clone, Debug, Serialize)]
pub struct PayStart {
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub amount_minor: i64,
    pub amount: String,
    pub currency: String,
    /// Stripe's PaymentIntent id (`pi_…`).
    pub intent: String,
    pub client_secret: String,
    pub publishable_key: String,
    pub js_url: String,
}

/// Starts (or, for the same balance, resumes) a card payment of what
/// invoice `id` of `client` owes.
pub async fn start(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
) -> CoreResult<PayStart> {
    let m = crate::billing::interface::client_invoice_row(core, studio, client, id).await?;
    let account = super::account(core, studio).await?.ok_or_else(|| {
        CoreError::conflict(
            "no_online_payments",
            "this studio does not take card payments online; pay as the invoice says, or ask the studio",
        )
    })?;
    if m.credit_note_of.is_some() {
        return Err(CoreError::not_found("invoice"));
    }
    let entries = repo::billing::entries(core.db().conn(), studio, &[m.id], None).await?;
    let owed = repo::billing::Sums::of(&entries).owed();
    let number = m.number.clone().unwrap_or_default();
    if owed <= 0 {
        return Err(CoreError::conflict(
            "nothing_owed",
            format!("invoice {number} is paid; nothing is owed on it"),
        ));
    }
    // The same balance (no money moved since) resumes the same payment.
    let key = format!("darkroom-pay-{id}-{owed}-{}", entries.len());
    let metadata = [
        ("invoice_id", id.to_string()),
        ("invoice_number", number.clone()),
        ("studio_id", studio.to_string()),
    ];
    let intent = super::client(core, &account)?
        .create_intent(owed, &m.currency, &metadata, &key)
        .await?;
    let client_secret = intent.client_secret.clone().ok_or_else(|| {
        CoreError::Unavailable("Stripe's answer has no client secret; try again".into())
    })?;
    Ok(PayStart {
        invoice_id: id,
        invoice_number: number,
        amount_minor: owed,
        amount: crate::billing::money(&m.currency, owed),
        currency: m.currency.clone(),
        intent: intent.id,
        client_secret,
        publishable_key: account.publishable_key,
        js_url: core.settings().payments.stripe_js_url.clone(),
    })
}

/// The card payment on invoice `m` that can give back `amount`: its
/// PaymentIntent id. Refunds through Stripe come from one payment.
fn refundable_intent(entries: &[ledger_entry::Model], amount: i64) -> Result<String, i64> {
    let mut paid: std::collections::BTreeMap<String, i64> = Default::default();
    for e in entries
        .iter()
        .filter(|e| e.method == Some(PaymentMethod::Stripe))
    {
        let Some(pi) = e.reference.clone() else {
            continue;
        };
        match e.kind {
            EntryKind::Payment | EntryKind::Overpayment => {
                *paid.entry(pi).or_default() += e.amount_minor
            }
            EntryKind::Refund => *paid.entry(pi).or_default() -= e.amount_minor,
            _ => {}
        }
    }
    let best = paid.iter().max_by_key(|(_, v)| **v);
    match best {
        Some((pi, left)) if *left >= amount => Ok(pi.clone()),
        Some((_, left)) => Err((*left).max(0)),
        None => Err(0),
    }
}

/// Sends `amount` of a card payment on `m` back through Stripe; the
/// ledger entry `entry` then records it under the refund's id.
pub(crate) async fn refund(
    core: &Core,
    tx: &darkroom_db::Tx,
    m: &invoice::Model,
    amount: i64,
    entry: uuid::Uuid,
) -> CoreResult<Refund> {
    let studio = StudioId::from_uuid(m.studio_id);
    let entries = repo::billing::entries(tx, studio, &[m.id], None).await?;
    let pi = refundable_intent(&entries, amount).map_err(|left| {
        CoreError::invalid(
            "amount",
            format!(
                "one card payment through Stripe can give back at most {} on this invoice; refund the rest another way",
                crate::billing::money(&m.currency, left)
            ),
        )
    })?;
    let account = super::account(core, studio).await?.ok_or_else(|| {
        CoreError::conflict(
            "no_online_payments",
            "the studio's Stripe account is disconnected; connect it again to refund by card, or refund another way",
        )
    })?;
    let entry = darkroom_domain::EntryId::from_uuid(entry).to_string();
    let mut r = super::client(core, &account)?
        .refund(&pi, amount, &entry)
        .await?;
    r.payment_intent.get_or_insert(pi);
    Ok(r)
}
