//! Photos through HTTP: the real corpus, derivatives and their privacy,
//! versions, staging, quotas, a full disk, and hostile files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, jpeg, tus_meta};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-samples/jpg")
}

async fn bytes_of(
    app: &TestApp,
    who: &Who,
    url: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app
        .http
        .get(app.url(url))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let h = r.headers().clone();
    (status, h, r.bytes().await.unwrap().to_vec())
}

fn has_exif(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
}

async fn photos_of(app: &TestApp, who: &Who, gallery: &str) -> Vec<Value> {
    let (s, v) = app
        .get(
            who,
            &format!("/api/v1/galleries/{gallery}/photos?limit=500"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_corpus_arrives_upright_private_and_sorted() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Corpus").await;
    let g = app.gallery(&owner, "Corpus").await;
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["", "orientation", "gps", "hdr", "invalid"] {
        for e in std::fs::read_dir(corpus().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("jpg")) {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 28, "{}", files.len());
    let mut refused = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let r = app
            .upload(&owner, ("gallery", &g), &name, &std::fs::read(f).unwrap())
            .await;
        match r.status {
            StatusCode::CREATED => {}
            StatusCode::UNPROCESSABLE_ENTITY => {
                let detail = r.json()["detail"].as_str().unwrap_or("").to_string();
                assert!(!detail.is_empty());
                refused.push(name);
            }
            s => panic!("{name}: {s} {}", r.body),
        }
    }
    // Broken files fail cleanly, each with its reason: at upload when the
    // structure is wrong, or when rendering finds the image data damaged.
    let broken = ["corrupted.jpg", "image00971.jpg", "image01088.jpg"];
    assert!(
        refused.iter().all(|r| broken.contains(&r.as_str())),
        "{refused:?}"
    );

    app.drain_jobs().await;
    let photos = photos_of(&app, &owner, &g).await;
    assert_eq!(photos.len(), files.len() - refused.len());
    for p in &photos {
        let name = p["original_name"].as_str().unwrap();
        if broken.contains(&name) {
            assert!(p["status"] == "ready" || p["status"] == "failed", "{p}");
            if name == "corrupted.jpg" {
                assert_eq!(p["status"], "failed", "{p}");
                assert!(
                    p["render_error"].as_str().unwrap().contains("damaged"),
                    "{p}"
                );
            }
            continue;
        }
        assert_eq!(p["status"], "ready", "{p}");
        let (w, h) = (
            p["thumb_width"].as_i64().unwrap(),
            p["thumb_height"].as_i64().unwrap(),
        );
        let full = p["width"]
            .as_i64()
            .unwrap()
            .max(p["height"].as_i64().unwrap());
        assert!(
            (w.max(h) - full.min(400)).abs() <= 1,
            "{name} {w}x{h} from {full}"
        );
        if name.starts_with("landscape_") {
            assert!(w > h, "{name} is upright: {w}x{h}");
        }
        if name.starts_with("portrait_") {
            assert!(h > w, "{name} is upright: {w}x{h}");
        }
    }
    // Sorted by capture time, then name: capture times never go backwards.
    let keys: Vec<(String, String)> = photos
        .iter()
        .map(|p| {
            (
                p["capture_local"].as_str().unwrap_or("~").to_string(),
                p["original_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let with_time: Vec<_> = keys.iter().filter(|k| k.0 != "~").collect();
    assert!(with_time.windows(2).all(|w| w[0] <= w[1]), "{with_time:?}");

    // GPS: in the record, absent from everything rendered.
    let gps: Vec<&Value> = photos
        .iter()
        .filter(|p| p["original_name"].as_str().unwrap().starts_with("DSCN"))
        .collect();
    assert_eq!(gps.len(), 3);
    for p in gps {
        let (_, d) = app
            .get(
                &owner,
                &format!("/api/v1/photos/{}", p["id"].as_str().unwrap()),
            )
            .await;
        assert!(d["meta"]["gps"]["latitude"].is_number(), "{d}");
        assert!(d["meta"]["make"].as_str().unwrap().contains("NIKON"));
        for key in ["thumb_url", "preview_url", "proof_url"] {
            let (s, h, body) = bytes_of(&app, &owner, d[key].as_str().unwrap()).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(h["content-type"], "image/jpeg");
            assert!(body.starts_with(&[0xFF, 0xD8]));
            assert!(!has_exif(&body), "{key} carries EXIF");
            assert!(!body.windows(4).any(|w| w == b"GPS\0"), "{key}");
        }
        // The original is the camera's file, untouched (GPS and all).
        let (_, h, orig) = bytes_of(&app, &owner, d["original_url"].as_str().unwrap()).await;
        assert!(has_exif(&orig));
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_answers_with_etags_and_only_to_people_who_may_see_the_gallery() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Media").await;
    let g = app.gallery(&owner, "Private").await;
    let r = app
        .upload(&owner, ("gallery", &g), "a.jpg", &jpeg(800, 600, 10))
        .await;
    let id = r.header("darkroom-photo-id").unwrap().to_string();
    // Before rendering: the thumbnail is not there yet (503, retry), the original is.
    let (_, d) = app.get(&owner, &format!("/api/v1/photos/{id}")).await;
    let (s, _, _) = bytes_of(&app, &owner, d["thumb_url"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    app.drain_jobs().await;
    let (s, h, _) = bytes_of(&app, &owner, d["thumb_url"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let etag = h["etag"].to_str().unwrap().to_string();
    let again = app
        .http
        .get(app.url(d["thumb_url"].as_str().unwrap()))
        .bearer_auth(&owner.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // A photographer of another branch may not see this gallery's bytes.
    let other_branch = app.branch(&owner, "Elsewhere").await;
    let outsider = app.member(&owner, "photographer", Some(other_branch)).await;
    for key in ["thumb_url", "original_url"] {
        let (s, _, _) = bytes_of(&app, &outsider, d[key].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{key}");
    }
    // Without credentials: 401.
    let r = app
        .http
        .get(app.url(d["thumb_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Unknown rendition: 404.
    let (s, _, _) = bytes_of(&app, &owner, &format!("/media/photos/{id}/huge")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_version_is_the_same_photo_and_replaced_bytes_stay_until_purged() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Versions").await;
    let editor = app.member(&owner, "editor", None).await;
    let g = app.gallery(&owner, "V").await;
    let first = jpeg(800, 600, 20);
    let r = app
        .upload(&owner, ("gallery", &g), "IMG_1.jpg", &first)
        .await;
    let id = r.header("darkroom-photo-id").unwrap().to_string();
    let edited = jpeg(800, 600, 21);
    let r = app
        .tus(
            &editor,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", edited.len().to_string()),
                (
                    "upload-metadata",
                    tus_meta(&[
                        ("filename", "IMG_1-edit.jpg"),
                        ("photo", &id),
                        ("role", "edited"),
                    ]),
                ),
                ("content-type", "application/offset+octet-stream".into()),
            ],
            Some(edited.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.header("darkroom-result"), Some("versioned"));
    assert_eq!(r.header("darkroom-photo-id"), Some(id.as_str()));
    app.drain_jobs().await;
    let (_, d) = app.get(&owner, &format!("/api/v1/photos/{id}")).await;
    assert_eq!(d["current_version"], 2);
    assert_eq!(d["original_name"], "IMG_1.jpg", "the photo keeps its name");
    let roles: Vec<&str> = d["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["original", "edited"]);
    assert_eq!(photos_of(&app, &owner, &g).await.len(), 1);
    // The latest is shown by default; the first is still there.
    let (_, _, cur) = bytes_of(&app, &owner, d["original_url"].as_str().unwrap()).await;
    assert_eq!(cur, edited);
    let (s, _, old) = bytes_of(&app, &owner, &format!("/media/photos/{id}/original?v=1")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(old, first);
    // An editor may not purge; the owner may.
    let (s, _) = app
        .post(
            &editor,
            &format!("/api/v1/photos/{id}/purge-replaced"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/photos/{id}/purge-replaced"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["versions_purged"], 1);
    assert!(v["bytes_freed"].as_u64().unwrap() as usize >= first.len());
    let (s, _, _) = bytes_of(&app, &owner, &format!("/media/photos/{id}/original?v=1")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, _, cur) = bytes_of(&app, &owner, d["original_url"].as_str().unwrap()).await;
    assert_eq!(cur, edited);
    // A bad role is refused with the choices.
    let r = app
        .tus(
            &owner,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", "10".into()),
                (
                    "upload-metadata",
                    tus_meta(&[("photo", &id), ("role", "best")]),
                ),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("edited"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staged_batches_are_filed_into_galleries() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Staging").await;
    let g = app.gallery(&owner, "Later").await;
    let batch = format!("bat_{}", uuid::Uuid::now_v7().simple());
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = app
            .upload(
                &owner,
                ("batch", &batch),
                &format!("s{i}.jpg"),
                &jpeg(300, 200, 30 + i),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.header("darkroom-photo-id").unwrap().to_string());
    }
    let (_, batches) = app.get(&owner, "/api/v1/staging").await;
    assert_eq!(batches[0]["id"], batch.as_str());
    assert_eq!(batches[0]["photos"], 3);
    let (_, list) = app
        .get(&owner, &format!("/api/v1/staging/photos?batch={batch}"))
        .await;
    assert_eq!(list["total"], 3);
    let (s, v) = app
        .post(
            &owner,
            "/api/v1/staging/assign",
            json!({ "gallery_id": g, "photo_ids": &ids[..2] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["assigned"], 2);
    assert_eq!(photos_of(&app, &owner, &g).await.len(), 2);
    let (_, list) = app
        .get(&owner, &format!("/api/v1/staging/photos?batch={batch}"))
        .await;
    assert_eq!(list["total"], 1);
    // The staging page shows the batch.
    let (s, html, _) = app.page(Some(&owner.session), "/staging").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("s2.jpg"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_is_enforced_when_an_upload_starts() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Quota").await;
    let g = app.gallery(&owner, "Q").await;
    let first = jpeg(800, 600, 40);
    darkroom_core::studio::set_quota(&app.core, owner.studio, Some(first.len() as i64 + 1000))
        .await
        .unwrap();
    let r = app
        .upload(&owner, ("gallery", &g), "fits.jpg", &first)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let big = jpeg(1200, 900, 41);
    let r = app.upload(&owner, ("gallery", &g), "big.jpg", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["code"], "quota_exceeded");
    assert!(r.json()["detail"].as_str().unwrap().contains("quota"));
    assert!(r.header("location").is_none(), "no upload was started");
    assert_eq!(photos_of(&app, &owner, &g).await.len(), 1);
    let (_, st) = app.get(&owner, "/api/v1/studio").await;
    assert_eq!(
        st["storage_used_bytes"].as_i64().unwrap(),
        first.len() as i64
    );
    // More room: the same upload goes through.
    darkroom_core::studio::set_quota(&app.core, owner.studio, None)
        .await
        .unwrap();
    let r = app.upload(&owner, ("gallery", &g), "big.jpg", &big).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// A local store that reports a full disk while `full` is set.
struct FullDisk {
    inner: darkroom_media::SharedStore,
    full: Arc<AtomicBool>,
}

impl std::fmt::Debug for FullDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FullDisk")
    }
}

#[async_trait::async_trait]
impl darkroom_media::MediaStore for FullDisk {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn put_file(
        &self,
        key: &darkroom_media::Key,
        src: &Path,
        consume: bool,
    ) -> darkroom_media::StoreResult<u64> {
        if self.full.load(Ordering::SeqCst) {
            return Err(darkroom_media::StoreError::Full(
                "No space left on device (os error 28)".into(),
            ));
        }
        self.inner.put_file(key, src, consume).await
    }
    async fn put_bytes(
        &self,
        key: &darkroom_media::Key,
        b: bytes::Bytes,
        d: darkroom_media::Durability,
    ) -> darkroom_media::StoreResult<()> {
        if self.full.load(Ordering::SeqCst) {
            return Err(darkroom_media::StoreError::Full(
                "No space left on device (os error 28)".into(),
            ));
        }
        self.inner.put_bytes(key, b, d).await
    }
    async fn get(
        &self,
        key: &darkroom_media::Key,
    ) -> darkroom_media::StoreResult<(u64, darkroom_media::ByteStream)> {
        self.inner.get(key).await
    }
    async fn head(&self, key: &darkroom_media::Key) -> darkroom_media::StoreResult<Option<u64>> {
        self.inner.head(key).await
    }
    async fn delete(&self, key: &darkroom_media::Key) -> darkroom_media::StoreResult<()> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> darkroom_media::StoreResult<Vec<(String, u64)>> {
        self.inner.list(prefix).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_clean_error_and_recovers_when_space_returns() {
    let full = Arc::new(AtomicBool::new(false));
    let flag = full.clone();
    let app = TestApp::spawn_with_store(move |local| {
        Arc::new(FullDisk {
            inner: local,
            full: flag,
        })
    })
    .await;
    let owner = app.studio("Full").await;
    let g = app.gallery(&owner, "F").await;
    full.store(true, Ordering::SeqCst);
    let file = jpeg(640, 480, 50);
    let r = app.upload(&owner, ("gallery", &g), "a.jpg", &file).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.body);
    assert!(
        r.json()["detail"].as_str().unwrap().contains("full"),
        "{}",
        r.body
    );
    assert_eq!(
        photos_of(&app, &owner, &g).await.len(),
        0,
        "nothing half-visible"
    );
    let (_, st) = app.get(&owner, "/api/v1/studio").await;
    assert_eq!(st["storage_used_bytes"], 0);
    full.store(false, Ordering::SeqCst);
    let r = app.upload(&owner, ("gallery", &g), "a.jpg", &file).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.drain_jobs().await;
    let photos = photos_of(&app, &owner, &g).await;
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0]["status"], "ready");
}

/// A JPEG whose frame header claims `w`x`h` (the rest is a real tiny JPEG).
fn lying_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = jpeg(8, 8, 60);
    let sof = b.windows(2).position(|x| x == [0xFF, 0xC0]).unwrap();
    b[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    b[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    b
}

/// A JPEG with an APP1 EXIF block of nearly 64 KB claiming 65,535 entries.
fn huge_exif_jpeg() -> Vec<u8> {
    let base = jpeg(64, 48, 61);
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&0xFFFFu16.to_le_bytes());
    while tiff.len() < 65_000 {
        tiff.extend_from_slice(&[
            0x0F, 0x01, 0x02, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0x10, 0x00, 0x00, 0x00,
        ]);
    }
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(&tiff);
    let len = (seg.len() + 2) as u16;
    let mut out = base[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&base[2..]);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_files_are_refused_one_by_one_with_reasons() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Hostile").await;
    let g = app.gallery(&owner, "H").await;
    let good = jpeg(320, 240, 62);
    let mut polyglot = good[..2].to_vec();
    let comment = b"<html><script>alert(document.cookie)</script></html>";
    polyglot.extend_from_slice(&[0xFF, 0xFE]);
    polyglot.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    polyglot.extend_from_slice(comment);
    polyglot.extend_from_slice(&good[2..]);
    let bomb = {
        let mut b = lying_jpeg(60000, 60000);
        b.resize(631, 0);
        b
    };
    assert_eq!(bomb.len(), 631);
    let refused: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bomb.jpg", bomb, "pixels"),
        ("truncated.jpg", good[..good.len() / 2].to_vec(), ""),
        (
            "notes.jpg",
            b"These are not the photos you are looking for.\n".repeat(20),
            "not an image",
        ),
        (
            "drawing.jpg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "",
        ),
        (
            "page.jpg",
            b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>".to_vec(),
            "",
        ),
        ("empty.jpg", Vec::new(), ""),
    ];
    for (name, bytes, why) in &refused {
        let r = app.upload(&owner, ("gallery", &g), name, bytes).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        let detail = r.json()["detail"].as_str().unwrap().to_lowercase();
        assert!(detail.contains(why), "{name}: {detail}");
    }
    // Names are metadata only: cleaned for display, never used as keys.
    let names = [
        "../../../etc/passwd.jpg".to_string(),
        "nul\0byte.jpg".to_string(),
        format!("{}.jpg", "x".repeat(300)),
        "crlf\r\nSet-Cookie: a=b.jpg".to_string(),
        "photo\u{202E}gpj.exe".to_string(),
    ];
    for (i, name) in names.iter().enumerate() {
        let r = app
            .upload(&owner, ("gallery", &g), name, &jpeg(100, 80, 70 + i as u32))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name:?}: {}", r.body);
    }
    // The HTML-in-a-comment JPEG is a real JPEG: accepted, and nothing of the
    // comment survives into what is rendered.
    let r = app
        .upload(&owner, ("gallery", &g), "polyglot.jpg", &polyglot)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .upload(&owner, ("gallery", &g), "huge-exif.jpg", &huge_exif_jpeg())
        .await;
    assert!(
        matches!(
            r.status,
            StatusCode::CREATED | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        r.body
    );
    app.drain_jobs().await;
    let photos = photos_of(&app, &owner, &g).await;
    for p in &photos {
        let n = p["original_name"].as_str().unwrap();
        assert!(
            !n.contains('/')
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{n:?}"
        );
        assert!(n.chars().count() <= 200, "{n}");
        assert_eq!(p["status"], "ready", "{n}");
        if n == "polyglot.jpg" {
            for key in ["thumb_url", "preview_url", "proof_url"] {
                let (_, _, b) = bytes_of(&app, &owner, p[key].as_str().unwrap()).await;
                assert!(!b.windows(7).any(|w| w == b"<script"), "{key}");
            }
            let (_, h, _) = bytes_of(&app, &owner, p["original_url"].as_str().unwrap()).await;
            assert_eq!(h["content-type"], "image/jpeg");
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(
                h["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment")
            );
        }
    }
    // Keys are the server's: nothing in the store is named after a file.
    let mut stored = Vec::new();
    let mut stack = vec![app.data_dir.path().join("media")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                stored.push(e.file_name().to_string_lossy().to_string());
            }
        }
    }
    assert!(!stored.is_empty());
    assert!(
        stored.iter().all(|n| [
            "original",
            "thumb.jpg",
            "medium.jpg",
            "preview.jpg",
            "proof.jpg",
            "medium-proof.jpg"
        ]
        .contains(&n.as_str())),
        "{stored:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_watermark_renders_the_proofs_again() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Marks").await;
    let g = app.gallery(&owner, "W").await;
    let r = app
        .upload(&owner, ("gallery", &g), "w.jpg", &jpeg(1200, 800, 80))
        .await;
    let id = r.header("darkroom-photo-id").unwrap().to_string();
    app.drain_jobs().await;
    let (_, d) = app.get(&owner, &format!("/api/v1/photos/{id}")).await;
    let (_, _, proof1) = bytes_of(&app, &owner, d["proof_url"].as_str().unwrap()).await;
    let (_, _, thumb1) = bytes_of(&app, &owner, d["thumb_url"].as_str().unwrap()).await;
    let (_, st) = app.get(&owner, "/api/v1/studio").await;
    let (s, v) = app
        .patch(&owner, "/api/v1/studio", json!({ "version": st["version"], "render": { "watermark_text": "PROOF ONLY", "watermark_position": "tiled", "watermark_opacity": 60 } }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.drain_jobs().await;
    app.drain_jobs().await;
    let (_, d2) = app.get(&owner, &format!("/api/v1/photos/{id}")).await;
    assert_ne!(
        d["proof_url"], d2["proof_url"],
        "the proof's URL changes with it"
    );
    let (_, _, proof2) = bytes_of(&app, &owner, d2["proof_url"].as_str().unwrap()).await;
    let (_, _, thumb2) = bytes_of(&app, &owner, d2["thumb_url"].as_str().unwrap()).await;
    assert_ne!(proof1, proof2);
    assert_eq!(thumb1, thumb2, "thumbnails carry no watermark and stay");
    // Out-of-range settings are refused by field.
    let (s, v) = app
        .patch(&owner, "/api/v1/studio", json!({ "version": v["version"], "render": { "watermark_opacity": 0, "thumb_edge": 5000 } }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"render.watermark_opacity") && fields.contains(&"render.thumb_edge"),
        "{fields:?}"
    );
}
