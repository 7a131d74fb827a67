//! The medium rendition (~800 px) that keeps grids sharp on dense screens:
//! made at ingest, clean for staff and for links that show clean photos,
//! watermarked for proofing links, offered through `srcset`, and rendered
//! for photos that were ingested before it existed.

use darkroom_db::sea_orm::ConnectionTrait;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, jpeg};
use crate::proof_downloads::{public_bytes, staff_bytes};
use crate::sharing::{link, open};

/// A gallery with one 1,200 x 800 photo; its id and the photo's.
async fn one_photo(app: &TestApp, owner: &Who) -> (String, String) {
    let gallery = app.gallery(owner, "Sharp grid").await;
    let up = app
        .upload(
            owner,
            ("gallery", &gallery),
            "DSC_1.jpg",
            &jpeg(1200, 800, 21),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let photo = up.header("darkroom-photo-id").unwrap().to_string();
    app.drain_jobs().await;
    (gallery, photo)
}

fn first_photo(listing: &Value) -> &Value {
    &listing["photos"].as_array().unwrap()[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_get_a_clean_medium_twice_the_thumbnail() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Medium Studio").await;
    let (_, photo) = one_photo(&app, &owner).await;
    let (s, p) = app.get(&owner, &format!("/api/v1/photos/{photo}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["thumb_width"], 400);
    assert_eq!(p["medium_width"], 800);
    let medium_url = p["medium_url"].as_str().expect("a medium once rendered");
    assert!(medium_url.contains("/medium?"), "{medium_url}");
    let medium = staff_bytes(&app, &owner, medium_url).await;
    let header = darkroom_jpeg::header(&medium).unwrap();
    assert_eq!((header.width, header.height), (800, 533));
    let thumb = staff_bytes(&app, &owner, p["thumb_url"].as_str().unwrap()).await;
    assert_ne!(medium, thumb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proofing_grid_offers_the_watermarked_medium_and_a_clean_link_the_clean_one() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Grid Studio").await;
    let (gallery, photo) = one_photo(&app, &owner).await;
    let clean = staff_bytes(&app, &owner, &format!("/media/photos/{photo}/medium")).await;

    let proofing = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Proofs", "rights": ["favourite"] }),
    )
    .await;
    let guest = open(&app, proofing["url"].as_str().unwrap()).await;
    let (s, listing) = guest.get("/gallery.json").await;
    assert_eq!(s, StatusCode::OK, "{listing}");
    // A browser takes the listing gzipped (compressed once, kept); a
    // client that refuses gzip gets the same JSON plain.
    for (accept, gzipped) in [
        ("gzip, deflate, br, zstd", true),
        ("br;q=1.0, gzip;q=0.5", true),
        ("gzip;q=0, identity", false),
        ("identity", false),
    ] {
        let r = app
            .http
            .get(app.url(&format!("/c/{}/gallery.json", guest.link)))
            .header("cookie", format!("darkroom_link={}", guest.cookie))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["vary"], "accept-encoding");
        let encoding = r.headers().get("content-encoding").cloned();
        let body = r.bytes().await.unwrap();
        let json: Value = if gzipped {
            assert_eq!(encoding.unwrap(), "gzip", "{accept}");
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain)
                .unwrap();
            serde_json::from_slice(&plain).unwrap()
        } else {
            assert!(encoding.is_none(), "{accept}: {encoding:?}");
            serde_json::from_slice(&body).unwrap()
        };
        assert_eq!(json, listing, "{accept}");
    }
    let shown = first_photo(&listing);
    let url = shown["medium_url"].as_str().unwrap();
    assert!(url.contains("/medium-proof?"), "{url}");
    assert_eq!(shown["medium_width"], 800);
    let marked = public_bytes(&app, url).await;
    assert_ne!(marked, clean, "a proofing link's medium is watermarked");
    // The clean medium's name, signed for the proofing link, is refused.
    let forged = url.replace("/medium-proof?", "/medium?");
    let r = app.http.get(app.url(&forged)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The page offers both sizes for the browser to choose.
    let page = app
        .http
        .get(app.url(&format!("/c/{}", guest.link)))
        .header("cookie", format!("darkroom_link={}", guest.cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(page.contains(" 400w, "), "srcset with the thumbnail");
    assert!(
        page.contains("/medium-proof?"),
        "srcset with the medium proof"
    );
    assert!(page.contains(" 800w\""), "the medium's width");
    assert!(page.contains("sizes=\"(max-width: 600px)"), "tile sizes");

    let delivery = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Final", "rights": ["clean"], "download": "original" }),
    )
    .await;
    let guest = open(&app, delivery["url"].as_str().unwrap()).await;
    let (_, listing) = guest.get("/gallery.json").await;
    let url = first_photo(&listing)["medium_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("/medium?"), "{url}");
    assert_eq!(public_bytes(&app, &url).await, clean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_rendered_before_the_medium_get_one_from_the_worker() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Older Studio").await;
    let (_, photo) = one_photo(&app, &owner).await;
    // As the migration that added the medium leaves a rendered version.
    app.core
        .db()
        .conn()
        .execute_unprepared(
            "UPDATE photo_versions SET medium_key = NULL, medium_proof_key = NULL, \
             medium_width = 0, medium_height = 0, watermark_rev = -1",
        )
        .await
        .unwrap();
    let (_, p) = app.get(&owner, &format!("/api/v1/photos/{photo}")).await;
    assert!(p["medium_url"].is_null(), "{p}");
    // Until then, the medium's URL answers with the thumbnail.
    let fallback = staff_bytes(&app, &owner, &format!("/media/photos/{photo}/medium")).await;
    assert_eq!(darkroom_jpeg::header(&fallback).unwrap().width, 400);

    app.drain_jobs().await;
    let (_, p) = app.get(&owner, &format!("/api/v1/photos/{photo}")).await;
    assert_eq!(p["medium_width"], 800, "{p}");
    let medium = staff_bytes(&app, &owner, p["medium_url"].as_str().unwrap()).await;
    assert_eq!(darkroom_jpeg::header(&medium).unwrap().width, 800);
}
