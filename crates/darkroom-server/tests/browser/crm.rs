//! The front office's inquiry-to-client journey in a real browser, on a
//! phone and a laptop: a visitor sends the branch's inquiry form, staff
//! find the lead on the board, move it with the card's own form, add a
//! follow-up, convert it into a client (its project's page: a milestone
//! reached, the status moved), and open the client's page with
//! its contacts, addresses, billing and look-alikes; the import page
//! checks a file before importing it. Every page is checked for labels,
//! axe-core, 44 px targets and overflow.

use fantoccini::Locator;

use super::helpers::TestApp;
use super::{
    browser, check_accessible_and_fits, chromedriver, click_button, fill, page_with, sign_in, snap,
    wait_path,
};

/// The studio's one project's id.
async fn project_id(app: &TestApp, owner: &super::helpers::Who) -> String {
    let (_, list) = app.get(owner, "/api/v1/projects").await;
    list["items"][0]["id"]
        .as_str()
        .or(list[0]["id"].as_str())
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn an_inquiry_becomes_a_lead_then_a_client() {
    for width in [390u32, 1366] {
        let app = TestApp::spawn().await;
        let owner = app.studio("Lumen").await;
        let (_, branches) = app.get(&owner, "/api/v1/branches").await;
        let branch = branches["items"][0]["id"].as_str().unwrap().to_string();
        let driver = chromedriver();

        // A visitor writes in.
        let visitor = browser(&driver, width).await;
        visitor
            .goto(&app.url(&format!("/inquire/{branch}")))
            .await
            .unwrap();
        check_accessible_and_fits(&visitor, width).await;
        snap(&visitor, &format!("inquire-{width}")).await;
        fill(&visitor, "name", "Ananya Rao").await;
        fill(&visitor, "email", "not-an-email").await;
        click_button(&visitor, "Send").await;
        page_with(&visitor, "not an email address").await;
        check_accessible_and_fits(&visitor, width).await;
        let email = visitor
            .find(Locator::Css("input[name='email']"))
            .await
            .unwrap();
        email.clear().await.unwrap();
        email.send_keys("ananya@example.com").await.unwrap();
        fill(&visitor, "event_type", "Wedding").await;
        fill(&visitor, "message", "Two days in February").await;
        click_button(&visitor, "Send").await;
        page_with(&visitor, "Thank you").await;

        // Staff find it on the board and move it with the card's form.
        let c = browser(&driver, width).await;
        sign_in(&c, &app, &owner.email).await;
        c.goto(&app.url("/leads")).await.unwrap();
        page_with(&c, "Ananya Rao").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("leads-{width}")).await;
        let card = c.find(Locator::Css(".lead-card")).await.unwrap();
        let select = card
            .find(Locator::Css("select[name='stage_id']"))
            .await
            .unwrap();
        select.select_by_label("Consultation").await.unwrap();
        card.find(Locator::Css("button[type='submit']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        page_with(&c, "Lead moved.").await;
        let col = c
            .find(Locator::XPath(
                "//section[contains(@class,'board-col')][.//h2[contains(., 'Consultation')]]",
            ))
            .await
            .unwrap();
        assert!(col.text().await.unwrap().contains("Ananya Rao"));

        // Its page: a follow-up, then converted into a client.
        c.find(Locator::LinkText("Ananya Rao"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/leads/led_").await;
        fill(&c, "title", "Send the proposal").await;
        click_button(&c, "Add task").await;
        page_with(&c, "Send the proposal").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("lead-{width}")).await;
        click_button(&c, "Convert to client").await;
        page_with(&c, "Lead converted").await;

        // The conversion made the job's project: its page holds it all.
        c.find(Locator::Css("a[href^='/projects/prj_']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/projects/prj_").await;
        page_with(&c, "Milestones").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("project-{width}")).await;
        let first = c
            .find(Locator::Css(".milestones li form button[value='done']"))
            .await
            .unwrap();
        first.click().await.unwrap();
        page_with(&c, "Milestone saved").await;
        let reached = c.find(Locator::Css(".milestones li .badge")).await.unwrap();
        assert_eq!(reached.text().await.unwrap(), "on time");
        c.find(Locator::Css("select[name='status']"))
            .await
            .unwrap()
            .select_by_label("in progress")
            .await
            .unwrap();
        click_button(&c, "Set status").await;
        page_with(&c, "Project saved").await;
        // The job's session: booked from the project for its client, then
        // added to the project.
        c.find(Locator::LinkText("Book one"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/bookings/new").await;
        page_with(&c, "For Ananya Rao").await;
        snap(&c, &format!("booking-for-client-{width}")).await;
        c.find(Locator::Css("select[name='branch_id']"))
            .await
            .unwrap()
            .select_by_value(&branch)
            .await
            .unwrap();
        let day = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(45))
            .unwrap()
            .to_string();
        c.execute(
            "document.querySelector(\"[name='date']\").value = arguments[0];",
            vec![serde_json::json!(day)],
        )
        .await
        .unwrap();
        check_accessible_and_fits(&c, width).await;
        click_button(&c, "Book").await;
        wait_path(&c, "/bookings/bkg_").await;
        page_with(&c, "Booked.").await;
        let project_url = format!("/projects/{}", project_id(&app, &owner).await);
        c.goto(&app.url(&project_url)).await.unwrap();
        c.find(Locator::Css("form[action$='/sessions'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = page_with(&c, "Take out").await;
        assert!(text.contains("Ananya Rao"), "{text}");
        check_accessible_and_fits(&c, width).await;
        c.goto(&app.url("/projects")).await.unwrap();
        page_with(&c, "in progress").await;
        check_accessible_and_fits(&c, width).await;
        c.find(Locator::Css("a[href^='/projects/prj_']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/projects/prj_").await;
        c.find(Locator::LinkText("a lead"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/leads/led_").await;
        c.find(Locator::LinkText("open the client"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, "/clients/cli_").await;
        page_with(&c, "Contacts").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("client-{width}")).await;

        // The import page checks a file before importing it.
        c.goto(&app.url("/clients/import")).await.unwrap();
        check_accessible_and_fits(&c, width).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("honeybook.csv");
        std::fs::write(&file, "First Name,Last Name,Email Address,Phone Number\nMeera,Iyer,meera@example.com,98765 11111\nBad,Row,nope,\n").unwrap();
        c.find(Locator::Css("input[type='file']"))
            .await
            .unwrap()
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        click_button(&c, "Check the file").await;
        page_with(&c, "What the import would do").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("import-{width}")).await;
        click_button(&c, "Import 1 client").await;
        page_with(&c, "Imported").await;
        c.goto(&app.url("/clients?q=meera")).await.unwrap();
        page_with(&c, "Meera Iyer").await;
        check_accessible_and_fits(&c, width).await;
        c.close().await.unwrap();
        visitor.close().await.unwrap();
    }
}
