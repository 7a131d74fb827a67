//! The document a contract is frozen into when sent: the parties, the
//! proposal's lines and totals, the terms and payment schedule, and the
//! body with its variables filled. Its JSON is exactly the bytes hashed;
//! every signer sees (and the PDF prints) what it holds.

use std::collections::BTreeMap;

use darkroom_domain::billing::contract::{self as rules, Terms};
use darkroom_domain::billing::{LineKind, TaxRegime};
use darkroom_domain::money::Currency;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::terms;
use crate::billing::{InvoiceDetail, Seller};
use crate::crm::interface::BillingParty;
use crate::kernel::error::{CoreError, CoreResult};

/// A line of the proposal.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocLine {
    pub kind: LineKind,
    pub description: String,
    pub code: Option<String>,
    pub quantity: String,
    pub unit_minor: i64,
    pub discount_minor: i64,
    pub tax_rate_mp: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// A contract as sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Document {
    pub number: String,
    pub title: String,
    pub studio: String,
    pub seller: Seller,
    pub client: String,
    pub client_lines: Vec<String>,
    pub partner: Option<String>,
    pub project: String,
    pub event_on: String,
    pub venue: Option<String>,
    pub currency: String,
    pub tax_regime: TaxRegime,
    pub prices_include_tax: bool,
    pub lines: Vec<DocLine>,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub terms: Terms,
    pub deposit_minor: i64,
    pub balance_minor: i64,
    pub balance_due_on: String,
    pub body: String,
    pub sent_on: String,
}

impl Document {
    pub(crate) fn parse(json: &str) -> CoreResult<Document> {
        serde_json::from_str(json).map_err(|e| CoreError::Internal(e.into()))
    }

    pub(crate) fn currency(&self) -> Currency {
        Currency::parse(&self.currency).unwrap_or(Currency::USD)
    }

    pub(crate) fn money(&self, minor: i64) -> String {
        self.currency().format_minor(minor)
    }

    /// The body's paragraphs (split at blank lines).
    pub fn paragraphs(&self) -> Vec<String> {
        self.body
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// The day the balance is due: `days` before the event, not before today.
pub(crate) fn balance_due(event: Date, days: i64, today: Date) -> Date {
    let due = event
        .checked_sub(jiff::Span::new().days(days))
        .unwrap_or(event);
    due.max(today)
}

/// What the proposal's draft holds, as the document's lines.
pub(crate) fn lines_of(q: &InvoiceDetail) -> Vec<DocLine> {
    q.lines
        .iter()
        .map(|l| DocLine {
            kind: l.kind,
            description: l.description.clone(),
            code: l.code.clone(),
            quantity: l.quantity.clone(),
            unit_minor: l.unit_minor,
            discount_minor: l.amounts.discount_minor,
            tax_rate_mp: l.tax_rate_mp,
            net_minor: l.amounts.net_minor,
            tax_minor: l.amounts.tax_minor(),
            total_minor: l.amounts.total_minor,
        })
        .collect()
}

/// What the parties and the job are, for the document.
pub(crate) struct Parties<'a> {
    pub studio: String,
    pub seller: Seller,
    pub client: &'a BillingParty,
    pub project: &'a crate::projects::interface::ProjectView,
    pub package: Option<String>,
}

/// The document of a contract about to be sent.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    number: &str,
    title: &str,
    body: &str,
    t: &Terms,
    parties: Parties<'_>,
    q: &InvoiceDetail,
    event: Date,
    today: Date,
) -> CoreResult<Document> {
    let currency =
        Currency::parse(&q.invoice.currency).map_err(|e| CoreError::invalid("currency", e))?;
    let total = q.invoice.totals.total_minor;
    let deposit = t.deposit_of(total);
    let due = balance_due(event, t.balance_days_before, today);
    let p = parties.project;
    let c = parties.client;
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    values.insert("client.name", c.name.clone());
    values.insert("partner.name", c.partner_name.clone().unwrap_or_default());
    values.insert("studio.name", parties.studio.clone());
    values.insert("project.name", p.name.clone());
    values.insert("event.date", event.to_string());
    values.insert("event.venue", p.venue.clone().unwrap_or_default());
    values.insert("package.name", parties.package.clone().unwrap_or_default());
    values.insert("contract.number", number.to_string());
    values.insert("total", currency.format_minor(total));
    values.insert("deposit", currency.format_minor(deposit));
    values.insert("balance", currency.format_minor(total - deposit));
    values.insert("balance.due", due.to_string());
    values.insert("refund.schedule", terms::words(t, currency));
    values.insert(
        "cancellation.fee",
        currency.format_minor(t.cancellation_fee_minor),
    );
    values.insert(
        "reschedule.fee",
        currency.format_minor(t.reschedule_fee_minor),
    );
    let body = rules::render(body, &values, true).map_err(|e| CoreError::invalid("body", e))?;
    let totals = &q.invoice.totals;
    Ok(Document {
        number: number.to_string(),
        title: title.to_string(),
        studio: parties.studio,
        seller: parties.seller,
        client: c.name.clone(),
        client_lines: c.address.clone(),
        partner: c.partner_name.clone(),
        project: p.name.clone(),
        event_on: event.to_string(),
        venue: p.venue.clone(),
        currency: q.invoice.currency.clone(),
        tax_regime: q.invoice.tax_regime,
        prices_include_tax: q.invoice.prices_include_tax,
        lines: lines_of(q),
        net_minor: totals.net_minor,
        tax_minor: totals.total_minor - totals.net_minor,
        total_minor: total,
        terms: t.clone(),
        deposit_minor: deposit,
        balance_minor: total - deposit,
        balance_due_on: due.to_string(),
        body,
        sent_on: today.to_string(),
    })
}
