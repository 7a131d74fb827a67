//! The pages: every one renders for the owner, carries the security headers,
//! and shows each person only what their role allows. Plus the API document.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_page_renders_with_security_headers() {
    let app = TestApp::spawn().await;
    darkroom_core::demo::fill(&app.core).await.unwrap();
    let owner = app.studio("Pages").await;
    for path in darkroom_server::web::page_paths()
        .into_iter()
        .filter(|p| !p.contains('{'))
    {
        let (s, html, h) = app.page(Some(&owner.session), path).await;
        if matches!(
            path,
            "/" | "/sign-out"
                | "/account/profile"
                | "/account/password"
                | "/account/tokens"
                | "/account/studio"
                | "/settings/email"
                | "/settings/photos"
                | "/settings/watermark"
                | "/settings/watermark/delete"
                | "/settings/payments/disconnect"
                | "/staging/assign"
                | "/resources/session-types"
        ) {
            continue;
        }
        assert!(
            s == StatusCode::OK || s == StatusCode::SEE_OTHER,
            "{path}: {s}"
        );
        if s == StatusCode::OK && !path.ends_with("/export") && !path.ends_with(".csv") {
            assert!(
                html.contains("<main id=\"main\">"),
                "{path} uses the layout: {html}"
            );
            assert!(
                html.contains("name=\"viewport\""),
                "{path} is set up for phones"
            );
        }
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
    }
    let (s, css, h) = app.page(None, "/assets/app.css").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.contains("@media"));
}

#[tokio::test]
async fn each_person_sees_only_what_their_role_allows() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Roles").await;
    let ph = app.member(&owner, "photographer", None).await;
    let (_, html, _) = app.page(Some(&ph.session), "/dashboard").await;
    for hidden in [
        "href=\"/roles\"",
        "href=\"/audit\"",
        "href=\"/operations\"",
        "href=\"/staff/invite\"",
    ] {
        assert!(
            !html.contains(hidden),
            "a photographer's menu has no {hidden}"
        );
    }
    assert!(html.contains("href=\"/branches\""));
    for path in [
        "/staff/invite",
        "/roles",
        "/audit",
        "/operations",
        "/roles/new",
        "/branches/new",
    ] {
        assert_eq!(
            app.page(Some(&ph.session), path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let (s, _, _) = app
        .form(
            &ph.session,
            "/settings",
            &[("version", "1"), ("name", "Hijacked")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html, _) = app.page(Some(&owner.session), "/dashboard").await;
    for shown in [
        "href=\"/roles\"",
        "href=\"/audit\"",
        "href=\"/operations\"",
        "href=\"/staff/invite\"",
    ] {
        assert!(html.contains(shown), "the owner's dashboard links {shown}");
    }
}

#[tokio::test]
async fn a_form_with_mistakes_is_shown_again_with_messages() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Forms").await;
    let (s, html, _) = app
        .form(
            &owner.session,
            "/branches/new",
            &[
                ("name", ""),
                ("currency", "DOUBLOONS"),
                ("tax_id_kind", "gstin"),
                ("tax_id", "bad"),
                ("city", "Pune"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("the branch name is required"));
    assert!(html.contains("ISO 4217"));
    assert!(html.contains("is not a GSTIN"));
    assert!(html.contains("value=\"Pune\""), "what was typed is kept");
    assert!(html.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn the_openapi_document_and_reference_describe_every_route() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let spec: serde_json::Value = res.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut routes: Vec<String> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    insta::assert_snapshot!("api_routes", routes.join("\n"));
    let problem = &spec["components"]["schemas"]["Problem"];
    assert!(problem["properties"]["code"].is_object());
    let (s, html, _) = app.page(None, "/api/docs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("branches&#x2f;{branch_id}"), "{html}");
    assert!(html.contains("BranchView"));
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.page(None, "/healthz").await.1, "ok");
    assert_eq!(app.page(None, "/readyz").await.1, "ready");
    let _ = app.page(None, "/sign-in").await;
    let (s, text, _) = app.page(None, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("darkroom_http_requests_total"), "{text}");
}

#[tokio::test]
async fn demo_data_fills_an_empty_instance_once() {
    let app = TestApp::spawn().await;
    let report = darkroom_core::demo::fill(&app.core).await.unwrap();
    assert!(report.accounts.len() >= 7);
    assert!(matches!(
        darkroom_core::demo::fill(&app.core).await,
        Err(darkroom_core::CoreError::Conflict { .. })
    ));
    let owner_email = &report.accounts[0].1;
    let session = darkroom_core::studio::auth::sign_in(
        &app.core,
        owner_email,
        &report.password,
        &darkroom_core::Meta::system(),
    )
    .await
    .unwrap();
    let (s, html, _) = app.page(Some(&session.token), "/branches").await;
    assert_eq!(s, StatusCode::OK);
    for b in ["Bengaluru", "Mumbai", "Seoul"] {
        assert!(html.contains(b), "demo branch {b}");
    }
    let (_, html, _) = app.page(Some(&session.token), "/staff").await;
    assert!(
        html.contains("status-invited") && html.contains("status-suspended"),
        "the demo shows every state"
    );
    let (_, html, _) = app
        .page(Some(&session.token), "/audit?event_type=staff.invited")
        .await;
    assert!(html.contains("staff.invited"), "{html}");
    // A week of bookings across the three branches.
    // The week of the day after tomorrow always holds some of them (the
    // demo books from tomorrow on, Sundays off).
    let soon = app
        .clock_now()
        .plus(std::time::Duration::from_secs(2 * 86_400));
    let date = darkroom_domain::booking::calendar::today(soon, "Asia/Kolkata");
    let (_, html, _) = app
        .page(Some(&session.token), &format!("/calendar?date={date}"))
        .await;
    assert!(html.matches("class=\"cal-item").count() >= 4, "{html}");
    let (_, html, _) = app.page(Some(&session.token), "/resources").await;
    for r in ["Studio A", "Bandra studio", "Hanok suite", "Canon EOS R5"] {
        assert!(html.contains(r), "demo resource {r}");
    }
    // Organisations keep documents: one certificate running out soon, a
    // W-9 still asked for.
    use darkroom_db::sea_orm::EntityTrait;
    let docs = darkroom_db::entity::client_document::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(docs.iter().any(|d| d.file_key.is_none()), "a W-9 asked for");
    let soon = docs
        .iter()
        .filter(|d| d.kind == darkroom_domain::document::DocumentKind::Insurance)
        .min_by_key(|d| d.expires_on.clone())
        .expect("a certificate of insurance");
    let client = <darkroom_domain::ClientId as darkroom_domain::TypedId>::from_uuid(soon.client_id);
    let (_, html, _) = app
        .page(Some(&session.token), &format!("/clients/{client}"))
        .await;
    assert!(
        html.contains("1 missing") && html.contains("1 expiring"),
        "{html}"
    );
}

/// The share page's link form keeps what was typed when it is refused,
/// marks the field at fault in its own section (not the terms'), and names
/// fields as the page does.
#[tokio::test]
async fn the_share_form_keeps_its_values_and_marks_the_bad_field() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Share Forms").await;
    let gallery = app.gallery(&owner, "Lee wedding").await;
    let path = format!("/galleries/{gallery}/sharing/links");
    let (s, html, _) = app
        .form(
            &owner.session,
            &path,
            &[
                ("purpose", "proofing"),
                ("kind", "general"),
                ("label", "Lee family"),
                ("email", "lee@example.com"),
                ("favourite", "1"),
                ("download", "web"),
                ("download_limit", "7"),
                ("expires_on", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    for kept in [
        "value=\"Lee family\"",
        "value=\"lee@example.com\"",
        "value=\"7\"",
        "value=\"2001-01-01\"",
        "<option value=\"general\" selected>",
        "<option value=\"web\" selected>",
    ] {
        assert!(html.contains(kept), "the form lost `{kept}`");
    }
    assert!(
        !html.contains("name=\"comment\" value=\"1\" checked"),
        "an unticked box stays unticked"
    );
    let link_form = &html[html.find("id=\"share-h\"").unwrap()..];
    assert!(
        link_form.contains("id=\"e-l-expires_on\""),
        "the expiry is marked"
    );
    assert!(link_form.contains("is not in the future"));
    let terms = &html[html.find("id=\"terms-h\"").unwrap()..html.find("id=\"share-h\"").unwrap()];
    assert!(
        !terms.contains("role=\"alert\""),
        "the terms section has no banner of the link form's"
    );

    let (s, html, _) = app
        .form(
            &owner.session,
            &path,
            &[("purpose", "proofing"), ("label", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("the name or group the link is for is required"),
        "{html}"
    );
    assert!(
        !html.contains("the label"),
        "the message names the field as the form does"
    );
}

/// The staff home is the studio's day: a client's submitted selection is
/// waiting to be edited, and what the client did reads as a sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_shows_what_needs_someone_and_what_clients_did() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Home Studio").await;
    let (_, html, _) = app.page(Some(&owner.session), "/dashboard").await;
    assert!(html.contains("Nothing is waiting"), "{html}");
    let (gallery, photos) =
        crate::sharing::gallery_with_photos(&app, &owner, "Park wedding", 2).await;
    let created = crate::sharing::link(
        &app,
        &owner,
        &gallery,
        serde_json::json!({ "label": "Jisoo", "rights": ["favourite"] }),
    )
    .await;
    let guest = crate::sharing::open(&app, created["url"].as_str().unwrap()).await;
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            serde_json::json!({ "favourite": true }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = guest.post("/submit", serde_json::json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.drain_jobs().await;
    let (s, html, _) = app.page(Some(&owner.session), "/dashboard").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("A submitted selection to edit"), "{html}");
    assert!(
        html.contains("Jisoo sent their selection for Park wedding"),
        "{html}"
    );
    assert!(
        html.contains("Jisoo chose IMG_0000.jpg in Park wedding"),
        "{html}"
    );
    assert!(
        html.contains("aria-current=\"page\""),
        "the menu marks the page"
    );
    assert!(!html.contains("auth.signed_in"), "no raw event codes");
    let html = html.replace("&#x2f;", "/");
    assert!(
        photos
            .iter()
            .any(|p| html.contains(&format!("/media/photos/{p}/thumb"))),
        "a gallery without a chosen cover shows its first photo: {html}"
    );
}

/// Studio settings refused for one field keep every other field as typed,
/// and offer pickers for the zone, the language and the colour.
#[tokio::test]
async fn settings_keep_what_was_typed_and_offer_pickers() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Settings Studio").await;
    let (s, html, _) = app.page(Some(&owner.session), "/settings").await;
    assert_eq!(s, StatusCode::OK);
    // The templates write `/` in values as `&#x2f;`.
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains("<datalist id=\"zones\">") && html.contains("<option value=\"Asia/Seoul\">")
    );
    assert!(html.contains("type=\"color\""), "a colour picker");
    assert!(html.contains("한국어 (Korean)"), "a language picker");
    let (s, html, _) = app
        .form(
            &owner.session,
            "/settings",
            &[
                ("version", "1"),
                ("name", "Renamed Studio"),
                ("currency", "DOUBLOONS"),
                ("time_zone", "Asia/Seoul"),
                ("locale", "ko-KR"),
                ("accent_colour", "#336699"),
                ("logo_text", "Renamed"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains("ISO 4217"), "the currency is marked");
    for kept in [
        "value=\"Renamed Studio\"",
        "value=\"DOUBLOONS\"",
        "value=\"Asia/Seoul\"",
        "value=\"#336699\"",
        "value=\"Renamed\"",
        "<option value=\"ko-KR\" selected>",
    ] {
        assert!(html.contains(kept), "the settings form lost `{kept}`");
    }
}

/// A photo's page shows what each client said about it: hearts, ratings,
/// notes and edit requests, by the link's name; another photo shows none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_photo_page_shows_the_clients_hearts_and_notes() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Notes Studio").await;
    let (gallery, photos) =
        crate::sharing::gallery_with_photos(&app, &owner, "Garden party", 2).await;
    let created = crate::sharing::link(
        &app,
        &owner,
        &gallery,
        serde_json::json!({ "label": "Mina and Joon", "rights": ["favourite", "comment", "edits"] }),
    )
    .await;
    let guest = crate::sharing::open(&app, created["url"].as_str().unwrap()).await;
    let (s, v) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            serde_json::json!({ "favourite": true, "rating": 4 }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for body in [
        serde_json::json!({ "kind": "edit_request", "body": "Please brighten the faces" }),
        serde_json::json!({ "body": "Our favourite of the day" }),
    ] {
        let (s, v) = guest
            .post(&format!("/photos/{}/notes", photos[0]), body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, html, _) = app
        .page(Some(&owner.session), &format!("/photos/{}", photos[0]))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("From the clients"), "{html}");
    assert!(html.contains("chose it"), "{html}");
    assert!(html.contains("rated it 4 of 5"), "{html}");
    assert!(html.contains("Please brighten the faces"), "{html}");
    assert!(html.contains("edit request"), "{html}");
    assert!(html.contains("Our favourite of the day"), "{html}");
    assert_eq!(
        html.matches("<strong>Mina and Joon</strong>").count(),
        3,
        "{html}"
    );
    let (_, other, _) = app
        .page(Some(&owner.session), &format!("/photos/{}", photos[1]))
        .await;
    assert!(
        !other.contains("From the clients"),
        "no feedback on the other photo"
    );
}
