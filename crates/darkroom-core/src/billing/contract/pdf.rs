//! A contract as a PDF: the proposal, the terms and schedule, the body,
//! the document's SHA-256; once signed, a certificate page with each
//! signature (typed, or the drawn image) and its evidence.

use darkroom_db::entity::contract_signer;
use darkroom_domain::Timestamp;
use darkroom_domain::billing::contract::{SignatureKind, SignerRole};
use darkroom_domain::billing::lines::fmt_rate;
use serde_json::{Value, json};

use super::document::Document;
use crate::kernel::error::{CoreError, CoreResult};

fn bare(d: &Document, minor: i64) -> String {
    let shown = d.money(minor);
    shown
        .split_once(' ')
        .map_or(shown.clone(), |(_, n)| n.to_string())
}

fn when(v: Option<i64>) -> String {
    v.map_or_else(
        || "—".to_string(),
        |t| {
            let s = Timestamp::from_micros(t).to_rfc3339();
            format!("{} UTC", s.trim_end_matches('Z').replace('T', " "))
        },
    )
}

/// A hash in groups of 16 (it reads, and wraps on a page).
fn grouped(hex: &str) -> String {
    hex.as_bytes()
        .chunks(16)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn terms_rows(d: &Document) -> Vec<Value> {
    let t = &d.terms;
    let c = d.currency();
    let deposit = match t.deposit {
        darkroom_domain::billing::contract::Deposit::Percent { rate_mp } => {
            format!(
                "{} ({}% of the total), due on signing",
                d.money(d.deposit_minor),
                fmt_rate(rate_mp)
            )
        }
        darkroom_domain::billing::contract::Deposit::Amount { .. } => {
            format!("{}, due on signing", d.money(d.deposit_minor))
        }
    };
    let mut rows = vec![
        json!(["Total", d.money(d.total_minor)]),
        json!(["Deposit", deposit]),
        json!([
            "Balance",
            format!(
                "{}, due {} days before the event ({})",
                d.money(d.balance_minor),
                t.balance_days_before,
                d.balance_due_on
            )
        ]),
        json!(["Refunds", super::terms::words(t, c)]),
    ];
    if t.reschedule_fee_minor > 0 {
        rows.push(json!([
            "Rescheduling",
            format!(
                "{} to move the event to another day",
                d.money(t.reschedule_fee_minor)
            )
        ]));
    }
    rows
}

/// The certificate page: each signature with its evidence; drawn ones'
/// images are added to `images` and named by their place there.
fn certificate(list: &[contract_signer::Model], sha256: &str, images: &mut Vec<Vec<u8>>) -> Value {
    let rows: Vec<Value> = list
        .iter()
        .filter(|s| s.signed_at.is_some())
        .map(|s| {
            let image = match (s.signature_kind, super::sign::signature_png(s)) {
                (Some(SignatureKind::Drawn), Some(png)) => {
                    images.push(png);
                    Value::String(format!("image{}", images.len() - 1))
                }
                _ => Value::Null,
            };
            let role = match s.role {
                SignerRole::Client => "client",
                SignerRole::Studio => "for the studio",
            };
            let confirmed = if s.role == SignerRole::Studio {
                json!(["Signed in as", "staff account"])
            } else {
                json!(["Code confirmed", when(s.verified_at)])
            };
            let facts = vec![
                json!(["Email", s.email]),
                json!(["Viewed", when(s.viewed_at)]),
                confirmed,
                json!(["Consented", when(s.consented_at)]),
                json!(["Signed", when(s.signed_at)]),
                json!(["IP address", s.ip.clone().unwrap_or_default()]),
                json!(["Browser", s.user_agent.clone().unwrap_or_default()]),
                json!([
                    "Document SHA-256",
                    grouped(s.document_sha256.as_deref().unwrap_or(""))
                ]),
            ];
            let typed = s
                .signature
                .clone()
                .filter(|_| s.signature_kind == Some(SignatureKind::Typed))
                .unwrap_or_default();
            json!({
                "name": s.name, "role": role, "facts": facts, "image": image, "typed": typed,
                "signed_line": format!("{} · {}", s.name, when(s.signed_at)),
            })
        })
        .collect();
    json!({
        "intro": format!("Each signer below saw the document with SHA-256 {}, confirmed a one-time code sent to their email address (the studio signed in to its account), agreed to sign electronically, and signed. Times are UTC.", grouped(sha256)),
        "signers": rows,
    })
}

/// The data the contract template prints, and the drawn signatures'
/// images in the order the data names them.
pub fn data(
    d: &Document,
    signers: Option<&[contract_signer::Model]>,
    sha256: &str,
) -> (Value, Vec<Vec<u8>>) {
    let lines: Vec<Value> = d
        .lines
        .iter()
        .map(|l| {
            json!([
                l.description,
                l.quantity,
                bare(d, l.unit_minor),
                bare(d, l.total_minor)
            ])
        })
        .collect();
    let mut totals = vec![json!(["Before tax", bare(d, d.net_minor), false])];
    if d.tax_minor != 0 {
        totals.push(json!(["Tax", bare(d, d.tax_minor), false]));
    }
    totals.push(json!(["Total", d.money(d.total_minor), true]));
    let schedule = vec![
        json!(["Deposit", bare(d, d.deposit_minor), "On signing"]),
        json!([
            "Balance",
            bare(d, d.balance_minor),
            d.balance_due_on.clone()
        ]),
    ];
    let mut images = Vec::new();
    let certificate = signers.map(|list| certificate(list, sha256, &mut images));
    let mut seller_lines = d.seller.address.clone();
    seller_lines.extend(
        [d.seller.phone.clone(), d.seller.email.clone()]
            .into_iter()
            .flatten(),
    );
    let mut buyer_lines = d.client_lines.clone();
    if let Some(p) = &d.partner {
        buyer_lines.insert(0, format!("and {p}"));
    }
    let mut facts = vec![json!(["Sent", d.sent_on]), json!(["Event", d.event_on])];
    if let Some(v) = &d.venue {
        facts.push(json!(["Venue", v]));
    }
    facts.push(json!(["For", d.project]));
    let value = json!({
        "title": d.title, "number": d.number, "lang": "en", "has_logo": false,
        "studio": d.studio,
        "footer_line": format!("{} · {} · SHA-256 {}", d.studio, d.number, &sha256[..sha256.len().min(16)]),
        "seller": { "name": d.seller.branch.clone(), "lines": seller_lines },
        "buyer": { "name": d.client, "lines": buyer_lines },
        "facts": facts,
        "lines": lines, "totals": totals,
        "terms": terms_rows(d), "schedule": schedule,
        "body": d.paragraphs(),
        "document_sha256": sha256,
        "certificate": certificate,
    });
    (value, images)
}

/// Typesets the contract (with its certificate page when `signers` is
/// given), off the async threads; with the file name to give it.
pub async fn render(
    d: &Document,
    signers: Option<&[contract_signer::Model]>,
    sha256: &str,
) -> CoreResult<(String, Vec<u8>)> {
    let (value, images) = data(d, signers, sha256);
    let name = format!(
        "{}{}.pdf",
        d.number.replace(['/', '\\'], "-"),
        if signers.is_some() { "-signed" } else { "" }
    );
    let pdf = tokio::task::spawn_blocking(move || {
        darkroom_docs::render_with_images(darkroom_docs::Template::Contract, &value, None, images)
    })
    .await
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("the PDF worker stopped: {e}")))?
    .map_err(|e| CoreError::Internal(anyhow::anyhow!(e)))?;
    Ok((name, pdf))
}

/// The contract's file: the signed PDF once signed, else the document as
/// sent (a draft has none yet).
pub(crate) async fn file_of(
    core: &crate::Core,
    m: &darkroom_db::entity::contract::Model,
) -> CoreResult<(String, Vec<u8>)> {
    if m.signed_pdf_key.is_some() {
        return super::countersign::signed_pdf(core, m).await;
    }
    let Some(json) = m.document.as_deref() else {
        return Err(CoreError::conflict(
            "not_sent",
            "a draft has no document yet; send it first (its proposal is the draft invoice)",
        ));
    };
    let d = Document::parse(json)?;
    render(&d, None, m.document_sha256.as_deref().unwrap_or("")).await
}

/// The contract's PDF for staff.
pub async fn contract_pdf(
    core: &crate::Core,
    p: &crate::Principal,
    id: darkroom_domain::ContractId,
) -> CoreResult<(String, Vec<u8>)> {
    let m = super::load(
        core,
        p,
        id,
        darkroom_domain::permission::Permission::InvoiceView,
    )
    .await?;
    file_of(core, &m).await
}

/// The contract's PDF for the signer of `token`.
pub async fn signer_pdf(core: &crate::Core, token: &str) -> CoreResult<(String, Vec<u8>)> {
    let g = super::sign::signing(core, token).await?;
    file_of(core, &g.contract).await
}
