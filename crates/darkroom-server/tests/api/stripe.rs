//! Card payments through Stripe, against localstripe (a stateful Stripe
//! server from PyPI) as the peer: the client pays in the portal, Stripe's
//! signed notice records the payment once however often and in whatever
//! order it comes, a refund goes back through Stripe, and forged, stale or
//! foreign notices change nothing. Notices the test sends itself are
//! signed by Stripe's own Python library.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::billing::{draft, gst_branch, issue};
use crate::helpers::{TestApp, Who};
use crate::stripe_peer::{LocalStripe, SECRET, stripe_signature};

async fn deliver(
    app: &TestApp,
    studio: &str,
    body: &str,
    signature: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app
        .http
        .post(app.url(&format!("/hooks/stripe/{studio}")))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = signature {
        req = req.header("stripe-signature", s);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn now(app: &TestApp) -> i64 {
    app.clock_now().as_micros() / 1_000_000
}

async fn connect(app: &TestApp, owner: &Who) {
    // Keys of different modes, and a webhook secret of the wrong shape:
    // each named, nothing kept.
    let (s, e) = app
        .api(
            owner,
            Method::PUT,
            "/api/v1/settings/payments/stripe",
            Some(json!({ "version": 0, "secret_key": "sk_test_darkroom",
                         "publishable_key": "pk_live_darkroom", "webhook_secret": "secret" })),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("publishable_key") && text.contains("webhook_secret"),
        "{e}"
    );
    let (s, v) = app
        .api(
            owner,
            Method::PUT,
            "/api/v1/settings/payments/stripe",
            Some(json!({ "version": 0, "secret_key": "sk_test_darkroom",
                         "publishable_key": "pk_test_darkroom", "webhook_secret": SECRET })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["connected"], true);
    assert_eq!(v["mode"], "test");
    assert_eq!(v["secret_key_hint"], "sk_test_…room");
    assert!(
        !v.to_string().contains(SECRET),
        "secrets never come back: {v}"
    );
}

/// An issued invoice of 1,180.00 INR for a new client with an email, and a
/// portal cookie of that client.
async fn invoice_for_portal(
    app: &TestApp,
    owner: &Who,
    branch: &str,
    name: &str,
) -> (String, String) {
    let (id, cookie, _) = invoice_and_link(app, owner, branch, name).await;
    (id, cookie)
}

/// The same, with the portal link's API path (to revoke it).
async fn invoice_and_link(
    app: &TestApp,
    owner: &Who,
    branch: &str,
    name: &str,
) -> (String, String, String) {
    let client = crate::portal::client(
        app,
        owner,
        json!({ "name": name, "email": format!("{}@example.com", name.to_lowercase()) }),
    )
    .await;
    let d = draft(app, owner, &client, branch, "1000").await;
    let inv = issue(app, owner, &d).await;
    let id = inv["invoice"]["id"].as_str().unwrap().to_string();
    let (s, link) = app
        .post(
            owner,
            &format!("/api/v1/clients/{client}/portal-links"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let (_, cookie, _) = crate::portal::open(app, link["url"].as_str().unwrap()).await;
    let path = format!(
        "/api/v1/clients/{client}/portal-links/{}",
        link["id"].as_str().unwrap()
    );
    (id, cookie.unwrap(), path)
}

async fn page(app: &TestApp, cookie: &str, method: Method, path: &str) -> reqwest::Response {
    app.http
        .request(method, app.url(path))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .send()
        .await
        .unwrap()
}

/// Starts paying in the portal; returns the PaymentIntent's id.
async fn start_paying(app: &TestApp, cookie: &str, invoice: &str, stripe: &LocalStripe) -> String {
    let res = page(
        app,
        cookie,
        Method::POST,
        &format!("/portal/invoices/{invoice}/pay"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("script-src 'self' {}", stripe.base)),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("Pay INR 1,180.00"), "{html}");
    let secret = html
        .split("data-secret=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    secret.split("_secret_").next().unwrap().to_string()
}

async fn entries(app: &TestApp, owner: &Who, invoice: &str) -> Value {
    let (s, v) = app.get(owner, &format!("/api/v1/invoices/{invoice}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn wait_for_status(app: &TestApp, owner: &Who, invoice: &str, status: &str) -> Value {
    for _ in 0..150 {
        let v = entries(app, owner, invoice).await;
        if v["invoice"]["status"] == status {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "invoice {invoice} never became {status}: {}",
        entries(app, owner, invoice).await
    );
}

fn count(v: &Value, kind: &str) -> usize {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .count()
}

#[tokio::test]
async fn a_client_pays_by_card_and_stripes_notices_move_money_exactly_once() {
    let stripe = LocalStripe::start().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(|c| {
        c.payments.stripe_api_base = base.clone();
        c.payments.stripe_js_url = format!("{base}/js.stripe.com/v3/");
    })
    .await;
    let owner = app.studio("Lumen").await;
    let studio = owner.studio.to_string();
    let branch = gst_branch(&app, &owner, "BLR-").await;
    let (invoice, cookie) = invoice_for_portal(&app, &owner, &branch, "Asha").await;

    // Before the studio connects Stripe, the portal offers no card payment.
    let html = page(
        &app,
        &cookie,
        Method::GET,
        &format!("/portal/invoices/{invoice}"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        html.contains("INR 1,180.00") && !html.contains("by card"),
        "{html}"
    );
    let res = page(
        &app,
        &cookie,
        Method::POST,
        &format!("/portal/invoices/{invoice}/pay"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    connect(&app, &owner).await;
    stripe
        .notify(&app.url(&format!("/hooks/stripe/{studio}")), SECRET)
        .await;
    let home = page(&app, &cookie, Method::GET, "/portal")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("You owe <strong>INR 1,180.00</strong>"),
        "{home}"
    );
    let pdf = page(
        &app,
        &cookie,
        Method::GET,
        &format!("/portal/invoices/{invoice}/pdf"),
    )
    .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    // The client pays; Stripe's own notice records it.
    let intent = start_paying(&app, &cookie, &invoice, &stripe).await;
    stripe.pay_with_card(&intent).await;
    let v = wait_for_status(&app, &owner, &invoice, "paid").await;
    assert_eq!(count(&v, "payment"), 1, "{v}");
    assert_eq!(v["invoice"]["paid_minor"], 118_000);
    let paid = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "payment")
        .unwrap()
        .clone();
    assert_eq!(paid["method"], "stripe");
    assert_eq!(paid["reference"], intent);

    // The same notice ten times, signed by Stripe's library: once.
    let pi = stripe
        .call(Method::GET, &format!("/v1/payment_intents/{intent}"), &[])
        .await
        .unwrap();
    let event =
        json!({ "id": "evt_replayed", "object": "event", "type": "payment_intent.succeeded",
                        "data": { "object": pi } })
        .to_string();
    for _ in 0..10 {
        let sig = stripe_signature(&event, SECRET, now(&app));
        let (s, out) = deliver(&app, &studio, &event, Some(&sig)).await;
        assert_eq!(s, StatusCode::OK, "{out}");
    }
    let v = entries(&app, &owner, &invoice).await;
    assert_eq!(count(&v, "payment"), 1, "{v}");
    assert_eq!(v["invoice"]["paid_minor"], 118_000);

    // Forged, stale, unsigned, or for another studio: refused, nothing moves.
    let forged = event.replace("118000", "1");
    let sig = stripe_signature(&event, SECRET, now(&app));
    assert_eq!(
        deliver(&app, &studio, &forged, Some(&sig)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let other_secret = stripe_signature(&event, "whsec_someone_else", now(&app));
    assert_eq!(
        deliver(&app, &studio, &event, Some(&other_secret)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let stale = stripe_signature(&event, SECRET, now(&app) - 3600);
    let (s, e) = deliver(&app, &studio, &event, Some(&stale)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(e.to_string().contains("tolerance"), "{e}");
    assert_eq!(
        deliver(&app, &studio, &event, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let rival = app.studio("Rival").await;
    let (s, _) = deliver(&app, &rival.studio.to_string(), &event, Some(&sig)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a studio without Stripe has no endpoint"
    );
    assert_eq!(
        entries(&app, &owner, &invoice).await["invoice"]["paid_minor"],
        118_000
    );

    // Staff give part back through Stripe: the refund is Stripe's, with a
    // credit note, recorded once.
    let (s, r) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{invoice}/refunds"),
            json!({ "amount": "300", "method": "stripe", "reason": "Album cancelled" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let at_stripe = stripe
        .call(
            Method::GET,
            "/v1/refunds",
            &[("payment_intent", intent.as_str())],
        )
        .await
        .unwrap();
    assert_eq!(
        at_stripe["data"].as_array().unwrap().len(),
        1,
        "{at_stripe}"
    );
    assert_eq!(at_stripe["data"][0]["amount"], 30_000);
    assert_eq!(count(&r, "refund"), 1, "{r}");
    assert_eq!(r["invoice"]["refunded_minor"], 30_000);
    // More than the card paid and not given back: refused, Stripe untouched.
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{invoice}/refunds"),
            json!({ "amount": "900", "method": "stripe", "reason": "Everything" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let at_stripe = stripe
        .call(
            Method::GET,
            "/v1/refunds",
            &[("payment_intent", intent.as_str())],
        )
        .await
        .unwrap();
    assert_eq!(at_stripe["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refunds_notice_before_its_payments_records_both_once_in_any_order() {
    let stripe = LocalStripe::start().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(|c| {
        c.payments.stripe_api_base = base.clone();
        c.payments.stripe_js_url = format!("{base}/js.stripe.com/v3/");
    })
    .await;
    let owner = app.studio("Lumen").await;
    let studio = owner.studio.to_string();
    let branch = gst_branch(&app, &owner, "BLR-").await;
    connect(&app, &owner).await;
    // Stripe's own deliveries go nowhere: the test delivers the notices.
    stripe.notify("http://127.0.0.1:9/", SECRET).await;
    let (invoice, cookie, link) = invoice_and_link(&app, &owner, &branch, "Ravi").await;
    let intent = start_paying(&app, &cookie, &invoice, &stripe).await;
    stripe.pay_with_card(&intent).await;
    let mut pi = Value::Null;
    for _ in 0..100 {
        pi = stripe
            .call(Method::GET, &format!("/v1/payment_intents/{intent}"), &[])
            .await
            .unwrap();
        if pi["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pi["status"], "succeeded", "{pi}");
    // A refund made in Stripe's dashboard.
    let refund = stripe
        .call(
            Method::POST,
            "/v1/refunds",
            &[("payment_intent", intent.as_str()), ("amount", "18000")],
        )
        .await
        .unwrap();
    let charge = stripe
        .call(
            Method::GET,
            &format!("/v1/charges/{}", refund["charge"].as_str().unwrap()),
            &[],
        )
        .await
        .unwrap();
    let paid = json!({ "id": "evt_paid", "object": "event", "type": "payment_intent.succeeded",
                       "data": { "object": pi } })
    .to_string();
    let refunded = json!({ "id": "evt_refunded", "object": "event", "type": "charge.refunded",
                           "data": { "object": charge } })
    .to_string();
    let created = json!({ "id": "evt_refund", "object": "event", "type": "refund.created",
                          "data": { "object": refund } })
    .to_string();
    // The refund's notice first, then all of them, over and over, mixed.
    let order = [
        &refunded, &paid, &created, &paid, &refunded, &created, &created, &paid, &refunded, &paid,
    ];
    for body in order {
        let sig = stripe_signature(body, SECRET, now(&app));
        let (s, out) = deliver(&app, &studio, body, Some(&sig)).await;
        assert_eq!(s, StatusCode::OK, "{out}");
    }
    let v = entries(&app, &owner, &invoice).await;
    assert_eq!(count(&v, "payment"), 1, "{v}");
    assert_eq!(count(&v, "refund"), 1, "{v}");
    // Paid net of what went back.
    assert_eq!(v["invoice"]["paid_minor"], 100_000);
    assert_eq!(v["invoice"]["refunded_minor"], 18_000);
    // Given back without a credit note: the client owes it again.
    assert_eq!(v["invoice"]["owed_minor"], 18_000);
    assert_eq!(v["invoice"]["status"], "partly_paid");

    // Another client's invoice is not in this client's portal.
    let (other, _) = invoice_for_portal(&app, &owner, &branch, "Mira").await;
    for path in [
        format!("/portal/invoices/{other}"),
        format!("/portal/invoices/{other}/pdf"),
    ] {
        assert_eq!(
            page(&app, &cookie, Method::GET, &path).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let res = page(
        &app,
        &cookie,
        Method::POST,
        &format!("/portal/invoices/{other}/pay"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A revoked link stops the invoice pages at once.
    let (s, _) = app.api(&owner, Method::DELETE, &link, None).await;
    assert_eq!(s, StatusCode::OK);
    for (method, path) in [
        (Method::GET, format!("/portal/invoices/{invoice}")),
        (Method::GET, format!("/portal/invoices/{invoice}/pdf")),
        (Method::POST, format!("/portal/invoices/{invoice}/pay")),
    ] {
        assert_eq!(
            page(&app, &cookie, method, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
