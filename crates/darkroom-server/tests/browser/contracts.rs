//! The money journey in a real browser (issue 13): staff send a proposal
//! with its contract; the client accepts, both partners sign with codes
//! read from the SMTP sink (one types, one draws); the studio
//! countersigns; the deposit is paid by card through the Stripe peer and
//! its webhook marks it paid; the balance is paid partly in cash with a
//! Korean cash receipt; a cancellation refunds what the schedule allows;
//! the money report shows it. Every page is checked at phone width.

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{
    browser, check_accessible_and_fits, chromedriver, click_button, fill, page_with, sign_in, snap,
    wait_path,
};

/// The raw messages' text with quoted-printable soft breaks undone.
fn mails(sink: &super::peers::SmtpSink) -> Vec<String> {
    sink.messages()
        .into_iter()
        .map(|m| {
            m.replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

/// The path of the signing link mailed to `to`.
fn link_for(sink: &super::peers::SmtpSink, to: &str) -> String {
    let m = mails(sink)
        .into_iter()
        .find(|m| {
            (m.contains(&format!("To: {to}")) || m.contains(&format!("<{to}>")))
                && m.contains("/sign/sgn_")
        })
        .unwrap_or_else(|| panic!("no signing link for {to}"));
    let i = m.find("/sign/sgn_").unwrap();
    m[i..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_string()
}

/// The code mailed to `to` (each signer asks for one here).
fn code_for(sink: &super::peers::SmtpSink, to: &str) -> String {
    let codes: Vec<String> = mails(sink)
        .into_iter()
        .filter(|m| m.contains(to) && m.contains("Your signing code: "))
        .map(|m| {
            let i = m.find("Your signing code: ").unwrap() + "Your signing code: ".len();
            m[i..i + 6].to_string()
        })
        .collect();
    assert_eq!(codes.len(), 1, "one code for {to}");
    codes[0].clone()
}

async fn deliver(app: &super::helpers::TestApp, sink: &super::peers::SmtpSink, want: usize) {
    for _ in 0..100 {
        app.drain_jobs().await;
        if sink.messages().len() >= want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "only {} emails arrived, expected {want}",
        sink.messages().len()
    );
}

/// Signs as the person whose link is `path`: accept (once), code, sign.
async fn sign(
    c: &Client,
    app: &super::helpers::TestApp,
    sink: &super::peers::SmtpSink,
    path: &str,
    to: &str,
    drawn: bool,
    width: u32,
) {
    c.goto(&app.url(path)).await.unwrap();
    page_with(c, "Payment and cancellation terms").await;
    check_accessible_and_fits(c, width).await;
    if c.find(Locator::XPath(
        "//button[normalize-space()='Accept this proposal']",
    ))
    .await
    .is_ok()
    {
        snap(c, &format!("sign-proposal-{width}")).await;
        click_button(c, "Accept this proposal").await;
        page_with(c, "Proposal accepted").await;
    }
    let before = sink.messages().len();
    click_button(c, "Email me a code").await;
    page_with(c, "We emailed you a six-digit code").await;
    deliver(app, sink, before + 1).await;
    fill(c, "code", &code_for(sink, to)).await;
    if drawn {
        c.find(Locator::Css("input[name=kind][value=drawn]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // A finger's stroke across the pad, as pointer events.
        c.execute(
            "const cv = document.querySelector('canvas'); const r = cv.getBoundingClientRect();
             const ev = (t, x, y) => cv.dispatchEvent(new PointerEvent(t, { clientX: r.left + x, clientY: r.top + y, pointerId: 7, bubbles: true }));
             ev('pointerdown', 10, 40); for (let i = 1; i < 30; i++) ev('pointermove', 10 + i * 8, 40 + Math.sin(i / 3) * 20); ev('pointerup', 250, 40);",
            vec![],
        )
        .await
        .unwrap();
    } else {
        fill(c, "typed", "Asha Rao").await;
    }
    c.find(Locator::Css("input[name=consent]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check_accessible_and_fits(c, width).await;
    snap(
        c,
        &format!(
            "sign-form-{}-{width}",
            if drawn { "drawn" } else { "typed" }
        ),
    )
    .await;
    click_button(c, "Sign").await;
    page_with(c, "You have signed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn proposal_to_signed_contract_deposit_by_card_balance_in_cash_and_a_refund_by_schedule() {
    let width = 390u32;
    let sink = super::peers::SmtpSink::start(0.0);
    let stripe = super::stripe_peer::LocalStripe::start().await;
    let base = stripe.base.clone();
    let port = sink.port;
    let app = super::helpers::TestApp::spawn_with(|c| {
        c.payments.stripe_api_base = base.clone();
        c.payments.stripe_js_url = format!("{base}/js.stripe.com/v3/");
        c.smtp = Some(darkroom_server::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: "none".into(),
            username: None,
            password: None,
            from_address: "studio@lumen.test".into(),
            from_name: "Lumen".into(),
        });
    })
    .await;
    let owner = app.studio("Lumen").await;
    // A Seoul branch (10% VAT, cash receipts), a package, a couple, their wedding in 60 days.
    let (s, b) = app
        .post(&owner, "/api/v1/branches", json!({ "name": "Seoul", "invoice_prefix": "SEL-", "tax_id_kind": "brn", "tax_id": "123-45-67890", "time_zone": "Asia/Seoul", "currency": "KRW" }))
        .await;
    assert!(s.is_success(), "{b}");
    let (_, pkg) = app
        .post(&owner, "/api/v1/packages", json!({ "branch_id": b["id"], "name": "Wedding day", "price": "2200000", "tax_rate_bp": 1000 }))
        .await;
    let (_, couple) = app
        .post(&owner, "/api/v1/clients", json!({ "name": "김민지", "kind": "couple", "email": "minji@example.com", "partner_name": "이서준", "partner_email": "seojun@example.com" }))
        .await;
    let client = couple["id"].as_str().unwrap().to_string();
    let today = darkroom_domain::booking::calendar::today(app.clock_now(), "Asia/Seoul");
    let day = today.checked_add(jiff::Span::new().days(60)).unwrap();
    let (s, project) = app
        .post(&owner, "/api/v1/projects", json!({ "client_id": client, "branch_id": b["id"], "kind": "wedding", "name": "Minji & Seojun", "package_id": pkg["id"], "starts_on": day.to_string(), "venue": "Seoul Shilla" }))
        .await;
    assert!(s.is_success(), "{project}");
    let (s, st) = app
        .api(&owner, reqwest::Method::PUT, "/api/v1/settings/payments/stripe", Some(json!({ "version": 0, "publishable_key": "pk_test_darkroom", "secret_key": "sk_test_darkroom", "webhook_secret": super::stripe_peer::SECRET })))
        .await;
    assert!(s.is_success(), "{st}");
    stripe
        .notify(
            &app.url(&format!("/hooks/stripe/{}", owner.studio)),
            super::stripe_peer::SECRET,
        )
        .await;

    // Staff draft the contract from the project, add a fee to the proposal, send it.
    let driver = chromedriver();
    let c = browser(&driver, width).await;
    sign_in(&c, &app, &owner.email).await;
    // The templates page: the built-in text to start from.
    c.goto(&app.url("/settings/contract-templates"))
        .await
        .unwrap();
    page_with(&c, "New template").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("contract-templates-{width}")).await;
    let pid = project["id"].as_str().unwrap();
    c.goto(&app.url(&format!("/projects/{pid}"))).await.unwrap();
    c.find(Locator::Css("a[href^='/contracts?project_id=']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(&c, "/contracts").await;
    check_accessible_and_fits(&c, width).await;
    click_button(&c, "Draft the contract").await;
    page_with(&c, "Contract drafted").await;
    page_with(&c, "Wedding day").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("contract-draft-{width}")).await;
    let contract_url = c.current_url().await.unwrap().to_string();
    let contract_url = contract_url.split(['?', '#']).next().unwrap().to_string();
    let cid = contract_url
        .split("/contracts/")
        .nth(1)
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_string();
    click_button(&c, "Send for signing").await;
    page_with(&c, "each signer got their own link").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("contract-sent-{width}")).await;
    deliver(&app, &sink, 2).await;

    // Both partners sign in their own browser window: one types, one draws.
    let staff = c.window().await.unwrap();
    let w = c.new_window(true).await.unwrap();
    c.switch_to_window(w.handle.clone()).await.unwrap();
    let minji = link_for(&sink, "minji@example.com");
    let seojun = link_for(&sink, "seojun@example.com");
    sign(&c, &app, &sink, &minji, "minji@example.com", false, width).await;
    sign(&c, &app, &sink, &seojun, "seojun@example.com", true, width).await;
    page_with(&c, "The studio countersigns next").await;

    // The studio countersigns: the schedule's invoices go out.
    c.switch_to_window(staff.clone()).await.unwrap();
    c.goto(&contract_url).await.unwrap();
    fill(&c, "signature", "Lumen Owner").await;
    c.find(Locator::Css("input[name=consent]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "Countersign").await;
    page_with(&c, "Countersigned").await;
    page_with(&c, "Payment schedule").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("contract-signed-{width}")).await;
    let (_, con) = app.get(&owner, &format!("/api/v1/contracts/{cid}")).await;
    assert_eq!(con["status"], "signed", "{con}");
    assert_eq!(con["signers"][1]["signature_kind"], "drawn");
    let deposit = con["schedule"][0]["invoice_id"]
        .as_str()
        .unwrap()
        .to_string();
    let balance = con["schedule"][1]["invoice_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        con["schedule"][0]["amount_minor"], 660_000,
        "30% of 2,200,000"
    );

    // The client pays the deposit by card in the portal; the webhook marks it paid.
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{client}/portal-links"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{link}");
    c.switch_to_window(w.handle.clone()).await.unwrap();
    c.goto(link["url"].as_str().unwrap()).await.unwrap();
    wait_path(&c, "/portal").await;
    page_with(&c, "Signed PDF").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("portal-contract-{width}")).await;
    c.goto(&app.url(&format!("/portal/invoices/{deposit}")))
        .await
        .unwrap();
    click_button(&c, "Pay KRW 660,000 by card").await;
    c.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("#card input"))
        .await
        .expect("Stripe.js mounted its card form");
    let secret = c
        .find(Locator::Id("pay"))
        .await
        .unwrap()
        .attr("data-secret")
        .await
        .unwrap()
        .unwrap();
    let intent = secret.split("_secret_").next().unwrap().to_string();
    stripe.pay_with_card(&intent).await;
    super::billing::wait_invoice(&app, &owner, &deposit, "paid").await;
    let (_, con) = app.get(&owner, &format!("/api/v1/contracts/{cid}")).await;
    assert_eq!(con["status"], "active", "the deposit paid holds the date");

    // Part of the balance in cash at the counter, with a cash receipt.
    c.switch_to_window(staff.clone()).await.unwrap();
    c.goto(&app.url(&format!("/invoices/{balance}")))
        .await
        .unwrap();
    fill(&c, "amount", "500000").await;
    fill(&c, "receipt_identity", "010-1234-5678").await;
    click_button(&c, "Record payment").await;
    page_with(&c, "Payment recorded").await;
    check_accessible_and_fits(&c, width).await;
    let (_, receipts) = app.get(&owner, "/api/v1/cash-receipts").await;
    assert_eq!(receipts[0]["amount_minor"], 500_000, "{receipts}");

    // 60 days out the schedule gives back half of what was paid; cancelling does it.
    c.goto(&contract_url).await.unwrap();
    page_with(&c, "If the client cancels today").await;
    page_with(&c, "KRW 580,000").await;
    fill(&c, "reason", "The couple postponed indefinitely").await;
    click_button(&c, "Cancel the contract").await;
    page_with(&c, "Contract cancelled").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("contract-cancelled-{width}")).await;
    let refunds = stripe
        .call(
            reqwest::Method::GET,
            "/v1/refunds",
            &[("payment_intent", intent.as_str())],
        )
        .await
        .unwrap();
    assert_eq!(
        refunds["data"][0]["amount"], 580_000,
        "the deposit's half back to the card: {refunds}"
    );
    let (_, dep) = app
        .get(&owner, &format!("/api/v1/invoices/{deposit}"))
        .await;
    let (_, bal) = app
        .get(&owner, &format!("/api/v1/invoices/{balance}"))
        .await;
    assert_eq!(dep["invoice"]["refunded_minor"], 580_000);
    assert_eq!(bal["invoice"]["owed_minor"], 0, "nothing more owed: {bal}");

    // The money report shows what came in and went back.
    c.goto(&app.url("/reports/money")).await.unwrap();
    page_with(&c, "Revenue").await;
    page_with(&c, "KRW").await;
    check_accessible_and_fits(&c, width).await;
    snap(&c, &format!("money-after-cancel-{width}")).await;
    c.close().await.unwrap();
    // The contract's pages at laptop width too.
    let c = browser(&driver, 1366).await;
    sign_in(&c, &app, &owner.email).await;
    for (path, name) in [
        (contract_url.clone(), "contract-cancelled-1366"),
        (app.url(&minji), "sign-cancelled-1366"),
        (app.url("/contracts"), "contracts-1366"),
        (
            app.url("/settings/contract-templates"),
            "contract-templates-1366",
        ),
    ] {
        c.goto(&path).await.unwrap();
        check_accessible_and_fits(&c, 1366).await;
        snap(&c, name).await;
    }
    c.close().await.unwrap();
}
