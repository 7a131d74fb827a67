//! A client's documents: the file comes through the tus upload path (its
//! type read from its bytes, its SHA-256 kept), a document takes it once;
//! a document without a file is asked for and shows as missing; expiry
//! makes it expiring, then expired; reminders go out 30 and 7 days before,
//! once each, to the client and the manager; the portal lists and serves
//! only client-visible ones; another studio's ids answer like missing ones.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::Digest;

use crate::helpers::{TestApp, Who, tus_meta};
use crate::portal::client;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// Sends `bytes` as a document file; returns the upload's answer.
async fn send_file(app: &TestApp, who: &Who, name: &str, bytes: &[u8]) -> crate::helpers::Tus {
    app.tus(
        who,
        Method::POST,
        "/api/v1/uploads",
        &[
            ("upload-length", bytes.len().to_string()),
            (
                "upload-metadata",
                tus_meta(&[("filename", name), ("file", "1")]),
            ),
            ("content-type", "application/offset+octet-stream".into()),
        ],
        Some(bytes.to_vec()),
    )
    .await
}

fn day_after(app: &TestApp, days: i64) -> String {
    let now = jiff::Timestamp::from_microsecond(app.clock_now().as_micros()).unwrap();
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_document_takes_an_uploaded_file_and_is_served_as_a_download() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let acme = client(
        &app,
        &owner,
        json!({ "name": "Acme Events", "kind": "organisation" }),
    )
    .await;

    let up = send_file(&app, &owner, "coi 2027.pdf", PDF).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    assert_eq!(up.header("darkroom-result"), Some("stored"));
    assert_eq!(up.header("darkroom-content-type"), Some("application/pdf"));
    let upload = up.header("darkroom-upload-id").unwrap().to_string();

    let base = format!("/api/v1/clients/{acme}/documents");
    let expires = day_after(&app, 200);
    let (s, doc) = app
        .post(
            &owner,
            &base,
            json!({ "kind": "insurance", "upload_id": upload, "expires_on": expires, "required": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["title"], "Certificate of insurance");
    assert_eq!(doc["state"], "on_file");
    assert_eq!(doc["client_visible"], true);
    assert_eq!(doc["file"]["content_type"], "application/pdf");
    assert_eq!(doc["file"]["size"], PDF.len());
    assert_eq!(
        doc["file"]["sha256"],
        hex::encode(sha2::Sha256::digest(PDF))
    );
    let id = doc["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("doc_"), "{id}");

    // The bytes come back as they went, as an attachment.
    let res = app
        .http
        .get(app.url(&format!("{base}/{id}/file")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.starts_with("attachment;") && cd.contains("coi"), "{cd}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // An upload is one document's file.
    let (s, again) = app
        .post(
            &owner,
            &base,
            json!({ "kind": "other", "upload_id": upload }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["code"], "upload_taken");

    // HTML dressed as a PDF is refused, with the reason.
    let bad = send_file(&app, &owner, "coi.pdf", b"<html><script>alert(1)</script>").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("coi.pdf"), "{}", bad.body);

    // A photo upload is not a document's file.
    let g = app.gallery(&owner, "Shoot").await;
    let photo = app
        .upload(
            &owner,
            ("gallery", &g),
            "a.jpg",
            &crate::helpers::jpeg(64, 48, 3),
        )
        .await;
    let (s, e) = app
        .post(
            &owner,
            &base,
            json!({ "kind": "other", "upload_id": photo.headers.get("location").unwrap().to_str().unwrap().rsplit('/').next().unwrap() }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "upload_not_a_file");

    // A stale change is refused with the current state; a fresh one works.
    let (s, stale) = app
        .patch(
            &owner,
            &format!("{base}/{id}"),
            json!({ "version": 99, "title": "COI" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    let (s, changed) = app
        .patch(
            &owner,
            &format!("{base}/{id}"),
            json!({ "version": doc["version"], "title": "COI 2027" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "COI 2027");

    // Deleted, it is listed with the deleted ones and can come back.
    let (s, _) = app
        .api(&owner, Method::DELETE, &format!("{base}/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, live) = app.get(&owner, &base).await;
    assert_eq!(live.as_array().unwrap().len(), 0, "{live}");
    let (_, gone) = app.get(&owner, &format!("{base}?deleted=true")).await;
    assert_eq!(gone.as_array().unwrap().len(), 1, "{gone}");
    let (s, back) = app
        .api(&owner, Method::POST, &format!("{base}/{id}/restore"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert!(back["deleted_at"].is_null());
    assert!(app.audit_count(owner.studio, "client.document_added").await >= 1);

    // Another studio sees none of it, exactly like ids that do not exist.
    let other = app.studio("Elsewhere").await;
    for path in [
        base.clone(),
        format!("{base}/{id}"),
        format!("{base}/{id}/file"),
    ] {
        let (s, e) = app.get(&other, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {e}");
    }
    let mine = client(&app, &other, json!({ "name": "Mine" })).await;
    let (s, e) = app
        .post(
            &other,
            &format!("/api/v1/clients/{mine}/documents"),
            json!({ "kind": "insurance", "upload_id": upload }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another studio's upload: {e}");
}

#[tokio::test]
async fn missing_and_expiring_documents_show_and_reminders_go_out_once() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    app.unreachable_smtp(&owner, "Lumen").await;
    let manager = owner.user.to_string();
    let acme = client(
        &app,
        &owner,
        json!({ "name": "Acme Events", "email": "ops@acme.example", "manager_id": manager }),
    )
    .await;
    let base = format!("/api/v1/clients/{acme}/documents");

    // Asked for: missing until a file comes.
    let (s, w9) = app
        .post(&owner, &base, json!({ "kind": "w9", "required": true }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w9}");
    assert_eq!(w9["state"], "missing");
    assert!(w9["file"].is_null());

    // A certificate running out in 20 days is expiring.
    let up = send_file(&app, &owner, "coi.pdf", PDF).await;
    let upload = up.header("darkroom-upload-id").unwrap().to_string();
    let (s, coi) = app
        .post(
            &owner,
            &base,
            json!({ "kind": "insurance", "upload_id": upload, "expires_on": day_after(&app, 20) }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{coi}");
    assert_eq!(coi["state"], "expiring");

    // The client's page says so.
    let (_, page, _) = app
        .page(Some(&owner.session), &format!("/clients/{acme}"))
        .await;
    assert!(
        page.contains("1 missing") && page.contains("1 expiring"),
        "{page}"
    );

    // The 30-day reminder goes out once, to the client and the manager.
    let remind = || darkroom_core::crm::document::remind::remind_expiring(&app.core);
    assert_eq!(remind().await.unwrap(), 2);
    assert_eq!(remind().await.unwrap(), 0, "each reminder goes once");
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    let text = emails.to_string();
    assert!(text.contains("ops@acme.example"), "{text}");
    assert!(text.contains(&owner.email), "the manager is told: {text}");

    // Seven days before, the second one; after the day, it is expired.
    app.clock
        .advance(std::time::Duration::from_secs(14 * 86_400));
    assert_eq!(remind().await.unwrap(), 2);
    assert_eq!(remind().await.unwrap(), 0);
    app.clock
        .advance(std::time::Duration::from_secs(8 * 86_400));
    let (_, listed) = app.get(&owner, &base).await;
    let coi_now = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "insurance")
        .unwrap()
        .clone();
    assert_eq!(coi_now["state"], "expired", "{listed}");

    // A renewed file with a new day starts over: on file again.
    let up = send_file(&app, &owner, "coi-2028.pdf", PDF).await;
    let upload = up.header("darkroom-upload-id").unwrap().to_string();
    let (s, renewed) = app
        .patch(
            &owner,
            &format!("{base}/{}", coi["id"].as_str().unwrap()),
            json!({ "version": coi_now["version"], "upload_id": upload, "expires_on": day_after(&app, 365) }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["state"], "on_file");
    assert_eq!(renewed["file"]["name"], "coi-2028.pdf");
}

#[tokio::test]
async fn the_media_check_keeps_document_files() {
    let app = TestApp::spawn_with(|c| c.media.orphan_grace_minutes = 0).await;
    let owner = app.studio("Lumen").await;
    let acme = client(&app, &owner, json!({ "name": "Acme" })).await;
    let up = send_file(&app, &owner, "coi.pdf", PDF).await;
    let upload = up.header("darkroom-upload-id").unwrap().to_string();
    let base = format!("/api/v1/clients/{acme}/documents");
    let (s, d) = app
        .post(
            &owner,
            &base,
            json!({ "kind": "insurance", "upload_id": upload }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let report = darkroom_core::photos::media::check(&app.core, true, |_| {})
        .await
        .unwrap();
    assert_eq!(report.orphans_deleted, 0, "{:?}", report.orphans);
    let res = app
        .http
        .get(app.url(&format!("{base}/{}/file", d["id"].as_str().unwrap())))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn the_portal_lists_and_serves_only_client_visible_documents() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    app.unreachable_smtp(&owner, "Lumen").await;
    let asha = client(
        &app,
        &owner,
        json!({ "name": "Asha Rao", "email": "asha@example.com" }),
    )
    .await;
    let base = format!("/api/v1/clients/{asha}/documents");
    let mut ids = Vec::new();
    for (title, visible) in [("Signed terms", true), ("Internal risk note", false)] {
        let up = send_file(&app, &owner, &format!("{title}.pdf"), PDF).await;
        let upload = up.header("darkroom-upload-id").unwrap().to_string();
        let (s, d) = app
            .post(
                &owner,
                &base,
                json!({ "kind": "terms", "title": title, "upload_id": upload, "client_visible": visible }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        ids.push(d["id"].as_str().unwrap().to_string());
    }
    let (_, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{asha}/portal-links"),
            json!({ "days": 7 }),
        )
        .await;
    let (_, cookie, _) = crate::portal::open(&app, link["url"].as_str().unwrap()).await;
    let cookie = cookie.expect("a portal cookie");
    let get = |p: String| {
        let req = app.http.get(app.url(&p)).header("cookie", cookie.clone());
        async move { req.send().await.unwrap() }
    };
    let page = get("/portal".into()).await.text().await.unwrap();
    assert!(page.contains("Signed terms"), "{page}");
    assert!(
        !page.contains("Internal risk note"),
        "staff-only documents never show"
    );
    let ok = get(format!("/portal/documents/{}", ids[0])).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.bytes().await.unwrap().as_ref(), PDF);
    let hidden = get(format!("/portal/documents/{}", ids[1])).await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "a staff-only file");
    let nobody = app
        .http
        .get(app.url(&format!("/portal/documents/{}", ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND, "no cookie, no file");
}
