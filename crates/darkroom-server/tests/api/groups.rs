//! Group sessions: a session type with capacity 2 takes two guests at one
//! start on the public page; the group's booking holds the photographer and
//! the room once, each guest's seat holds nothing; a third guest is refused
//! and the full start leaves the page; a cancelled seat opens it again; the
//! last seat cancelled frees the photographer and the room.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::bookings::{Visitor, first_time, front};
use crate::helpers::{TestApp, Who};

/// The live bookings between a day before and a week after `start`.
async fn around(app: &TestApp, who: &Who, start: &str, holder: Option<&str>) -> Vec<Value> {
    let t: jiff::Timestamp = start.parse().unwrap();
    let from = t - jiff::SignedDuration::from_hours(24);
    let to = t + jiff::SignedDuration::from_hours(24 * 7);
    let mut path = format!("/api/v1/bookings?from={from}&to={to}");
    if let Some(h) = holder {
        path.push_str(&format!("&holder={h}"));
    }
    let (s, v) = app.get(who, &path).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] != "cancelled")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_group_session_seats_its_capacity_and_holds_people_and_rooms_once() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Mini Studio", "Asia/Kolkata").await;
    app.unreachable_smtp(&f.owner, "Mini Studio").await;
    let user = f.photographer.user.to_string();
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({ "branch_id": f.branch, "weekday": d, "from": "10:00", "to": "12:00" }))
        .collect();
    app.api(
        &f.owner,
        reqwest::Method::PUT,
        &format!("/api/v1/staff/{user}/hours"),
        Some(json!({ "hours": week })),
    )
    .await;
    let (s, t) = app
        .post(&f.owner, "/api/v1/session-types", json!({
            "branch_id": f.branch, "name": "Holiday minis", "duration_minutes": 60, "increment_minutes": 60,
            "min_notice_minutes": 60, "public": true, "staff_ids": [user], "resource_ids": [f.room],
            "capacity": 2,
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tid = t["id"].as_str().unwrap().to_string();

    let mut v = Visitor {
        cookie: String::new(),
    };
    let (_, html) = v.get(&app, &format!("/book/{tid}")).await;
    let start = first_time(&html);
    let book = |name: &'static str| {
        let start = start.clone();
        let tid = tid.clone();
        let app = &app;
        async move {
            let mut v = Visitor {
                cookie: String::new(),
            };
            let q = start.replace(':', "%3A").replace('+', "%2B");
            let (_, form) = v.get(app, &format!("/book/{tid}/details?start={q}")).await;
            let csrf = crate::helpers::csrf_of(&form).unwrap();
            let email = format!("{}@example.com", name.to_lowercase());
            let (s, to) = v
                .post(
                    app,
                    &format!("/book/{tid}/details"),
                    &csrf,
                    &[("start", &start), ("name", name), ("email", &email)],
                )
                .await;
            (s, to, v)
        }
    };
    let (s, manage1, mut v1) = book("Ana").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{manage1}");
    let manage1 = manage1.split('?').next().unwrap().to_string();
    let (s, manage2, mut v2) = book("Ben").await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "the second guest joins: {manage2}"
    );
    let manage2 = manage2.split('?').next().unwrap().to_string();
    let (_, refused, _) = book("Cy").await;
    assert!(
        refused.contains("flash=slot_taken"),
        "a third guest is sent back to pick another time: {refused}"
    );

    // One group holding the photographer and the room once, two seats.
    let all = around(&app, &f.owner, &start, None).await;
    let host = all
        .iter()
        .find(|b| b["group_of"] == b["id"])
        .expect("the group's booking");
    let seats: Vec<_> = all
        .iter()
        .filter(|b| b["group_of"] == host["id"] && b["id"] != host["id"])
        .collect();
    assert_eq!(seats.len(), 2, "{all:?}");
    assert!(seats.iter().all(|s| s["claims"] == json!([])));
    assert_eq!(around(&app, &f.owner, &start, Some(&f.room)).await.len(), 1);
    assert!(seats.iter().all(|s| s["client_id"].is_string()));

    // Full: the page no longer offers that start.
    let (_, html) = v.get(&app, &format!("/book/{tid}")).await;
    assert!(
        !html.contains(&start.replace(':', "%3A").replace('+', "%2B")),
        "a full group is not offered"
    );

    // A seat cancelled opens the start again; the last one closes the group.
    let (_, page) = v1.get(&app, &manage1).await;
    let csrf = crate::helpers::csrf_of(&page).unwrap();
    let (s, _) = v1
        .post(&app, &format!("{manage1}/cancel"), &csrf, &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = v.get(&app, &format!("/book/{tid}")).await;
    assert_eq!(first_time(&html), start, "one seat is free again");
    assert_eq!(around(&app, &f.owner, &start, Some(&f.room)).await.len(), 1);
    let (_, page) = v2.get(&app, &manage2).await;
    let csrf = crate::helpers::csrf_of(&page).unwrap();
    let (s, _) = v2
        .post(&app, &format!("{manage2}/cancel"), &csrf, &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        around(&app, &f.owner, &start, Some(&f.room))
            .await
            .is_empty(),
        "the room is free once the group is empty"
    );
    assert!(around(&app, &f.owner, &start, None).await.is_empty());

    // Staff cancel a group: its guests' seats are cancelled with it.
    let (s, _, _) = book("Dee").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let all = around(&app, &f.owner, &start, None).await;
    let host = all.iter().find(|b| b["group_of"] == b["id"]).unwrap();
    let (s, v) = app
        .post(
            &f.owner,
            &format!("/api/v1/bookings/{}/status", host["id"].as_str().unwrap()),
            json!({ "version": host["version"], "status": "cancelled", "reason": "Photographer ill" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        around(&app, &f.owner, &start, None).await.is_empty(),
        "no seat is left without its group"
    );
}
