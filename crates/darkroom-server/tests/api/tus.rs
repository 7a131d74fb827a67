//! The tus 1.0.0 protocol as its specification states it (tus.io/protocols/
//! resumable-upload): core, creation, creation-with-upload, termination,
//! expiration and checksum. Codes asserted are the spec's.

use std::time::Duration;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use sha2::Digest;

use crate::helpers::{TestApp, jpeg, tus_meta};

const OCTETS: &str = "application/offset+octet-stream";

async fn create(app: &TestApp, who: &crate::helpers::Who, gallery: &str, len: usize) -> String {
    let r = app
        .tus(
            who,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", len.to_string()),
                (
                    "upload-metadata",
                    tus_meta(&[("filename", "a.jpg"), ("gallery", gallery)]),
                ),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.header("tus-resumable"), Some("1.0.0"));
    assert_eq!(r.header("upload-offset"), Some("0"));
    let loc = r.header("location").expect("Location").to_string();
    assert!(loc.starts_with("/api/v1/uploads/upl_"), "{loc}");
    loc
}

async fn patch(
    app: &TestApp,
    who: &crate::helpers::Who,
    loc: &str,
    offset: usize,
    bytes: &[u8],
) -> crate::helpers::Tus {
    app.tus(
        who,
        Method::PATCH,
        loc,
        &[
            ("upload-offset", offset.to_string()),
            ("content-type", OCTETS.into()),
        ],
        Some(bytes.to_vec()),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_announces_version_extensions_and_limits() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .request(Method::OPTIONS, app.url("/api/v1/uploads"))
        .send()
        .await
        .unwrap();
    assert!(res.status() == StatusCode::NO_CONTENT || res.status() == StatusCode::OK);
    let h = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(h("tus-version"), "1.0.0");
    for ext in [
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    ] {
        assert!(
            h("tus-extension").split(',').any(|e| e == ext),
            "{ext} missing: {}",
            h("tus-extension")
        );
    }
    assert_eq!(h("tus-max-size"), (1024u64 * 1024 * 1024).to_string());
    assert!(h("tus-checksum-algorithm").split(',').any(|a| a == "sha1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_upload_resumes_from_the_offset_the_server_reports() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Tus").await;
    let g = app.gallery(&owner, "Chunks").await;
    let file = jpeg(900, 600, 1);
    let loc = create(&app, &owner, &g, file.len()).await;

    // HEAD of a fresh upload: offset 0, the length, never cached.
    let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.header("upload-offset"), Some("0"));
    assert_eq!(
        h.header("upload-length"),
        Some(file.len().to_string().as_str())
    );
    assert_eq!(h.header("cache-control"), Some("no-store"));

    let third = file.len() / 3;
    let r = patch(&app, &owner, &loc, 0, &file[..third]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(r.header("upload-offset"), Some(third.to_string().as_str()));
    assert!(
        r.header("upload-expires")
            .is_some_and(|e| e.ends_with(" GMT"))
    );

    // A client that lost the answer asks where to go on.
    let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
    assert_eq!(h.header("upload-offset"), Some(third.to_string().as_str()));

    // A wrong offset is 409 and changes nothing.
    let r = patch(&app, &owner, &loc, 0, &file[..third]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(&app, &owner, &loc, third + 5, &file[third + 5..]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Without the tus content type: 415.
    let r = app
        .tus(
            &owner,
            Method::PATCH,
            &loc,
            &[
                ("upload-offset", third.to_string()),
                ("content-type", "application/octet-stream".into()),
            ],
            Some(file[third..].to_vec()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let r = patch(&app, &owner, &loc, third, &file[third..]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        r.header("upload-offset"),
        Some(file.len().to_string().as_str())
    );
    assert_eq!(r.header("darkroom-result"), Some("created"));
    let photo = r.header("darkroom-photo-id").unwrap().to_string();

    // The stored original is byte for byte the file.
    let (s, d) = app.get(&owner, &format!("/api/v1/photos/{photo}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let want = hex(&sha2::Sha256::digest(&file));
    assert_eq!(d["versions"][0]["content_hash"], want.as_str());
    let orig = app
        .http
        .get(app.url(d["original_url"].as_str().unwrap()))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(orig.status(), StatusCode::OK);
    assert_eq!(orig.bytes().await.unwrap().as_ref(), file.as_slice());

    // More data after the end is refused.
    let r = patch(&app, &owner, &loc, file.len(), b"more").await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_protocol_version_get_400_and_another_version_412() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Version").await;
    let g = app.gallery(&owner, "V").await;
    let res = app
        .http
        .post(app.url("/api/v1/uploads"))
        .bearer_auth(&owner.token)
        .header("upload-length", "10")
        .header("upload-metadata", tus_meta(&[("gallery", g.as_str())]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "no version at all");
    assert_eq!(res.headers()["tus-version"], "1.0.0");
    let loc = create(&app, &owner, &g, 10).await;
    for (m, ct) in [(Method::HEAD, None), (Method::PATCH, Some(OCTETS))] {
        let mut req = app
            .http
            .request(m.clone(), app.url(&loc))
            .bearer_auth(&owner.token)
            .header("tus-resumable", "0.2.2")
            .header("upload-offset", "0");
        if let Some(ct) = ct {
            req = req.header("content-type", ct).body(vec![0u8; 10]);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED, "{m}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_checks_length_size_limit_and_metadata() {
    let app = TestApp::spawn_with(|c| c.media.max_upload_mb = 1).await;
    let owner = app.studio("Create").await;
    let g = app.gallery(&owner, "C").await;
    let post = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        let owner = owner.clone();
        async move {
            app.tus(&owner, Method::POST, "/api/v1/uploads", &headers, None)
                .await
        }
    };
    // No Upload-Length: 400.
    let r = post(vec![(
        "upload-metadata",
        tus_meta(&[("gallery", g.as_str())]),
    )])
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("Upload-Length")
    );
    // Larger than Tus-Max-Size: 413.
    let r = post(vec![
        ("upload-length", (2 * 1024 * 1024).to_string()),
        ("upload-metadata", tus_meta(&[("gallery", g.as_str())])),
    ])
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Bad metadata: 400 naming the key.
    let r = post(vec![
        ("upload-length", "10".into()),
        ("upload-metadata", "gallery !!!not-base64".into()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("gallery"), "{}", r.body);
    // A gallery that does not exist: 404, like any missing id.
    let r = post(vec![
        ("upload-length", "10".into()),
        (
            "upload-metadata",
            tus_meta(&[("gallery", &format!("gal_{}", uuid::Uuid::now_v7().simple()))]),
        ),
    ])
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Deferred length is not offered (not in Tus-Extension): 400.
    let r = post(vec![
        ("upload-defer-length", "1".into()),
        ("upload-metadata", tus_meta(&[("gallery", g.as_str())])),
    ])
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_with_upload_stores_the_whole_file_in_one_request() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Cwu").await;
    let g = app.gallery(&owner, "One shot").await;
    let file = jpeg(640, 480, 2);
    let r = app
        .upload(&owner, ("gallery", &g), "IMG_0001.JPG", &file)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.header("upload-offset"),
        Some(file.len().to_string().as_str())
    );
    assert_eq!(r.header("darkroom-result"), Some("created"));
    assert!(r.header("location").is_some());
    // The same bytes again: recognised, not stored twice.
    let r = app.upload(&owner, ("gallery", &g), "copy.jpg", &file).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.header("darkroom-result"), Some("duplicate"));
    let (_, list) = app
        .get(&owner, &format!("/api/v1/galleries/{g}/photos"))
        .await;
    assert_eq!(list["total"], 1);

    // Part of a file in the creation request, the rest by PATCH.
    let file = jpeg(500, 500, 3);
    let r = app
        .tus(
            &owner,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", file.len().to_string()),
                (
                    "upload-metadata",
                    tus_meta(&[("filename", "b.jpg"), ("gallery", g.as_str())]),
                ),
                ("content-type", OCTETS.into()),
            ],
            Some(file[..100].to_vec()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.header("upload-offset"), Some("100"));
    let loc = r.header("location").unwrap().to_string();
    let r = patch(&app, &owner, &loc, 100, &file[100..]).await;
    assert_eq!(r.header("darkroom-result"), Some("created"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_with_a_wrong_checksum_gets_460_and_is_discarded() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Sum").await;
    let g = app.gallery(&owner, "S").await;
    let file = jpeg(400, 300, 4);
    let loc = create(&app, &owner, &g, file.len()).await;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let half = file.len() / 2;
    let good = b64(&sha1::Sha1::digest(&file[..half]));
    let bad = b64(&sha1::Sha1::digest(b"something else"));
    let send = |sum: String, from: usize, to: usize| {
        let app = &app;
        let owner = owner.clone();
        let loc = loc.clone();
        let body = file[from..to].to_vec();
        async move {
            app.tus(
                &owner,
                Method::PATCH,
                &loc,
                &[
                    ("upload-offset", from.to_string()),
                    ("content-type", OCTETS.into()),
                    ("upload-checksum", sum),
                ],
                Some(body),
            )
            .await
        }
    };
    let r = send(format!("sha1 {bad}"), 0, half).await;
    assert_eq!(r.status.as_u16(), 460, "{}", r.body);
    let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
    assert_eq!(
        h.header("upload-offset"),
        Some("0"),
        "nothing of a bad chunk is kept"
    );
    // An algorithm not offered: 400.
    let r = send(format!("crc32 {good}"), 0, half).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(format!("sha1 {good}"), 0, half).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let rest = b64(&sha2::Sha256::digest(&file[half..]));
    let r = send(format!("sha256 {rest}"), half, file.len()).await;
    assert_eq!(r.header("darkroom-result"), Some("created"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn termination_and_expiry_make_an_upload_gone() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Gone").await;
    let g = app.gallery(&owner, "G").await;
    let file = jpeg(300, 200, 5);
    let loc = create(&app, &owner, &g, file.len()).await;
    let r = patch(&app, &owner, &loc, 0, &file[..50]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.tus(&owner, Method::DELETE, &loc, &[], None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    for m in [Method::HEAD, Method::DELETE] {
        let r = app.tus(&owner, m.clone(), &loc, &[], None).await;
        assert!(
            matches!(r.status, StatusCode::NOT_FOUND | StatusCode::GONE),
            "{m}: {}",
            r.status
        );
    }
    let r = patch(&app, &owner, &loc, 50, &file[50..]).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::GONE),
        "{}",
        r.status
    );
    // The partial file is gone from the uploads folder.
    let parts = std::fs::read_dir(app.data_dir.path().join("uploads"))
        .unwrap()
        .count();
    assert_eq!(parts, 0);

    // Expiration: an upload left alone past its Upload-Expires is gone.
    let loc = create(&app, &owner, &g, file.len()).await;
    let r = patch(&app, &owner, &loc, 0, &file[..50]).await;
    assert!(r.header("upload-expires").is_some());
    app.clock.advance(Duration::from_secs(8 * 24 * 3600));
    let r = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::GONE),
        "{}",
        r.status
    );
    let r = patch(&app, &owner, &loc, 50, &file[50..]).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::GONE),
        "{}",
        r.status
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_belong_to_their_uploader() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Mine").await;
    let other = app.member(&owner, "manager", None).await;
    let g = app.gallery(&owner, "M").await;
    let loc = create(&app, &owner, &g, 100).await;
    for m in [Method::HEAD, Method::PATCH, Method::DELETE, Method::GET] {
        let r = app
            .tus(
                &other,
                m.clone(),
                &loc,
                &[
                    ("upload-offset", "0".into()),
                    ("content-type", OCTETS.into()),
                ],
                Some(vec![0; 10]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m}");
    }
}

/// The original of `photo` as stored.
async fn original(app: &TestApp, who: &crate::helpers::Who, photo: &str) -> Vec<u8> {
    let (s, d) = app.get(who, &format!("/api/v1/photos/{photo}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    app.http
        .get(app.url(d["original_url"].as_str().unwrap()))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sending_the_same_chunk_at_once_apply_it_once() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Tus").await;
    let g = app.gallery(&owner, "Race").await;
    for round in 0..5u32 {
        let file = jpeg(1200, 800, 40 + round);
        let loc = create(&app, &owner, &g, file.len()).await;
        let half = file.len() / 2;
        // Both send the first half at offset 0, at the same moment.
        let (a, b) = tokio::join!(
            patch(&app, &owner, &loc, 0, &file[..half]),
            patch(&app, &owner, &loc, 0, &file[..half]),
        );
        let mut codes = [a.status.as_u16(), b.status.as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [204, 409], "round {round}: {} / {}", a.body, b.body);
        // The loser asks where to go on, and finishes.
        let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
        assert_eq!(h.header("upload-offset"), Some(half.to_string().as_str()));
        let r = patch(&app, &owner, &loc, half, &file[half..]).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let photo = r.header("darkroom-photo-id").unwrap().to_string();
        assert!(
            original(&app, &owner, &photo).await == file,
            "round {round}: the stored bytes are not the file's"
        );
    }
    let (_, list) = app
        .get(&owner, &format!("/api/v1/galleries/{g}/photos"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_takes_over_from_its_own_stalled_request() {
    use tokio::io::AsyncWriteExt;

    let app = TestApp::spawn().await;
    let owner = app.studio("Tus").await;
    let g = app.gallery(&owner, "Stall").await;
    let file = jpeg(1400, 900, 77);
    let loc = create(&app, &owner, &g, file.len()).await;

    // A request that sends half its body and then goes silent, its
    // connection still open (a laptop whose Wi-Fi dropped).
    let half = file.len() / 2;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PATCH {loc} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\n\
         Upload-Offset: 0\r\nContent-Type: {OCTETS}\r\nContent-Length: {}\r\n\r\n",
        owner.token,
        file.len()
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(&file[..half]).await.unwrap();
    stalled.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The same client, back on a new connection, asks where it stands and
    // sends from there. It is not locked out: the silent request is stopped
    // (keeping what it received) and the new one goes on.
    let started = std::time::Instant::now();
    let photo = loop {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the reconnecting client was locked out"
        );
        let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
        assert_eq!(h.status, StatusCode::OK);
        let off: usize = h.header("upload-offset").unwrap().parse().unwrap();
        assert!(off <= half, "offset {off} beyond what was sent");
        let r = patch(&app, &owner, &loc, off, &file[off..]).await;
        match r.status.as_u16() {
            204 => break r.header("darkroom-photo-id").unwrap().to_string(),
            // The silent request moved the offset when it was stopped, or
            // still held the upload: ask again.
            409 | 423 => tokio::time::sleep(Duration::from_millis(100)).await,
            s => panic!("PATCH answered {s}: {}", r.body),
        }
    };
    assert!(
        original(&app, &owner, &photo).await == file,
        "the stored bytes are not the file's"
    );
    // The rest of the stalled body, sent late, changes nothing.
    let _ = stalled.write_all(&file[half..]).await;
    drop(stalled);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(original(&app, &owner, &photo).await == file);
    let (_, list) = app
        .get(&owner, &format!("/api/v1/galleries/{g}/photos"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

/// Every byte recorded but the finishing never begun (the last request was
/// cut off in between, as when a page is paused or closed): asking about the
/// upload finishes it, so the client learns the outcome and does not send
/// the file again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_last_request_was_cut_off_is_finished_when_asked_about() {
    use darkroom_db::sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let owner = app.studio("Tus cut off").await;
    let g = app.gallery(&owner, "Cut off").await;
    let file = jpeg(900, 600, 3);
    let loc = create(&app, &owner, &g, file.len()).await;
    let last = file.len() - 1;
    let r = patch(&app, &owner, &loc, 0, &file[..last]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // As the cut-off request leaves it: the last byte stored and recorded.
    let hexid = loc.rsplit("upl_").next().unwrap();
    let part = app
        .core
        .settings()
        .media
        .uploads_dir
        .join(format!("{hexid}.part"));
    let mut bytes = std::fs::read(&part).unwrap();
    bytes.push(file[last]);
    std::fs::write(&part, &bytes).unwrap();
    app.core
        .db()
        .conn()
        .execute_unprepared(&format!(
            "UPDATE uploads SET received = {} WHERE received = {last}",
            file.len()
        ))
        .await
        .unwrap();

    let h = app.tus(&owner, Method::HEAD, &loc, &[], None).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(
        h.header("upload-offset"),
        Some(file.len().to_string().as_str())
    );
    let (s, v) = app.get(&owner, &loc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "finished", "{v}");
    let photo = v["photo_id"].as_str().expect("the photo it made");
    let (s, d) = app.get(&owner, &format!("/api/v1/photos/{photo}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let want = hex(&sha2::Sha256::digest(&file));
    assert_eq!(d["versions"][0]["content_hash"], want.as_str());
}
