//! Client links under pressure (issue 9's probe): a delivery link keeps
//! working after proofing closes, hearts sent at the moment of submission
//! never outrun it, and a signed media URL names the exact bytes it opens.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, jpeg, tus_meta};
use crate::sharing::{gallery_with_photos, link, open};

/// Defect 3: the client's session on a delivery link is not capped at the
/// gallery's proofing date (decision 0019); a proofing link's is.
#[tokio::test]
async fn a_delivery_link_keeps_working_after_the_proofing_date() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Final", 2).await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let closes = app.clock_now().plus(Duration::from_secs(3600));
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({ "version": g["version"], "expires_at": closes.to_string() })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let proofing = link(&app, &owner, &gallery, json!({ "label": "Proofs" })).await;
    let delivery = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Finals", "purpose": "delivery" }),
    )
    .await;
    let proofing = open(&app, proofing["url"].as_str().unwrap()).await;
    let delivery = open(&app, delivery["url"].as_str().unwrap()).await;

    app.clock.advance(Duration::from_secs(2 * 3600));
    let (s, _) = proofing.get("/gallery.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "proofing closed with the gallery");
    let (s, v) = delivery.get("/gallery.json").await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the delivery session outlives proofing: {v}"
    );
    let (s, _) = delivery
        .get(&format!("/photos/{}/download", photos[0]))
        .await;
    assert_eq!(s, StatusCode::OK, "and its downloads work");
}

/// Defect 4: hearts sent at the same moment as the submission either land
/// before it (and are in the editing task) or are refused; none lands after.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hearts_at_the_moment_of_submission_never_land_after_it() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Race", 8).await;
    for round in 0..4 {
        let l = link(
            &app,
            &owner,
            &gallery,
            json!({ "label": format!("Round {round}"), "rights": ["favourite"] }),
        )
        .await;
        let guest = open(&app, l["url"].as_str().unwrap()).await;
        let (s, v) = guest
            .post(
                &format!("/photos/{}/mark", photos[0]),
                json!({ "favourite": true }),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let hearts = photos[1..].iter().map(|p| {
            let guest = &guest;
            async move {
                guest
                    .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
                    .await
            }
        });
        let (submitted, hearts) = tokio::join!(
            guest.post("/submit", json!({})),
            futures::future::join_all(hearts)
        );
        assert_eq!(submitted.0, StatusCode::OK, "{}", submitted.1);
        for (s, v) in &hearts {
            assert!(
                *s == StatusCode::OK || *s == StatusCode::CONFLICT,
                "a heart is taken or refused as locked: {s} {v}"
            );
        }
        let chosen = submitted.1["count"].as_u64().unwrap();
        let (_, page) = guest.get("/gallery.json").await;
        let favourites = page["photos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["favourite"] == true)
            .count() as u64;
        assert_eq!(
            favourites, chosen,
            "round {round}: the link's favourites are exactly what was submitted"
        );
        let (_, tasks) = app
            .get(
                &owner,
                &format!("/api/v1/editing/tasks?gallery_id={gallery}"),
            )
            .await;
        let link_id = l["link"]["id"].as_str().unwrap();
        let task = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["link_id"] == link_id)
            .unwrap_or_else(|| panic!("a task for the selection: {tasks}"));
        assert_eq!(
            task["photos"].as_array().unwrap().len() as u64,
            chosen,
            "round {round}: the editing task has every submitted photo"
        );
    }
}

/// Defect 7: the signature of a client's media URL covers the version, so
/// editing `v` cannot reach the bytes of another version.
#[tokio::test]
async fn a_signed_media_url_opens_only_the_version_it_names() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Versions", 1).await;
    let edited = jpeg(300, 200, 77);
    let r = app
        .tus(
            &owner,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", edited.len().to_string()),
                (
                    "upload-metadata",
                    tus_meta(&[
                        ("filename", "edit.jpg"),
                        ("photo", &photos[0]),
                        ("role", "edited"),
                    ]),
                ),
                ("content-type", "application/offset+octet-stream".into()),
            ],
            Some(edited),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.drain_jobs().await;
    let l = link(&app, &owner, &gallery, json!({ "label": "Mina" })).await;
    let guest = open(&app, l["url"].as_str().unwrap()).await;
    let (_, page) = guest.get("/gallery.json").await;
    let url = page["photos"][0]["thumb_url"].as_str().unwrap().to_string();
    assert!(url.contains("v=2."), "{url}");
    let get = |u: String| {
        let app = &app;
        async move { app.http.get(app.url(&u)).send().await.unwrap().status() }
    };
    assert_eq!(get(url.clone()).await, StatusCode::OK);
    assert_eq!(
        get(url.replacen("v=2.", "v=1.", 1)).await,
        StatusCode::NOT_FOUND,
        "another version under the same signature"
    );
    let bare = url.replacen("v=2.", "v=1&x=", 1);
    assert_eq!(get(bare).await, StatusCode::NOT_FOUND);
}
