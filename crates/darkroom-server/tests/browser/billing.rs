//! Billing in a real browser, on a phone and a laptop: staff draft an
//! invoice from a client's page for a GST branch, add a line, issue it,
//! record a part payment, see it partly paid, and open the money report.
//! Every page is checked for labels, axe-core, 44 px targets and overflow.

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
