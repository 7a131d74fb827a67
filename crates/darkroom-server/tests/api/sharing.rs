//! Client galleries through share links: the client's journey, the rights
//! and limits every client route enforces (generated from the route
//! table), downloads counted atomically, access codes, and guessing.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, jpeg, set_cookie};

/// Guest routes that are not a gallery link's, each with its own test.
const OTHER_GUEST_ROUTES: &[&str] = &[
    // bookings::feeds_are_rfc5545_secret_and_revocable
    "/calendar/{token}",
    // bookings::a_client_books_moves_and_cancels_on_the_public_page
    "/book/{session_type_id}",
    "/book/{session_type_id}/details",
    "/book/manage/{token}",
    "/book/manage/{token}/cancel",
    "/book/manage/{token}/move",
    // leads::a_visitor_inquires_and_the_lead_lands_in_the_first_stage
    "/inquire/{branch_id}",
    "/inquire/{branch_id}/thanks",
    // portal::a_client_opens_their_portal_and_a_revoked_link_stops_at_once
    "/portal",
    "/portal/open/{token}",
    "/portal/sign-out",
    // documents::the_portal_lists_and_serves_only_client_visible_documents
    "/portal/documents/{document_id}",
    // stripe::a_client_pays_by_card_and_stripes_notices_move_money_exactly_once
    // and stripe::a_refunds_notice_before_its_payments_records_both_once_in_any_order
    "/hooks/stripe/{studio_id}",
    "/portal/invoices/{invoice_id}",
    "/portal/invoices/{invoice_id}/pdf",
    "/portal/invoices/{invoice_id}/pay",
    // contracts::a_couple_signs_by_emailed_codes_the_studio_countersigns_and_the_schedule_bills
    // and contracts::signing_links_codes_and_bad_terms_are_refused_clearly
    "/sign/{token}",
    "/sign/{token}/accept",
    "/sign/{token}/code",
    "/sign/{token}/pdf",
    // contracts::the_client_sees_their_contracts_in_the_portal
    "/portal/contracts/{contract_id}/pdf",
    "/portal/contracts/{contract_id}/sign",
    // contracts::payments_have_receipts_for_staff_and_in_the_portal
    "/portal/invoices/{invoice_id}/receipts/{entry_id}",
];

/// A gallery with `n` ready photos, and its id and photo ids.
pub(crate) async fn gallery_with_photos(
    app: &TestApp,
    owner: &Who,
    name: &str,
    n: u32,
) -> (String, Vec<String>) {
    let gallery = app.gallery(owner, name).await;
    let mut photos = Vec::new();
    for i in 0..n {
        let up = app
            .upload(
                owner,
                ("gallery", &gallery),
                &format!("IMG_{i:04}.jpg"),
                &jpeg(90 + i, 60, i + name.len() as u32 * 100),
            )
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
        photos.push(up.header("darkroom-photo-id").unwrap().to_string());
    }
    app.drain_jobs().await;
    (gallery, photos)
}

pub(crate) async fn link(app: &TestApp, owner: &Who, gallery: &str, body: Value) -> Value {
    let (s, v) = app
        .post(owner, &format!("/api/v1/galleries/{gallery}/links"), body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// A browser of a client: follows nothing, keeps the link cookie.
pub(crate) struct Guest {
    base: String,
    pub(crate) link: String,
    pub(crate) cookie: String,
    csrf: String,
    http: reqwest::Client,
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

pub(crate) async fn open(app: &TestApp, url: &str) -> Guest {
    let res = app
        .http
        .get(app.url(&format!("/g/{}", token_of(url))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/c/lnk_"), "{location}");
    assert!(
        !location.contains(token_of(url)),
        "the token must not stay in the address"
    );
    let raw = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .next()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        raw.contains(&format!("Path={location}")),
        "cookie scoped to the link: {raw}"
    );
    assert!(raw.contains("HttpOnly"), "{raw}");
    let cookie = set_cookie(res.headers(), "darkroom_link").unwrap();
    let page = app
        .http
        .get(app.url(&location))
        .header("cookie", format!("darkroom_link={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let i = html.find("name=\"csrf\" content=\"").unwrap() + "name=\"csrf\" content=\"".len();
    let csrf = html[i..i + html[i..].find('"').unwrap()].to_string();
    Guest {
        base: app.base.clone(),
        link: location.trim_start_matches("/c/").to_string(),
        cookie,
        csrf,
        http: app.http.clone(),
    }
}

impl Guest {
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(
                method.clone(),
                format!("{}/c/{}{path}", self.base, self.link),
            )
            .header("cookie", format!("darkroom_link={}", self.cookie));
        if method != Method::GET {
            req = req
                .header("x-csrf-token", &self.csrf)
                .header("origin", &self.base)
                .json(&body.unwrap_or(json!({})));
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// The raw answer to a GET under the link: status and bytes.
    pub(crate) async fn bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}/c/{}{path}", self.base, self.link))
            .header("cookie", format!("darkroom_link={}", self.cookie))
            .send()
            .await
            .unwrap();
        (res.status(), res.bytes().await.unwrap().to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_chooses_comments_requests_an_edit_and_submits() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Kim wedding", 3).await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, client) = app
        .post(&owner, "/api/v1/clients", json!({ "name": "Mina Kim", "email": "mina@example.com", "notes": "INTERNAL-NOTE prefers mornings" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    let (s, g) = app
        .api(&owner, Method::PUT, &format!("/api/v1/galleries/{gallery}/terms"), Some(json!({
            "version": g["version"], "client_id": client["id"], "selection_limit": 2, "allow_extras": false,
        })))
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["client_name"], "Mina Kim");
    let created = link(&app, &owner, &gallery, json!({
        "label": "Mina", "email": "mina@example.com", "rights": ["favourite", "comment", "edits"], "download": "web",
    })).await;
    let url = created["url"].as_str().unwrap();
    let guest = open(&app, url).await;

    let (s, listing) = guest.get("/gallery.json").await;
    assert_eq!(s, StatusCode::OK, "{listing}");
    assert_eq!(listing["photos"].as_array().unwrap().len(), 3);
    assert_eq!(listing["selection"]["limit"], 2);
    // Nothing private reaches the client: no staff email, internal notes,
    // storage keys or camera metadata.
    let text = listing.to_string();
    for secret in [
        owner.email.as_str(),
        "INTERNAL-NOTE",
        "original_key",
        "/media/photos/",
        "meta",
        "studio_id",
        "mina@example.com",
    ] {
        assert!(
            !text.contains(secret),
            "client listing shows `{secret}`: {text}"
        );
    }
    // Its signed media URLs work without the cookie, and are pictures.
    let thumb = listing["photos"][0]["thumb_url"].as_str().unwrap();
    let res = app.http.get(app.url(thumb)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let view = listing["photos"][0]["view_url"].as_str().unwrap();
    assert!(
        view.contains("/proof?"),
        "proofing shows the watermarked proof: {view}"
    );
    // A tampered signature is the same 404 as nothing.
    let bad = format!("{}x", thumb);
    assert_eq!(
        app.http.get(app.url(&bad)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Favourites up to the package's maximum, then a clear refusal.
    for p in &photos[..2] {
        let (s, v) = guest
            .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[2]),
            json!({ "favourite": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "selection_full");
    assert!(v["detail"].as_str().unwrap().contains("2 of 2"), "{v}");
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            json!({ "rating": 6 }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            json!({ "rating": 5, "marketing": true }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["selection"]["count"], 2);
    // Without the page's CSRF token nothing changes.
    let res = app
        .http
        .post(app.url(&format!("/c/{}/photos/{}/mark", guest.link, photos[2])))
        .header("cookie", format!("darkroom_link={}", guest.cookie))
        .json(&json!({ "favourite": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (s, v) = guest
        .post(
            &format!("/photos/{}/notes", photos[1]),
            json!({ "kind": "edit_request", "body": "Please soften the shadows" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = guest
        .post(
            &format!("/photos/{}/notes", photos[1]),
            json!({ "body": "Love this one" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = guest
        .post(
            &format!("/photos/{}/notes", photos[1]),
            json!({ "body": "  " }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, detail) = guest.get(&format!("/photos/{}", photos[1])).await;
    assert_eq!(detail["notes"].as_array().unwrap().len(), 2, "{detail}");

    // Another gallery's photo through this link is a 404.
    let (_, others) = gallery_with_photos(&app, &owner, "Other", 1).await;
    let (s, _) = guest
        .post(
            &format!("/photos/{}/mark", others[0]),
            json!({ "favourite": true }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, v) = guest.post("/submit", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["submitted_at"].is_string());
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            json!({ "favourite": false }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "selection_locked");
    assert_eq!(
        app.audit_count(owner.studio, "selection.submitted").await,
        1
    );

    // The studio sees it all.
    let (s, act) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/activity"))
        .await;
    assert_eq!(s, StatusCode::OK, "{act}");
    let l = &act["links"][0];
    assert_eq!(l["favourites"], 2, "{act}");
    assert_eq!(l["comments"], 2, "{act}");
    assert!(l["views"].as_i64().unwrap() >= 1);
    assert!(l["submitted_at"].is_string());
    // The two chosen (one also rated and approved for marketing, one commented).
    assert_eq!(act["photos"].as_array().unwrap().len(), 2, "{act}");
    assert_eq!(act["photos"][0]["chosen_by"][0], "Mina");
    assert!(act["notes"].to_string().contains("soften the shadows"));
    // Reopening lets the client change the selection again.
    let (s, v) = app
        .post(
            &owner,
            &format!(
                "/api/v1/links/{}/reopen",
                created["link"]["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            json!({ "favourite": false }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_simultaneous_downloads_on_a_limit_of_three_give_exactly_three() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Limits", 2).await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({
            "label": "Family", "download": "web", "download_limit": 3,
        }),
    )
    .await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let http = guest.http.clone();
        let url = format!("{}/c/{}/download", guest.base, guest.link);
        let cookie = format!("darkroom_link={}", guest.cookie);
        tasks.push(tokio::spawn(async move {
            let res = http.get(url).header("cookie", cookie).send().await.unwrap();
            let status = res.status();
            let body = res.bytes().await.unwrap();
            (status, body)
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => {
                assert_eq!(&body[..2], b"PK");
                let names = zip_names(&body);
                assert_eq!(names.len(), 2, "{names:?}");
                ok += 1;
            }
            StatusCode::CONFLICT => {
                let v: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["code"], "download_limit");
                assert!(v["detail"].as_str().unwrap().contains("used up"), "{v}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&body)),
        }
    }
    assert_eq!((ok, refused), (3, 17));
    // Single photos count against the same allowance.
    let (s, _) = guest.get(&format!("/photos/{}/download", photos[0])).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A browser is told in a page, not a JSON file.
    let res = app
        .http
        .get(app.url(&format!("/c/{}/download", guest.link)))
        .header("cookie", format!("darkroom_link={}", guest.cookie))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("used up"));
    let (_, links) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/links"))
        .await;
    assert_eq!(links[0]["downloads_used"], 3);
    assert_eq!(links[0]["downloads"], 3);

    // The gallery's own cap binds across links.
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({ "version": g["version"], "download_limit": 4 })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let other = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Friends", "download": "original" }),
    )
    .await;
    let friend = open(&app, other["url"].as_str().unwrap()).await;
    let (s, _) = friend
        .get(&format!("/photos/{}/download?size=original", photos[1]))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = friend
        .get(&format!("/photos/{}/download?size=original", photos[1]))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("gallery"), "{v}");
}

/// Entry names of a stored ZIP, from its central directory.
pub(crate) fn zip_names(zip: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = 0;
    while i + 46 <= zip.len() {
        if zip[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let n = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
            names.push(String::from_utf8_lossy(&zip[i + 46..i + 46 + n]).to_string());
            i += 46 + n;
        } else {
            i += 1;
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_general_link_needs_its_code_and_wrong_codes_are_limited_and_alerted() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, _) = gallery_with_photos(&app, &owner, "Gala", 1).await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "kind": "general", "label": "Guests", "rights": ["favourite"] }),
    )
    .await;
    let code = created["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 9, "{code}");
    let token = token_of(created["url"].as_str().unwrap()).to_string();
    let res = app
        .http
        .get(app.url(&format!("/g/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let html = res.text().await.unwrap();
    assert!(html.contains("Access code") && html.contains("Gala"));
    assert!(!html.contains(&code[..4]), "the code is never hinted");
    let post = |c: String| {
        let app = &app;
        let token = token.clone();
        async move {
            app.http
                .post(app.url(&format!("/g/{token}")))
                .form(&[("code", c)])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        let r = post("AAAA-AAAA".into()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("not right"));
    }
    assert_eq!(
        app.audit_count(owner.studio, "share_link.code_failures")
            .await,
        1
    );
    // Typed in lower case without the dash, it still opens.
    let r = post(code.to_lowercase().replace('-', "")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for _ in 0..10 {
        assert_eq!(
            post("BBBB-BBBB".into()).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    // Past the per-link limit even the right code waits.
    assert_eq!(
        post(code.clone()).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.audit_count(owner.studio, "share_link.code_failures")
            .await,
        3
    );
    let (_, links) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/links"))
        .await;
    assert_eq!(links[0]["failed_codes"], 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_link_or_archiving_its_gallery_cuts_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, _) = gallery_with_photos(&app, &owner, "Cut", 1).await;
    let a = link(&app, &owner, &gallery, json!({ "label": "A" })).await;
    let b = link(&app, &owner, &gallery, json!({ "label": "B" })).await;
    let ga = open(&app, a["url"].as_str().unwrap()).await;
    let gb = open(&app, b["url"].as_str().unwrap()).await;
    let (_, listing) = ga.get("/gallery.json").await;
    let thumb = listing["photos"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.http.get(app.url(&thumb)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/links/{}/revoke", a["link"]["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ga.get("/gallery.json").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.http.get(app.url(&thumb)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .http
        .get(app.url(&format!("/g/{}", token_of(a["url"].as_str().unwrap()))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Its holder is told what happened and whose link it was; a link that
    // never existed says only that it was not found.
    let page = res.text().await.unwrap();
    assert!(
        page.contains("This gallery is no longer shared") && page.contains("Lumen"),
        "{page}"
    );
    assert!(
        !page.contains("sign-in") && !page.contains("API reference"),
        "{page}"
    );
    let never = app
        .http
        .get(app.url(&format!("/g/{}", "x".repeat(43))))
        .send()
        .await
        .unwrap();
    assert_eq!(never.status(), StatusCode::NOT_FOUND);
    let never = never.text().await.unwrap();
    assert!(
        never.contains("We could not find this gallery") && !never.contains("Lumen"),
        "{never}"
    );
    // B's cookie works for B only.
    assert_eq!(gb.get("/gallery.json").await.0, StatusCode::OK);
    let res = app
        .http
        .get(app.url(&format!("/c/{}/gallery.json", ga.link)))
        .header("cookie", format!("darkroom_link={}", gb.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, _) = app
        .patch(
            &owner,
            &format!("/api/v1/galleries/{gallery}"),
            json!({ "version": g["version"], "status": "archived" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(gb.get("/gallery.json").await.0, StatusCode::NOT_FOUND);
    let page = app
        .http
        .get(app.url(&format!("/c/{}", gb.link)))
        .header("cookie", format!("darkroom_link={}", gb.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("We could not find this gallery")
    );
    let res = app
        .http
        .get(app.url(&format!("/g/{}", token_of(b["url"].as_str().unwrap()))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This gallery is no longer available")
    );
}

/// Fills a client route's path for a guest.
fn fill(route: &str, link: &str, photo: &str) -> String {
    route
        .replace("{link_id}", link)
        .replace("{photo_id}", photo)
        .replace("{what}", "thumb")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_route_enforces_cookie_revocation_expiry_and_rights() {
    let app = TestApp::spawn_with(|c| c.http.anonymous_per_minute = 100_000).await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Routes", 1).await;
    let full = link(
        &app,
        &owner,
        &gallery,
        json!({
            "label": "Full", "rights": ["favourite", "comment", "edits"], "download": "original",
        }),
    )
    .await;
    let bare = link(&app, &owner, &gallery, json!({ "label": "View only" })).await;
    let doomed = link(&app, &owner, &gallery, json!({ "label": "Doomed", "rights": ["favourite", "comment", "edits"], "download": "original" })).await;
    let g_full = open(&app, full["url"].as_str().unwrap()).await;
    let g_bare = open(&app, bare["url"].as_str().unwrap()).await;
    let g_doomed = open(&app, doomed["url"].as_str().unwrap()).await;
    let (_, doomed_listing) = g_doomed.get("/gallery.json").await;
    let doomed_thumb = doomed_listing["photos"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &owner,
        &format!(
            "/api/v1/links/{}/revoke",
            doomed["link"]["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let bodies: HashMap<&str, Value> = [
        ("mark", json!({ "favourite": true })),
        ("notes", json!({ "kind": "edit_request", "body": "x" })),
        ("submit", json!({})),
    ]
    .into_iter()
    .collect();
    let body_for = |route: &str| {
        bodies
            .iter()
            .find(|(k, _)| route.ends_with(*k))
            .map(|(_, v)| v.clone())
            .unwrap_or(json!({}))
    };
    let mut checked = 0;
    for route in darkroom_server::web::guest_paths() {
        if route.starts_with("/g/") {
            continue; // the token route itself: covered by the guessing test
        }
        if !route.starts_with("/c/") {
            // Not a gallery link's page: each such route has its own test.
            assert!(
                OTHER_GUEST_ROUTES.contains(&route),
                "{route}: a new guest route needs its own enforcement test, listed here"
            );
            continue;
        }
        let method = if route.ends_with("/mark")
            || route.ends_with("/notes")
            || route.ends_with("/submit")
        {
            Method::POST
        } else {
            Method::GET
        };
        let media = route.contains("/media/");
        // The route works for the right guest (media: with its signed URL).
        if media {
            continue; // covered below with real signed URLs
        }
        let path = fill(route, &g_full.link, &photos[0]);
        let (s, v) = g_full
            .call(
                method.clone(),
                path.trim_start_matches(&format!("/c/{}", g_full.link)),
                Some(body_for(route)),
            )
            .await;
        assert!(s.is_success(), "{method} {route} as its guest: {s} {v}");
        // Without a cookie, with another link's cookie, or with a revoked
        // link's cookie: the same 404 as an id that does not exist.
        let nobody = app
            .http
            .request(method.clone(), app.url(&path))
            .json(&body_for(route))
            .send()
            .await
            .unwrap();
        assert_eq!(
            nobody.status(),
            StatusCode::NOT_FOUND,
            "{method} {route} without a cookie"
        );
        for (who, cookie) in [
            ("another link's", &g_bare.cookie),
            ("a revoked link's", &g_doomed.cookie),
        ] {
            let r = app
                .http
                .request(method.clone(), app.url(&path))
                .header("cookie", format!("darkroom_link={cookie}"))
                .header("x-csrf-token", &g_full.csrf)
                .json(&body_for(route))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::NOT_FOUND,
                "{method} {route} with {who} cookie"
            );
        }
        let revoked_path = fill(route, &g_doomed.link, &photos[0]);
        let (s, _) = g_doomed
            .call(
                method.clone(),
                revoked_path.trim_start_matches(&format!("/c/{}", g_doomed.link)),
                Some(body_for(route)),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "{method} {route} on a revoked link"
        );
        // Rights: the view-only link may look, not act.
        let bare_path = fill(route, &g_bare.link, &photos[0]);
        let (s, v) = g_bare
            .call(
                method.clone(),
                bare_path.trim_start_matches(&format!("/c/{}", g_bare.link)),
                Some(body_for(route)),
            )
            .await;
        let acts = method == Method::POST || route.ends_with("download");
        if acts {
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "{method} {route} without the right: {v}"
            );
        } else {
            assert!(s.is_success(), "{method} {route} view-only: {s}");
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
    // Media: a revoked link's signed URL (issued before) is a 404; a good one is not.
    assert_eq!(
        app.http
            .get(app.url(&doomed_thumb))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Expiry: a gallery past its date answers like nothing at all.
    let (_, listing) = g_full.get("/gallery.json").await;
    let thumb = listing["photos"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.http.get(app.url(&thumb)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let past = app
        .clock_now()
        .minus(std::time::Duration::from_secs(60))
        .to_rfc3339();
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({ "version": g["version"], "expires_at": past })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(g_full.get("/gallery.json").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.http.get(app.url(&thumb)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_tokens_and_entity_ids_get_uniform_404s_then_429() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Guess", 1).await;
    let created = link(&app, &owner, &gallery, json!({ "label": "Real" })).await;
    let link_id = created["link"]["id"].as_str().unwrap().to_string();
    let mut keys: Vec<String> = vec![
        gallery.clone(),
        photos[0].clone(),
        link_id.clone(),
        owner.studio.to_string(),
    ];
    for _ in 0..10_000 {
        keys.push(darkroom_core::kernel::secret::new_token(""));
    }
    let mut first_body: Option<String> = None;
    let (mut not_found, mut limited) = (0, 0);
    let mut first_limit = None;
    let started = std::time::Instant::now();
    for (i, k) in keys.iter().enumerate() {
        let path = if i % 2 == 0 {
            format!("/g/{k}")
        } else {
            format!("/c/{k}")
        };
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        match res.status() {
            StatusCode::NOT_FOUND => {
                let body = res.text().await.unwrap();
                match &first_body {
                    None => first_body = Some(body),
                    Some(b) => assert_eq!(&body, b, "every miss looks the same ({path})"),
                }
                not_found += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                first_limit.get_or_insert(i);
                limited += 1;
            }
            other => panic!("{path}: {other}"),
        }
    }
    // The default limit: a burst of 30 guesses, then one every 2 seconds.
    let first_limit = first_limit.expect("guessing was never limited");
    assert!(
        (10..=31).contains(&first_limit),
        "limited from guess {first_limit}"
    );
    let refill = started.elapsed().as_secs() as usize / 2 + 1;
    assert!(
        not_found <= 30 + refill,
        "{not_found} misses answered in {:?}",
        started.elapsed()
    );
    assert_eq!(not_found + limited, keys.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hearts_clicked_at_once_never_pass_the_packages_maximum() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Race", 6).await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({
                "version": g["version"], "selection_limit": 2, "allow_extras": false,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Both at once", "rights": ["favourite"] }),
    )
    .await;
    let guest = std::sync::Arc::new(open(&app, created["url"].as_str().unwrap()).await);
    let mut tasks = Vec::new();
    for p in photos.clone() {
        let guest = guest.clone();
        tasks.push(tokio::spawn(async move {
            guest
                .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
                .await
                .0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let full = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, full), (2, 4), "{statuses:?}");
    let (_, listing) = guest.get("/gallery.json").await;
    assert_eq!(listing["selection"]["count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_are_reminded_once_a_week_before_the_gallery_closes() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    // An unreachable SMTP server: what is sent stays in the outbox.
    app.unreachable_smtp(&owner, "Lumen").await;
    let (gallery, _) = gallery_with_photos(&app, &owner, "Closing", 1).await;
    let (_, client) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Mina Kim", "email": "mina@example.com" }),
        )
        .await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Joon", "email": "joon@example.com" }),
    )
    .await;
    assert_eq!(created["email_queued"], true);
    let revoked = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Old", "email": "old@example.com" }),
    )
    .await;
    app.post(
        &owner,
        &format!(
            "/api/v1/links/{}/revoke",
            revoked["link"]["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let reminders = |emails: &Value| {
        let mut to: Vec<String> = emails["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "gallery_expiring")
            .map(|e| e["to"].as_str().unwrap().to_string())
            .collect();
        to.sort();
        to
    };
    // Closing in a month: nothing yet.
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let month = app
        .clock_now()
        .plus(std::time::Duration::from_secs(30 * 86_400))
        .to_rfc3339();
    let (s, g) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(
                json!({ "version": g["version"], "client_id": client["id"], "expires_at": month }),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    app.drain_jobs().await;
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    assert!(reminders(&emails).is_empty(), "{emails}");
    // Closing in three days: the open link's person and the client, once.
    let soon = app
        .clock_now()
        .plus(std::time::Duration::from_secs(3 * 86_400))
        .to_rfc3339();
    let (s, g) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({ "version": g["version"], "client_id": client["id"], "expires_at": soon })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    app.drain_jobs().await;
    app.drain_jobs().await;
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    assert_eq!(
        reminders(&emails),
        vec!["joon@example.com", "mina@example.com"],
        "{emails}"
    );
}

/// Every key path of a JSON value (`photos[].thumb_url`), sorted.
fn key_paths(v: &Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                key_paths(v, &p, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                key_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// What a client can read, as a snapshot: adding a field to a client-facing
/// response changes this file, so someone decides it may be seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_facing_schema_is_what_the_snapshot_says() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Schema", 1).await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Mina", "rights": ["favourite", "comment", "edits"], "download": "web" }),
    )
    .await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    let p = &photos[0];
    guest
        .post(&format!("/photos/{p}/notes"), json!({ "body": "Lovely" }))
        .await;
    let mut out = std::collections::BTreeSet::new();
    for (name, (s, v)) in [
        ("gallery", guest.get("/gallery.json").await),
        ("photo", guest.get(&format!("/photos/{p}")).await),
        (
            "mark",
            guest
                .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
                .await,
        ),
        (
            "note",
            guest
                .post(
                    &format!("/photos/{p}/notes"),
                    json!({ "kind": "edit_request", "body": "Warmer" }),
                )
                .await,
        ),
        ("submit", guest.post("/submit", json!({})).await),
    ] {
        assert!(s.is_success(), "{name}: {s} {v}");
        key_paths(&v, name, &mut out);
    }
    insta::assert_snapshot!(
        "client_schema",
        out.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sharing_page_shows_forms_only_to_those_who_may_share() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, _) = gallery_with_photos(&app, &owner, "Pages", 1).await;
    link(&app, &owner, &gallery, json!({ "label": "Mina" })).await;
    let path = format!("/galleries/{gallery}/sharing");
    let (s, html, _) = app.page(Some(&owner.session), &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Create the link") && html.contains("Revoke"),
        "{html}"
    );
    // An editor may see galleries but not share them: links and activity only.
    let editor = app.member(&owner, "editor", None).await;
    let (s, html, _) = app.page(Some(&editor.session), &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Mina"), "{html}");
    assert!(
        !html.contains("Create the link") && !html.contains(">Revoke<"),
        "{html}"
    );
    // And cannot act through the form either.
    let (s, _, _) = app
        .form(
            &editor.session,
            &format!("{path}/links"),
            &[("label", "Sneaky")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
