//! A payment receipt as a PDF: the money received against an invoice (the
//! day, the method, the reference), what the invoice totals and what is
//! still owed, on the invoice's seller and client as issued. Its number is
//! the invoice's with the payment's place among its payments
//! (`BLR-2026-27/000123-R2`): the same receipt every time it is printed.

use darkroom_domain::billing::{EntryKind, PaymentMethod};
use darkroom_domain::permission::Permission;
use darkroom_domain::{EntryId, InvoiceId};
use serde_json::{Value, json};

use super::{EntryView, InvoiceDetail};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// The payment `entry` of `d` and its place (1 first) among its payments.
fn payment_of(d: &InvoiceDetail, entry: EntryId) -> CoreResult<(usize, &EntryView)> {
    d.entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Payment | EntryKind::Overpayment))
        .enumerate()
        .find(|(_, e)| e.id == entry)
        .map(|(i, e)| (i + 1, e))
        .ok_or(CoreError::not_found("payment"))
}

fn method_label(m: Option<PaymentMethod>) -> &'static str {
    m.map_or("—", PaymentMethod::label)
}

/// What the template prints for the receipt of payment `entry` on `d`.
pub fn receipt_data(d: &InvoiceDetail, entry: EntryId) -> CoreResult<(String, Value)> {
    let (nth, e) = payment_of(d, entry)?;
    let i = &d.invoice;
    let invoice_number = i.number.clone().unwrap_or_default();
    let number = format!("{invoice_number}-R{nth}");
    let mut v = super::pdf::invoice_data(d, None);
    let mut facts = vec![
        json!(["Received on", e.occurred_on]),
        json!(["Invoice", invoice_number]),
        json!(["Method", method_label(e.method)]),
    ];
    if let Some(r) = &e.reference {
        facts.push(json!(["Reference", r]));
    }
    let what = format!(
        "Payment towards invoice {invoice_number}{}",
        i.issued_on
            .as_deref()
            .map(|d| format!(" of {d}"))
            .unwrap_or_default()
    );
    v["title"] = json!("Payment receipt");
    v["number"] = json!(number);
    v["facts"] = json!(facts);
    v["buyer_label"] = json!("Received from");
    v["supply"] = json!([]);
    v["columns"] = json!(["Item", "Amount"]);
    v["widths"] = json!([0, 40]);
    v["code_column"] = json!(false);
    v["lines"] = json!([{ "cells": [what, e.amount] }]);
    v["totals"] = json!([
        ["Received", e.amount, true],
        ["Invoice total", i.total, false],
        ["Balance due today", i.owed, true],
    ]);
    v["sections"] = json!([]);
    v["signatory"] = Value::Null;
    v["footer_line"] = json!(format!(
        "{} · {number}",
        i.seller
            .as_ref()
            .map(|s| s.studio.clone())
            .unwrap_or_default()
    ));
    Ok((number, v))
}

/// Typesets the receipt off the async threads: its file name and bytes.
pub(crate) async fn render(d: &InvoiceDetail, entry: EntryId) -> CoreResult<(String, Vec<u8>)> {
    let (number, data) = receipt_data(d, entry)?;
    let name = format!("{}.pdf", number.replace(['/', '\\'], "-"));
    Ok((name, super::pdf::typeset(data).await?))
}

/// The receipt of a payment on an invoice, for staff.
pub async fn receipt_pdf(
    core: &Core,
    p: &Principal,
    id: InvoiceId,
    entry: EntryId,
) -> CoreResult<(String, Vec<u8>)> {
    super::load(core, p, id, Permission::InvoiceView).await?;
    let d = super::detail(core, p, id).await?;
    render(&d, entry).await
}
