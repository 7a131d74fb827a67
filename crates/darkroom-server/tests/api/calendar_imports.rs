//! Busy times from a staff member's own calendar: the secret iCal address
//! is read when added (a page that is not a calendar is refused with the
//! reason), its events (a daily rule here) become external blocks that
//! refuse a booking then, a later read replaces them, removing it frees the
//! time; private addresses are refused unless the instance allows them;
//! another studio's ids answer like missing ones.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::bookings::{booking, front};
use crate::helpers::TestApp;

/// A calendar server on this machine; returns its address and the text it
/// serves (change it to change the calendar).
async fn calendar_server() -> (String, Arc<Mutex<String>>) {
    let text = Arc::new(Mutex::new(String::new()));
    let served = text.clone();
    let app = axum::Router::new()
        .route(
            "/calendar/ical/secret/basic.ics",
            axum::routing::get(move || {
                let t = served.lock().unwrap().clone();
                async move { ([("content-type", "text/calendar; charset=utf-8")], t) }
            }),
        )
        .route(
            "/login",
            axum::routing::get(|| async {
                ([("content-type", "text/html")], "<html>Sign in</html>")
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), text)
}

/// A Google-style calendar: `days` daily events of an hour from `start`.
fn ics(start: &str, days: u32) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT={days}\r\nUID:dentist@google.com\r\nSUMMARY:Private appointment\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nTRANSP:TRANSPARENT\r\nUID:free@google.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[tokio::test]
async fn a_staff_calendar_makes_its_busy_times_unbookable() {
    let app = TestApp::spawn_with(|c| c.jobs.fetch_private_addresses = true).await;
    let f = front(&app, "Import Studio", "Asia/Kolkata").await;
    let user = f.photographer.user.to_string();
    let (base, text) = calendar_server().await;
    *text.lock().unwrap() = ics("20270310T050000Z", 3);
    let imports = format!("/api/v1/staff/{user}/calendar-imports");

    // A page that is not a calendar is refused, with why; nothing is kept.
    let (s, e) = app
        .post(
            &f.owner,
            &imports,
            json!({ "url": format!("{base}/login") }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("BEGIN:VCALENDAR"), "{e}");
    let (_, none) = app.get(&f.owner, &imports).await;
    assert_eq!(none, json!([]));

    let url = format!("{base}/calendar/ical/secret/basic.ics");
    let (s, imp) = app.post(&f.owner, &imports, json!({ "url": url })).await;
    assert_eq!(s, StatusCode::CREATED, "{imp}");
    assert_eq!(imp["busy_count"], 3, "{imp}");
    assert!(imp["id"].as_str().unwrap().starts_with("cim_"));
    assert!(
        !imp.to_string().contains("secret/basic"),
        "the secret address is never shown whole: {imp}"
    );

    // The busy hour refuses a booking of that person.
    let b = booking(&f, "2027-03-11T05:30:00Z", "2027-03-11T06:30:00Z");
    let (s, refused) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");
    assert!(refused.to_string().contains("external"), "{refused}");
    let (s, ok) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-11T07:00:00Z", "2027-03-11T08:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "free after the busy hour: {ok}");

    // The calendar changes; the next read (the chore, 15 minutes on) follows.
    *text.lock().unwrap() = ics("20270320T050000Z", 1);
    assert_eq!(
        darkroom_core::bookings::busy_import::refresh_due(&app.core)
            .await
            .unwrap(),
        0,
        "read a moment ago"
    );
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    assert_eq!(
        darkroom_core::bookings::busy_import::refresh_due(&app.core)
            .await
            .unwrap(),
        1
    );
    let (s, again) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-12T05:00:00Z", "2027-03-12T06:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "the old busy time is gone: {again}");

    // A read that fails keeps the last good busy times and says why.
    *text.lock().unwrap() = "<html>gone</html>".into();
    let id = imp["id"].as_str().unwrap();
    let (s, failed) = app
        .api(
            &f.owner,
            Method::POST,
            &format!("{imports}/{id}/refresh"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{failed}");
    assert!(
        failed["last_error"].as_str().unwrap().contains("iCalendar"),
        "{failed}"
    );
    assert_eq!(failed["busy_count"], 1);

    // Another studio sees none of it.
    let other = app.studio("Elsewhere").await;
    let (s, _) = app.get(&other, &imports).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .api(&other, Method::DELETE, &format!("{imports}/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Removed: the busy time goes with it.
    let (s, _) = app
        .api(&f.owner, Method::DELETE, &format!("{imports}/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, freed) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-20T05:00:00Z", "2027-03-20T06:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{freed}");
    assert!(
        app.audit_count(f.owner.studio, "staff.calendar_import_added")
            .await
            >= 1
    );
}

#[tokio::test]
async fn addresses_on_this_machines_network_are_refused() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Guarded Studio", "Asia/Kolkata").await;
    let (base, text) = calendar_server().await;
    *text.lock().unwrap() = ics("20270310T050000Z", 1);
    let user = f.photographer.user.to_string();
    for url in [
        format!("{base}/calendar/ical/secret/basic.ics"),
        "http://169.254.169.254/latest/meta-data".to_string(),
        "ftp://example.com/cal.ics".to_string(),
        "not a url".to_string(),
    ] {
        let (s, e): (StatusCode, Value) = app
            .post(
                &f.owner,
                &format!("/api/v1/staff/{user}/calendar-imports"),
                json!({ "url": url }),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {e}");
        assert_eq!(e["errors"][0]["field"], "url", "{e}");
    }
    // A photographer adds their own calendar, not someone else's.
    let (s, e) = app
        .post(
            &f.photographer,
            &format!("/api/v1/staff/{}/calendar-imports", f.owner.user),
            json!({ "url": "https://calendar.example/x.ics" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
}
