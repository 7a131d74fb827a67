//! The calendar feeds read by two independent iCalendar implementations,
//! Python's `icalendar` and Mozilla's `ical.js`: every event's UTC start and
//! end (resolved through the feed's own VTIMEZONE, across the spring and
//! autumn clock changes of New York and Berlin, and in Seoul and Kolkata),
//! its stable UID, its SEQUENCE after a move and its STATUS after a
//! cancellation come out as Darkroom meant them.

use std::process::Command;
use std::time::Duration;

use darkroom_db::testing::TestDb;
use serde_json::{Value, json};

use crate::ingest::{free_port, owner_token, spawn_server, wait_ready};
use crate::peers::{node_modules_with, python_with};

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}

/// (zone, UTC start): each a day clocks change, or a zone where they never do.
const CASES: [(&str, &str); 6] = [
    ("America/New_York", "2027-03-14T13:00:00Z"),
    ("America/New_York", "2027-11-07T14:00:00Z"),
    ("Europe/Berlin", "2027-03-28T07:00:00Z"),
    ("Europe/Berlin", "2027-10-31T08:00:00Z"),
    ("Asia/Seoul", "2027-03-14T00:00:00Z"),
    ("Asia/Kolkata", "2027-10-31T03:30:00Z"),
];

fn plus_hour(s: &str) -> String {
    let t = darkroom_domain::Timestamp::parse_rfc3339(s).unwrap();
    t.plus(Duration::from_secs(3600)).to_rfc3339()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_independent_parsers_read_the_feeds_as_meant() {
    let test_db = TestDb::create().await;
    let token = owner_token(&test_db.url).await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut server = spawn_server(&test_db.url, data_dir.path(), port, None);
    wait_ready(&http, &base).await;
    let api = Api {
        http: http.clone(),
        base: base.clone(),
        token,
    };
    use reqwest::Method as M;
    let me = api.call(M::GET, "/api/v1/me", None).await;
    let user = me["user_id"].as_str().unwrap().to_string();
    let branches = api.call(M::GET, "/api/v1/branches", None).await;
    let branch = branches["items"][0]["id"]
        .as_str()
        .or(branches[0]["id"].as_str())
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for (i, (zone, start)) in CASES.iter().enumerate() {
        let b = api
            .call(M::POST, "/api/v1/bookings", Some(json!({
                "branch_id": branch, "title": format!("Session {i}, in {zone}"), "time_zone": zone,
                "starts_at": start, "ends_at": plus_hour(start), "staff": [{ "user_id": user }],
            })))
            .await;
        ids.push(b);
    }
    // Move the first an hour later (SEQUENCE 1); cancel the second.
    let moved = api
        .call(M::PATCH, &format!("/api/v1/bookings/{}", ids[0]["id"].as_str().unwrap()), Some(json!({
            "version": ids[0]["version"], "starts_at": "2027-03-14T14:00:00Z", "ends_at": "2027-03-14T15:00:00Z",
        })))
        .await;
    assert_eq!(moved["sequence"], 1);
    api.call(
        M::POST,
        &format!("/api/v1/bookings/{}/status", ids[1]["id"].as_str().unwrap()),
        Some(json!({
            "version": ids[1]["version"], "status": "cancelled",
        })),
    )
    .await;
    let feed = api
        .call(
            M::POST,
            "/api/v1/calendar-feeds",
            Some(json!({ "of": user })),
        )
        .await;
    let url = feed["url"].as_str().unwrap().to_string();
    let ics = http.get(&url).send().await.unwrap().text().await.unwrap();
    let file = data_dir.path().join("feed.ics");
    std::fs::write(&file, &ics).unwrap();

    let peers = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers");
    let py = python_with("icalendar", "icalendar");
    let py_out = Command::new(py)
        .arg(peers.join("ical_py.py"))
        .arg(&file)
        .output()
        .unwrap();
    let modules = node_modules_with("ical.js");
    let js_out = Command::new("node")
        .arg(peers.join("ical_js.mjs"))
        .arg(&modules)
        .arg(&file)
        .output()
        .unwrap();
    for (name, out) in [("icalendar", &py_out), ("ical.js", &js_out)] {
        assert!(
            out.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), CASES.len(), "{name}: {events:?}\n{ics}");
        for (i, (_, start)) in CASES.iter().enumerate() {
            let id = ids[i]["id"].as_str().unwrap();
            let e = events
                .iter()
                .find(|e| e["uid"].as_str().unwrap().starts_with(id))
                .unwrap_or_else(|| panic!("{name}: no {id}"));
            let (want_start, want_seq, want_status) = match i {
                0 => ("2027-03-14T14:00:00Z".to_string(), 1, "CONFIRMED"),
                1 => (start.to_string(), 1, "CANCELLED"),
                _ => (start.to_string(), 0, "CONFIRMED"),
            };
            assert_eq!(
                e["dtstart"],
                want_start.as_str(),
                "{name}: event {i} start\n{ics}"
            );
            assert_eq!(
                e["dtend"],
                plus_hour(&want_start).as_str(),
                "{name}: event {i} end"
            );
            assert_eq!(e["sequence"], want_seq, "{name}: event {i} sequence");
            assert_eq!(e["status"], want_status, "{name}: event {i} status");
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}
