//! The client portal on a phone and a laptop: staff send a sign-in link
//! from the client's page; the client opens it in their own browser and
//! reads their projects and downloads the document staff added from the
//! client's page; signing out leaves the "ask for a new link" page.

use fantoccini::Locator;
use serde_json::json;

use super::helpers::TestApp;
use super::{
    browser, check_accessible_and_fits, chromedriver, click_button, page_with, sign_in, snap,
    wait_path,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn a_client_opens_their_portal_from_the_emailed_link() {
    for width in [390u32, 1366] {
        let app = TestApp::spawn().await;
        let owner = app.studio("Lumen").await;
        app.unreachable_smtp(&owner, "Lumen").await;
        let (_, c) = app
            .post(
                &owner,
                "/api/v1/clients",
                json!({ "name": "Asha Rao", "email": "asha@example.com" }),
            )
            .await;
        let cid = c["id"].as_str().unwrap().to_string();
        let (_, p) = app
            .post(
                &owner,
                "/api/v1/projects",
                json!({ "client_id": cid, "kind": "wedding", "starts_on": "2027-02-14", "venue": "Leela Palace" }),
            )
            .await;
        assert!(p["id"].is_string(), "{p}");
        let driver = chromedriver();

        // Staff send the link from the client's page.
        let staff = browser(&driver, width).await;
        sign_in(&staff, &app, &owner.email).await;
        staff
            .goto(&app.url(&format!("/clients/{cid}")))
            .await
            .unwrap();
        page_with(&staff, "Client portal").await;
        // A signed copy of the terms goes on record from the page's form.
        let pdf = std::env::temp_dir().join(format!("terms-{width}-{}.pdf", std::process::id()));
        std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n").unwrap();
        staff
            .find(Locator::Css("#f-doc-kind option[value='terms']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        staff
            .find(Locator::Css("#f-doc-file"))
            .await
            .unwrap()
            .send_keys(pdf.to_str().unwrap())
            .await
            .unwrap();
        click_button(&staff, "Add document").await;
        let text = page_with(&staff, "Document added").await;
        assert!(text.contains("on file"), "{text}");
        check_accessible_and_fits(&staff, width).await;
        snap(&staff, &format!("client-documents-{width}")).await;
        let _ = std::fs::remove_file(&pdf);
        click_button(&staff, "Send link").await;
        page_with(&staff, "Portal link sent").await;
        check_accessible_and_fits(&staff, width).await;
        let (_, links) = app
            .get(&owner, &format!("/api/v1/clients/{cid}/portal-links"))
            .await;
        assert_eq!(links[0]["email"], "asha@example.com");

        // The client opens the link the API hands out once (the email's).
        let (_, link) = app
            .post(
                &owner,
                &format!("/api/v1/clients/{cid}/portal-links"),
                json!({}),
            )
            .await;
        let url = link["url"].as_str().unwrap();
        let path = &url[url.find("/portal/").unwrap()..];
        let client = browser(&driver, width).await;
        client.goto(&app.url(path)).await.unwrap();
        wait_path(&client, "/portal").await;
        let text = page_with(&client, "Asha Rao — wedding").await;
        assert!(text.contains("Leela Palace"), "{text}");
        assert!(
            text.contains("Download terms-"),
            "the document is offered: {text}"
        );
        check_accessible_and_fits(&client, width).await;
        snap(&client, &format!("portal-{width}")).await;
        client
            .find(Locator::Css("form[action='/portal/sign-out'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        page_with(&client, "Ask your studio to send you a new one").await;
        check_accessible_and_fits(&client, width).await;
        // The packages page: one added through its form.
        staff.goto(&app.url("/packages")).await.unwrap();
        check_accessible_and_fits(&staff, width).await;
        let branch = staff
            .find(Locator::Css("select[name='branch_id'] option:nth-child(2)"))
            .await
            .unwrap();
        branch.click().await.unwrap();
        super::fill(&staff, "name", "Wedding gold").await;
        super::fill(&staff, "price", "45000.50").await;
        super::fill(&staff, "inclusions", "Two photographers\nAn album").await;
        click_button(&staff, "Add package").await;
        page_with(&staff, "Package added").await;
        page_with(&staff, "Wedding gold").await;
        check_accessible_and_fits(&staff, width).await;
        snap(&staff, &format!("packages-{width}")).await;
        client.close().await.unwrap();
        staff.close().await.unwrap();
    }
}
