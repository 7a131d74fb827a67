//! Billing in a real browser, on a phone and a laptop: staff draft an
//! invoice from a client's page for a GST branch, add a line, issue it,
//! record a part payment, see it partly paid, and open the money report.
//! Every page is checked for labels, axe-core, 44 px targets and overflow.
//! A client pays an invoice by card in the portal through the Stripe peer
//! (localstripe), and staff refund part of it to the card.

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{
    browser, check_accessible_and_fits, chromedriver, click_button, fill, page_with,
    select_by_text, sign_in, snap, wait_path,
};

async fn fill_id(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("no field #{id}"));
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn staff_draft_issue_and_take_a_payment_on_an_invoice() {
    for width in [390u32, 1366] {
        let app = super::helpers::TestApp::spawn().await;
        let owner = app.studio("Lumen").await;
        let (s, b) = app
            .post(
                &owner,
                "/api/v1/branches",
                json!({ "name": "Bengaluru", "invoice_prefix": "BLR-", "tax_id_kind": "gstin", "tax_id": "29AAACL1234L1ZI" }),
            )
            .await;
        assert!(s.is_success(), "{b}");
        let (_, asha) = app
            .post(
                &owner,
                "/api/v1/clients",
                json!({ "name": "Asha Rao", "kind": "couple", "partner_name": "Ravi" }),
            )
            .await;
        let client = asha["id"].as_str().unwrap().to_string();
        let driver = chromedriver();
        let c = browser(&driver, width).await;
        sign_in(&c, &app, &owner.email).await;

        c.goto(&app.url(&format!("/clients/{client}")))
            .await
            .unwrap();
        c.find(Locator::Css("a[href^='/invoices/new']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/invoices/new").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("invoice-new-{width}")).await;
        select_by_text(&c, "branch_id", "Bengaluru").await;
        fill(&c, "line_description", "Wedding coverage").await;
        fill(&c, "line_unit_price", "100000").await;
        fill(&c, "line_tax_rate", "18").await;
        click_button(&c, "Save draft").await;
        wait_path(&c, "/invoices/inv_").await;
        page_with(&c, "Draft saved").await;
        // A line with a discount.
        fill_id(&c, "new-description", "Album").await;
        fill_id(&c, "new-quantity", "2").await;
        fill_id(&c, "new-unit", "12000").await;
        fill_id(&c, "new-discount", "10%").await;
        fill_id(&c, "new-tax", "12").await;
        click_button(&c, "Add line").await;
        page_with(&c, "Line added").await;
        // ₹1,00,000 + 18% and 2 × ₹12,000 less 10% + 12%: ₹1,42,192.
        page_with(&c, "INR 142,192.00").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("invoice-draft-{width}")).await;
        click_button(&c, "Issue invoice").await;
        c.accept_alert().await.ok();
        page_with(&c, "Invoice issued").await;
        page_with(&c, "BLR-").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("invoice-issued-{width}")).await;
        fill(&c, "amount", "50000").await;
        click_button(&c, "Record payment").await;
        page_with(&c, "Payment recorded").await;
        page_with(&c, "partly paid").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("invoice-paid-{width}")).await;

        c.goto(&app.url("/reports/money")).await.unwrap();
        page_with(&c, "Revenue").await;
        page_with(&c, "INR 50,000.00").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("money-{width}")).await;
        c.goto(&app.url("/invoices")).await.unwrap();
        check_accessible_and_fits(&c, width).await;
        c.close().await.unwrap();
    }
}

/// The API's view of an invoice, waiting until it reaches `status`.
pub(crate) async fn wait_invoice(
    app: &super::helpers::TestApp,
    who: &super::helpers::Who,
    id: &str,
    status: &str,
) {
    for _ in 0..150 {
        let (_, v) = app.get(who, &format!("/api/v1/invoices/{id}")).await;
        if v["invoice"]["status"] == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("invoice {id} never became {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn a_client_pays_an_invoice_by_card_in_the_portal_and_staff_refund_part_to_the_card() {
    let stripe = super::stripe_peer::LocalStripe::start().await;
    let width = 390u32;
    let base = stripe.base.clone();
    let app = super::helpers::TestApp::spawn_with(|c| {
        c.payments.stripe_api_base = base.clone();
        c.payments.stripe_js_url = format!("{base}/js.stripe.com/v3/");
    })
    .await;
    let owner = app.studio("Lumen").await;
    let (s, b) = app
        .post(
            &owner,
            "/api/v1/branches",
            json!({ "name": "Bengaluru", "invoice_prefix": "BLR-", "tax_id_kind": "gstin", "tax_id": "29AAACL1234L1ZI" }),
        )
        .await;
    assert!(s.is_success(), "{b}");
    let (_, asha) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Asha Rao", "email": "asha@example.com" }),
        )
        .await;
    let client = asha["id"].as_str().unwrap().to_string();
    let (s, d) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": client, "branch_id": b["id"],
                    "lines": [{ "description": "Wedding coverage", "unit_price": "1000", "tax_rate": "18" }] }),
        )
        .await;
    assert!(s.is_success(), "{d}");
    let id = d["invoice"]["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/invoices/{id}/issue"),
            json!({ "version": d["invoice"]["version"] }),
        )
        .await;
    assert!(s.is_success(), "{v}");

    // The owner connects Stripe on its settings page.
    let driver = chromedriver();
    let c = browser(&driver, width).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/settings")).await.unwrap();
    c.find(Locator::Css("a[href='/settings/payments']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(&c, "/settings/payments").await;
    check_accessible_and_fits(&c, width).await;
    fill(&c, "publishable_key", "pk_test_darkroom").await;
    fill(&c, "secret_key", "sk_test_darkroom").await;
    fill(&c, "webhook_secret", super::stripe_peer::SECRET).await;
    click_button(&c, "Connect Stripe").await;
    page_with(&c, "Stripe connected").await;
    let hook = page_with(&c, "/hooks/stripe/").await;
    assert!(hook.contains("Connected in test mode"), "{hook}");
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("stripe-settings-{width}")).await;
    stripe
        .notify(
            &app.url(&format!("/hooks/stripe/{}", owner.studio)),
            super::stripe_peer::SECRET,
        )
        .await;

    // The client opens their portal and pays by card.
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{client}/portal-links"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{link}");
    let portal = c.new_window(true).await.unwrap();
    c.switch_to_window(portal.handle).await.unwrap();
    c.goto(link["url"].as_str().unwrap()).await.unwrap();
    wait_path(&c, "/portal").await;
    page_with(&c, "You owe").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("portal-invoices-{width}")).await;
    c.find(Locator::Css("a[href^='/portal/invoices/']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page_with(&c, "Pay INR 1,180.00 by card").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("portal-invoice-{width}")).await;
    click_button(&c, "Pay INR 1,180.00 by card").await;
    // Stripe.js runs under the page's policy: its card form is mounted.
    c.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("#card input"))
        .await
        .expect("Stripe.js mounted its card form");
    snap(&c, &format!("portal-pay-{width}")).await;
    let secret = c
        .find(Locator::Id("pay"))
        .await
        .unwrap()
        .attr("data-secret")
        .await
        .unwrap()
        .unwrap();
    let intent = secret.split("_secret_").next().unwrap();
    // The card network's part (localstripe's Stripe.js cannot confirm one).
    stripe.pay_with_card(intent).await;
    wait_invoice(&app, &owner, &id, "paid").await;
    c.goto(&app.url(&format!("/portal/invoices/{id}")))
        .await
        .unwrap();
    page_with(&c, "stripe").await;
    let page = page_with(&c, "paid").await;
    assert!(!page.contains("by card</button>"), "{page}");
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("portal-paid-{width}")).await;

    // Staff give part of it back to the card.
    let staff = c.windows().await.unwrap()[0].clone();
    c.switch_to_window(staff).await.unwrap();
    c.goto(&app.url(&format!("/invoices/{id}"))).await.unwrap();
    c.find(Locator::Css("#refund summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "refund_amount", "300").await;
    fill(&c, "refund_reason", "Album cancelled").await;
    click_button(&c, "Refund").await;
    page_with(&c, "Refund recorded").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("invoice-card-refund-{width}")).await;
    let refunds = stripe
        .call(
            reqwest::Method::GET,
            "/v1/refunds",
            &[("payment_intent", intent)],
        )
        .await
        .unwrap();
    assert_eq!(refunds["data"][0]["amount"], 30_000, "{refunds}");
    c.close().await.unwrap();
}
