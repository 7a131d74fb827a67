//! The client's money in the portal: their invoices and balance, one
//! invoice with its PDF, and paying it by card. Everything is read for the
//! client the link was sent to, through billing's interface.

use darkroom_domain::InvoiceId;

use super::Visitor;
use crate::Core;
use crate::billing::interface::{self, ClientAccount, ClientInvoiceDetail, PayStart};
use crate::kernel::error::CoreResult;

/// The client's invoices, what they owe and their credit.
pub async fn account(core: &Core, v: &Visitor) -> CoreResult<ClientAccount> {
    interface::client_account(core, v.studio, v.client).await
}

/// One of the client's invoices (another's answers "not found").
pub async fn invoice(core: &Core, v: &Visitor, id: InvoiceId) -> CoreResult<ClientInvoiceDetail> {
    interface::client_invoice(core, v.studio, v.client, id).await
}

/// The PDF of one of the client's invoices.
pub async fn invoice_pdf(core: &Core, v: &Visitor, id: InvoiceId) -> CoreResult<(String, Vec<u8>)> {
    interface::client_invoice_pdf(core, v.studio, v.client, id).await
}

/// The receipt of a payment on one of the client's invoices.
pub async fn receipt_pdf(
    core: &Core,
    v: &Visitor,
    id: InvoiceId,
    entry: darkroom_domain::EntryId,
) -> CoreResult<(String, Vec<u8>)> {
    interface::client_receipt_pdf(core, v.studio, v.client, id, entry).await
}

/// A fresh link to sign one of the client's sent contracts (for the
/// person the portal link went to, when they sign it).
pub async fn sign_path(
    core: &Core,
    v: &Visitor,
    id: darkroom_domain::ContractId,
) -> CoreResult<String> {
    let link = darkroom_db::repo::portal::find(
        core.db().conn(),
        v.studio,
        darkroom_domain::TypedId::uuid(&v.client),
        darkroom_domain::TypedId::uuid(&v.link),
    )
    .await?
    .ok_or(crate::kernel::error::CoreError::not_found("portal link"))?;
    interface::client_signing_path(core, v.studio, v.client, id, &link.email).await
}

/// Starts paying what one of the client's invoices owes, by card.
pub async fn pay(core: &Core, v: &Visitor, id: InvoiceId) -> CoreResult<PayStart> {
    interface::start_payment(core, v.studio, v.client, id).await
}

/// One of the client's contracts as a PDF (signed, with its certificate,
/// once everyone signed).
pub async fn contract_pdf(
    core: &Core,
    v: &Visitor,
    id: darkroom_domain::ContractId,
) -> CoreResult<(String, Vec<u8>)> {
    interface::client_contract_pdf(core, v.studio, v.client, id).await
}
