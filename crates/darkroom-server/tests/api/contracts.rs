//! Contracts (decision 0034): a proposal from the project's package and
//! fees, a template's text and structured terms, sent frozen with its
//! SHA-256; each partner signs through their own link with an emailed
//! code; the studio countersigns; the signed PDF's hash is in the audit
//! chain; the schedule issues the deposit and balance; cancelling refunds
//! what the refund schedule allows that day.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::gst_branch;
use crate::bookings::Visitor;
use crate::helpers::{TestApp, Who, csrf_of};

/// A 1x1 PNG, as a browser's canvas would send a (tiny) drawing.
const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

pub(crate) struct Deal {
    pub project: String,
}

/// A GST branch, a 1,00,000 package at 18%, a couple with both emails and
/// a project `days` from now.
pub(crate) async fn deal(app: &TestApp, owner: &Who, days: i64) -> Deal {
    let branch = gst_branch(app, owner, "BLR-").await;
    let (s, pkg) = app
        .post(owner, "/api/v1/packages", json!({ "branch_id": branch, "name": "Wedding gold", "price": "100000", "tax_rate_bp": 1800 }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pkg}");
    let (s, c) = app
        .post(
            owner,
            "/api/v1/clients",
            json!({ "name": "Asha Rao", "kind": "couple", "email": "asha@example.com",
            "partner_name": "Ravi Iyer", "partner_email": "ravi@example.com" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let today = darkroom_domain::booking::calendar::today(app.clock_now(), "Asia/Kolkata");
    let day = today.checked_add(jiff::Span::new().days(days)).unwrap();
    let (s, p) = app
        .post(owner, "/api/v1/projects", json!({ "client_id": c["id"], "branch_id": branch, "kind": "wedding",
            "name": "Asha & Ravi wedding", "package_id": pkg["id"], "starts_on": day.to_string(), "venue": "Leela Palace" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    Deal {
        project: p["id"].as_str().unwrap().into(),
    }
}

/// The last email of `kind` to `to`: its text.
pub(crate) async fn email_to(app: &TestApp, kind: &str, to: &str) -> String {
    use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    darkroom_db::entity::email::Entity::find()
        .filter(darkroom_db::entity::email::Column::Kind.eq(kind))
        .filter(darkroom_db::entity::email::Column::ToAddress.eq(to))
        .order_by_desc(darkroom_db::entity::email::Column::Id)
        .one(app.db.conn())
        .await
        .unwrap()
        .map(|e| e.body_text)
        .unwrap_or_default()
}

/// The signing link's path in an invitation.
pub(crate) fn sign_path(text: &str) -> String {
    let i = text.find("/sign/").expect("a signing link");
    text[i..].split_whitespace().next().unwrap().to_string()
}

/// The six-digit code in a code email.
pub(crate) fn code_in(text: &str) -> String {
    let i = text.find(" is ").unwrap() + 4;
    text[i..i + 6].to_string()
}

/// A drafted and sent contract for `d` with the studio's template.
pub(crate) async fn sent(app: &TestApp, owner: &Who, d: &Deal) -> Value {
    let (s, c) = app
        .post(
            owner,
            "/api/v1/contracts",
            json!({ "project_id": d.project }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let quote = c["quote_id"].as_str().unwrap();
    let (s, q) = app
        .post(
            owner,
            &format!("/api/v1/invoices/{quote}/lines"),
            json!({ "fee_kind": "travel", "unit_price": "10000", "tax_rate": "18" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let (s, c) = app
        .post(
            owner,
            &format!("/api/v1/contracts/{}/send", c["id"].as_str().unwrap()),
            json!({ "version": c["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    c
}

/// One signer's whole signing: open, (accept), code, sign.
pub(crate) async fn sign_as(
    app: &TestApp,
    email: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let path = sign_path(&email_to(app, "contract_sign", email).await);
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (s, html) = v.get(app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let csrf = csrf_of(&html).unwrap();
    if html.contains("Accept this proposal") {
        let (s, html) = v.post(app, &format!("{path}/accept"), &csrf, &[]).await;
        assert_eq!(s, StatusCode::OK, "{html}");
    }
    let (s, html) = v.post(app, &format!("{path}/code"), &csrf, &[]).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let code = code_in(&email_to(app, "contract_code", email).await);
    let mut all = vec![("code", code.as_str())];
    all.extend_from_slice(fields);
    v.post(app, &path, &csrf, &all).await
}

fn money(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

#[tokio::test]
async fn a_couple_signs_by_emailed_codes_the_studio_countersigns_and_the_schedule_bills() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let d = deal(&app, &owner, 120).await;
    // A template with structured terms; a body naming an unknown variable is refused with its line.
    let (s, e) = app
        .post(
            &owner,
            "/api/v1/contract-templates",
            json!({ "name": "Wedding", "body": "Hello\n{{ client.nam }}" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "body");
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{e}"
    );
    let (s, t) = app
        .post(&owner, "/api/v1/contract-templates", json!({ "name": "Wedding", "title": "Wedding photography agreement",
            "body": "Between {{ studio.name }} and {{ client.name }} with {{ partner.name }} for {{ event.date }}.\n\nDeposit {{ deposit }}, balance {{ balance }} by {{ balance.due }}. {{ refund.schedule }}",
            "terms": { "deposit": "30%", "balance_days_before": 14, "refund_schedule": [{ "days_before": 90, "refund": "100" }, { "days_before": 30, "refund": "50" }], "cancellation_fee": "0", "reschedule_fee": "5000" } }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let c = sent(&app, &owner, &d).await;
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["status"], "sent");
    assert!(c["number"].as_str().unwrap().starts_with("BLR-C-"), "{c}");
    assert_eq!(c["document_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(c["template_id"], t["id"]);
    // 1,00,000 package + 10,000 travel, both at 18%.
    let total = money(&c["total_minor"]);
    assert_eq!(total, 12_980_000);
    assert!(
        c["quote_id"].is_null(),
        "the proposal's draft went into the document"
    );
    // Sent: nothing of it changes.
    let (s, e) = app
        .patch(
            &owner,
            &format!("/api/v1/contracts/{id}"),
            json!({ "version": c["version"], "title": "Other" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");

    // Each partner has their own link; the page shows the document with its hash.
    let invite = email_to(&app, "contract_sign", "asha@example.com").await;
    let path = sign_path(&invite);
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (s, html) = v.get(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Between Lumen and Asha Rao with Ravi Iyer"),
        "the variables filled"
    );
    assert!(html.contains(c["document_sha256"].as_str().unwrap()));
    let csrf = csrf_of(&html).unwrap();
    // A code before the proposal is accepted is refused; a wrong code counts down; consent is required.
    let (s, _) = v.post(&app, &format!("{path}/code"), &csrf, &[]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = v.post(&app, &format!("{path}/accept"), &csrf, &[]).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = v.post(&app, &format!("{path}/code"), &csrf, &[]).await;
    assert_eq!(s, StatusCode::OK);
    let code = code_in(&email_to(&app, "contract_code", "asha@example.com").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, html) = v
        .post(
            &app,
            &path,
            &csrf,
            &[
                ("code", wrong),
                ("consent", "yes"),
                ("kind", "typed"),
                ("typed", "Asha Rao"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("4 tries left"), "{html}");
    let (s, html) = v
        .post(
            &app,
            &path,
            &csrf,
            &[("code", &code), ("kind", "typed"), ("typed", "Asha Rao")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("sign electronically"), "{html}");
    let (s, html) = v
        .post(
            &app,
            &path,
            &csrf,
            &[
                ("code", &code),
                ("consent", "yes"),
                ("kind", "typed"),
                ("typed", "Asha Rao"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("You have signed"), "{html}");

    // The studio signs last.
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/countersign"),
            json!({ "version": c["version"], "consent": true, "signature": "Meera Lumen" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(
        e["detail"]
            .as_str()
            .unwrap_or(&e.to_string())
            .contains("Ravi Iyer"),
        "{e}"
    );
    // The partner draws their signature.
    let (s, html) = sign_as(
        &app,
        "ravi@example.com",
        &[("consent", "yes"), ("kind", "drawn"), ("drawn", PNG)],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/countersign"),
            json!({ "version": c["version"], "consent": false, "signature": "Meera Lumen" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, c) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/countersign"),
            json!({ "version": c["version"], "consent": true, "signature": "Meera Lumen" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "signed");
    assert!(c["schedule_problem"].is_null(), "{c}");
    let signers = c["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 3);
    for s in signers {
        assert_eq!(
            s["document_sha256"], c["document_sha256"],
            "each signed what was sent"
        );
        assert!(s["signed_at"].is_string() && s["consented_at"].is_string() && s["ip"].is_string());
    }
    assert_eq!(signers[1]["signature_kind"], "drawn");
    assert_eq!(app.audit_count(owner.studio, "contract.signed").await, 1);

    // The signed PDF is the one whose hash the audit chain holds.
    let r = app
        .http
        .get(app.url(&format!("/api/v1/contracts/{id}/pdf")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        darkroom_core::kernel::secret::sha256_hex(&pdf),
        c["signed_pdf_sha256"].as_str().unwrap()
    );
    let report = darkroom_core::billing::contract::verify::verify_contracts(&app.core, |_| {})
        .await
        .unwrap();
    assert_eq!(
        (report.checked, report.problems.len()),
        (1, 0),
        "{:?}",
        report.problems
    );
    if let Ok(dir) = std::env::var("DARKROOM_SCREENSHOTS") {
        std::fs::write(format!("{dir}/signed-contract.pdf"), &pdf).unwrap();
    }

    // The schedule: 30% deposit due now, the balance 14 days before, each exactly.
    let deposit = total * 30 / 100;
    let sched = c["schedule"].as_array().unwrap();
    assert_eq!(money(&sched[0]["amount_minor"]), deposit);
    assert_eq!(money(&sched[1]["amount_minor"]), total - deposit);
    let dep = sched[0]["invoice_id"].as_str().unwrap().to_string();
    let bal = sched[1]["invoice_id"].as_str().unwrap().to_string();
    let di = app.get(&owner, &format!("/api/v1/invoices/{dep}")).await.1;
    let bi = app.get(&owner, &format!("/api/v1/invoices/{bal}")).await.1;
    assert_eq!(di["invoice"]["kind"], "deposit");
    assert_eq!(money(&di["invoice"]["totals"]["total_minor"]), deposit);
    assert_eq!(
        money(&bi["invoice"]["totals"]["total_minor"]),
        total - deposit
    );
    assert_eq!(bi["invoice"]["kind"], "balance");
    assert!(
        di["invoice"]["number"]
            .as_str()
            .unwrap()
            .starts_with("BLR-2"),
        "issued"
    );
    let event = c["event_on"]
        .as_str()
        .unwrap()
        .parse::<jiff::civil::Date>()
        .unwrap();
    let due = event.checked_sub(jiff::Span::new().days(14)).unwrap();
    assert_eq!(bi["invoice"]["due_on"], due.to_string());
    // GST split on each schedule invoice.
    assert!(money(&di["invoice"]["totals"]["cgst_minor"]) > 0);

    // The deposit paid: active; 120 days out the whole of it would come back.
    let (s, _) = app
        .post(&owner, &format!("/api/v1/invoices/{dep}/payments"), json!({ "amount": format!("{}.{:02}", deposit / 100, deposit % 100), "method": "cash" }))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    assert_eq!(c["status"], "active");
    assert_eq!(money(&c["refund"]["allowed_minor"]), deposit);
    // Staff giving money back on the invoice see what the schedule allows.
    let (s, html, _) = app
        .page(Some(&owner.session), &format!("/invoices/{dep}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("the refund schedule allows"), "{html}");

    // Altering the stored document after signing shows in `audit verify`.
    use darkroom_db::sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let cid: darkroom_domain::ContractId = id.parse().unwrap();
    let row =
        darkroom_db::entity::contract::Entity::find_by_id(darkroom_domain::TypedId::uuid(&cid))
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap();
    let forged = row
        .document
        .clone()
        .unwrap()
        .replace("Asha Rao", "Someone Else");
    let mut am: darkroom_db::entity::contract::ActiveModel = row.into();
    am.document = Set(Some(forged));
    am.update(app.db.conn()).await.unwrap();
    let report = darkroom_core::billing::contract::verify::verify_contracts(&app.core, |_| {})
        .await
        .unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("no longer hashes"),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn cancelling_refunds_what_the_schedule_allows_that_day_and_credits_the_rest() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let d = deal(&app, &owner, 60).await;
    let c = sent(&app, &owner, &d).await;
    let id = c["id"].as_str().unwrap().to_string();
    for (email, kind) in [("asha@example.com", "typed"), ("ravi@example.com", "typed")] {
        let (s, html) = sign_as(
            &app,
            email,
            &[("consent", "yes"), ("kind", kind), ("typed", "Signed Here")],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{html}");
    }
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let (s, c) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/countersign"),
            json!({ "version": c["version"], "consent": true, "signature": "Meera" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let total = money(&c["total_minor"]);
    let deposit = money(&c["schedule"][0]["amount_minor"]);
    let dep = c["schedule"][0]["invoice_id"].as_str().unwrap().to_string();
    let bal = c["schedule"][1]["invoice_id"].as_str().unwrap().to_string();
    let amount = |m: i64| format!("{}.{:02}", m / 100, m % 100);
    app.post(
        &owner,
        &format!("/api/v1/invoices/{dep}/payments"),
        json!({ "amount": amount(deposit), "method": "cash" }),
    )
    .await;
    app.post(
        &owner,
        &format!("/api/v1/invoices/{bal}/payments"),
        json!({ "amount": "20000", "method": "bank_transfer" }),
    )
    .await;
    // 25 days later (35 before the event): the schedule gives back half.
    app.clock
        .advance(std::time::Duration::from_secs(86_400 * 25));
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let paid = deposit + 2_000_000;
    assert_eq!(c["refund"]["days_before"], 35);
    assert_eq!(c["refund"]["rate"], "50");
    assert_eq!(money(&c["refund"]["paid_minor"]), paid);
    assert_eq!(money(&c["refund"]["allowed_minor"]), paid / 2);
    // A cancellation says why.
    let (s, c2) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/cancel"),
            json!({ "version": c["version"], "reason": "" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{c2}");
    let (s, c) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/cancel"),
            json!({ "version": c["version"], "reason": "The couple moved abroad" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    assert!(c["schedule_problem"].is_null(), "{c}");
    // Refunded exactly what was allowed (the deposit first), each the way it came; nothing more is owed.
    let di = app.get(&owner, &format!("/api/v1/invoices/{dep}")).await.1;
    let bi = app.get(&owner, &format!("/api/v1/invoices/{bal}")).await.1;
    let refunded =
        money(&di["invoice"]["refunded_minor"]) + money(&bi["invoice"]["refunded_minor"]);
    assert_eq!(refunded, paid / 2);
    let refund = di["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "refund")
        .unwrap();
    assert_eq!(refund["method"], "cash");
    for i in [&di, &bi] {
        assert_eq!(money(&i["invoice"]["owed_minor"]), 0, "{i}");
    }
    // What the studio keeps is what was paid less the refund.
    assert_eq!(paid - refunded, paid / 2);
    assert!(total > paid);
    // A cancelled contract's links sign nothing.
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/complete"),
            json!({ "version": c["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn signing_links_codes_and_bad_terms_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let d = deal(&app, &owner, 20).await;
    // Bad terms name their field and change nothing.
    let (s, c) = app
        .post(
            &owner,
            "/api/v1/contracts",
            json!({ "project_id": d.project, "terms": { "deposit": "120%" } }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{c}");
    assert_eq!(c["errors"][0]["field"], "terms.deposit");
    let (s, list) = app.get(&owner, "/api/v1/contracts").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing stored");
    let (s, c) = app.post(&owner, "/api/v1/contracts", json!({ "project_id": d.project, "terms": {
        "refund_schedule": [{ "days_before": 30, "refund": "50" }, { "days_before": 90, "refund": "100" }] } })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{c}");
    assert_eq!(c["errors"][0]["field"], "terms.refund_schedule[1]");
    let (s, c) = app
        .post(
            &owner,
            "/api/v1/contracts",
            json!({ "project_id": d.project, "terms": { "deposit": "200000" } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    // A deposit beyond the proposal's total is refused when sending.
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{}/send", c["id"].as_str().unwrap()),
            json!({ "version": c["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "terms.deposit");
    // An unknown link answers 404 with nothing said about any contract.
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (s, html) = v.get(&app, "/sign/sgn_notarealtokenatall").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!html.contains("Lumen"));
    // Five wrong codes burn the code.
    let c = sent(&app, &owner, &d).await;
    let path = sign_path(&email_to(&app, "contract_sign", "asha@example.com").await);
    let (_, html) = v.get(&app, &path).await;
    let csrf = csrf_of(&html).unwrap();
    v.post(&app, &format!("{path}/accept"), &csrf, &[]).await;
    v.post(&app, &format!("{path}/code"), &csrf, &[]).await;
    let code = code_in(&email_to(&app, "contract_code", "asha@example.com").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (s, _) = v
            .post(
                &app,
                &path,
                &csrf,
                &[
                    ("code", wrong),
                    ("consent", "yes"),
                    ("kind", "typed"),
                    ("typed", "Asha"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, html) = v
        .post(
            &app,
            &path,
            &csrf,
            &[
                ("code", &code),
                ("consent", "yes"),
                ("kind", "typed"),
                ("typed", "Asha"),
            ],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the burnt code no longer signs"
    );
    assert!(html.contains("ask for a code"), "{html}");
    // A drawn signature that is not a PNG is refused.
    v.post(&app, &format!("{path}/code"), &csrf, &[]).await;
    let code = code_in(&email_to(&app, "contract_code", "asha@example.com").await);
    let (s, html) = v
        .post(
            &app,
            &path,
            &csrf,
            &[
                ("code", &code),
                ("consent", "yes"),
                ("kind", "drawn"),
                ("drawn", "data:image/png;base64,AAAA"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("PNG"), "{html}");
    // After withdrawal, the link signs nothing.
    let id = c["id"].as_str().unwrap();
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let (s, c) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/cancel"),
            json!({ "version": c["version"], "reason": "Wrong date" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, html) = v.post(&app, &format!("{path}/code"), &csrf, &[]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("cancelled"), "{html}");
}

#[tokio::test]
async fn the_client_sees_their_contracts_in_the_portal() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let d = deal(&app, &owner, 120).await;
    let project = app
        .get(&owner, &format!("/api/v1/projects/{}", d.project))
        .await
        .1;
    let client = project["project"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A draft is not shown; a sent one is, with its PDF.
    let (s, draft) = app
        .post(
            &owner,
            "/api/v1/contracts",
            json!({ "project_id": d.project }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let c = sent(&app, &owner, &d).await;
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{client}/portal-links"),
            json!({ "days": 7 }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let (_, cookie, _) = crate::portal::open(&app, link["url"].as_str().unwrap()).await;
    let cookie = cookie.unwrap();
    let get = |path: String| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let r = app
                .http
                .get(app.url(&path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (r.status(), r.bytes().await.unwrap())
        }
    };
    let (s, page) = get("/portal".into()).await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8_lossy(&page).to_string();
    assert!(page.contains(c["id"].as_str().unwrap()), "{page}");
    assert!(page.contains("BLR-C-"), "{page}");
    assert!(
        !page.contains(draft["id"].as_str().unwrap()),
        "drafts stay with the studio"
    );
    let (s, pdf) = get(format!(
        "/portal/contracts/{}/pdf",
        c["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    // Signing from the portal: a fresh link for the person the portal link
    // went to (their emailed one stops), then the usual code.
    let emailed = sign_path(&email_to(&app, "contract_sign", "asha@example.com").await);
    let r = app
        .http
        .get(app.url("/portal"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let csrf_cookie = crate::helpers::set_cookie(r.headers(), "darkroom_csrf").unwrap();
    let html = r.text().await.unwrap();
    let csrf = csrf_of(&html).unwrap();
    let r = app
        .http
        .post(app.url(&format!(
            "/portal/contracts/{}/sign",
            c["id"].as_str().unwrap()
        )))
        .header("cookie", format!("{cookie}; darkroom_csrf={csrf_cookie}"))
        .header("origin", &app.base)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/sign/sgn_"), "{to}");
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (s, html) = v.get(&app, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("asha@example.com") || html.contains("Asha Rao"),
        "{html}"
    );
    let (s, _) = v.get(&app, &emailed).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the older link stops");
    // A draft's, or another studio's contract, answers like one that does not exist.
    let (s, _) = get(format!(
        "/portal/contracts/{}/pdf",
        draft["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let other = app.studio("Other").await;
    let d2 = deal(&app, &other, 120).await;
    let c2 = sent(&app, &other, &d2).await;
    let (s, _) = get(format!(
        "/portal/contracts/{}/pdf",
        c2["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn payments_have_receipts_for_staff_and_in_the_portal() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let (_, c) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Asha Rao", "email": "asha@example.com" }),
        )
        .await;
    let client = c["id"].as_str().unwrap().to_string();
    let d = crate::billing::draft(&app, &owner, &client, &branch, "1000").await;
    let v = crate::billing::issue(&app, &owner, &d).await;
    let id = v["invoice"]["id"].as_str().unwrap().to_string();
    let number = v["invoice"]["number"].as_str().unwrap().to_string();
    for amount in ["500", "680"] {
        let (s, _) = app
            .post(
                &owner,
                &format!("/api/v1/invoices/{id}/payments"),
                json!({ "amount": amount, "method": "upi", "reference": "UPI-42" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, d) = app.get(&owner, &format!("/api/v1/invoices/{id}")).await;
    let payments: Vec<String> = d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "payment")
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let charge = d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "charge")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(payments.len(), 2);
    // Staff: the second payment's receipt, numbered after the invoice.
    let r = app
        .http
        .get(app.url(&format!(
            "/api/v1/invoices/{id}/payments/{}/receipt",
            payments[1]
        )))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let name = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        name.contains(&format!("{}-R2.pdf", number.replace('/', "-"))),
        "{name}"
    );
    let receipt = r.bytes().await.unwrap();
    assert!(receipt.starts_with(b"%PDF-"));
    if let Ok(dir) = std::env::var("DARKROOM_SCREENSHOTS") {
        std::fs::write(format!("{dir}/receipt.pdf"), &receipt).unwrap();
        let r = app
            .http
            .get(app.url(&format!("/api/v1/invoices/{id}/pdf")))
            .bearer_auth(&owner.token)
            .send()
            .await
            .unwrap();
        std::fs::write(format!("{dir}/gst-invoice.pdf"), r.bytes().await.unwrap()).unwrap();
    }
    // The charge is not a payment: no receipt.
    let (s, _) = app
        .get(
            &owner,
            &format!("/api/v1/invoices/{id}/payments/{charge}/receipt"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The client downloads it in the portal; another client's invoice is 404.
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{client}/portal-links"),
            json!({ "days": 7 }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let (_, cookie, _) = crate::portal::open(&app, link["url"].as_str().unwrap()).await;
    let cookie = cookie.unwrap();
    let r = app
        .http
        .get(app.url(&format!("/portal/invoices/{id}/receipts/{}", payments[0])))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    let page = app
        .http
        .get(app.url(&format!("/portal/invoices/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/receipts/{}", payments[1])),
        "{page}"
    );
    let (_, other) = app
        .post(&owner, "/api/v1/clients", json!({ "name": "Ravi" }))
        .await;
    let d2 =
        crate::billing::draft(&app, &owner, other["id"].as_str().unwrap(), &branch, "100").await;
    let v2 = crate::billing::issue(&app, &owner, &d2).await;
    let id2 = v2["invoice"]["id"].as_str().unwrap();
    let r = app
        .http
        .get(app.url(&format!("/portal/invoices/{id2}/receipts/{}", payments[0])))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moving_the_event_invoices_the_rescheduling_fee_and_the_schedule_counts_from_the_new_day() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let d = deal(&app, &owner, 40).await;
    let (s, t) = app
        .post(
            &owner,
            "/api/v1/contract-templates",
            json!({ "name": "Wedding", "body": "For {{ client.name }}.",
            "terms": { "reschedule_fee": "5000" } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let c = sent(&app, &owner, &d).await;
    let id = c["id"].as_str().unwrap().to_string();
    // A contract not yet signed is not moved.
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/reschedule"),
            json!({ "version": c["version"], "event_on": "2099-01-01", "reason": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    for email in ["asha@example.com", "ravi@example.com"] {
        let (s, html) = sign_as(
            &app,
            email,
            &[("consent", "yes"), ("kind", "typed"), ("typed", "Signed")],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{html}");
    }
    let c = app.get(&owner, &format!("/api/v1/contracts/{id}")).await.1;
    let (s, c) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/countersign"),
            json!({ "version": c["version"], "consent": true, "signature": "Meera" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["refund"]["rate"], "50", "40 days out: half");
    let today = darkroom_domain::booking::calendar::today(app.clock_now(), "Asia/Kolkata");
    let past = today.checked_sub(jiff::Span::new().days(1)).unwrap();
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/contracts/{id}/reschedule"),
            json!({ "version": c["version"], "event_on": past.to_string(), "reason": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "event_on");
    let later = today.checked_add(jiff::Span::new().days(200)).unwrap();
    let (s, c) = app.post(&owner, &format!("/api/v1/contracts/{id}/reschedule"), json!({ "version": c["version"], "event_on": later.to_string(), "reason": "Venue flooded" })).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["event_on"], later.to_string());
    assert_eq!(c["refund"]["days_before"], 200);
    assert_eq!(
        c["refund"]["rate"], "100",
        "the schedule counts from the new day"
    );
    assert_eq!(
        app.audit_count(owner.studio, "contract.rescheduled").await,
        1
    );
    // The fee is invoiced and issued, tax included, linked to the contract.
    let (_, list) = app
        .get(
            &owner,
            &format!("/api/v1/invoices?project_id={}", d.project),
        )
        .await;
    let fee = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "booking" && i["contract_id"] == json!(id))
        .expect("the fee's invoice");
    assert_eq!(fee["totals"]["total_minor"], 500_000);
    assert!(fee["number"].as_str().unwrap().starts_with("BLR-"));
}
