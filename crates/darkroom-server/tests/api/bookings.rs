//! Bookings: people and resources are never double-booked, whatever the
//! concurrency (the database refuses overlaps on both engines); refusals
//! say what is in the way and offer the nearest free times; cancelling
//! releases; moving is all or nothing; bad input stores nothing; another
//! studio's or branch's things answer like ones that do not exist.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

/// A studio with a branch in `zone`, a photographer and a room.
pub struct Front {
    pub owner: Who,
    pub branch: String,
    pub photographer: Who,
    pub room: String,
}

pub async fn front(app: &TestApp, name: &str, zone: &str) -> Front {
    let owner = app.studio(name).await;
    let (s, b) = app
        .post(
            &owner,
            "/api/v1/branches",
            json!({ "name": format!("{name} Main"), "time_zone": zone,
                    "invoice_prefix": format!("B{}-", &uuid::Uuid::now_v7().simple().to_string()[26..]) }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let branch = b["id"].as_str().unwrap().to_string();
    let photographer = app.member(&owner, "photographer", None).await;
    let room = resource(app, &owner, &branch, "room", "Studio A", 1).await;
    Front {
        owner,
        branch,
        photographer,
        room,
    }
}

pub async fn resource(
    app: &TestApp,
    who: &Who,
    branch: &str,
    kind: &str,
    name: &str,
    qty: i64,
) -> String {
    let (s, v) = app
        .post(
            who,
            "/api/v1/resources",
            json!({ "branch_id": branch, "kind": kind, "name": name, "quantity": qty }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub fn booking(f: &Front, start: &str, end: &str) -> Value {
    json!({
        "branch_id": f.branch, "title": "Headshots", "starts_at": start, "ends_at": end,
        "staff": [{ "user_id": f.photographer.user.to_string() }],
    })
}

async fn fifty_at_once(
    app: &TestApp,
    f: &Front,
    body_of: impl Fn(usize) -> Value,
) -> (usize, usize) {
    let mut tasks = Vec::new();
    for i in 0..50 {
        let http = app.http.clone();
        let url = app.url("/api/v1/bookings");
        let token = f.owner.token.clone();
        let body = body_of(i);
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let s = r.status();
            let v: Value = r.json().await.unwrap();
            (s, v)
        }));
    }
    let (mut won, mut refused) = (0, 0);
    for t in tasks {
        let (s, v) = t.await.unwrap();
        match s {
            StatusCode::CREATED => won += 1,
            StatusCode::CONFLICT => {
                assert_eq!(v["code"], "booking_conflict", "{v}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    (won, refused)
}

/// The stored id of a booking the API answered with.
fn booking_uuid(b: &Value) -> uuid::Uuid {
    let id: darkroom_domain::BookingId = b["id"].as_str().unwrap().parse().unwrap();
    darkroom_domain::TypedId::uuid(&id)
}

/// Live bookings holding `holder` between the two instants.
async fn held(app: &TestApp, who: &Who, holder: &str) -> Vec<Value> {
    let (s, v) = app
        .get(
            who,
            &format!(
                "/api/v1/bookings?from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z&holder={holder}"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

fn overlapping_pairs(rows: &[Value]) -> usize {
    let spans: Vec<(String, String)> = rows
        .iter()
        .map(|b| {
            (
                b["starts_at"].as_str().unwrap().to_string(),
                b["ends_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut n = 0;
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            // RFC 3339 in UTC sorts as text.
            if a.0 < b.1 && b.0 < a.1 {
                n += 1;
            }
        }
    }
    n
}

#[tokio::test]
async fn fifty_concurrent_bookings_of_one_photographer_one_wins() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Race Studio", "Asia/Kolkata").await;
    // Every attempt overlaps every other: starts a minute apart, an hour long.
    let (won, refused) = fifty_at_once(&app, &f, |i| {
        let start = format!("2027-03-10T10:{i:02}:00Z");
        let end = format!("2027-03-10T11:{i:02}:00Z");
        booking(&f, &start, &end)
    })
    .await;
    assert_eq!((won, refused), (1, 49));
    let rows = held(&app, &f.owner, &f.photographer.user.to_string()).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(overlapping_pairs(&rows), 0);
}

#[tokio::test]
async fn fifty_concurrent_bookings_of_one_room_one_wins() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Room Race", "Europe/Berlin").await;
    let (won, refused) = fifty_at_once(&app, &f, |i| {
        json!({
            "branch_id": f.branch, "title": format!("Session {i}"),
            "starts_at": format!("2027-03-10T09:{i:02}:00Z"), "ends_at": format!("2027-03-10T10:{i:02}:00Z"),
            "resource_ids": [f.room],
        })
    })
    .await;
    assert_eq!((won, refused), (1, 49));
    let rows = held(&app, &f.owner, &f.room).await;
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn a_resource_with_three_units_takes_three_bookings_at_once() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Flash Studio", "Asia/Seoul").await;
    let flashes = resource(&app, &f.owner, &f.branch, "lighting", "Godox AD200", 3).await;
    let (won, refused) = fifty_at_once(&app, &f, |i| {
        json!({
            "branch_id": f.branch, "title": format!("Shoot {i}"),
            "starts_at": "2027-03-11T01:00:00Z", "ends_at": "2027-03-11T02:00:00Z",
            "resource_ids": [flashes],
        })
    })
    .await;
    assert_eq!((won, refused), (3, 47));
    let units: HashSet<i64> = held(&app, &f.owner, &flashes)
        .await
        .iter()
        .map(|b| b["claims"][0]["unit"].as_i64().unwrap())
        .collect();
    assert_eq!(units, HashSet::from([0, 1, 2]));
}

#[tokio::test]
async fn a_refusal_names_the_conflict_and_offers_free_times_that_work() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Offer Studio", "America/New_York").await;
    let (s, first) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-14T14:00:00Z", "2027-03-14T15:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["time_zone"], "America/New_York");
    assert_eq!(
        first["claims"][0]["holder_id"],
        f.photographer.user.to_string()
    );
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-14T14:30:00Z", "2027-03-14T15:30:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "booking_conflict");
    let c = &v["current"]["conflicts"][0];
    assert_eq!(c["holder"], f.photographer.user.to_string());
    assert_eq!(c["booking_id"], first["id"]);
    assert_eq!(c["title"], "Headshots");
    // The message names the time in the place's zone (10:00 EDT).
    let msg = v["detail"]
        .as_str()
        .or(v["title"].as_str())
        .unwrap_or_default()
        .to_string()
        + &v.to_string();
    assert!(msg.contains("10:00") && msg.contains("EDT"), "{v}");
    let alts = v["current"]["alternatives"].as_array().unwrap();
    assert!(!alts.is_empty(), "{v}");
    // The nearest is right after the first booking; booking it succeeds.
    assert_eq!(alts[0]["starts_at"], "2027-03-14T15:00:00Z");
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(
                &f,
                alts[0]["starts_at"].as_str().unwrap(),
                alts[0]["ends_at"].as_str().unwrap(),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn travel_and_buffers_hold_people_and_gear_but_rooms_only_for_buffers() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Travel Studio", "Asia/Kolkata").await;
    let camera = resource(&app, &f.owner, &f.branch, "camera", "Canon R5", 1).await;
    let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T12:00:00Z");
    b["travel_minutes"] = json!(60);
    b["buffer_after_minutes"] = json!(15);
    b["resource_ids"] = json!([camera, f.room]);
    let (s, v) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let claims = v["claims"].as_array().unwrap();
    let of = |id: &str| {
        claims
            .iter()
            .find(|c| c["holder_id"] == id)
            .unwrap()
            .clone()
    };
    let p = of(&f.photographer.user.to_string());
    assert_eq!(
        (p["starts_at"].as_str(), p["ends_at"].as_str()),
        (Some("2027-03-10T09:00:00Z"), Some("2027-03-10T13:15:00Z"))
    );
    let cam = of(&camera);
    assert_eq!(cam["starts_at"], "2027-03-10T09:00:00Z");
    let room = of(&f.room);
    assert_eq!(
        (room["starts_at"].as_str(), room["ends_at"].as_str()),
        (Some("2027-03-10T10:00:00Z"), Some("2027-03-10T12:15:00Z"))
    );
    // The photographer is away until 13:15: a 13:00 booking is refused, 13:15 is not.
    let (s, _) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T13:00:00Z", "2027-03-10T14:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T13:15:00Z", "2027-03-10T14:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn cancelling_releases_and_moving_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Move Studio", "Asia/Kolkata").await;
    let (_, a) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T04:00:00Z", "2027-03-10T05:00:00Z"),
        )
        .await;
    let mut bb = booking(&f, "2027-03-10T06:00:00Z", "2027-03-10T07:00:00Z");
    bb["resource_ids"] = json!([f.room]);
    let (s, b) = app.post(&f.owner, "/api/v1/bookings", bb).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let b_id = b["id"].as_str().unwrap();
    // Moving B onto A is refused, and B keeps its time, people and room.
    let (s, v) = app
        .patch(&f.owner, &format!("/api/v1/bookings/{b_id}"), json!({ "version": b["version"], "starts_at": "2027-03-10T04:30:00Z", "ends_at": "2027-03-10T05:30:00Z" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (_, now) = app.get(&f.owner, &format!("/api/v1/bookings/{b_id}")).await;
    assert_eq!(now["starts_at"], "2027-03-10T06:00:00Z");
    assert_eq!(now["claims"].as_array().unwrap().len(), 2);
    assert_eq!(now["version"], b["version"]);
    // A stale version is a 409 with the current booking.
    let (s, v) = app
        .patch(
            &f.owner,
            &format!("/api/v1/bookings/{b_id}"),
            json!({ "version": 99, "title": "x" }),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    // Moving to a free time works, bumps SEQUENCE, and frees the old time.
    let (s, moved) = app
        .patch(&f.owner, &format!("/api/v1/bookings/{b_id}"), json!({ "version": b["version"], "starts_at": "2027-03-10T08:00:00Z", "ends_at": "2027-03-10T09:00:00Z" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["sequence"], 1);
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T06:00:00Z", "2027-03-10T07:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Cancelling A releases the photographer for its time.
    let a_id = a["id"].as_str().unwrap();
    let (s, c) = app
        .post(
            &f.owner,
            &format!("/api/v1/bookings/{a_id}/status"),
            json!({ "version": a["version"], "status": "cancelled", "reason": "Client ill" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["claims"].as_array().unwrap().len(), 0);
    assert_eq!(c["cancel_reason"], "Client ill");
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T04:00:00Z", "2027-03-10T05:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A cancelled booking does not come back.
    let (s, v) = app
        .post(
            &f.owner,
            &format!("/api/v1/bookings/{a_id}/status"),
            json!({ "version": c["version"], "status": "scheduled" }),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_transition"))
    );
}

#[tokio::test]
async fn time_off_is_respected_and_shown_as_the_reason() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Leave Studio", "Asia/Kolkata").await;
    let user = f.photographer.user.to_string();
    // The photographer adds their own time off (no booking.manage needed).
    let (s, v) = app
        .post(&f.photographer, &format!("/api/v1/staff/{user}/time-off"), json!({ "starts_at": "2027-03-12T00:00:00Z", "ends_at": "2027-03-13T00:00:00Z", "reason": "Sister's wedding" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-12T05:00:00Z", "2027-03-12T06:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["current"]["conflicts"][0]["kind"], "time_off");
    assert!(v.to_string().contains("time off"), "{v}");
    // The nearest free times are outside the time off.
    let alt = v["current"]["alternatives"][0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        alt.as_str() >= "2027-03-13T00:00:00Z" || alt.as_str() <= "2027-03-11T23:00:00Z",
        "{alt}"
    );
    // Someone else's time off needs booking.manage.
    let other = app.member(&f.owner, "photographer", None).await;
    let (s, _) = app
        .post(
            &other,
            &format!("/api/v1/staff/{user}/time-off"),
            json!({ "starts_at": "2027-03-20T00:00:00Z", "ends_at": "2027-03-21T00:00:00Z" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Bad Input", "Asia/Kolkata").await;
    let other = front(&app, "Other Studio", "Asia/Kolkata").await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            booking(&f, "2027-03-10T11:00:00Z", "2027-03-10T10:00:00Z"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ends_at",
        ),
        (
            booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T10:00:00Z"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ends_at",
        ),
        (
            booking(&f, "2027-03-10T10:00:00Z", "2027-04-10T10:00:00Z"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ends_at",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["time_zone"] = json!("Mars/Olympus");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "time_zone",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["starts_at"] = json!("next tuesday");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "starts_at",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["travel_minutes"] = json!(-5);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "travel_minutes",
        ),
        // Another studio's photographer, room and branch: like ids that do not exist.
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["staff"] = json!([{ "user_id": other.photographer.user.to_string() }]);
                b
            },
            StatusCode::NOT_FOUND,
            "staff[0].user_id",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["resource_ids"] = json!([other.room]);
                b
            },
            StatusCode::NOT_FOUND,
            "resource_ids[0]",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["branch_id"] = json!(other.branch);
                b
            },
            StatusCode::NOT_FOUND,
            "branch_id",
        ),
        (
            {
                let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
                b["staff"] = json!([{ "user_id": f.photographer.user.to_string() }, { "user_id": f.photographer.user.to_string() }]);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "staff[1].user_id",
        ),
    ];
    for (body, status, field) in cases {
        let (s, v) = app.post(&f.owner, "/api/v1/bookings", body.clone()).await;
        assert_eq!(s, status, "{body} → {v}");
        assert!(v.to_string().contains(field), "{field} not named: {v}");
    }
    // Another studio's room answers exactly like a room that never existed.
    let ghost = format!("res_{}", uuid::Uuid::now_v7().simple());
    let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
    b["resource_ids"] = json!([ghost]);
    let (_, ghost_answer) = app.post(&f.owner, "/api/v1/bookings", b).await;
    let mut b = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
    b["resource_ids"] = json!([other.room]);
    let (_, other_answer) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(
        ghost_answer["detail"]
            .as_str()
            .map(|d| d.replace(&ghost, "ID")),
        other_answer["detail"]
            .as_str()
            .map(|d| d.replace(&other.room, "ID")),
    );
    let rows = held(&app, &f.owner, &f.photographer.user.to_string()).await;
    assert!(rows.is_empty(), "nothing stored: {rows:?}");
}

#[tokio::test]
async fn bookings_of_another_branch_stay_there() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Two Branches", "Asia/Kolkata").await;
    let (_, b2) = app
        .post(
            &f.owner,
            "/api/v1/branches",
            json!({ "name": "Second", "invoice_prefix": "SEC-" }),
        )
        .await;
    let branch2 = b2["id"].as_str().unwrap().to_string();
    let bid: darkroom_domain::BranchId = f.branch.parse().unwrap();
    let local = app.member(&f.owner, "manager", Some(bid)).await;
    let mut other = booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z");
    other["branch_id"] = json!(branch2);
    let (s, theirs) = app.post(&f.owner, "/api/v1/bookings", other).await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    let (s, mine) = app
        .post(
            &local,
            "/api/v1/bookings",
            booking(&f, "2027-03-11T10:00:00Z", "2027-03-11T11:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    let id = theirs["id"].as_str().unwrap();
    let (s, _) = app.get(&local, &format!("/api/v1/bookings/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .patch(
            &local,
            &format!("/api/v1/bookings/{id}"),
            json!({ "version": 1, "title": "Mine now" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app
        .get(
            &local,
            "/api/v1/bookings?from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z",
        )
        .await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [mine["id"].as_str().unwrap()]);
    // The other branch's booking still holds the shared photographer; the
    // refusal says so without naming a booking the manager may not see.
    let (s, v) = app
        .post(
            &local,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T10:30:00Z", "2027-03-10T11:30:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["current"]["conflicts"][0]["booking_id"].is_null(), "{v}");
    assert!(!v.to_string().contains(id), "{v}");
}

async fn starts(app: &TestApp, who: &Who, path: &str) -> Vec<String> {
    let (s, v) = app.get(who, path).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["starts_at"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn free_slots_follow_hours_bookings_and_buffers_in_the_branch_zone() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Slots Studio", "America/New_York").await;
    let user = f.photographer.user.to_string();
    let (s, v) = app
        .api(
            &f.owner,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/{user}/hours"),
            Some(json!({ "hours": [
                { "branch_id": f.branch, "weekday": 6, "from": "09:00", "to": "12:00" },
                { "branch_id": f.branch, "weekday": 7, "from": "09:00", "to": "12:00" },
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, t) = app
        .post(&f.owner, "/api/v1/session-types", json!({
            "branch_id": f.branch, "name": "Mini Headshot", "duration_minutes": 60, "increment_minutes": 60,
            "buffer_after_minutes": 15, "horizon_days": 730, "resource_ids": [f.room],
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["slug"], "mini-headshot");
    let tid = t["id"].as_str().unwrap();
    // Saturday 13 and Sunday 14 March 2027: New York moves its clocks on the Sunday.
    let path = format!(
        "/api/v1/session-types/{tid}/slots?from=2027-03-13T00:00:00Z&to=2027-03-15T00:00:00Z"
    );
    // With a 15-minute buffer, a 60-minute session every hour leaves 11:00 only at its end.
    let all = starts(&app, &f.owner, &path).await;
    assert_eq!(
        all,
        [
            "2027-03-13T14:00:00Z",
            "2027-03-13T15:00:00Z",
            "2027-03-13T16:00:00Z",
            "2027-03-14T13:00:00Z",
            "2027-03-14T14:00:00Z",
            "2027-03-14T15:00:00Z",
        ]
    );
    // The room is booked 10:00-10:30 on Sunday (EDT): the 09:00 start (buffer to 10:15) and the 10:00 one go.
    let (s, v) = app
        .post(&f.owner, "/api/v1/bookings", json!({ "branch_id": f.branch, "title": "Walk-in", "starts_at": "2027-03-14T14:00:00Z", "ends_at": "2027-03-14T14:30:00Z", "resource_ids": [f.room] }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let after = starts(&app, &f.owner, &path).await;
    assert_eq!(after[3..], ["2027-03-14T15:00:00Z"]);
}

#[tokio::test]
async fn feeds_are_rfc5545_secret_and_revocable() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Feed Studio", "Europe/Berlin").await;
    let (_, b) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-28T08:00:00Z", "2027-03-28T09:00:00Z"),
        )
        .await;
    let user = f.photographer.user.to_string();
    // The photographer makes a feed of their own bookings.
    let (s, feed) = app
        .post(
            &f.photographer,
            "/api/v1/calendar-feeds",
            json!({ "of": user }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    let url = feed["url"].as_str().unwrap().to_string();
    let path = url[url.find("/calendar/").unwrap()..].to_string();
    let fetch = |p: String| {
        let http = app.http.clone();
        let u = app.url(&p);
        async move {
            let r = http.get(u).send().await.unwrap();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status(), ct, r.text().await.unwrap())
        }
    };
    let (s, ct, ics) = fetch(path.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct.as_deref(), Some("text/calendar; charset=utf-8"));
    let uid = format!("UID:{}@127.0.0.1", b["id"].as_str().unwrap());
    assert!(ics.contains(&uid), "{ics}");
    // 08:00Z on the day Berlin moves to summer time is 10:00 CEST.
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20270328T100000"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"),
        "{ics}"
    );
    assert!(ics.contains("SEQUENCE:0") && ics.contains("STATUS:CONFIRMED"));
    // A change bumps SEQUENCE; a cancellation says so.
    let id = b["id"].as_str().unwrap();
    let (_, moved) = app
        .patch(&f.owner, &format!("/api/v1/bookings/{id}"), json!({ "version": b["version"], "starts_at": "2027-03-28T09:00:00Z", "ends_at": "2027-03-28T10:00:00Z" }))
        .await;
    let (_, _, ics) = fetch(path.clone()).await;
    assert!(
        ics.contains("SEQUENCE:1") && ics.contains("20270328T110000"),
        "{ics}"
    );
    app.post(
        &f.owner,
        &format!("/api/v1/bookings/{id}/status"),
        json!({ "version": moved["version"], "status": "cancelled" }),
    )
    .await;
    let (_, _, ics) = fetch(path.clone()).await;
    assert!(
        ics.contains(&uid) && ics.contains("STATUS:CANCELLED") && ics.contains("SEQUENCE:2"),
        "{ics}"
    );
    // Unknown, malformed and revoked tokens answer alike.
    let (s1, _, _) = fetch("/calendar/cal_nothing.ics".into()).await;
    let (s2, _, _) = fetch("/calendar/%00.ics".into()).await;
    let fid = feed["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &f.photographer,
            reqwest::Method::DELETE,
            &format!("/api/v1/calendar-feeds/{fid}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s3, _, _) = fetch(path).await;
    assert_eq!([s1, s2, s3], [StatusCode::NOT_FOUND; 3]);
    // Another photographer cannot make a feed of this one's bookings.
    let other = app.member(&f.owner, "photographer", None).await;
    let (s, _) = app
        .post(&other, "/api/v1/calendar-feeds", json!({ "of": user }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// The rule lives in the database: two overlapping live claims on one
/// holder's unit are refused by the engine itself, whoever writes them;
/// touching ranges and released claims are not in the way.
#[tokio::test]
async fn the_database_itself_refuses_overlapping_claims() {
    use darkroom_db::entity::booking_claim;
    use darkroom_domain::booking::HolderKind;
    let app = TestApp::spawn().await;
    let f = front(&app, "Engine Rule", "UTC").await;
    let (_, b) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-03-10T10:00:00Z", "2027-03-10T11:00:00Z"),
        )
        .await;
    let claim = |from: &str, to: &str, unit: i64, active: i64| booking_claim::Model {
        id: uuid::Uuid::now_v7(),
        studio_id: darkroom_domain::TypedId::uuid(&f.owner.studio),
        booking_id: booking_uuid(&b),
        holder_kind: HolderKind::Staff,
        holder_id: darkroom_domain::TypedId::uuid(&f.photographer.user),
        unit,
        role: "photographer".into(),
        starts_at: darkroom_domain::Timestamp::parse_rfc3339(from)
            .unwrap()
            .as_micros(),
        ends_at: darkroom_domain::Timestamp::parse_rfc3339(to)
            .unwrap()
            .as_micros(),
        active,
        created_at: 0,
    };
    let c = app.db.conn();
    let r = darkroom_db::repo::booking::insert_claim(
        c,
        claim("2027-03-10T10:59:00Z", "2027-03-10T12:00:00Z", 0, 1),
    )
    .await;
    assert!(matches!(r, Err(darkroom_db::DbError::Overlap)), "{r:?}");
    for ok in [
        claim("2027-03-10T11:00:00Z", "2027-03-10T12:00:00Z", 0, 1),
        claim("2027-03-10T10:30:00Z", "2027-03-10T10:45:00Z", 1, 1),
        claim("2027-03-10T10:30:00Z", "2027-03-10T10:45:00Z", 0, 0),
    ] {
        darkroom_db::repo::booking::insert_claim(c, ok)
            .await
            .unwrap();
    }
    // An empty or inverted range is refused too.
    let r = darkroom_db::repo::booking::insert_claim(
        c,
        claim("2027-03-11T10:00:00Z", "2027-03-11T10:00:00Z", 0, 1),
    )
    .await;
    assert!(r.is_err());
}

/// On PostgreSQL two transactions can wait for each other through the
/// claims' exclusion constraint (each inserted a row the other then needs,
/// or both checked at the same instant). The engine breaks the circle by
/// failing one statement; that arrives as `DbError::Deadlock` (the bookings
/// answer 503 "try again", never 500), and after rolling back to its
/// savepoint the transaction goes on and commits what it held.
#[tokio::test]
async fn a_deadlock_between_claims_is_named_and_the_transaction_goes_on() {
    use darkroom_db::entity::booking_claim;
    use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
    use darkroom_domain::booking::HolderKind;
    let app = TestApp::spawn().await;
    if app.db.engine() != darkroom_db::Engine::Postgres {
        // SQLite's write transactions are one at a time: no circle can form.
        return;
    }
    let f = front(&app, "Deadlock Studio", "UTC").await;
    let (_, b) = app
        .post(
            &f.owner,
            "/api/v1/bookings",
            booking(&f, "2027-05-10T10:00:00Z", "2027-05-10T11:00:00Z"),
        )
        .await;
    let booking_id = booking_uuid(&b);
    let claim = |unit: i64| booking_claim::Model {
        id: uuid::Uuid::now_v7(),
        studio_id: darkroom_domain::TypedId::uuid(&f.owner.studio),
        booking_id,
        holder_kind: HolderKind::Resource,
        holder_id: uuid::Uuid::now_v7(),
        unit,
        role: "lighting".into(),
        starts_at: 1_000_000,
        ends_at: 2_000_000,
        active: 1,
        created_at: 0,
    };
    let (a, b) = (claim(5), claim(6));
    let (mut a2, mut b2) = (a.clone(), b.clone());
    (a2.id, b2.id) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let both_hold = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    // Each takes one claim, then wants the one the other took.
    let side = |mine: booking_claim::Model, theirs: booking_claim::Model| {
        let db = app.db.clone();
        let both_hold = both_hold.clone();
        tokio::spawn(async move {
            let tx = db.begin().await.unwrap();
            darkroom_db::repo::booking::insert_claim(&tx, mine)
                .await
                .unwrap();
            both_hold.wait().await;
            let sp = tx.begin().await.unwrap();
            let r = darkroom_db::repo::booking::insert_claim(&sp, theirs).await;
            sp.rollback().await.unwrap();
            // The transaction is usable after its savepoint: it commits.
            tx.commit().await.unwrap();
            r.map(|_| ())
        })
    };
    let (one, two) = (side(a, b2), side(b, a2));
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    let mut got = [format!("{one:?}"), format!("{two:?}")];
    got.sort();
    // One was failed by the engine; the other waited for it to commit and
    // then found its claim in the way.
    assert_eq!(got, ["Err(Deadlock)", "Err(Overlap)"]);
    let held = booking_claim::Entity::find()
        .filter(booking_claim::Column::BookingId.eq(booking_id))
        .filter(booking_claim::Column::Unit.is_in([5, 6]))
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(held.len(), 2, "each kept the claim it took first");
}

/// A reminder goes to the client and each person held, once per booking
/// time, whoever runs the chore and however often; a moved booking is
/// reminded of again; one days away is not yet.
#[tokio::test]
async fn reminders_go_once_to_the_client_and_the_team() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Remind Studio", "Asia/Kolkata").await;
    app.unreachable_smtp(&f.owner, "Remind Studio").await;
    let (_, client) = app
        .post(
            &f.owner,
            "/api/v1/clients",
            json!({ "name": "Kim Min-jun", "email": "minjun@example.com" }),
        )
        .await;
    let soon = app
        .clock_now()
        .plus(std::time::Duration::from_secs(20 * 3600));
    let mut b = booking(
        &f,
        &soon.to_rfc3339(),
        &soon.plus(std::time::Duration::from_secs(3600)).to_rfc3339(),
    );
    b["client_id"] = client["id"].clone();
    b["location"] = json!("Cubbon Park, main gate");
    let (s, first) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    // Three days away: not yet.
    let later = soon.plus(std::time::Duration::from_secs(3 * 86_400));
    app.post(
        &f.owner,
        "/api/v1/bookings",
        booking(
            &f,
            &later.to_rfc3339(),
            &later
                .plus(std::time::Duration::from_secs(3600))
                .to_rfc3339(),
        ),
    )
    .await;
    let reminders = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "booking_reminder")
            .map(|e| {
                e["to"]
                    .as_str()
                    .or(e["to_address"].as_str())
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    let (a, b2) = tokio::join!(
        darkroom_core::bookings::remind::remind_upcoming(&app.core),
        darkroom_core::bookings::remind::remind_upcoming(&app.core),
    );
    assert_eq!(
        a.unwrap() + b2.unwrap(),
        2,
        "one to the client, one to the photographer"
    );
    assert_eq!(
        darkroom_core::bookings::remind::remind_upcoming(&app.core)
            .await
            .unwrap(),
        0
    );
    let (_, emails) = app.get(&f.owner, "/api/v1/emails").await;
    let mut to = reminders(&emails);
    to.sort();
    assert_eq!(
        to,
        [
            "minjun@example.com".to_string(),
            f.photographer.email.clone()
        ],
        "{emails}"
    );
    // Moved an hour later: reminded again, once.
    let id = first["id"].as_str().unwrap();
    let (s, v) = app
        .patch(&f.owner, &format!("/api/v1/bookings/{id}"), json!({ "version": first["version"], "starts_at": soon.plus(std::time::Duration::from_secs(3600)).to_rfc3339(), "ends_at": soon.plus(std::time::Duration::from_secs(7200)).to_rfc3339() }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        darkroom_core::bookings::remind::remind_upcoming(&app.core)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        darkroom_core::bookings::remind::remind_upcoming(&app.core)
            .await
            .unwrap(),
        0
    );
}

/// A visitor's browser: its cookies and the last form's CSRF token.
pub(crate) struct Visitor {
    pub(crate) cookie: String,
}

impl Visitor {
    pub(crate) async fn get(&mut self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let r = app
            .http
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        if let Some(c) = crate::helpers::set_cookie(r.headers(), "darkroom_csrf") {
            self.cookie = format!("darkroom_csrf={c}");
        }
        (r.status(), r.text().await.unwrap())
    }

    pub(crate) async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut all = vec![("_csrf", csrf)];
        all.extend_from_slice(fields);
        let r = app
            .http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", &app.base)
            .form(&all)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            s,
            if loc.is_empty() {
                r.text().await.unwrap()
            } else {
                loc
            },
        )
    }
}

/// The first free time a booking page lists (its RFC 3339 value).
pub(crate) fn first_time(html: &str) -> String {
    let i = html.find("details?start=").expect("a free time") + "details?start=".len();
    let raw = &html[i..i + html[i..].find('&').unwrap()];
    raw.replace("%3A", ":").replace("%2B", "+")
}

#[tokio::test]
async fn a_client_books_moves_and_cancels_on_the_public_page() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Public Studio", "Asia/Kolkata").await;
    app.unreachable_smtp(&f.owner, "Public Studio").await;
    let user = f.photographer.user.to_string();
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({ "branch_id": f.branch, "weekday": d, "from": "10:00", "to": "13:00" }))
        .collect();
    app.api(
        &f.owner,
        reqwest::Method::PUT,
        &format!("/api/v1/staff/{user}/hours"),
        Some(json!({ "hours": week })),
    )
    .await;
    let (_, t) = app
        .post(&f.owner, "/api/v1/session-types", json!({
            "branch_id": f.branch, "name": "Headshot", "duration_minutes": 60, "increment_minutes": 60,
            "min_notice_minutes": 60, "public": true, "staff_ids": [user], "resource_ids": [f.room],
        }))
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    let mut v = Visitor {
        cookie: String::new(),
    };
    // From New York: times are shown in New York's zone.
    let (s, html) = v
        .get(&app, &format!("/book/{tid}?tz=America/New_York"))
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("times below are in America&#x2f;New_York"),
        "{html}"
    );
    let start = first_time(&html);
    let (s, form) = v
        .get(
            &app,
            &format!(
                "/book/{tid}/details?start={}&tz=America%2FNew_York",
                start.replace(':', "%3A").replace('+', "%2B")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{form}");
    let csrf = crate::helpers::csrf_of(&form).unwrap();
    // A robot filling the hidden field books nothing.
    let (s, _) = v
        .post(
            &app,
            &format!("/book/{tid}/details"),
            &csrf,
            &[
                ("start", &start),
                ("tz", "America/New_York"),
                ("name", "Bot"),
                ("email", "bot@example.com"),
                ("website", "http://spam"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A bad email is named.
    let (s, html) = v
        .post(
            &app,
            &format!("/book/{tid}/details"),
            &csrf,
            &[
                ("start", &start),
                ("tz", "America/New_York"),
                ("name", "Jo"),
                ("email", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let (s, to) = v
        .post(
            &app,
            &format!("/book/{tid}/details"),
            &csrf,
            &[
                ("start", &start),
                ("tz", "America/New_York"),
                ("name", "Jo Park"),
                ("email", "jo@example.com"),
                ("phone", "+1 212 555 0101"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert!(to.starts_with("/book/manage/bk_"), "{to}");
    // The studio sees it, holding the photographer and the room; the client is in the CRM.
    let rows = held(&app, &f.owner, &f.room).await;
    let (_, list) = app
        .get(&f.owner, &format!("/api/v1/bookings?holder={}", f.room))
        .await;
    let booked = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["starts_at"] == start.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{list} {rows:?}"));
    assert_eq!(booked["claims"].as_array().unwrap().len(), 2);
    let (_, clients) = app
        .get(&f.owner, "/api/v1/clients?q=jo%40example.com")
        .await;
    assert_eq!(clients.as_array().unwrap().len(), 1, "{clients}");
    // The confirmation carries the invite.
    use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mail = darkroom_db::entity::email::Entity::find()
        .filter(darkroom_db::entity::email::Column::Kind.eq("booking_confirmed"))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mail.to_address, "jo@example.com");
    assert!(
        mail.body_text.contains("/book/manage/bk_"),
        "{}",
        mail.body_text
    );
    // In the client's own zone.
    assert!(
        mail.subject.contains("EST") || mail.subject.contains("EDT"),
        "{}",
        mail.subject
    );
    let ics = mail.calendar.unwrap();
    assert!(
        ics.contains(&format!("UID:{}@", booked["id"].as_str().unwrap()))
            && ics.contains("BEGIN:VTIMEZONE"),
        "{ics}"
    );
    // Someone else trying the same time is told it is taken.
    let mut w = Visitor {
        cookie: String::new(),
    };
    let (_, form) = w
        .get(
            &app,
            &format!(
                "/book/{tid}/details?start={}",
                start.replace(':', "%3A").replace('+', "%2B")
            ),
        )
        .await;
    let csrf2 = crate::helpers::csrf_of(&form).unwrap();
    let (s, to2) = w
        .post(
            &app,
            &format!("/book/{tid}/details"),
            &csrf2,
            &[
                ("start", &start),
                ("name", "Late"),
                ("email", "late@example.com"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(to2.contains("flash=slot_taken"), "{to2}");
    // The client moves it from their link, then cancels.
    let manage = to.split('?').next().unwrap().to_string();
    let (s, page) = v.get(&app, &format!("{manage}?tz=America/New_York")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let i = page.find("name=\"start\" value=\"").unwrap() + "name=\"start\" value=\"".len();
    let new_start = page[i..i + page[i..].find('"').unwrap()].to_string();
    let csrf3 = crate::helpers::csrf_of(&page).unwrap();
    let (s, _) = v
        .post(
            &app,
            &format!("{manage}/move"),
            &csrf3,
            &[("start", &new_start), ("tz", "America/New_York")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app
        .get(
            &f.owner,
            &format!("/api/v1/bookings/{}", booked["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(b["starts_at"], new_start.as_str());
    assert_eq!(b["sequence"], 1);
    let (s, _) = v.post(&app, &format!("{manage}/cancel"), &csrf3, &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app
        .get(
            &f.owner,
            &format!("/api/v1/bookings/{}", booked["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(b["status"], "cancelled");
    assert_eq!(b["claims"].as_array().unwrap().len(), 0);
    // Unknown tokens, and types that are not public or are another studio's, are the same 404.
    let (s1, _) = v.get(&app, "/book/manage/bk_nothing").await;
    let (_, private) = app
        .post(
            &f.owner,
            "/api/v1/session-types",
            json!({ "branch_id": f.branch, "name": "Internal", "duration_minutes": 30 }),
        )
        .await;
    let (s2, _) = v
        .get(&app, &format!("/book/{}", private["id"].as_str().unwrap()))
        .await;
    let (s3, _) = v
        .get(
            &app,
            &format!("/book/sst_{}", uuid::Uuid::now_v7().simple()),
        )
        .await;
    assert_eq!([s1, s2, s3], [StatusCode::NOT_FOUND; 3]);
}

/// A session type named only in Hangul (or any script without Latin
/// letters) still gets a page address.
#[tokio::test]
async fn a_session_type_named_in_hangul_gets_an_address() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Seoul Studio", "Asia/Seoul").await;
    let (s, t) = app
        .post(
            &f.owner,
            "/api/v1/session-types",
            json!({ "branch_id": f.branch, "name": "증명사진", "duration_minutes": 30 }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert!(t["slug"].as_str().unwrap().starts_with("session-"), "{t}");
    assert_eq!(t["name"], "증명사진");
}

/// A guest's request on the public page of `tid` at its first free time;
/// the start asked for.
async fn request_first_time(app: &TestApp, tid: &str, email: &str) -> String {
    book_first_time(app, tid, email, "requested").await
}

/// A guest's booking on the public page of `tid` at its first free time,
/// answered with the notice `flash`; the start taken.
async fn book_first_time(app: &TestApp, tid: &str, email: &str, flash: &str) -> String {
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (_, html) = v.get(app, &format!("/book/{tid}?tz=Asia/Kolkata")).await;
    let start = first_time(&html);
    let (_, form) = v
        .get(
            app,
            &format!(
                "/book/{tid}/details?start={}&tz=Asia%2FKolkata",
                start.replace(':', "%3A").replace('+', "%2B")
            ),
        )
        .await;
    let csrf = crate::helpers::csrf_of(&form).unwrap();
    let (s, to) = v
        .post(
            app,
            &format!("/book/{tid}/details"),
            &csrf,
            &[
                ("start", &start),
                ("tz", "Asia/Kolkata"),
                ("name", "Mina Park"),
                ("email", email),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert!(to.contains(&format!("flash={flash}")), "{to}");
    start
}

#[tokio::test]
async fn a_request_holds_the_time_until_the_studio_confirms_or_declines() {
    use darkroom_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let f = front(&app, "Request Studio", "Asia/Kolkata").await;
    app.unreachable_smtp(&f.owner, "Request Studio").await;
    let user = f.photographer.user.to_string();
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({ "branch_id": f.branch, "weekday": d, "from": "10:00", "to": "13:00" }))
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
            "branch_id": f.branch, "name": "Consultation", "duration_minutes": 60, "increment_minutes": 60,
            "min_notice_minutes": 60, "public": true, "requires_approval": true,
            "staff_ids": [user], "resource_ids": [f.room],
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["requires_approval"], true);
    let tid = t["id"].as_str().unwrap().to_string();
    let kinds = |kind: &'static str| {
        let db = app.db.conn().clone();
        async move {
            darkroom_db::entity::email::Entity::find()
                .filter(darkroom_db::entity::email::Column::Kind.eq(kind))
                .all(&db)
                .await
                .unwrap()
        }
    };

    // The request holds the photographer and the room, tentatively.
    let start = request_first_time(&app, &tid, "mina@example.com").await;
    let (_, list) = app
        .get(&f.owner, &format!("/api/v1/bookings?holder={}", f.room))
        .await;
    let req = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["starts_at"] == start.as_str())
        .cloned()
        .unwrap();
    assert_eq!(req["status"], "tentative");
    assert_eq!(req["claims"].as_array().unwrap().len(), 2);
    assert_eq!(kinds("booking_requested").await.len(), 1);
    assert!(
        kinds("booking_confirmed").await.is_empty(),
        "not confirmed yet"
    );
    assert_eq!(
        app.audit_count(f.owner.studio, "booking.requested").await,
        1
    );
    // The next guest is offered a later time: the requested one is held.
    let second = request_first_time(&app, &tid, "leo@example.com").await;
    assert_ne!(second, start);

    // Confirmed: the guest gets the invite.
    let id = req["id"].as_str().unwrap();
    let (s, ok) = app
        .post(
            &f.owner,
            &format!("/api/v1/bookings/{id}/status"),
            json!({ "version": req["version"], "status": "scheduled" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    let sent = kinds("booking_confirmed").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_address, "mina@example.com");
    assert!(sent[0].calendar.is_some(), "with the invite");

    // Declined with a reason: the guest hears why, and the time is free.
    let (_, list) = app
        .get(&f.owner, &format!("/api/v1/bookings?holder={}", f.room))
        .await;
    let other = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["starts_at"] == second.as_str())
        .cloned()
        .unwrap();
    let (s, no) = app
        .post(&f.owner, &format!("/api/v1/bookings/{}/status", other["id"].as_str().unwrap()), json!({
            "version": other["version"], "status": "cancelled", "reason": "The studio is closed for a shoot that day",
        }))
        .await;
    assert_eq!(s, StatusCode::OK, "{no}");
    let declined = kinds("booking_declined").await;
    assert_eq!(declined.len(), 1);
    assert!(
        declined[0].body_text.contains("closed for a shoot"),
        "{}",
        declined[0].body_text
    );
    let rows = held(&app, &f.owner, &f.room).await;
    assert!(
        rows.iter().all(|b| b["starts_at"] != second.as_str()),
        "released: {rows:?}"
    );
}

#[tokio::test]
async fn online_bookings_go_to_whoever_has_the_least_work_that_week() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Team Studio", "Asia/Kolkata").await;
    let second = app.member(&f.owner, "photographer", None).await;
    let people = [f.photographer.user.to_string(), second.user.to_string()];
    let week: Vec<Value> = (1..=7)
        .map(|d| json!({ "branch_id": f.branch, "weekday": d, "from": "10:00", "to": "16:00" }))
        .collect();
    for user in &people {
        app.api(
            &f.owner,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/{user}/hours"),
            Some(json!({ "hours": week })),
        )
        .await;
    }
    let (s, t) = app
        .post(&f.owner, "/api/v1/session-types", json!({
            "branch_id": f.branch, "name": "Mini", "duration_minutes": 60, "increment_minutes": 60,
            "min_notice_minutes": 60, "public": true, "staff_ids": people,
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tid = t["id"].as_str().unwrap().to_string();
    // The first photographer already has two sessions the next day.
    let mut v = Visitor {
        cookie: String::new(),
    };
    let (_, html) = v.get(&app, &format!("/book/{tid}?tz=Asia/Kolkata")).await;
    let first: jiff::Timestamp = first_time(&html).parse().unwrap();
    for h in [24, 26] {
        let at = |x: i64| (first + jiff::SignedDuration::from_hours(x)).to_string();
        let (s, b) = app
            .post(&f.owner, "/api/v1/bookings", json!({
                "branch_id": f.branch, "title": "Studio job", "starts_at": at(h), "ends_at": at(h + 1),
                "staff": [{ "user_id": people[0] }],
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    // So online bookings go to the second, until the load evens out.
    let busy = |user: String| {
        let app = &app;
        let owner = f.owner.clone();
        async move {
            let (_, rows) = app
                .get(&owner, &format!("/api/v1/bookings?holder={user}"))
                .await;
            rows.as_array().unwrap().len()
        }
    };
    book_first_time(&app, &tid, "guest0@example.com", "booked").await;
    assert_eq!(
        (busy(people[0].clone()).await, busy(people[1].clone()).await),
        (2, 1)
    );
    // The same time again: only the first is free then, so it is theirs.
    book_first_time(&app, &tid, "guest1@example.com", "booked").await;
    assert_eq!(
        (busy(people[0].clone()).await, busy(people[1].clone()).await),
        (3, 1)
    );
    // The next time, both are free: the less busy one takes it.
    book_first_time(&app, &tid, "guest2@example.com", "booked").await;
    assert_eq!(
        (busy(people[0].clone()).await, busy(people[1].clone()).await),
        (3, 2)
    );
}
