//! Client-supplied UUIDv7 ids (the offline desktop app creates records).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn v7() -> String {
    format!("brn_{}", uuid::Uuid::now_v7().simple())
}

#[tokio::test]
async fn a_supplied_id_is_kept_and_a_replay_is_idempotent() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Offline").await;
    let id = v7();
    let body = json!({ "id": id, "name": "Made offline", "invoice_prefix": "OFF-" });
    let (s, first) = app.post(&owner, "/api/v1/branches", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["id"], id);
    let (s, again) = app.post(&owner, "/api/v1/branches", body).await;
    assert_eq!(s, StatusCode::OK, "a replay answers 200 with the record");
    assert_eq!(again, first);
    let (_, list) = app.get(&owner, "/api/v1/branches?q=offline").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "the replay created nothing"
    );
    // Bare (unprefixed) UUIDv7s are accepted too.
    let bare = uuid::Uuid::now_v7();
    let (s, v) = app
        .post(
            &owner,
            "/api/v1/branches",
            json!({ "id": bare.to_string(), "name": "Bare id", "invoice_prefix": "BARE-" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["id"], format!("brn_{}", bare.simple()));
}

#[tokio::test]
async fn the_same_id_with_a_different_body_is_a_conflict() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Offline").await;
    let id = v7();
    let (s, _) = app
        .post(
            &owner,
            "/api/v1/branches",
            json!({ "id": id, "name": "One", "invoice_prefix": "ONE-" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = app
        .post(
            &owner,
            "/api/v1/branches",
            json!({ "id": id, "name": "Two", "invoice_prefix": "TWO-" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "id_conflict");
    let (_, b) = app.get(&owner, &format!("/api/v1/branches/{id}")).await;
    assert_eq!(b["name"], "One", "the stored record is untouched");

    // Another studio reusing the id gets the same answer and learns nothing.
    let other = app.studio("Elsewhere").await;
    let (s2, v2) = app
        .post(
            &other,
            "/api/v1/branches",
            json!({ "id": id, "name": "Two", "invoice_prefix": "TWO-" }),
        )
        .await;
    assert_eq!((s2, &v2), (s, &v));
    let (s, _) = app.get(&other, &format!("/api/v1/branches/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_malformed_id_is_a_clear_422_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Offline").await;
    let v4 = format!("brn_{}", uuid::Uuid::new_v4().simple());
    for (bad, hint) in [
        ("brn_123", "32 hex digits"),
        (v4.as_str(), "UUIDv7"),
        (
            &format!("usr_{}", uuid::Uuid::now_v7().simple()) as &str,
            "brn_",
        ),
        ("not an id", "brn_"),
    ] {
        let (s, v) = app
            .post(
                &owner,
                "/api/v1/branches",
                json!({ "id": bad, "name": "Bad id" }),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "id", "{v}");
        assert!(v["detail"].as_str().unwrap().contains(hint), "{bad}: {v}");
    }
    let (_, list) = app.get(&owner, "/api/v1/branches?q=bad").await;
    assert!(list["items"].as_array().unwrap().is_empty());
}
