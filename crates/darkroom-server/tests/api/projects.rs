//! Projects: a client's job numbered per branch, with its people, default
//! milestones (on time or late), status, and the galleries and sessions
//! that belong to it; a converted lead becomes one; bad input stores
//! nothing; another studio's ids answer like missing ones.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

async fn client(app: &TestApp, who: &Who, name: &str) -> String {
    let (s, c) = app
        .post(who, "/api/v1/clients", json!({ "name": name }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn branch_prefix(app: &TestApp, who: &Who, branch: &str) -> String {
    let (_, b) = app.get(who, &format!("/api/v1/branches/{branch}")).await;
    b["invoice_prefix"]
        .as_str()
        .unwrap()
        .trim_end_matches(['-', '/'])
        .to_uppercase()
}

#[tokio::test]
async fn a_project_is_numbered_per_branch_staffed_and_tracked_by_milestones() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let photographer = app.member(&owner, "photographer", None).await;
    let branch = app.branch(&owner, "Bengaluru").await.to_string();
    let other_branch = app.branch(&owner, "Mumbai").await.to_string();
    let asha = client(&app, &owner, "Asha & Ravi").await;

    let (s, p) = app
        .post(
            &owner,
            "/api/v1/projects",
            json!({
                "client_id": asha, "branch_id": branch, "kind": "wedding",
                "starts_on": "2027-02-14", "ends_on": "2027-02-15", "start_time": "16:30",
                "venue": "Leela Palace", "photographer_ids": [photographer.user.to_string()],
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let prefix = branch_prefix(&app, &owner, &branch).await;
    assert_eq!(p["number"], format!("P-{prefix}-0001"));
    assert_eq!(p["name"], "Asha & Ravi — wedding");
    assert_eq!(p["status"], "scheduled");
    assert_eq!(p["client_name"], "Asha & Ravi");
    assert_eq!(
        p["photographer_ids"],
        json!([photographer.user.to_string()])
    );
    assert!(p["time_zone"].as_str().is_some());
    let id = p["id"].as_str().unwrap().to_string();

    // The next one of the branch takes the next number; another branch
    // counts on its own.
    let (_, p2) = app
        .post(
            &owner,
            "/api/v1/projects",
            json!({ "client_id": asha, "branch_id": branch, "kind": "pre_wedding" }),
        )
        .await;
    assert_eq!(p2["number"], format!("P-{prefix}-0002"));
    let (_, p3) = app
        .post(
            &owner,
            "/api/v1/projects",
            json!({ "client_id": asha, "branch_id": other_branch, "kind": "family" }),
        )
        .await;
    assert!(p3["number"].as_str().unwrap().ends_with("-0001"), "{p3}");

    // Default milestones, the shoot's on the job's day.
    let (s, d) = app.get(&owner, &format!("/api/v1/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let names: Vec<_> = d["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Contract signed",
            "Shoot",
            "Proofs ready",
            "Edits delivered"
        ]
    );
    let shoot = &d["milestones"][1];
    assert_eq!(shoot["target_on"], "2027-02-14");
    assert_eq!(shoot["state"], "open");
    assert_eq!(d["milestones"][2]["target_on"], "2027-03-07");
    assert_eq!(d["people"][0]["role"], "photographer");
    assert_eq!(d["client"]["name"], "Asha & Ravi");

    // Reached late, then on time.
    let mpath = format!(
        "/api/v1/projects/{id}/milestones/{}",
        shoot["id"].as_str().unwrap()
    );
    let (s, m) = app
        .patch(
            &owner,
            &mpath,
            json!({ "version": shoot["version"], "done_on": "2027-02-16" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["state"], "late");
    let (_, m) = app
        .patch(
            &owner,
            &mpath,
            json!({ "version": m["version"], "done_on": "2027-02-14" }),
        )
        .await;
    assert_eq!(m["state"], "on_time");
    let (s, added) = app
        .post(
            &owner,
            &format!("/api/v1/projects/{id}/milestones"),
            json!({ "name": "Album approved", "target_on": "2020-01-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    assert_eq!(added["state"], "overdue");

    // Status moves; a stale version gets the current state.
    let (s, moved) = app
        .patch(
            &owner,
            &format!("/api/v1/projects/{id}"),
            json!({ "version": p["version"], "status": "in_progress" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["status"], "in_progress");
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/projects/{id}"),
            json!({ "version": p["version"], "status": "editing" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(stale["current"]["status"], "in_progress");
    assert_eq!(
        app.audit_count(owner.studio, "project.status_changed")
            .await,
        1
    );

    // Galleries and sessions join it; a gallery moves between projects.
    let gallery = app.gallery(&owner, "Asha & Ravi — wedding").await;
    for target in [&id, p2["id"].as_str().unwrap()] {
        let (s, _) = app
            .api(
                &owner,
                Method::PUT,
                &format!("/api/v1/projects/{target}/galleries/{gallery}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (_, d) = app.get(&owner, &format!("/api/v1/projects/{id}")).await;
    assert_eq!(d["galleries"], json!([]), "moved to the other project");
    let (_, d2) = app
        .get(
            &owner,
            &format!("/api/v1/projects/{}", p2["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(d2["galleries"][0]["id"], gallery.as_str());

    // Filters: by client, by status, by person.
    let (_, mine) = app
        .get(
            &owner,
            &format!("/api/v1/projects?person_id={}", photographer.user),
        )
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, live) = app.get(&owner, "/api/v1/projects?status=in_progress").await;
    assert_eq!(live.as_array().unwrap().len(), 1);

    // Deleted, listed as deleted, restored.
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/projects/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(&owner, &format!("/api/v1/projects/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, gone) = app.get(&owner, "/api/v1/projects?deleted=true").await;
    assert_eq!(gone[0]["id"], id.as_str());
    let (s, back) = app
        .post(
            &owner,
            &format!("/api/v1/projects/{id}/restore"),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert!(back["deleted_at"].is_null());
}

#[tokio::test]
async fn bad_project_input_says_what_and_where_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Elsewhere").await;
    let asha = client(&app, &owner, "Asha").await;
    let foreign = client(&app, &other, "Not yours").await;
    let stranger = app.member(&other, "photographer", None).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "client_id": asha }), "kind"),
        (json!({ "kind": "wedding" }), "client_id"),
        (json!({ "client_id": asha, "kind": "yacht" }), "kind"),
        (
            json!({ "client_id": asha, "kind": "wedding", "starts_on": "2027-02-30" }),
            "starts_on",
        ),
        (
            json!({ "client_id": asha, "kind": "wedding", "starts_on": "2027-02-14", "ends_on": "2027-02-13" }),
            "ends_on",
        ),
        (
            json!({ "client_id": asha, "kind": "wedding", "start_time": "25:00" }),
            "start_time",
        ),
        (
            json!({ "client_id": asha, "kind": "wedding", "time_zone": "Mars/Olympus" }),
            "time_zone",
        ),
        (
            json!({ "client_id": asha, "kind": "wedding", "photographer_ids": [stranger.user.to_string()] }),
            "photographer_ids[0]",
        ),
        (
            json!({ "client_id": foreign, "kind": "wedding" }),
            "client_id",
        ),
    ];
    for (body, field) in cases {
        let (s, e) = app.post(&owner, "/api/v1/projects", body.clone()).await;
        assert!(
            s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::NOT_FOUND,
            "{body}: {s} {e}"
        );
        let named = e["errors"]
            .as_array()
            .is_some_and(|errs| errs.iter().any(|x| x["field"] == field))
            || e["field"] == field
            || e.to_string().contains(&format!("`{field}`"));
        assert!(named, "{body} should name {field}: {e}");
    }
    let (_, all) = app.get(&owner, "/api/v1/projects").await;
    assert_eq!(all, json!([]), "nothing stored");

    // Another studio's project, milestone and gallery answer like missing ones.
    let (_, theirs) = app
        .post(
            &other,
            "/api/v1/projects",
            json!({ "client_id": foreign, "kind": "event" }),
        )
        .await;
    let tid = theirs["id"].as_str().unwrap();
    let (_, mine) = app
        .post(
            &owner,
            "/api/v1/projects",
            json!({ "client_id": asha, "kind": "event" }),
        )
        .await;
    let mid = mine["id"].as_str().unwrap();
    let their_gallery = app.gallery(&other, "Theirs").await;
    for (method, path) in [
        (Method::GET, format!("/api/v1/projects/{tid}")),
        (Method::GET, format!("/api/v1/projects/{tid}/milestones")),
        (
            Method::PUT,
            format!("/api/v1/projects/{mid}/galleries/{their_gallery}"),
        ),
        (
            Method::PUT,
            format!("/api/v1/projects/{tid}/galleries/{their_gallery}"),
        ),
    ] {
        let (s, e) = app.api(&owner, method, &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {e}");
    }
}

#[tokio::test]
async fn a_converted_lead_becomes_one_project_with_its_day_and_venue() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, lead) = app
        .post(
            &owner,
            "/api/v1/leads",
            json!({ "name": "Mina Park", "email": "mina@example.com", "event_type": "Pre-wedding",
                    "event_date": "2027-04-03", "venue": "Namsan Park", "message": "Golden hour please" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{lead}");
    let lid = lead["id"].as_str().unwrap();
    let (s, converted) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{lid}/convert"),
            json!({ "version": lead["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{converted}");
    let (_, list) = app.get(&owner, "/api/v1/projects").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(p["lead_id"], lid);
    assert_eq!(p["client_id"], converted["client_id"]);
    assert_eq!(p["kind"], "pre_wedding");
    assert_eq!(p["starts_on"], "2027-04-03");
    assert_eq!(p["venue"], "Namsan Park");
    assert_eq!(p["requests"], "Golden hour please");
    assert_eq!(p["number"], "P-0001");

    // Back to an open stage and converted again: still one project.
    let (_, board) = app.get(&owner, "/api/v1/leads").await;
    let first = board["stages"][0]["stage"]["id"].clone();
    let (_, reopened) = app
        .patch(
            &owner,
            &format!("/api/v1/leads/{lid}"),
            json!({ "version": converted["version"], "stage_id": first }),
        )
        .await;
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{lid}/convert"),
            json!({ "version": reopened["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get(&owner, "/api/v1/projects").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn projects_made_at_once_never_share_a_number() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let branch = app.branch(&owner, "Main").await.to_string();
    let asha = client(&app, &owner, "Asha").await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let http = app.http.clone();
        let url = app.url("/api/v1/projects");
        let token = owner.token.clone();
        let body = json!({ "client_id": asha, "branch_id": branch, "kind": "headshot" });
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let s = r.status();
            let p: Value = r.json().await.unwrap();
            assert_eq!(s, StatusCode::CREATED, "{p}");
            p["number"].as_str().unwrap().to_string()
        }));
    }
    let mut numbers = HashSet::new();
    for t in tasks {
        numbers.insert(t.await.unwrap());
    }
    assert_eq!(numbers.len(), 16, "{numbers:?}");
    let prefix = branch_prefix(&app, &owner, &branch).await;
    assert!(numbers.contains(&format!("P-{prefix}-0016")), "{numbers:?}");
}
