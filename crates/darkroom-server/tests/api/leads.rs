//! Leads: a visitor writes through the branch's public form (embeddable,
//! trap field, clear errors, an automatic reply), staff move the lead
//! through the pipeline (a lost one says why), follow it up with tasks,
//! convert it into a client, rename and add stages, and read the report.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, reqwest::header::HeaderMap) {
    // A browser on another site posting into the embedded form: no session,
    // no CSRF cookie, a foreign origin.
    let res = app
        .http
        .post(app.url(path))
        .header("origin", "https://studio-site.example")
        .form(fields)
        .send()
        .await
        .unwrap();
    let (s, h) = (res.status(), res.headers().clone());
    (s, res.text().await.unwrap(), h)
}

async fn first_branch(app: &TestApp, who: &Who) -> String {
    let (_, branches) = app.get(who, "/api/v1/branches").await;
    branches["items"][0]["id"].as_str().unwrap().to_string()
}

fn stage_of<'a>(board: &'a Value, name: &str) -> &'a Value {
    board["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"]["name"] == name)
        .unwrap()
}

#[tokio::test]
async fn a_visitor_inquires_and_the_lead_lands_in_the_first_stage() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    app.unreachable_smtp(&owner, "Lumen").await;
    let branch = first_branch(&app, &owner).await;
    let form = format!("/inquire/{branch}");
    let (s, html, h) = app.page(None, &form).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Tell us about your shoot"));
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors *"),
        "embeddable"
    );
    assert!(h.get("x-frame-options").is_none());
    let (_, _, staff) = app.page(Some(&owner.session), "/leads").await;
    assert_eq!(
        staff["x-frame-options"], "DENY",
        "staff pages are never framed"
    );

    // Each bad field says what is wrong; nothing is stored.
    let (s, html, _) = post_form(
        &app,
        &form,
        &[
            ("name", ""),
            ("email", "nope"),
            ("event_date", "14/02/2027"),
            ("phone", "12"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for want in [
        "e-f-name",
        "e-f-email",
        "e-f-event_date",
        "e-f-phone",
        "YYYY-MM-DD",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    let (s, _, h) = post_form(
        &app,
        &form,
        &[
            ("name", "Ananya Rao"),
            ("email", "Ananya@Example.com"),
            ("phone", "98765 43210"),
            ("event_type", "Wedding"),
            ("event_date", "2027-02-14"),
            ("venue", "Leela Palace"),
            ("message", "Two days, 300 guests"),
            ("website", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        h["location"].to_str().unwrap().split('?').next().unwrap(),
        format!("{form}/thanks")
    );
    // A robot fills the trap: the same thanks, no lead.
    let (s, _, _) = post_form(
        &app,
        &form,
        &[
            ("name", "Bot"),
            ("email", "bot@example.com"),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    let (_, board) = app.get(&owner, "/api/v1/leads").await;
    let inquiry = stage_of(&board, "Inquiry");
    let leads = inquiry["leads"].as_array().unwrap();
    assert_eq!(leads.len(), 1, "{board}");
    assert_eq!(leads[0]["email"], "ananya@example.com");
    assert_eq!(leads[0]["phone"], "+919876543210");
    assert_eq!(leads[0]["source"], "website");
    assert_eq!(leads[0]["event_date"], "2027-02-14");
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    let kinds: Vec<&str> = emails["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"inquiry_reply"), "{emails}");

    // Another studio's branch, or none: the same 404.
    let (s, _, _) = app
        .page(None, "/inquire/brn_0193f7a2c3d47e8f9a0b1c2d3e4f5a6b")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = post_form(
        &app,
        "/inquire/brn_0193f7a2c3d47e8f9a0b1c2d3e4f5a6b",
        &[("name", "X"), ("email", "x@example.com")],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_move_follow_up_convert_and_report_leads() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Rival").await;
    let (_, stages) = app.get(&owner, "/api/v1/pipeline/stages").await;
    let names: Vec<&str> = stages
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Inquiry",
            "Consultation",
            "Proposal",
            "Contracted",
            "Completed",
            "Cancelled"
        ]
    );
    let stage = |n: &str| {
        stages
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let (s, lead) = app.post(&owner, "/api/v1/leads", json!({ "name": "Mina Kim", "email": "mina@example.com", "source": "instagram", "event_type": "Pre-wedding" })).await;
    assert_eq!(s, StatusCode::CREATED, "{lead}");
    let id = lead["id"].as_str().unwrap().to_string();
    let (s, moved) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{id}"),
            json!({ "version": lead["version"], "stage_id": stage("Consultation") }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    let (s, e) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{id}"),
            json!({ "version": moved["version"], "stage_id": stage("Cancelled") }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a lost lead says why: {e}"
    );
    assert!(e.to_string().contains("lost_reason"));
    let (_, lost) = app.patch(&owner, &format!("/api/v1/leads/{id}"), json!({ "version": moved["version"], "stage_id": stage("Cancelled"), "lost_reason": "Price" })).await;
    assert_eq!(lost["lost_reason"], "Price");
    assert!(lost["closed_at"].is_string());
    let (_, again) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{id}"),
            json!({ "version": lost["version"], "stage_id": stage("Proposal") }),
        )
        .await;
    assert_eq!(again["closed_at"], Value::Null, "back in an open stage");
    assert_eq!(again["lost_reason"], Value::Null);
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{id}"),
            json!({ "version": lost["version"], "name": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");

    // Tasks.
    let (s, task) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{id}/tasks"),
            json!({ "title": "Send the proposal", "due_at": "2027-01-10T09:00:00Z" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{task}");
    let (s, done) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{id}/tasks/{}", task["id"].as_str().unwrap()),
            json!({ "version": task["version"], "done": true }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done["done_at"].is_string());

    // Converting makes the client (or links the one with its email).
    let (s, converted) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{id}/convert"),
            json!({ "version": again["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{converted}");
    assert_eq!(
        converted["stage_id"].as_str(),
        Some(stage("Contracted").as_str())
    );
    let client = converted["client_id"].as_str().unwrap().to_string();
    let (_, c) = app.get(&owner, &format!("/api/v1/clients/{client}")).await;
    assert_eq!(c["email"], "mina@example.com");
    assert_eq!(c["source"], "instagram");
    let (_, second) = app
        .post(
            &owner,
            "/api/v1/leads",
            json!({ "name": "Mina K.", "email": "MINA@example.com" }),
        )
        .await;
    let (_, second) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{}/convert", second["id"].as_str().unwrap()),
            json!({ "version": second["version"] }),
        )
        .await;
    assert_eq!(
        second["client_id"].as_str(),
        Some(client.as_str()),
        "the same person is one client"
    );
    let (_, lost2) = app
        .post(
            &owner,
            "/api/v1/leads",
            json!({ "name": "Jo", "source": "google" }),
        )
        .await;
    app.patch(&owner, &format!("/api/v1/leads/{}", lost2["id"].as_str().unwrap()), json!({ "version": lost2["version"], "stage_id": stage("Cancelled"), "lost_reason": "No answer" })).await;

    // Stages: added where asked, renamed.
    let (s, st) = app
        .post(
            &owner,
            "/api/v1/pipeline/stages",
            json!({ "name": "Shoot booked", "kind": "won", "position": 4 }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{st}");
    let (_, renamed) = app
        .patch(
            &owner,
            &format!("/api/v1/pipeline/stages/{}", stage("Inquiry")),
            json!({ "version": 1, "name": "New inquiry" }),
        )
        .await;
    assert_eq!(renamed["name"], "New inquiry");
    let (_, stages2) = app.get(&owner, "/api/v1/pipeline/stages").await;
    let names: Vec<&str> = stages2
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "New inquiry",
            "Consultation",
            "Proposal",
            "Contracted",
            "Shoot booked",
            "Completed",
            "Cancelled"
        ]
    );

    // The report: per source, won of closed.
    let (_, r) = app.get(&owner, "/api/v1/leads/report").await;
    assert_eq!(r["total"]["leads"], 3, "{r}");
    assert_eq!(r["total"]["won"], 2);
    assert_eq!(r["total"]["lost"], 1);
    assert_eq!(r["total"]["conversion_percent"], 67);
    let insta = r["by_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["source"] == "instagram")
        .unwrap();
    assert_eq!(insta["conversion_percent"], 100);
    assert_eq!(r["lost_reasons"][0], json!(["no answer", 1]));

    // Another studio never sees or moves them.
    let (s, _) = app.get(&other, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, theirs) = app.get(&other, "/api/v1/leads").await;
    assert!(
        theirs["stages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["leads"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn the_board_moves_a_lead_with_the_keyboard_form() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, _, h) = app
        .form(
            &owner.session,
            "/leads",
            &[
                ("name", "Rohan Gupta"),
                ("email", "rohan@example.com"),
                ("event_type", "Headshots"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let lead_page = h["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let id = lead_page.trim_start_matches("/leads/").to_string();
    let (_, html, _) = app.page(Some(&owner.session), "/leads").await;
    assert!(
        html.contains("Rohan Gupta") && html.contains(&format!("mv-{id}")),
        "{html}"
    );
    let (_, stages) = app.get(&owner, "/api/v1/pipeline/stages").await;
    let lost = stages
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "lost")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, html, _) = app
        .form(
            &owner.session,
            &format!("{lead_page}/move"),
            &[
                ("stage_id", &lost),
                ("version", "1"),
                ("back", "board"),
                ("lost_reason", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("say why the lead is lost"), "{html}");
    let (s, _, h) = app
        .form(
            &owner.session,
            &format!("{lead_page}/move"),
            &[
                ("stage_id", &lost),
                ("version", "1"),
                ("back", "board"),
                ("lost_reason", "Price"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().starts_with("/leads?"));
    let (s, _, _) = app
        .form(
            &owner.session,
            &format!("{lead_page}/tasks"),
            &[("title", "Call back"), ("due", "2027-01-05")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html, _) = app.page(Some(&owner.session), &lead_page).await;
    assert!(html.contains("Call back") && html.contains("Price"));
    let (_, html, _) = app.page(Some(&owner.session), "/leads/stages").await;
    assert!(html.contains("/inquire/brn_") && html.contains("iframe"));
    let (s, html, _) = app.page(Some(&owner.session), "/leads/report").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("price: 1"), "{html}");
}
