//! Signing in and out: brute force, enumeration, session fixation, sessions
//! ending, CSRF, password resets and invitations through the pages.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, csrf_of, set_cookie};

/// The sign-in form's CSRF cookie and token.
async fn sign_in_form(app: &TestApp) -> (String, String) {
    let res = app.http.get(app.url("/sign-in")).send().await.unwrap();
    let cookie = set_cookie(res.headers(), "darkroom_csrf").unwrap();
    let html = res.text().await.unwrap();
    (cookie, csrf_of(&html).unwrap())
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    extra_cookie: Option<&str>,
) -> reqwest::Response {
    let (csrf_cookie, token) = sign_in_form(app).await;
    let mut cookie = format!("darkroom_csrf={csrf_cookie}");
    if let Some(c) = extra_cookie {
        cookie.push_str("; ");
        cookie.push_str(c);
    }
    app.http
        .post(app.url("/sign-in"))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .form(&[
            ("_csrf", token.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/branches"),
        ])
        .send()
        .await
        .unwrap()
}

fn alert_text(html: &str) -> String {
    let i = html.find("role=\"alert\"").unwrap_or(0);
    html[i..].split("</div>").next().unwrap_or("").to_string()
}

#[tokio::test]
async fn sign_in_works_and_a_wrong_password_or_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let res = sign_in(&app, &owner.email, PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/branches");
    assert!(
        set_cookie(res.headers(), "darkroom_session")
            .unwrap()
            .starts_with("drs_")
    );
    let cookie_line = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("darkroom_session="))
        .unwrap();
    assert!(
        cookie_line.contains("HttpOnly") && cookie_line.contains("SameSite=Lax"),
        "{cookie_line}"
    );

    let wrong = sign_in(&app, &owner.email, "not the password!", None).await;
    let unknown = sign_in(&app, "nobody@nowhere.test", "not the password!", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong.status());
    let (w, u) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(alert_text(&w), alert_text(&u), "same message for both");
    assert!(alert_text(&w).contains("email or password"));
    assert_eq!(
        app.audit_count(owner.studio, "auth.sign_in_failed").await,
        1
    );
}

#[tokio::test]
async fn brute_force_gets_429_for_known_and_unknown_accounts_alike() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    for email in [owner.email.as_str(), "ghost@nowhere.test"] {
        for i in 0..5 {
            let r = sign_in(&app, email, &format!("guess number {i}"), None).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let r = sign_in(&app, email, "guess number six", None).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert!(r.headers().contains_key("retry-after"));
    }
    // Even the right password waits out the window.
    assert_eq!(
        sign_in(&app, &owner.email, PASSWORD, None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    assert_eq!(
        sign_in(&app, &owner.email, PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_session_id_planted_before_sign_in_is_never_used() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    // An attacker's own valid session, planted in the victim's browser.
    let planted = owner.session.clone();
    let victim = app.member(&owner, "photographer", None).await;
    let res = sign_in(
        &app,
        &victim.email,
        PASSWORD,
        Some(&format!("darkroom_session={planted}")),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let issued = set_cookie(res.headers(), "darkroom_session").unwrap();
    assert_ne!(issued, planted, "sign-in issues a fresh session id");
    let p = darkroom_core::studio::auth::resolve_session(&app.core, &issued)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.user, victim.user);
    // A made-up id is simply not a session.
    let (s, _, h) = app
        .page(
            Some("drs_madeupmadeupmadeupmadeupmadeupmadeupmadeup"),
            "/dashboard",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().starts_with("/sign-in"));
}

#[tokio::test]
async fn sign_out_and_suspension_end_sessions_and_tokens() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let m = app.member(&owner, "manager", None).await;
    let (s, _, _) = app.page(Some(&m.session), "/dashboard").await;
    assert_eq!(s, StatusCode::OK);

    // Sign-out ends that session only.
    let other = sign_in(&app, &m.email, PASSWORD, None).await;
    let second = set_cookie(other.headers(), "darkroom_session").unwrap();
    let (s, _, _) = app.form(&second, "/sign-out", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(Some(&second), "/dashboard").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.page(Some(&m.session), "/dashboard").await.0,
        StatusCode::OK
    );

    // Suspension ends every session and token at once.
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/suspend", m.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        app.page(Some(&m.session), "/dashboard").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get(&m, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in(&app, &m.email, PASSWORD, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Reactivated, they sign in again (old tokens stay revoked).
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/reactivate", m.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        sign_in(&app, &m.email, PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get(&m, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    assert_eq!(
        app.page(Some(&owner.session), "/dashboard").await.0,
        StatusCode::OK
    );
    app.clock.advance(std::time::Duration::from_secs(13 * 3600));
    assert_eq!(
        app.page(Some(&owner.session), "/dashboard").await.0,
        StatusCode::SEE_OTHER,
        "idle for 13 h"
    );
}

#[tokio::test]
async fn cross_origin_and_tokenless_posts_are_rejected() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let (_, html, _) = app.page(Some(&owner.session), "/branches/new").await;
    let csrf = csrf_of(&html).unwrap();
    let post = |origin: Option<&'static str>, token: Option<String>| {
        let app = &app;
        let session = owner.session.clone();
        async move {
            let mut req = app
                .http
                .post(app.url("/branches/new"))
                .header("cookie", format!("darkroom_session={session}"));
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            let mut form = vec![("name".to_string(), "Forged".to_string())];
            if let Some(t) = token {
                form.push(("_csrf".into(), t));
            }
            req.form(&form).send().await.unwrap().status()
        }
    };
    assert_eq!(
        post(Some("https://evil.example"), None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some("https://evil.example"), Some(csrf.clone())).await,
        StatusCode::FORBIDDEN,
        "even with a token, another origin is refused"
    );
    assert_eq!(post(None, None).await, StatusCode::FORBIDDEN);
    assert_eq!(
        post(None, Some("forged".into())).await,
        StatusCode::FORBIDDEN
    );
    // A cookie-authenticated API write without the header is refused too.
    let res = app
        .http
        .post(app.url("/api/v1/branches"))
        .header("cookie", format!("darkroom_session={}", owner.session))
        .json(&json!({ "name": "Forged" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = app.get(&owner, "/api/v1/branches?q=forged").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing was created"
    );
    // The real form works.
    let (s, _, h) = app
        .form(
            &owner.session,
            "/branches/new",
            &[("name", "Genuine"), ("invoice_prefix", "GEN-")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        h["location"]
            .to_str()
            .unwrap()
            .starts_with("/branches/brn_")
    );
}

#[tokio::test]
async fn password_change_and_reset_end_other_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let other = set_cookie(
        sign_in(&app, &owner.email, PASSWORD, None).await.headers(),
        "darkroom_session",
    )
    .unwrap();
    let (s, _, _) = app
        .form(
            &owner.session,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(Some(&owner.session), "/dashboard").await.0,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        app.page(Some(&other), "/dashboard").await.0,
        StatusCode::SEE_OTHER,
        "the other one ended"
    );
    assert_eq!(
        app.audit_count(owner.studio, "auth.password_changed").await,
        1
    );

    // A reset link made by the owner for a colleague.
    let m = app.member(&owner, "editor", None).await;
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/reset-link", m.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let link = v["reset_url"].as_str().unwrap();
    let path = &link[link.find("/password-reset/").unwrap()..];
    let res = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = set_cookie(res.headers(), "darkroom_csrf").unwrap();
    let csrf = csrf_of(&res.text().await.unwrap()).unwrap();
    let submit = |pw: &'static str| {
        let (app, path, cookie, csrf) = (&app, path.to_string(), cookie.clone(), csrf.clone());
        async move {
            app.http
                .post(app.url(&path))
                .header("cookie", format!("darkroom_csrf={cookie}"))
                .header("origin", &app.base)
                .form(&[("_csrf", csrf.as_str()), ("password", pw)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(submit("short").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        submit("reset to this passphrase").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.page(Some(&m.session), "/dashboard").await.0,
        StatusCode::SEE_OTHER,
        "reset ends every session"
    );
    assert_eq!(
        submit("and again, reusing it").await,
        StatusCode::NOT_FOUND,
        "a reset link works once"
    );
    assert_eq!(
        sign_in(&app, &m.email, "reset to this passphrase", None)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn reset_requests_answer_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let ask = |email: String| {
        let app = &app;
        async move {
            let res = app
                .http
                .get(app.url("/password-reset"))
                .send()
                .await
                .unwrap();
            let cookie = set_cookie(res.headers(), "darkroom_csrf").unwrap();
            let csrf = csrf_of(&res.text().await.unwrap()).unwrap();
            let r = app
                .http
                .post(app.url("/password-reset"))
                .header("cookie", format!("darkroom_csrf={cookie}"))
                .header("origin", &app.base)
                .form(&[("_csrf", csrf.as_str()), ("email", email.as_str())])
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let known = ask(owner.email.clone()).await;
    let unknown = ask("nobody@nowhere.test".into()).await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, StatusCode::OK);
    // The lookup happens in a job; without SMTP nothing is sent, and no link is made.
    assert_eq!(app.drain_jobs().await, 2);
}

#[tokio::test]
async fn an_invitation_is_accepted_through_the_page_once() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Door").await;
    let role = app.role_id(&owner, "assistant").await.to_string();
    let (s, inv) = app
        .post(
            &owner,
            "/api/v1/staff",
            json!({ "email": "new.hire@staff.test", "name": "New Hire", "role_id": role }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["staff"]["status"], "invited");
    assert_eq!(inv["invitation"]["email_queued"], false);
    let url = inv["invitation"]["invite_url"].as_str().unwrap();
    let path = &url[url.find("/invitations/").unwrap()..];
    let res = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = set_cookie(res.headers(), "darkroom_csrf").unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Join Door"));
    let csrf = csrf_of(&html).unwrap();
    let accept = || {
        app.http
            .post(app.url(path))
            .header("cookie", format!("darkroom_csrf={cookie}"))
            .header("origin", &app.base)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("password", "my own good passphrase"),
            ])
            .send()
    };
    let r = accept().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(r.headers(), "darkroom_session").unwrap();
    let (s, html, _) = app.page(Some(&session), "/dashboard").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("New Hire"));
    assert_eq!(
        accept().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "an invitation works once"
    );
    let (_, who) = app
        .get(
            &owner,
            &format!("/api/v1/staff/{}", inv["staff"]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(who["status"], "active");
}

#[tokio::test]
async fn unauthenticated_endpoints_are_rate_limited() {
    let app = TestApp::spawn_with(|c| c.http.anonymous_per_minute = 20).await;
    let mut last = StatusCode::OK;
    for _ in 0..40 {
        last = app
            .http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Guessing link tokens hits a tighter limit.
    let app = TestApp::spawn_with(|c| c.http.anonymous_per_minute = 1000).await;
    let mut codes = Vec::new();
    for i in 0..120 {
        codes.push(
            app.http
                .get(app.url(&format!("/invitations/guess{i}")))
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert!(
        codes.iter().take(50).all(|c| *c == StatusCode::NOT_FOUND),
        "{codes:?}"
    );
    assert_eq!(*codes.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_set_up_page_creates_a_studio() {
    let app = TestApp::spawn().await;
    let link = darkroom_core::studio::setup::first_run_link(&app.core)
        .await
        .unwrap()
        .unwrap();
    let path = &link[link.find("/setup/").unwrap()..];
    let res = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = set_cookie(res.headers(), "darkroom_csrf").unwrap();
    let csrf = csrf_of(&res.text().await.unwrap()).unwrap();
    let form = [
        ("_csrf", csrf.as_str()),
        ("studio_name", "Set Up Here"),
        ("currency", "INR"),
        ("time_zone", "Asia/Kolkata"),
        ("locale", "en-IN"),
        ("owner_name", "Asha"),
        ("email", "asha@setup.test"),
        ("password", "short"),
    ];
    let post = |form: Vec<(&'static str, String)>| {
        let (app, path, cookie) = (&app, path.to_string(), cookie.clone());
        async move {
            app.http
                .post(app.url(&path))
                .header("cookie", format!("darkroom_csrf={cookie}"))
                .header("origin", &app.base)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let owned = |f: &[(&'static str, &str)]| {
        f.iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect::<Vec<_>>()
    };
    let r = post(owned(&form)).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a short password is refused"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("too short") && html.contains("value=\"Set Up Here\""),
        "{html}"
    );
    let mut good = owned(&form);
    good[7].1 = "a long enough passphrase".into();
    let r = post(good.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(r.headers(), "darkroom_session").is_some());
    assert_eq!(
        post(good).await.status(),
        StatusCode::UNAUTHORIZED,
        "the link works once"
    );
}

/// Defect 6: credentials that do not authenticate count as anonymous (and
/// as failed authentications): a made-up cookie or a Basic header buys no
/// way around the per-address limit, while a real token is not limited.
#[tokio::test]
async fn made_up_credentials_do_not_escape_the_anonymous_limit() {
    for (header, value) in [
        ("cookie", "darkroom_session=forged"),
        ("cookie", "darkroom_session=drs_forged_but_well_shaped"),
        ("authorization", "Basic anVuazpqdW5r"),
        ("authorization", "Bearer drk_made_up"),
    ] {
        // A fresh server: each case starts with the address's whole budget.
        let app = TestApp::spawn_with(|c| c.http.anonymous_per_minute = 20).await;
        let mut limited = false;
        for _ in 0..25 {
            let res = app
                .http
                .get(app.url("/api/v1/openapi.json"))
                .header(header, value)
                .send()
                .await
                .unwrap();
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = true;
                break;
            }
        }
        assert!(
            limited,
            "{header}: {value} must be limited like anonymous requests"
        );
    }
    // A real token is never limited as anonymous.
    let app = TestApp::spawn_with(|c| c.http.anonymous_per_minute = 20).await;
    let owner = app.studio("Door").await;
    for _ in 0..40 {
        let (s, _) = app.get(&owner, "/api/v1/me").await;
        assert_eq!(s, StatusCode::OK);
    }
}
