//! Billing: invoices drafted, taxed under the branch's regime, numbered at
//! issue per branch and fiscal year without gaps, never changed after;
//! payments partial and beyond what is owed (held as credit), refunds never
//! more than was paid, credit notes; bad input changes nothing.

use std::collections::{BTreeMap, HashSet};

use darkroom_domain::billing::numbering::FiscalYear;
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

/// A Bengaluru branch registered for GST (prefix `BLR-`).
pub(crate) async fn gst_branch(app: &TestApp, who: &Who, prefix: &str) -> String {
    let (s, b) = app
        .post(
            who,
            "/api/v1/branches",
            json!({ "name": format!("{prefix} studio"), "invoice_prefix": prefix, "tax_id_kind": "gstin",
                    "tax_id": "29AAACL1234L1ZI", "time_zone": "Asia/Kolkata", "currency": "INR" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn client(app: &TestApp, who: &Who, body: Value) -> String {
    let (s, c) = app.post(who, "/api/v1/clients", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// A draft for `client` at `branch` with one line.
pub(crate) async fn draft(
    app: &TestApp,
    who: &Who,
    client: &str,
    branch: &str,
    price: &str,
) -> Value {
    let (s, d) = app
        .post(
            who,
            "/api/v1/invoices",
            json!({ "client_id": client, "branch_id": branch,
                    "lines": [{ "description": "Wedding coverage", "unit_price": price, "tax_rate": "18" }] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

pub(crate) async fn issue(app: &TestApp, who: &Who, d: &Value) -> Value {
    let id = d["invoice"]["id"].as_str().unwrap();
    let (s, v) = app
        .post(
            who,
            &format!("/api/v1/invoices/{id}/issue"),
            json!({ "version": d["invoice"]["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn year_label(app: &TestApp, start: u8) -> String {
    let today = darkroom_domain::booking::calendar::today(app.clock_now(), "Asia/Kolkata");
    FiscalYear::of(today, start).label()
}

#[tokio::test]
async fn a_gst_invoice_is_taxed_by_place_of_supply_numbered_at_issue_and_never_changes() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let (s, settings) = app
        .get(&owner, &format!("/api/v1/branches/{branch}/billing"))
        .await;
    assert_eq!(s, StatusCode::OK, "{settings}");
    assert_eq!(settings["tax_regime"], "gst_in");
    assert_eq!(settings["fiscal_year_start"], 4);
    assert_eq!(settings["supplier_state"], "29");
    assert_eq!(settings["service_code"], "998386");

    // A couple in Karnataka: CGST + SGST, 9% each.
    let couple = client(
        &app,
        &owner,
        json!({ "name": "Asha", "kind": "couple", "partner_name": "Ravi" }),
    )
    .await;
    let d = draft(&app, &owner, &couple, &branch, "100000").await;
    let t = &d["invoice"]["totals"];
    assert_eq!(t["net_minor"], 10_000_000);
    assert_eq!(
        (
            t["cgst_minor"].as_i64(),
            t["sgst_minor"].as_i64(),
            t["igst_minor"].as_i64()
        ),
        (Some(900_000), Some(900_000), Some(0))
    );
    assert_eq!(t["total_minor"], 11_800_000);
    assert_eq!(d["invoice"]["number"], Value::Null);
    assert_eq!(d["lines"][0]["code"], "998386");
    let v = issue(&app, &owner, &d).await;
    let fy = year_label(&app, 4);
    assert_eq!(v["invoice"]["number"], format!("BLR-{fy}/000001"));
    assert_eq!(v["invoice"]["status"], "issued");
    assert_eq!(v["invoice"]["owed_minor"], 11_800_000);
    assert_eq!(v["invoice"]["bill_to"]["partner_name"], "Ravi");
    assert_eq!(v["invoice"]["seller"]["tax_id"], "29AAACL1234L1ZI");
    assert_eq!(v["entries"][0]["kind"], "charge");
    assert_eq!(v["invoice"]["due_on"].as_str().map(str::len), Some(10));

    // Issued: it never changes.
    let id = v["invoice"]["id"].as_str().unwrap();
    let (s, e) = app
        .patch(
            &owner,
            &format!("/api/v1/invoices/{id}"),
            json!({ "version": v["invoice"]["version"], "notes": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "invoice_issued");
    assert!(e["detail"].as_str().unwrap().contains("credit note"), "{e}");
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/lines"),
            json!({ "description": "More", "unit_price": "1" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let line = v["lines"][0]["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/invoices/{id}/lines/{line}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A company registered in Maharashtra: IGST, whatever place staff pick.
    let company = client(
        &app,
        &owner,
        json!({ "name": "Acme Mumbai", "kind": "organisation", "tax_id_kind": "gstin", "tax_id": "27AAPFU0939F1ZV" }),
    )
    .await;
    let (s, e) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": company, "branch_id": branch, "place_of_supply": "29" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("Maharashtra"), "{e}");
    let d = draft(&app, &owner, &company, &branch, "100000").await;
    assert_eq!(d["invoice"]["place_of_supply"], "27");
    assert_eq!(d["invoice"]["totals"]["igst_minor"], 1_800_000);
    assert_eq!(d["invoice"]["totals"]["cgst_minor"], 0);
    let v = issue(&app, &owner, &d).await;
    assert_eq!(v["invoice"]["number"], format!("BLR-{fy}/000002"));

    // An unregistered client served in Maharashtra: IGST too.
    let d = draft(&app, &owner, &couple, &branch, "1000").await;
    let id = d["invoice"]["id"].as_str().unwrap();
    let (s, d) = app
        .patch(
            &owner,
            &format!("/api/v1/invoices/{id}"),
            json!({ "version": d["invoice"]["version"], "place_of_supply": "Maharashtra" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["invoice"]["totals"]["igst_minor"], 18_000);
    assert_eq!(d["lines"][0]["amounts"]["igst_minor"], 18_000);
    assert_eq!(app.audit_count(owner.studio, "invoice.issued").await, 2);
}

#[tokio::test]
async fn payments_partial_and_beyond_credits_and_refunds_move_the_ledger_exactly() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "MUM-").await;
    let asha = client(&app, &owner, json!({ "name": "Asha" })).await;
    // ₹1,000 + 18% = ₹1,180.
    let first = issue(
        &app,
        &owner,
        &draft(&app, &owner, &asha, &branch, "1000").await,
    )
    .await;
    let id = first["invoice"]["id"].as_str().unwrap().to_string();
    let pay = |amount: &str, method: &str| json!({ "amount": amount, "method": method, "reference": "slip 7" });
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/payments"),
            pay("500", "cash"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["invoice"]["status"], "partly_paid");
    assert_eq!(v["invoice"]["owed_minor"], 68_000);
    // ₹1,000 more: ₹680 settles it, ₹320 is held as credit.
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/payments"),
            pay("1000", "bank_transfer"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["invoice"]["status"], "paid");
    assert_eq!(v["invoice"]["owed_minor"], 0);
    assert_eq!(v["client_credit_minor"], 32_000);
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/payments"),
            pay("1", "cash"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "nothing_owed");

    // The credit pays most of a second invoice (₹200 + 18% = ₹236).
    let second = issue(
        &app,
        &owner,
        &draft(&app, &owner, &asha, &branch, "200").await,
    )
    .await;
    let id2 = second["invoice"]["id"].as_str().unwrap().to_string();
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id2}/payments"),
            pay("321", "credit"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id2}/payments"),
            pay("320", "credit"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "more than owed: {v}");
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id2}/payments"),
            pay("236", "credit"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["invoice"]["status"], "paid");
    assert_eq!(v["client_credit_minor"], 8_400);

    // Refunds never exceed what was paid on the invoice (₹1,180).
    let refund = |amount: &str| json!({ "amount": amount, "method": "bank_transfer", "reason": "Cancelled reception" });
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/refunds"),
            refund("1180.01"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("1,180.00"), "{e}");
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/refunds"),
            refund("590"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let fy = year_label(&app, 4);
    assert_eq!(
        v["credit_notes"][0]["number"],
        format!("MUM-CN-{fy}/000001")
    );
    assert_eq!(v["credit_notes"][0]["totals"]["total_minor"], 59_000);
    // The credit note splits the tax like the invoice: ₹500 + ₹45 + ₹45.
    assert_eq!(v["credit_notes"][0]["totals"]["cgst_minor"], 4_500);
    assert_eq!(v["invoice"]["credited_minor"], 59_000);
    assert_eq!(v["invoice"]["refunded_minor"], 59_000);
    assert_eq!(v["invoice"]["paid_minor"], 59_000);
    assert_eq!(v["invoice"]["owed_minor"], 0);
    assert_eq!(v["invoice"]["status"], "paid");
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/refunds"),
            refund("590.01"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // An unpaid invoice credited in full is void.
    let third = issue(
        &app,
        &owner,
        &draft(&app, &owner, &asha, &branch, "50").await,
    )
    .await;
    let id3 = third["invoice"]["id"].as_str().unwrap();
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id3}/credit-notes"),
            json!({ "reason": "Billed twice" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["invoice"]["status"], "void");
    assert_eq!(
        v["credit_notes"][0]["number"],
        format!("MUM-CN-{fy}/000002")
    );
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id3}/credit-notes"),
            json!({ "reason": "Again" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The account adds up from the ledger alone.
    let (s, acct) = app
        .get(&owner, &format!("/api/v1/clients/{asha}/account"))
        .await;
    assert_eq!(s, StatusCode::OK, "{acct}");
    let mut owed = 0i64;
    let mut credit = 0i64;
    for e in acct["entries"].as_array().unwrap() {
        let a = e["amount_minor"].as_i64().unwrap();
        match e["kind"].as_str().unwrap() {
            "charge" | "refund" => owed += a,
            "payment" | "credit_note" => owed -= a,
            "credit_applied" => {
                owed -= a;
                credit -= a;
            }
            "overpayment" => credit += a,
            k => panic!("unknown entry kind {k}"),
        }
    }
    assert_eq!(owed, 0);
    assert_eq!(acct["owed"][0][1], owed);
    assert_eq!(acct["credit"][0][1], credit);
    assert_eq!(credit, 8_400);
    assert!(app.audit_count(owner.studio, "payment.refunded").await == 1);
}

#[tokio::test]
async fn bad_billing_input_says_what_and_where_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let acme = client(
        &app,
        &owner,
        json!({ "name": "Acme", "kind": "organisation", "po_required": true }),
    )
    .await;
    let d = draft(&app, &owner, &acme, &branch, "100").await;
    let id = d["invoice"]["id"].as_str().unwrap().to_string();
    let lines = format!("/api/v1/invoices/{id}/lines");
    for (body, field, needle) in [
        (
            json!({ "description": "X", "unit_price": "10", "quantity": "-2" }),
            "quantity",
            "negative",
        ),
        (
            json!({ "description": "X", "unit_price": "10.005" }),
            "unit_price",
            "2 decimal",
        ),
        (
            json!({ "description": "X", "unit_price": "-10" }),
            "unit_price",
            "negative",
        ),
        (
            json!({ "description": "X", "unit_price": "10", "tax_rate": "17" }),
            "tax_rate",
            "not a GST rate",
        ),
        (
            json!({ "description": "X", "unit_price": "10", "discount": "11" }),
            "discount",
            "more than",
        ),
        (
            json!({ "description": "X", "unit_price": "10", "discount": "120%" }),
            "discount",
            "at most 100",
        ),
        (json!({ "unit_price": "10" }), "description", "say what"),
        (json!({ "description": "X" }), "unit_price", "price"),
        (
            json!({ "fee_kind": "mileage", "quantity": "42.5" }),
            "unit_price",
            "mileage rate",
        ),
        (
            json!({ "description": "X", "unit_price": "10", "kind": "gift" }),
            "kind",
            "line kind",
        ),
    ] {
        let (s, e) = app.post(&owner, &lines, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        let hit = e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["field"] == field);
        assert!(
            hit.is_some_and(|x| x["message"].as_str().unwrap().contains(needle)),
            "{body}: {e}"
        );
    }
    let (s, e) = app
        .post(&owner, "/api/v1/invoices", json!({ "client_id": acme, "branch_id": branch, "lines": [{ "description": "A", "unit_price": "1" }, { "description": "B", "unit_price": "1", "quantity": "0" }] }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "lines[1].quantity");
    // A PO is required by this client.
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/issue"),
            json!({ "version": d["invoice"]["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "po_number");
    // Nothing above changed the draft, and no number was taken.
    let (_, now) = app.get(&owner, &format!("/api/v1/invoices/{id}")).await;
    assert_eq!(now["lines"].as_array().unwrap().len(), 1);
    assert_eq!(now["invoice"]["version"], d["invoice"]["version"]);
    let (_, list) = app.get(&owner, "/api/v1/invoices").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // With the PO it issues as number 1: the refused attempt took none.
    let (s, d2) = app
        .patch(
            &owner,
            &format!("/api/v1/invoices/{id}"),
            json!({ "version": now["invoice"]["version"], "po_number": "PO-7781" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d2}");
    let v = issue(&app, &owner, &d2).await;
    assert!(
        v["invoice"]["number"]
            .as_str()
            .unwrap()
            .ends_with("/000001"),
        "{v}"
    );
    // Payments: too many decimals, in the future, zero, by hand through Stripe.
    let pays = format!("/api/v1/invoices/{id}/payments");
    for (body, field) in [
        (json!({ "amount": "1.001", "method": "cash" }), "amount"),
        (json!({ "amount": "0", "method": "cash" }), "amount"),
        (json!({ "amount": "1", "method": "stripe" }), "method"),
        (json!({ "amount": "1", "method": "barter" }), "method"),
        (
            json!({ "amount": "1", "method": "cash", "received_on": "2999-01-01" }),
            "received_on",
        ),
    ] {
        let (s, e) = app.post(&owner, &pays, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        assert!(
            e["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["field"] == field),
            "{body}: {e}"
        );
    }
    let (_, after) = app.get(&owner, &format!("/api/v1/invoices/{id}")).await;
    assert_eq!(
        after["entries"].as_array().unwrap().len(),
        1,
        "only the charge"
    );
    // A branch cannot bill GST without a GSTIN.
    let plain = app.branch(&owner, "Plain").await;
    let (s, e) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/branches/{plain}/billing"),
            Some(json!({ "version": 0, "tax_regime": "gst_in" })),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("GSTIN"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invoices_issued_at_once_across_branches_get_gapless_unique_numbers() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let blr = gst_branch(&app, &owner, "BLR-").await;
    let mum = gst_branch(&app, &owner, "MUM-").await;
    let asha = client(&app, &owner, json!({ "name": "Asha" })).await;
    let n = 1000;
    let mut drafts = Vec::with_capacity(n);
    for i in 0..n {
        let branch = if i % 2 == 0 { &blr } else { &mum };
        drafts.push(draft(&app, &owner, &asha, branch, "10").await);
    }
    // Every 20th draft is issued twice at once: one wins, the other is
    // refused after taking a number, which must go back.
    let mut calls = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let body = json!({ "version": d["invoice"]["version"] });
        let url = app.url(&format!(
            "/api/v1/invoices/{}/issue",
            d["invoice"]["id"].as_str().unwrap()
        ));
        calls.push((url.clone(), body.clone()));
        if i % 20 == 0 {
            calls.push((url, body));
        }
    }
    let results: Vec<(StatusCode, Value)> = futures::stream::iter(calls)
        .map(|(url, body)| {
            let http = app.http.clone();
            let token = owner.token.clone();
            async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let s = r.status();
                (s, r.json().await.unwrap_or(Value::Null))
            }
        })
        .buffer_unordered(24)
        .collect()
        .await;
    let mut per_branch: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (s, v) in &results {
        if *s == StatusCode::CONFLICT || *s == StatusCode::SERVICE_UNAVAILABLE {
            continue;
        }
        assert_eq!(*s, StatusCode::OK, "{v}");
        let number = v["invoice"]["number"].as_str().unwrap().to_string();
        assert!(seen.insert(number.clone()), "{number} given twice");
        let (prefix, seq) = number.rsplit_once('/').unwrap();
        per_branch
            .entry(prefix.to_string())
            .or_default()
            .push(seq.parse().unwrap());
    }
    assert_eq!(seen.len(), n, "every draft issued once");
    for (prefix, mut seqs) in per_branch {
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=i64::try_from(seqs.len()).unwrap()).collect();
        assert_eq!(seqs, expected, "{prefix}: gapless from 1");
    }
}

#[tokio::test]
async fn an_issued_gst_invoice_prints_as_a_pdf_with_every_name_in_its_script() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let couple = client(
        &app,
        &owner,
        json!({ "name": "김민지", "kind": "couple", "partner_name": "आशा शर्मा", "tax_id_kind": "gstin", "tax_id": "27AAPFU0939F1ZV" }),
    )
    .await;
    let (s, d) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": couple, "branch_id": branch, "notes": "Thank you! 감사합니다 · धन्यवाद",
                    "lines": [
                        { "description": "Wedding coverage, two days", "unit_price": "150000", "tax_rate": "18" },
                        { "description": "Album", "unit_price": "12000", "quantity": "2", "discount": "10%", "tax_rate": "12", "code": "4911" },
                        { "fee_kind": "travel", "unit_price": "4500", "tax_rate": "18" },
                    ] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let v = issue(&app, &owner, &d).await;
    let id = v["invoice"]["id"].as_str().unwrap();
    let r = app
        .http
        .get(app.url(&format!("/api/v1/invoices/{id}/pdf")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("BLR-")
    );
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    for font in ["NanumGothic", "NotoSansDevanagari", "NotoSans"] {
        assert!(text.contains(font), "{font} embedded");
    }
    if let Ok(dir) = std::env::var("DARKROOM_DOCS_OUT") {
        std::fs::write(format!("{dir}/gst-invoice.pdf"), &pdf).unwrap();
    }
    // Another studio's invoice is not there.
    let other = app.studio("Other").await;
    let (s, _) = app.get(&other, &format!("/api/v1/invoices/{id}/pdf")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_worker_marks_invoices_overdue_after_their_due_day_and_payment_still_settles_them() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let asha = client(
        &app,
        &owner,
        json!({ "name": "Asha", "payment_terms_days": 7 }),
    )
    .await;
    let v = issue(
        &app,
        &owner,
        &draft(&app, &owner, &asha, &branch, "1000").await,
    )
    .await;
    let id = v["invoice"]["id"].as_str().unwrap();
    let due = v["invoice"]["due_on"].as_str().unwrap().to_string();
    let issued = v["invoice"]["issued_on"].as_str().unwrap().to_string();
    let (d1, d2): (jiff::civil::Date, jiff::civil::Date) =
        (due.parse().unwrap(), issued.parse().unwrap());
    assert_eq!((d1 - d2).get_days(), 7, "the client's own terms");
    assert_eq!(
        darkroom_core::billing::overdue::mark_overdue(&app.core)
            .await
            .unwrap(),
        0
    );
    app.clock
        .advance(std::time::Duration::from_secs(8 * 24 * 3600));
    assert_eq!(
        darkroom_core::billing::overdue::mark_overdue(&app.core)
            .await
            .unwrap(),
        1
    );
    let (_, now) = app.get(&owner, &format!("/api/v1/invoices/{id}")).await;
    assert_eq!(now["invoice"]["status"], "overdue");
    let (_, open) = app.get(&owner, "/api/v1/invoices?open=true").await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    let (s, paid) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/payments"),
            json!({ "amount": "500", "method": "upi" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{paid}");
    assert_eq!(
        paid["invoice"]["status"], "overdue",
        "still owing after its due day"
    );
    let (_, paid) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/payments"),
            json!({ "amount": "680", "method": "upi" }),
        )
        .await;
    assert_eq!(paid["invoice"]["status"], "paid");
    assert_eq!(
        darkroom_core::billing::overdue::mark_overdue(&app.core)
            .await
            .unwrap(),
        0
    );
}

fn minor(s: &str) -> i64 {
    let neg = s.starts_with('-');
    let (w, f) = s
        .trim_start_matches('-')
        .split_once('.')
        .unwrap_or((s.trim_start_matches('-'), "0"));
    let v = w.parse::<i64>().unwrap() * 100 + format!("{f:0<2}").parse::<i64>().unwrap();
    if neg { -v } else { v }
}

#[tokio::test]
async fn every_money_report_adds_up_to_the_ledger() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let blr = gst_branch(&app, &owner, "BLR-").await;
    let mum = gst_branch(&app, &owner, "MUM-").await;
    let asha = client(&app, &owner, json!({ "name": "Asha" })).await;
    let acme = client(&app, &owner, json!({ "name": "Acme", "kind": "organisation", "tax_id_kind": "gstin", "tax_id": "27AAPFU0939F1ZV" })).await;
    let pay = |amount: &str, method: &str| json!({ "amount": amount, "method": method });
    let mut ids = Vec::new();
    for (who, branch, price) in [
        (&asha, &blr, "1000"),
        (&acme, &blr, "25000"),
        (&asha, &mum, "333.33"),
        (&acme, &mum, "80"),
    ] {
        let v = issue(&app, &owner, &draft(&app, &owner, who, branch, price).await).await;
        ids.push(v["invoice"]["id"].as_str().unwrap().to_string());
    }
    app.post(
        &owner,
        &format!("/api/v1/invoices/{}/payments", ids[0]),
        pay("1500", "cash"),
    )
    .await;
    app.post(
        &owner,
        &format!("/api/v1/invoices/{}/payments", ids[1]),
        pay("10000", "bank_transfer"),
    )
    .await;
    app.post(
        &owner,
        &format!("/api/v1/invoices/{}/payments", ids[2]),
        pay("100", "upi"),
    )
    .await;
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{}/refunds", ids[1]),
            json!({ "amount": "2500", "method": "bank_transfer", "reason": "Half day cancelled" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app.post(
        &owner,
        &format!("/api/v1/invoices/{}/credit-notes", ids[3]),
        json!({ "reason": "Billed twice" }),
    )
    .await;
    let (s, r) = app.get(&owner, "/api/v1/reports/billing").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let sum = |rows: &Value, k: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|x| x[k].as_i64().unwrap())
            .sum::<i64>()
    };
    let ledger = &r["ledger"][0];
    // Recompute the ledger from its CSV, entry by entry.
    let csv = app
        .http
        .get(app.url("/api/v1/reports/billing/ledger.csv"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (mut charged, mut credited, mut received, mut refunded) = (0, 0, 0, 0);
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let amount = minor(cells[6]);
        match (cells[1], cells[2]) {
            ("charge", _) => charged += amount,
            ("credit_note", _) => credited += amount,
            ("payment" | "overpayment", m) if m != "credit" => received += amount,
            ("refund", _) => refunded += amount,
            _ => {}
        }
    }
    assert_eq!(ledger["charged_minor"], charged);
    assert_eq!(ledger["credited_minor"], credited);
    assert_eq!(ledger["received_minor"], received);
    assert_eq!(ledger["refunded_minor"], refunded);
    // Revenue is charged less credited; its tax is the tax by rate.
    assert_eq!(sum(&r["revenue"], "total_minor"), charged - credited);
    let tax: i64 = ["cgst_minor", "sgst_minor", "igst_minor", "vat_minor"]
        .iter()
        .map(|k| sum(&r["tax"], k))
        .sum();
    assert_eq!(sum(&r["revenue"], "tax_minor"), tax);
    assert_eq!(
        sum(&r["revenue"], "net_minor"),
        sum(&r["tax"], "taxable_minor")
    );
    assert_eq!(sum(&r["payments"], "net_minor"), received - refunded);
    // What is owed is charged less credited less paid (net of refunds).
    let (_, open) = app.get(&owner, "/api/v1/invoices?open=true").await;
    let owed: i64 = open
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["owed_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(sum(&r["outstanding"], "total_minor"), owed);
    assert_eq!(
        owed,
        charged - credited - (received - refunded) + 32_000,
        "₹320 paid beyond the first invoice is held as credit"
    );
    // The GST register: IGST for Acme (Maharashtra) from Bengaluru, CGST + SGST for Asha.
    let gst = app
        .http
        .get(app.url("/api/v1/reports/billing/gst.csv"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<Vec<&str>> = gst
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4 + 2, "four invoices and two credit notes");
    assert_eq!(
        rows.iter().map(|c| minor(c[10])).sum::<i64>(),
        sum(&r["tax"], "taxable_minor")
    );
    assert!(
        rows.iter().any(|c| c[1] == "B2B"
            && c[2] == "27AAPFU0939F1ZV"
            && c[7].starts_with("27-Maharashtra"))
    );
    // Someone without `invoice.view` sees no money.
    let editor = app.member(&owner, "editor", None).await;
    let (s, _) = app.get(&editor, "/api/v1/reports/billing").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .get(
            &owner,
            "/api/v1/reports/billing?from=2026-12-31&to=2026-01-01",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

/// A Seoul branch registered with a business number: Korea's VAT.
async fn seoul_branch(app: &TestApp, who: &Who) -> String {
    let (s, b) = app
        .post(
            who,
            "/api/v1/branches",
            json!({ "name": "Seoul", "invoice_prefix": "SEL-", "tax_id_kind": "brn", "tax_id": "123-45-67890",
                    "time_zone": "Asia/Seoul", "currency": "KRW" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_korean_cash_payment_records_a_cash_receipt_to_file() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let seoul = seoul_branch(&app, &owner).await;
    let (_, settings) = app
        .get(&owner, &format!("/api/v1/branches/{seoul}/billing"))
        .await;
    assert_eq!(settings["tax_regime"], "vat_kr");
    assert_eq!(settings["prices_include_tax"], true);
    let minji = client(&app, &owner, json!({ "name": "김민지" })).await;
    let (s, d) = app
        .post(&owner, "/api/v1/invoices", json!({ "client_id": minji, "branch_id": seoul, "lines": [{ "description": "웨딩 촬영", "unit_price": "1100000" }] }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["invoice"]["totals"]["net_minor"], 1_000_000);
    assert_eq!(d["invoice"]["totals"]["vat_minor"], 100_000);
    assert_eq!(d["invoice"]["totals"]["total_minor"], 1_100_000);
    let v = issue(&app, &owner, &d).await;
    let fy = year_label(&app, 1);
    assert_eq!(v["invoice"]["number"], format!("SEL-{fy}/000001"));
    let id = v["invoice"]["id"].as_str().unwrap();
    let pays = format!("/api/v1/invoices/{id}/payments");
    let receipt = json!({ "identity_kind": "phone", "identity": "010-1234-5678" });
    let (s, e) = app
        .post(
            &owner,
            &pays,
            json!({ "amount": "500000", "method": "card_terminal", "cash_receipt": receipt }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app
        .post(&owner, &pays, json!({ "amount": "500000", "method": "cash", "cash_receipt": { "identity_kind": "phone", "identity": "02-123-4567" } }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "cash_receipt.identity");
    let (s, v) = app
        .post(
            &owner,
            &pays,
            json!({ "amount": "500000", "method": "cash", "cash_receipt": receipt }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, list) = app
        .get(&owner, "/api/v1/cash-receipts?status=pending")
        .await;
    let r = &list[0];
    assert_eq!(
        (
            r["amount_minor"].as_i64(),
            r["supply_minor"].as_i64(),
            r["vat_minor"].as_i64()
        ),
        (Some(500_000), Some(454_546), Some(45_454))
    );
    assert_eq!(r["identity"], "*******5678");
    assert_eq!(r["purpose"], "income_deduction");
    let rid = r["id"].as_str().unwrap();
    let (s, e) = app
        .patch(
            &owner,
            &format!("/api/v1/cash-receipts/{rid}"),
            json!({ "version": r["version"], "status": "issued" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, r2) = app
        .patch(
            &owner,
            &format!("/api/v1/cash-receipts/{rid}"),
            json!({ "version": r["version"], "status": "issued", "approval_number": "123456789" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r2}");
    assert_eq!(r2["status"], "issued");
    let csv = app
        .http
        .get(app.url("/api/v1/reports/billing/cash-receipts.csv"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("01012345678,500000,454546,45454,issued,123456789"),
        "{csv}"
    );
    // Elsewhere than Korea there is no cash receipt.
    let blr = gst_branch(&app, &owner, "BLR-").await;
    let other = issue(
        &app,
        &owner,
        &draft(&app, &owner, &minji, &blr, "100").await,
    )
    .await;
    let oid = other["invoice"]["id"].as_str().unwrap();
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{oid}/payments"),
            json!({ "amount": "10", "method": "cash", "cash_receipt": receipt }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("Korea"), "{e}");
}

#[tokio::test]
async fn a_projects_invoice_starts_with_its_package() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let (s, pkg) = app
        .post(&owner, "/api/v1/packages", json!({ "branch_id": branch, "name": "Wedding gold", "price": "150000", "tax_rate_bp": 1800 }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pkg}");
    let asha = client(&app, &owner, json!({ "name": "Asha" })).await;
    let (s, project) = app
        .post(&owner, "/api/v1/projects", json!({ "client_id": asha, "branch_id": branch, "kind": "wedding", "package_id": pkg["id"] }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{project}");
    let (s, d) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": asha, "project_id": project["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(
        d["invoice"]["branch_id"], branch,
        "the project's branch bills"
    );
    assert_eq!(d["lines"][0]["description"], "Wedding gold");
    assert_eq!(d["lines"][0]["kind"], "package");
    assert_eq!(d["lines"][0]["tax_rate"], "18");
    assert_eq!(d["invoice"]["totals"]["total_minor"], 17_700_000);
    // Another client's project is refused.
    let ravi = client(&app, &owner, json!({ "name": "Ravi" })).await;
    let (s, e) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": ravi, "project_id": project["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "project_id");
}

#[tokio::test]
async fn photos_chosen_beyond_the_package_are_billed_on_the_projects_invoice() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let (s, pkg) = app
        .post(
            &owner,
            "/api/v1/packages",
            json!({ "branch_id": branch, "name": "Portraits", "price": "10000", "tax_rate_bp": 1800,
                    "photos_included": 2, "extra_photo_price": "500" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pkg}");
    assert_eq!(pkg["extra_photo_price"], "INR 500.00");
    let asha = client(&app, &owner, json!({ "name": "Asha" })).await;
    let (s, project) = app
        .post(&owner, "/api/v1/projects", json!({ "client_id": asha, "branch_id": branch, "kind": "studio", "package_id": pkg["id"] }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{project}");
    let pid = project["id"].as_str().unwrap();
    let (gallery, photos) =
        crate::sharing::gallery_with_photos(&app, &owner, "Asha portraits", 5).await;
    let (s, _) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/projects/{pid}/galleries/{gallery}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // The gallery took the package's 2 photos as its limit; extras allowed.
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    assert_eq!(g["selection_limit"], 2, "{g}");
    let (s, g) = app
        .api(&owner, Method::PUT, &format!("/api/v1/galleries/{gallery}/terms"), Some(json!({
            "version": g["version"], "client_id": asha, "selection_limit": 2, "allow_extras": true,
        })))
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let created = crate::sharing::link(
        &app,
        &owner,
        &gallery,
        json!({
            "label": "Asha", "rights": ["favourite"], "download": "none",
        }),
    )
    .await;
    let guest = crate::sharing::open(&app, created["url"].as_str().unwrap()).await;
    for p in &photos[..4] {
        let (s, v) = guest
            .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, d) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": asha, "project_id": pid }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let lines = d["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{d}");
    assert_eq!(lines[1]["kind"], "extra_photos");
    assert_eq!(lines[1]["quantity"], "2");
    assert_eq!(lines[1]["unit_minor"], 50_000);
    assert_eq!(lines[1]["tax_rate"], "18");
    assert!(
        lines[1]["description"]
            .as_str()
            .unwrap()
            .contains("Asha portraits"),
        "{d}"
    );
    // (10,000 + 2 × 500) + 18% GST.
    assert_eq!(d["invoice"]["totals"]["total_minor"], 1_298_000);
}

#[tokio::test]
async fn payment_reminders_go_before_and_after_the_due_day_once_each_while_owed() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let asha = client(
        &app,
        &owner,
        json!({ "name": "Asha", "email": "asha@example.com" }),
    )
    .await;
    let paid_up = client(
        &app,
        &owner,
        json!({ "name": "Ravi", "email": "ravi@example.com" }),
    )
    .await;
    let v = issue(
        &app,
        &owner,
        &draft(&app, &owner, &asha, &branch, "1000").await,
    )
    .await;
    let due = v["invoice"]["due_on"].as_str().unwrap().to_string();
    let w = issue(
        &app,
        &owner,
        &draft(&app, &owner, &paid_up, &branch, "1000").await,
    )
    .await;
    let wid = w["invoice"]["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{wid}/payments"),
            json!({ "amount": "1180", "method": "cash" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let remind = || darkroom_core::billing::remind::remind_due(&app.core);
    let day = std::time::Duration::from_secs(86_400);

    // Issued with 14 days to pay: nothing yet.
    assert_eq!(remind().await.unwrap(), 0);
    // Three days before the due day: once, to the client, saying what is owed.
    app.clock.advance(day * 11);
    assert_eq!(remind().await.unwrap(), 1);
    assert_eq!(remind().await.unwrap(), 0, "each reminder goes once");
    let text = reminders(&app).await;
    assert!(text.contains("asha@example.com"), "{text}");
    assert!(text.contains(&format!("is due on {due}")), "{text}");
    assert!(
        !text.contains("ravi@example.com"),
        "nothing owed, no reminder: {text}"
    );
    // The day after: overdue, once; a week after: once more; then no more.
    app.clock.advance(day * 4);
    assert_eq!(remind().await.unwrap(), 1);
    assert_eq!(remind().await.unwrap(), 0);
    app.clock.advance(day * 6);
    assert_eq!(remind().await.unwrap(), 1);
    app.clock.advance(day * 10);
    assert_eq!(remind().await.unwrap(), 0);
    let text = reminders(&app).await;
    assert_eq!(text.matches("asha@example.com").count(), 3, "{text}");
    assert!(text.contains("is overdue"), "{text}");
}

/// The payment reminders in the outbox: address, subject and text.
async fn reminders(app: &TestApp) -> String {
    use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    darkroom_db::entity::email::Entity::find()
        .filter(darkroom_db::entity::email::Column::Kind.eq("invoice_reminder"))
        .all(app.db.conn())
        .await
        .unwrap()
        .iter()
        .map(|e| format!("{} | {} | {}\n", e.to_address, e.subject, e.body_text))
        .collect()
}
