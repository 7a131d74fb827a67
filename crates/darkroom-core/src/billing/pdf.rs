//! An invoice or credit note as a PDF: what it prints, in the order its
//! regime asks (a GST tax invoice's SAC codes, CGST and SGST or IGST, place
//! of supply, reverse charge, signatory), typeset by the documents crate.

use darkroom_domain::InvoiceId;
use darkroom_domain::billing::{InvoiceStatus, TaxRegime, gst};
use darkroom_domain::permission::Permission;
use serde_json::{Value, json};

use super::{InvoiceDetail, InvoiceView, LineView};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// An amount without its currency code (`1,180.00`), for table cells.
fn bare(currency: &str, minor: i64) -> String {
    let shown = super::money(currency, minor);
    shown
        .split_once(' ')
        .map_or(shown.clone(), |(_, n)| n.to_string())
}

fn state(code: Option<&str>) -> Option<String> {
    let c = code?;
    Some(format!("{} ({c})", gst::state_name(c).unwrap_or(c)))
}

fn tax_label(kind: Option<&str>) -> &'static str {
    match kind {
        Some("gstin") => "GSTIN",
        Some("vat") => "VAT",
        Some("ein") => "EIN",
        Some("abn") => "ABN",
        Some("brn") => "사업자등록번호",
        _ => "Tax number",
    }
}

fn title(i: &InvoiceView) -> &'static str {
    if i.credit_note_of.is_some() {
        "Credit note"
    } else if i.status == InvoiceStatus::Draft {
        "Draft invoice"
    } else {
        match i.tax_regime {
            TaxRegime::GstIn => "Tax invoice",
            TaxRegime::Vat => "VAT invoice",
            _ => "Invoice",
        }
    }
}

/// Which tax columns the lines show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Columns {
    Split,
    Igst,
    One,
}

fn columns_of(i: &InvoiceView) -> Columns {
    match i.tax_regime {
        TaxRegime::GstIn if i.totals.igst_minor > 0 || i.place_of_supply != i.supplier_state => {
            Columns::Igst
        }
        TaxRegime::GstIn => Columns::Split,
        _ => Columns::One,
    }
}

fn header(cols: Columns, ut: bool, discounts: bool) -> (Vec<&'static str>, Vec<u32>) {
    let mut names = vec!["Item"];
    let mut widths = vec![0];
    if cols != Columns::One {
        names.push("SAC");
        widths.push(14);
    }
    names.extend(["Qty", "Price"]);
    widths.extend([11, 22]);
    if discounts {
        names.push("Discount");
        widths.push(18);
    }
    names.extend(["Taxable", "Rate"]);
    widths.extend([21, 11]);
    match cols {
        Columns::Split => {
            names.extend(["CGST", if ut { "UTGST" } else { "SGST" }]);
            widths.extend([18, 18]);
        }
        Columns::Igst => {
            names.push("IGST");
            widths.push(20);
        }
        Columns::One => {
            names.push("Tax");
            widths.push(20);
        }
    }
    names.push("Total");
    widths.push(22);
    (names, widths)
}

fn cells(l: &LineView, cur: &str, cols: Columns, discounts: bool) -> Vec<String> {
    let a = &l.amounts;
    let mut out = vec![l.description.clone()];
    if cols != Columns::One {
        out.push(l.code.clone().unwrap_or_default());
    }
    out.extend([l.quantity.clone(), bare(cur, l.unit_minor)]);
    if discounts {
        out.push(if a.discount_minor > 0 {
            bare(cur, a.discount_minor)
        } else {
            String::new()
        });
    }
    out.push(bare(cur, a.net_minor));
    out.push(format!("{}%", l.tax_rate));
    match cols {
        Columns::Split => {
            out.push(bare(cur, a.cgst_minor));
            out.push(bare(cur, a.sgst_minor));
        }
        Columns::Igst => out.push(bare(cur, a.igst_minor)),
        Columns::One => out.push(bare(cur, a.vat_minor)),
    }
    out.push(bare(cur, a.total_minor));
    out
}

fn totals(i: &InvoiceView, cols: Columns, ut: bool) -> Vec<Value> {
    let cur = i.currency.as_str();
    let t = &i.totals;
    let mut rows = vec![json!(["Taxable value", bare(cur, t.net_minor), false])];
    if t.discount_minor > 0 {
        rows.insert(
            0,
            json!([
                "Discounts",
                format!("-{}", bare(cur, t.discount_minor)),
                false
            ]),
        );
    }
    match cols {
        Columns::Split => {
            rows.push(json!(["CGST", bare(cur, t.cgst_minor), false]));
            rows.push(json!([
                if ut { "UTGST" } else { "SGST" },
                bare(cur, t.sgst_minor),
                false
            ]));
        }
        Columns::Igst => rows.push(json!(["IGST", bare(cur, t.igst_minor), false])),
        Columns::One if t.vat_minor > 0 || i.tax_regime != TaxRegime::None => {
            let label = match i.tax_regime {
                TaxRegime::SalesTax => "Sales tax",
                TaxRegime::VatKr => "VAT (부가세)",
                _ => "VAT",
            };
            rows.push(json!([label, bare(cur, t.vat_minor), false]));
        }
        Columns::One => {}
    }
    rows.push(json!(["Total", super::money(cur, t.total_minor), true]));
    if i.status != InvoiceStatus::Draft && i.credit_note_of.is_none() {
        if i.paid_minor != 0 {
            rows.push(json!(["Paid", super::money(cur, i.paid_minor), false]));
        }
        if i.credited_minor != 0 {
            rows.push(json!([
                "Credited",
                super::money(cur, i.credited_minor),
                false
            ]));
        }
        rows.push(json!(["Balance due", i.owed.clone(), true]));
    }
    rows
}

/// The seller and the buyer as printed.
fn parties(i: &InvoiceView, gst: bool) -> (Value, Value) {
    let seller = i.seller.clone().unwrap_or_default();
    let buyer = i.bill_to.clone().unwrap_or_default();
    let mut seller_lines = seller.address.clone();
    seller_lines.extend(
        [seller.phone.clone(), seller.email.clone()]
            .into_iter()
            .flatten(),
    );
    let mut seller_ids = Vec::new();
    if let Some(t) = &seller.tax_id {
        seller_ids.push(json!([tax_label(seller.tax_id_kind.as_deref()), t]));
    }
    if gst && let Some(s) = state(i.supplier_state.as_deref()) {
        seller_ids.push(json!(["State", s]));
    }
    let mut buyer_ids = Vec::new();
    if let Some(t) = &buyer.tax_id {
        buyer_ids.push(json!([tax_label(buyer.tax_id_kind.as_deref()), t]));
    }
    let name = match &buyer.partner_name {
        Some(p) => format!("{} & {p}", buyer.name),
        None => buyer.name.clone(),
    };
    (
        json!({ "name": seller.branch, "lines": seller_lines, "ids": seller_ids }),
        json!({ "name": name, "lines": buyer.address, "ids": buyer_ids }),
    )
}

/// What the template prints for invoice `d`.
pub fn invoice_data(d: &InvoiceDetail, credited_number: Option<&str>) -> Value {
    let i = &d.invoice;
    let cur = i.currency.as_str();
    let gst = i.tax_regime == TaxRegime::GstIn;
    let ut = i
        .supplier_state
        .as_deref()
        .is_some_and(gst::is_union_territory);
    let cols = columns_of(i);
    let discounts = d.lines.iter().any(|l| l.amounts.discount_minor > 0);
    let (names, widths) = header(cols, ut, discounts);
    let seller = i.seller.clone().unwrap_or_default();
    let (seller_party, buyer_party) = parties(i, gst);
    let mut facts = vec![json!([
        "Date",
        i.issued_on.clone().unwrap_or_else(|| "not issued".into())
    ])];
    if let Some(due) = &i.due_on
        && i.credit_note_of.is_none()
    {
        facts.push(json!(["Due", due]));
    }
    if let Some(po) = &i.po_number {
        facts.push(json!(["PO number", po]));
    }
    let mut supply = Vec::new();
    if gst {
        if let Some(p) = state(i.place_of_supply.as_deref()) {
            supply.push(json!(["Place of supply", p]));
        }
        supply.push(json!(["Reverse charge", "No"]));
    }
    if let Some(n) = credited_number {
        supply.push(json!(["Against invoice", n]));
    }
    let mut sections = Vec::new();
    for (h, body) in [
        ("Reason", i.reason.clone()),
        ("Notes", i.notes.clone()),
        (
            "How to pay",
            seller
                .payment_instructions
                .clone()
                .filter(|_| i.credit_note_of.is_none()),
        ),
    ] {
        if let Some(b) = body {
            sections.push(json!([h, b]));
        }
    }
    let number = i.number.clone().unwrap_or_else(|| "DRAFT".into());
    json!({
        "title": title(i), "number": number, "lang": "en", "has_logo": false,
        "footer_line": format!("{} · {}{}", seller.studio, number, seller.footer.as_deref().map(|f| format!(" · {f}")).unwrap_or_default()),
        "studio": if seller.studio.is_empty() { seller.branch.clone() } else { seller.studio.clone() },
        "seller": seller_party,
        "facts": facts,
        "buyer_label": if i.credit_note_of.is_some() { "Credited to" } else { "Bill to" },
        "buyer": buyer_party,
        "supply": supply,
        "columns": names, "widths": widths, "code_column": cols != Columns::One,
        "lines": d.lines.iter().map(|l| json!({ "cells": cells(l, cur, cols, discounts) })).collect::<Vec<_>>(),
        "totals": totals(i, cols, ut),
        "words": null,
        "sections": sections,
        "signatory": gst.then_some("Authorised signatory"),
    })
}

/// An invoice or credit note as a PDF: its file name and bytes.
pub async fn invoice_pdf(
    core: &Core,
    p: &Principal,
    id: InvoiceId,
) -> CoreResult<(String, Vec<u8>)> {
    let d = super::detail(core, p, id).await?;
    super::load(core, p, id, Permission::InvoiceView).await?;
    let credited = match d.invoice.credit_note_of {
        Some(of) => {
            super::load(core, p, of, Permission::InvoiceView)
                .await?
                .number
        }
        None => None,
    };
    render(&d, credited).await
}

/// Typesets `d` off the async threads.
pub(crate) async fn render(
    d: &InvoiceDetail,
    credited: Option<String>,
) -> CoreResult<(String, Vec<u8>)> {
    let data = invoice_data(d, credited.as_deref());
    let name = format!(
        "{}.pdf",
        d.invoice
            .number
            .as_deref()
            .unwrap_or("draft-invoice")
            .replace(['/', '\\'], "-")
    );
    Ok((name, typeset(data).await?))
}

/// Typesets invoice-template `data` (an invoice, credit note or receipt)
/// off the async threads.
pub(crate) async fn typeset(data: Value) -> CoreResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        darkroom_docs::render(darkroom_docs::Template::Invoice, &data, None)
    })
    .await
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("the PDF worker stopped: {e}")))?
    .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))
}
