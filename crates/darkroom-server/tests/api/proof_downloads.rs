//! A proofing link never hands out a clean photo: whatever download size it
//! names, every download route (one photo, the ZIP, a set's ZIP) serves the
//! watermarked proof unless the link grants clean files.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, jpeg};
use crate::sharing::{link, open};

/// Bytes a staff member fetches (the clean renditions).
pub(crate) async fn staff_bytes(app: &TestApp, who: &Who, url: &str) -> Vec<u8> {
    let r = app
        .http
        .get(app.url(url))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.bytes().await.unwrap().to_vec()
}

/// Bytes anyone fetches (a client's signed media URL).
pub(crate) async fn public_bytes(app: &TestApp, url: &str) -> Vec<u8> {
    let r = app.http.get(app.url(url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.bytes().await.unwrap().to_vec()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

struct Files {
    original: Vec<u8>,
    preview: Vec<u8>,
}

/// A gallery with two photos large enough to carry a watermark, in a set.
async fn gallery(app: &TestApp, owner: &Who) -> (String, String, Vec<(String, Files)>) {
    let gallery = app.gallery(owner, "Proofs only").await;
    let mut photos = Vec::new();
    for i in 0..2u32 {
        let bytes = jpeg(1200, 800, 7 + i * 40);
        let up = app
            .upload(
                owner,
                ("gallery", &gallery),
                &format!("DSC_{i}.jpg"),
                &bytes,
            )
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
        photos.push(up.header("darkroom-photo-id").unwrap().to_string());
    }
    app.drain_jobs().await;
    let (s, set) = app
        .post(
            owner,
            &format!("/api/v1/galleries/{gallery}/sets"),
            json!({ "name": "Ceremony" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{set}");
    let set_id = set["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .post(
            owner,
            &format!("/api/v1/galleries/{gallery}/sets/place"),
            json!({ "set_id": set_id, "photo_ids": photos }),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let mut files = Vec::new();
    for id in photos {
        let f = Files {
            original: staff_bytes(app, owner, &format!("/media/photos/{id}/original")).await,
            preview: staff_bytes(app, owner, &format!("/media/photos/{id}/preview")).await,
        };
        files.push((id, f));
    }
    (gallery, set_id, files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proofing_link_downloads_watermarked_proofs_by_every_route_and_size() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Proof Studio").await;
    let (gallery, set, files) = gallery(&app, &owner).await;
    for offered in ["proof", "web", "original"] {
        let created = link(&app, &owner, &gallery, json!({
            "label": format!("Family {offered}"), "rights": ["favourite", "comment"], "download": offered,
        }))
        .await;
        let guest = open(&app, created["url"].as_str().unwrap()).await;
        let (s, listing) = guest.get("/gallery.json").await;
        assert_eq!(s, StatusCode::OK, "{listing}");
        let sizes: Vec<&str> = ["proof", "web", "original"]
            .into_iter()
            .take_while(|l| *l != offered)
            .chain([offered])
            .collect();
        for (id, f) in &files {
            let shown = listing["photos"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == Value::String(id.clone()))
                .unwrap();
            let proof = public_bytes(&app, shown["view_url"].as_str().unwrap()).await;
            assert_ne!(proof, f.preview, "the page shows the watermarked proof");
            assert_ne!(proof, f.original);
            for size in &sizes {
                let (s, got) = guest
                    .bytes(&format!("/photos/{id}/download?size={size}"))
                    .await;
                assert_eq!(s, StatusCode::OK, "{offered}/{size}");
                assert_eq!(
                    got, proof,
                    "a {size} download through a `{offered}` proofing link is the proof"
                );
            }
        }
        for size in &sizes {
            for path in [
                format!("/download?size={size}"),
                format!("/download?size={size}&set={set}"),
            ] {
                let (s, zip) = guest.bytes(&path).await;
                assert_eq!(s, StatusCode::OK, "{path}");
                assert_eq!(&zip[..2], b"PK", "{path}");
                for (_, f) in &files {
                    assert!(
                        !contains(&zip, &f.preview),
                        "{path}: a clean preview in the ZIP"
                    );
                    assert!(
                        !contains(&zip, &f.original),
                        "{path}: a clean original in the ZIP"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_with_clean_files_downloads_the_size_it_names() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Clean Studio").await;
    let (gallery, _, files) = gallery(&app, &owner).await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({
            "label": "Couple", "rights": ["favourite", "clean"], "download": "original",
        }),
    )
    .await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    for (id, f) in &files {
        let (s, web) = guest
            .bytes(&format!("/photos/{id}/download?size=web"))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(web, f.preview);
        let (s, original) = guest
            .bytes(&format!("/photos/{id}/download?size=original"))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(original, f.original);
    }
    let (s, zip) = guest.bytes("/download?size=original").await;
    assert_eq!(s, StatusCode::OK);
    for (_, f) in &files {
        assert!(contains(&zip, &f.original), "the ZIP carries the originals");
    }
}
