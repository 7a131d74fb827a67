//! The front office's scheduling journey in a real browser, on a phone and
//! a laptop: staff book a photographer, a room and a camera from the
//! calendar; a conflicting booking is refused with free times that book in
//! one tap; a client in another time zone books on the public page and
//! moves it from their own link; the photographer's feed shows the move.
//! Every page is checked for labels, axe-core, 44 px targets and overflow.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::helpers::TestApp;
use super::{
    browser, check_accessible_and_fits, chromedriver, click_button, fill, page_with, sign_in, snap,
    wait_path,
};

/// Sets a form field's value directly (date and time inputs type differently per locale).
async fn set(c: &Client, name: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(`[name='${arguments[0]}']`); e.value = arguments[1]; e.dispatchEvent(new Event('change'));",
        vec![json!(name), json!(value)],
    )
    .await
    .unwrap();
}

async fn tick(c: &Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!(
        "input[name='{name}'][value='{value}']"
    )))
    .await
    .unwrap_or_else(|_| panic!("no {name} {value}"))
    .click()
    .await
    .unwrap();
}

struct Studio {
    owner: super::helpers::Who,
    branch: String,
    photographer: super::helpers::Who,
    room: String,
    camera: String,
    session_type: String,
}

async fn studio(app: &TestApp) -> Studio {
    let owner = app.studio("Berlin Light").await;
    let (_, b) = app
        .post(&owner, "/api/v1/branches", json!({ "name": "Berlin Mitte", "time_zone": "Europe/Berlin", "invoice_prefix": "BER-" }))
        .await;
    let branch = b["id"].as_str().unwrap().to_string();
    let photographer = app.member(&owner, "photographer", None).await;
    let res = |kind: &'static str, name: &'static str| {
        let owner = owner.clone();
        let branch = branch.clone();
        async move {
            let (_, v) = app
                .post(
                    &owner,
                    "/api/v1/resources",
                    json!({ "branch_id": branch, "kind": kind, "name": name }),
                )
                .await;
            v["id"].as_str().unwrap().to_string()
        }
    };
    let room = res("room", "Loft studio").await;
    let camera = res("camera", "Leica SL3").await;
    let user = photographer.user.to_string();
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({ "branch_id": branch, "weekday": d, "from": "09:00", "to": "18:00" }))
        .collect();
    app.api(
        &owner,
        reqwest::Method::PUT,
        &format!("/api/v1/staff/{user}/hours"),
        Some(json!({ "hours": week })),
    )
    .await;
    let (_, t) = app
        .post(&owner, "/api/v1/session-types", json!({
            "branch_id": branch, "name": "Portrait hour", "duration_minutes": 60, "increment_minutes": 60,
            "public": true, "staff_ids": [user], "resource_ids": [room],
        }))
        .await;
    Studio {
        owner,
        branch,
        photographer,
        room,
        camera,
        session_type: t["id"].as_str().unwrap().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian chromium + chromium-driver; .ci/run installs them and runs it"]
async fn staff_book_from_the_calendar_and_a_client_books_and_moves_online() {
    for width in [390u32, 1366] {
        let app = TestApp::spawn().await;
        let s = studio(&app).await;
        let driver = chromedriver();
        let c = browser(&driver, width).await;
        sign_in(&c, &app, &s.owner.email).await;
        c.goto(&app.url("/calendar")).await.unwrap();
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("calendar-{width}")).await;
        // Hours, time off, busy calendars and feeds: one page.
        c.goto(&app.url("/availability")).await.unwrap();
        page_with(&c, "Busy times from your own calendar").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("availability-{width}")).await;
        c.goto(&app.url("/calendar")).await.unwrap();

        // A day ten days ahead, in Berlin.
        let day = darkroom_domain::booking::calendar::today(
            app.clock_now()
                .plus(std::time::Duration::from_secs(10 * 86_400)),
            "Europe/Berlin",
        )
        .to_string();
        let book = |start: &'static str| {
            let c = c.clone();
            let day = day.clone();
            let s_branch = s.branch.clone();
            let (p, r, cam) = (
                s.photographer.user.to_string(),
                s.room.clone(),
                s.camera.clone(),
            );
            async move {
                c.find(Locator::LinkText("New booking"))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                wait_path(&c, "/bookings/new").await;
                fill(&c, "title", "Headshots: Weber GmbH").await;
                c.find(Locator::Css("select[name='branch_id']"))
                    .await
                    .unwrap()
                    .select_by_value(&s_branch)
                    .await
                    .unwrap();
                set(&c, "date", &day).await;
                set(&c, "start", start).await;
                tick(&c, "staff", &p).await;
                tick(&c, "resources", &r).await;
                tick(&c, "resources", &cam).await;
                click_button(&c, "Book").await;
            }
        };
        book("10:00").await;
        wait_path(&c, "/bookings/bkg_").await;
        page_with(&c, "Booked.").await;
        check_accessible_and_fits(&c, width).await;

        // The same people and things at 10:30: refused, with free times.
        c.goto(&app.url(&format!("/calendar?date={day}")))
            .await
            .unwrap();
        page_with(&c, "Headshots: Weber GmbH").await;
        book("10:30").await;
        page_with(&c, "This time is taken").await;
        check_accessible_and_fits(&c, width).await;
        snap(&c, &format!("booking-conflict-{width}")).await;
        let alt = c
            .find(Locator::Css("button[name='use_start']"))
            .await
            .unwrap();
        alt.click().await.unwrap();
        wait_path(&c, "/bookings/bkg_").await;
        page_with(&c, "Booked.").await;

        // A client in New York books the portrait hour on the public page.
        let visitor = browser(&driver, width).await;
        visitor
            .goto(&app.url(&format!("/book/{}?tz=America/New_York", s.session_type)))
            .await
            .unwrap();
        check_accessible_and_fits(&visitor, width).await;
        snap(&visitor, &format!("book-{width}")).await;
        visitor
            .find(Locator::Css(".slots a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&visitor, &format!("/book/{}/details", s.session_type)).await;
        check_accessible_and_fits(&visitor, width).await;
        fill(&visitor, "name", "Dana Whitfield").await;
        fill(&visitor, "email", "dana@example.com").await;
        visitor
            .find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&visitor, "/book/manage/bk_").await;
        page_with(&visitor, "Booked.").await;
        check_accessible_and_fits(&visitor, width).await;
        snap(&visitor, &format!("book-manage-{width}")).await;
        // ...and moves it from their link.
        visitor
            .find(Locator::Css(".slots button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&visitor, "/book/manage/bk_").await;
        page_with(&visitor, "moved to the new time").await;

        // The photographer's feed shows the move (SEQUENCE 1).
        let (_, feed) = app
            .post(
                &s.photographer,
                "/api/v1/calendar-feeds",
                json!({ "of": s.photographer.user.to_string() }),
            )
            .await;
        let url = feed["url"].as_str().unwrap();
        let path = &url[url.find("/calendar/").unwrap()..];
        let ics = app
            .http
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            ics.contains("SUMMARY:Portrait hour: Dana Whitfield") && ics.contains("SEQUENCE:1"),
            "{ics}"
        );
        visitor.close().await.unwrap();
        c.close().await.unwrap();
    }
}
