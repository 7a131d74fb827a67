//! The client portal: staff email a client (or a contact) a sign-in link;
//! the link signs a browser in (the token leaves the address bar) and the
//! page shows that client's projects, sessions and galleries, nobody
//! else's; a revoked or expired link stops at once; wrong tokens are
//! throttled; another studio's ids answer like missing ones.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, Who};

pub(crate) async fn client(app: &TestApp, who: &Who, body: serde_json::Value) -> String {
    let (s, c) = app.post(who, "/api/v1/clients", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// Opens a link as a browser would: the cookie it sets, and where it goes.
pub(crate) async fn open(app: &TestApp, url: &str) -> (StatusCode, Option<String>, Option<String>) {
    let path = url
        .split_once("/portal/")
        .map(|(_, p)| format!("/portal/{p}"))
        .unwrap();
    let res = app.http.get(app.url(&path)).send().await.unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("darkroom_portal="))
        .map(|v| v.split(';').next().unwrap().to_string());
    let to = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status(), cookie, to)
}

async fn portal(app: &TestApp, cookie: &str) -> (StatusCode, String) {
    let res = app
        .http
        .get(app.url("/portal"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_client_opens_their_portal_and_a_revoked_link_stops_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    app.unreachable_smtp(&owner, "Lumen").await;
    let asha = client(
        &app,
        &owner,
        json!({ "name": "Asha Rao", "email": "asha@example.com" }),
    )
    .await;
    let other = client(
        &app,
        &owner,
        json!({ "name": "Someone Else", "email": "else@example.com" }),
    )
    .await;
    for (c, name) in [(&asha, "Asha's wedding"), (&other, "Else's secret shoot")] {
        let (s, p) = app
            .post(
                &owner,
                "/api/v1/projects",
                json!({ "client_id": c, "kind": "wedding", "name": name, "venue": "Leela Palace" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
    }
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{asha}/portal-links"),
            json!({ "days": 7 }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    assert_eq!(link["email"], "asha@example.com");
    assert_eq!(link["active"], true);
    let url = link["url"].as_str().unwrap().to_string();
    assert!(url.contains("/portal/open/ptl_"), "{url}");
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    assert!(
        emails.to_string().contains("asha@example.com"),
        "emailed: {emails}"
    );
    let (_, listed) = app
        .get(&owner, &format!("/api/v1/clients/{asha}/portal-links"))
        .await;
    assert!(
        listed[0].get("url").is_none(),
        "the token is shown once: {listed}"
    );

    // The link signs the browser in and leaves the address bar.
    let (s, cookie, to) = open(&app, &url).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/portal"));
    let cookie = cookie.expect("a portal cookie");
    let (s, page) = portal(&app, &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Asha Rao"), "{page}");
    assert!(
        page.contains("Asha&#x27;s wedding") || page.contains("Asha's wedding"),
        "{page}"
    );
    assert!(!page.contains("Else"), "another client's work never shows");
    let (_, listed) = app
        .get(&owner, &format!("/api/v1/clients/{asha}/portal-links"))
        .await;
    assert!(listed[0]["last_opened_at"].is_string(), "{listed}");

    // No cookie, or a wrong token: the same "does not work" page.
    let (s, _) = portal(&app, "darkroom_portal=ptl_nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = open(
        &app,
        "x/portal/open/ptl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Revoked: the signed-in browser is out at once.
    let lid = link["id"].as_str().unwrap();
    let (s, revoked) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/clients/{asha}/portal-links/{lid}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["active"], false);
    let (s, _) = portal(&app, &cookie).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        app.audit_count(owner.studio, "portal.link_revoked").await,
        1
    );

    // Expired: a fresh link stops working after its days.
    let (_, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{asha}/portal-links"),
            json!({ "days": 1 }),
        )
        .await;
    let (_, cookie, _) = open(&app, link["url"].as_str().unwrap()).await;
    let cookie = cookie.unwrap();
    assert_eq!(portal(&app, &cookie).await.0, StatusCode::OK);
    app.clock
        .advance(std::time::Duration::from_secs(86_400 + 60));
    assert_eq!(portal(&app, &cookie).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn portal_links_need_an_email_and_stay_in_their_studio() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let theirs = app.studio("Elsewhere").await;
    let nomail = client(&app, &owner, json!({ "name": "No Mail" })).await;
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{nomail}/portal-links"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "no_email", "{e}");
    assert!(e.to_string().contains("no email address"), "{e}");
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{nomail}/portal-links"),
            json!({ "days": 365 }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

    // A contact of the client gets its own link.
    let (s, contact) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{nomail}/contacts"),
            json!({ "name": "Planner", "email": "planner@example.com" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contact}");
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{nomail}/portal-links"),
            json!({ "contact_id": contact["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    assert_eq!(link["email"], "planner@example.com");

    // Another studio's client, link or contact answers like a missing one.
    let foreign = client(
        &app,
        &theirs,
        json!({ "name": "Theirs", "email": "t@example.com" }),
    )
    .await;
    let (_, their_link) = app
        .post(
            &theirs,
            &format!("/api/v1/clients/{foreign}/portal-links"),
            json!({}),
        )
        .await;
    let tl = their_link["id"].as_str().unwrap();
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/clients/{foreign}/portal-links"),
            Some(json!({})),
        ),
        (
            Method::GET,
            format!("/api/v1/clients/{foreign}/portal-links"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/clients/{foreign}/portal-links/{tl}"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/clients/{nomail}/portal-links/{tl}"),
            None,
        ),
    ] {
        let (s, e) = app.api(&owner, method, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {e}");
    }
    let (s, _) = app
        .post(
            &theirs,
            &format!("/api/v1/clients/{foreign}/portal-links"),
            json!({ "contact_id": contact["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
