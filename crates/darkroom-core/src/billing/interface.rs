//! What other contexts may ask of billing: a client's own invoices and
//! balance (for the portal), one of them with its PDF, and starting a card
//! payment of one. Each read is for one client of one studio: another
//! client's invoice answers "not found", like one that does not exist.

use darkroom_db::entity::invoice;
use darkroom_db::repo;
use darkroom_domain::billing::{EntryKind, InvoiceKind, InvoiceStatus, PaymentMethod};
use darkroom_domain::{ClientId, InvoiceId, StudioId, TypedId};
use serde::Serialize;

use super::{LineView, money};
use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};

pub use super::stripe::online::PayStart;

/// An invoice or credit note as its client sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ClientInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub credit_note: bool,
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    pub currency: String,
    pub total: String,
    pub paid: String,
    pub owed_minor: i64,
    pub owed: String,
}

/// One money movement on an invoice, as its client sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ClientPayment {
    pub id: darkroom_domain::EntryId,
    /// A payment: it has a receipt.
    pub receipt: bool,
    pub kind: EntryKind,
    pub method: Option<PaymentMethod>,
    pub occurred_on: String,
    pub amount: String,
}

/// An invoice whole for its client: lines, totals and money received.
#[derive(Clone, Debug, Serialize)]
pub struct ClientInvoiceDetail {
    pub invoice: ClientInvoice,
    pub lines: Vec<LineView>,
    pub subtotal: String,
    pub tax: String,
    pub payments: Vec<ClientPayment>,
    pub notes: Option<String>,
    pub payment_instructions: Option<String>,
    /// The client may pay it by card here now.
    pub payable_online: bool,
}

/// A client's account: what it owes in each currency and what is held.
#[derive(Clone, Debug, Serialize)]
pub struct ClientAccount {
    pub invoices: Vec<ClientInvoice>,
    /// `INR 1,000.00` per currency owed.
    pub owed: Vec<String>,
    pub credit: Option<String>,
}

fn shown(m: invoice::Model, sums: &repo::billing::Sums) -> ClientInvoice {
    let owed = if m.credit_note_of.is_some() {
        0
    } else {
        sums.owed()
    };
    ClientInvoice {
        id: InvoiceId::from_uuid(m.id),
        number: m.number.clone().unwrap_or_default(),
        kind: m.kind,
        status: m.status,
        credit_note: m.credit_note_of.is_some(),
        issued_on: m.issued_on.clone(),
        due_on: m.due_on.clone(),
        total: money(&m.currency, m.total_minor),
        paid: money(&m.currency, sums.paid - sums.refunded),
        owed_minor: owed,
        owed: money(&m.currency, owed.max(0)),
        currency: m.currency,
    }
}

/// The client's issued invoices and credit notes, newest first, with what
/// is owed.
pub async fn client_account(
    core: &Core,
    studio: StudioId,
    client: ClientId,
) -> CoreResult<ClientAccount> {
    let c = core.db().conn();
    let filter = repo::billing::Filter {
        client: Some(client.uuid()),
        ..Default::default()
    };
    let rows: Vec<_> = repo::billing::list(c, studio, &filter, 500)
        .await?
        .into_iter()
        .filter(|m| m.status != InvoiceStatus::Draft)
        .collect();
    let ids: Vec<_> = rows.iter().map(|m| m.id).collect();
    let entries = repo::billing::entries(c, studio, &ids, None).await?;
    let mut owed: std::collections::BTreeMap<String, i64> = Default::default();
    let mut invoices = Vec::with_capacity(rows.len());
    for m in rows {
        let mine: Vec<_> = entries
            .iter()
            .filter(|e| e.invoice_id == Some(m.id))
            .cloned()
            .collect();
        let sums = repo::billing::Sums::of(&mine);
        let i = shown(m, &sums);
        if i.owed_minor > 0 {
            *owed.entry(i.currency.clone()).or_default() += i.owed_minor;
        }
        invoices.push(i);
    }
    let account = repo::billing::entries(c, studio, &[], Some(client.uuid())).await?;
    let credit = repo::billing::credit_of(&account);
    let currency = account.first().map(|e| e.currency.clone());
    Ok(ClientAccount {
        invoices,
        owed: owed.iter().map(|(cur, v)| money(cur, *v)).collect(),
        credit: currency
            .filter(|_| credit > 0)
            .map(|cur| money(&cur, credit)),
    })
}

/// One issued invoice of the client's, or "not found".
pub(crate) async fn client_invoice_row(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
) -> CoreResult<invoice::Model> {
    repo::billing::find(core.db().conn(), studio, id)
        .await?
        .filter(|m| m.client_id == client.uuid() && m.status != InvoiceStatus::Draft)
        .ok_or(CoreError::not_found("invoice"))
}

/// One of the client's invoices, whole.
pub async fn client_invoice(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
) -> CoreResult<ClientInvoiceDetail> {
    let m = client_invoice_row(core, studio, client, id).await?;
    let d = super::detail_of(core.db().conn(), m.clone()).await?;
    let entries = repo::billing::entries(core.db().conn(), studio, &[m.id], None).await?;
    let sums = repo::billing::Sums::of(&entries);
    let online = super::stripe::account(core, studio).await?.is_some();
    let i = shown(m, &sums);
    let seller = d.invoice.seller.clone().unwrap_or_default();
    Ok(ClientInvoiceDetail {
        payable_online: online && !i.credit_note && i.owed_minor > 0,
        subtotal: money(&i.currency, d.invoice.totals.net_minor),
        tax: money(&i.currency, d.invoice.totals.tax_minor),
        lines: d.lines,
        payments: d
            .entries
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EntryKind::Payment
                        | EntryKind::Overpayment
                        | EntryKind::Refund
                        | EntryKind::CreditApplied
                        | EntryKind::CreditNote
                )
            })
            .map(|e| ClientPayment {
                id: e.id,
                receipt: matches!(e.kind, EntryKind::Payment | EntryKind::Overpayment),
                kind: e.kind,
                method: e.method,
                occurred_on: e.occurred_on.clone(),
                amount: e.amount.clone(),
            })
            .collect(),
        notes: d.invoice.notes.clone(),
        payment_instructions: seller.payment_instructions,
        invoice: i,
    })
}

/// The PDF of one of the client's invoices: file name and bytes.
pub async fn client_invoice_pdf(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
) -> CoreResult<(String, Vec<u8>)> {
    let m = client_invoice_row(core, studio, client, id).await?;
    let credited = match m.credit_note_of {
        Some(of) => repo::billing::find(core.db().conn(), studio, InvoiceId::from_uuid(of))
            .await?
            .and_then(|o| o.number),
        None => None,
    };
    let d = super::detail_of(core.db().conn(), m).await?;
    super::pdf::render(&d, credited).await
}

/// The receipt of a payment on one of the client's invoices.
pub async fn client_receipt_pdf(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
    entry: darkroom_domain::EntryId,
) -> CoreResult<(String, Vec<u8>)> {
    let m = client_invoice_row(core, studio, client, id).await?;
    let d = super::detail_of(core.db().conn(), m).await?;
    super::receipt_pdf::render(&d, entry).await
}

/// Starts a card payment of what the client's invoice owes.
pub async fn start_payment(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: InvoiceId,
) -> CoreResult<PayStart> {
    super::stripe::online::start(core, studio, client, id).await
}

/// A contract as its client sees it (sent ones only).
#[derive(Clone, Debug, Serialize)]
pub struct ClientContract {
    pub id: darkroom_domain::ContractId,
    pub number: String,
    pub title: String,
    pub status: darkroom_domain::billing::contract::ContractStatus,
    pub total: String,
    pub event_on: Option<String>,
    /// Signed by all (its PDF carries the certificate page).
    pub signed: bool,
}

/// The client's sent contracts, newest first.
pub async fn client_contracts(
    core: &Core,
    studio: StudioId,
    client: ClientId,
) -> CoreResult<Vec<ClientContract>> {
    let f = repo::contract::Filter {
        client: Some(client.uuid()),
        sent: true,
        ..Default::default()
    };
    Ok(repo::contract::list(core.db().conn(), studio, &f, 100)
        .await?
        .into_iter()
        .map(|m| ClientContract {
            id: darkroom_domain::ContractId::from_uuid(m.id),
            number: m.number.clone().unwrap_or_default(),
            title: m.title.clone(),
            status: m.status,
            total: money(&m.currency, m.total_minor.unwrap_or(0)),
            event_on: m.event_on.clone(),
            signed: m.signed_pdf_key.is_some(),
        })
        .collect())
}

/// The PDF of one of the client's sent contracts (another's, or a draft,
/// answers "not found").
pub async fn client_contract_pdf(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: darkroom_domain::ContractId,
) -> CoreResult<(String, Vec<u8>)> {
    let m = repo::contract::find(core.db().conn(), studio, id)
        .await?
        .filter(|m| m.client_id == client.uuid() && m.sent_at.is_some())
        .ok_or(CoreError::not_found("contract"))?;
    super::contract::pdf::file_of(core, &m).await
}

/// A fresh signing link (its path) for the client's signer of a sent
/// contract: the signer with `email` if there is one who has not signed,
/// else the first who has not. That signer's emailed link stops working
/// (the newest works); signing still needs the code sent to their email.
pub async fn client_signing_path(
    core: &Core,
    studio: StudioId,
    client: ClientId,
    id: darkroom_domain::ContractId,
    email: &str,
) -> CoreResult<String> {
    use darkroom_db::entity::contract_signer;
    use darkroom_db::sea_orm::ActiveValue::Set;
    use darkroom_domain::billing::contract::{ContractStatus, SignerRole};
    let c = core.db().conn();
    let m = repo::contract::find(c, studio, id)
        .await?
        .filter(|m| m.client_id == client.uuid() && m.sent_at.is_some())
        .ok_or(CoreError::not_found("contract"))?;
    if m.status != ContractStatus::Sent {
        return Err(CoreError::conflict(
            "contract_signed",
            "this contract is not waiting for signatures",
        ));
    }
    let waiting: Vec<contract_signer::Model> = repo::contract::signers(c, studio, m.id)
        .await?
        .into_iter()
        .filter(|s| s.role == SignerRole::Client && s.signed_at.is_none())
        .collect();
    let s = waiting
        .iter()
        .find(|s| s.email.eq_ignore_ascii_case(email))
        .or_else(|| waiting.first())
        .ok_or_else(|| CoreError::conflict("already_signed", "everyone on your side has signed"))?;
    let token = crate::kernel::secret::new_token("sgn_");
    let am = contract_signer::ActiveModel {
        token_hash: Set(Some(crate::kernel::secret::hash_token(&token))),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    crate::kernel::write::update::<contract_signer::Entity, _>(
        core,
        &tx,
        studio,
        s.id,
        s.version,
        am,
        |x| super::contract::signer_view(&x),
    )
    .await?;
    crate::commit(tx).await?;
    Ok(format!("/sign/{token}"))
}
