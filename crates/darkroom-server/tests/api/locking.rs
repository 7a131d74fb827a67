//! Optimistic locking: concurrent writers at the same version.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_updates_at_one_version_give_one_200_and_one_409() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Locking").await;
    let id = app.branch(&owner, "Contended").await;
    for round in 0..5 {
        let (_, cur) = app.get(&owner, &format!("/api/v1/branches/{id}")).await;
        let v = cur["version"].as_i64().unwrap();
        let path = format!("/api/v1/branches/{id}");
        let (r1, r2) = tokio::join!(
            app.patch(
                &owner,
                &path,
                json!({ "version": v, "name": format!("Writer one {round}") })
            ),
            app.patch(
                &owner,
                &path,
                json!({ "version": v, "name": format!("Writer two {round}") })
            ),
        );
        let mut statuses = [r1.0, r2.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {r1:?} {r2:?}"
        );
        let (ok, conflict) = if r1.0 == StatusCode::OK {
            (r1.1, r2.1)
        } else {
            (r2.1, r1.1)
        };
        assert_eq!(conflict["code"], "version_conflict");
        // The 409 carries the state the winner wrote.
        assert_eq!(conflict["current"]["version"], v + 1);
        assert_eq!(conflict["current"]["name"], ok["name"]);
        let (_, now) = app.get(&owner, &path).await;
        assert_eq!(now["name"], ok["name"]);
        assert_eq!(now["version"], v + 1);
    }
}

#[tokio::test]
async fn a_stale_version_is_refused_with_the_current_state() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Stale").await;
    let (_, studio) = app.get(&owner, "/api/v1/studio").await;
    let v = studio["version"].as_i64().unwrap();
    let (s, _) = app
        .patch(
            &owner,
            "/api/v1/studio",
            json!({ "version": v, "name": "Renamed" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = app
        .patch(
            &owner,
            "/api/v1/studio",
            json!({ "version": v, "name": "Lost update" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["current"]["name"], "Renamed");
    let (_, after) = app.get(&owner, "/api/v1/studio").await;
    assert_eq!(after["name"], "Renamed");
}
