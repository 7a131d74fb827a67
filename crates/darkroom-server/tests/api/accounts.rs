//! People across studios (decision 0020): one studio never gains a hold on
//! a person's sign-in by inviting them, nobody takes over a colleague who
//! holds more than they do, and every route acting on a person (generated
//! from the route tables) refuses another studio and a lower role.

use std::collections::HashMap;

use darkroom_core::{Meta, studio::auth, studio::staff};
use darkroom_domain::TypedId;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, Who, body_for, csrf_of, fill, params_of};

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// The person's sessions and tokens still work.
async fn sessions_alive(app: &TestApp, who: &Who) {
    let (s, me) = app.get(who, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let (s, _, _) = app.page(Some(&who.session), "/dashboard").await;
    assert_eq!(s, StatusCode::OK, "their browser session still works");
}

/// The person can still use their account: their sessions work and they can
/// sign in with their own password.
async fn still_theirs(app: &TestApp, who: &Who) {
    sessions_alive(app, who).await;
    auth::sign_in(&app.core, &who.email, PASSWORD, &Meta::system())
        .await
        .expect("their own password still signs them in");
}

/// The invitation link emailed to `to` (when an email server is set up).
async fn emailed_invitation(app: &TestApp, to: &str) -> String {
    let rows = darkroom_db::email::list(
        app.db.conn(),
        None,
        None,
        &darkroom_db::page::PageRequest::first(100),
    )
    .await
    .unwrap();
    let body = &rows
        .items
        .iter()
        .find(|e| e.kind == "staff_invite" && e.to_address == to)
        .expect("an invitation email")
        .body_text;
    let i = body.find("/invitations/").unwrap();
    let token: String = body[i + "/invitations/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("/invitations/{token}")
}

/// Invites `email` into `owner`'s studio as an editor; the answer.
async fn invite(app: &TestApp, owner: &Who, email: &str) -> Value {
    let role = app.role_id(owner, "editor").await.to_string();
    let (s, inv) = app
        .post(
            owner,
            "/api/v1/staff",
            json!({ "email": email, "name": "Someone", "role_id": role }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    inv
}

/// `who` joins `owner`'s studio too, accepting with their own password.
async fn joins(app: &TestApp, owner: &Who, who: &Who) -> Who {
    let inv = invite(app, owner, &who.email).await;
    app.accept(
        inv["invitation"]["invite_url"].as_str().unwrap(),
        &who.email,
        PASSWORD,
    )
    .await
}

/// The invitation page, with what differs by person (email, form token) blanked.
async fn invitation_page(app: &TestApp, url: &str, email: &str) -> String {
    let path = &url[url.find("/invitations/").unwrap()..];
    let (s, html, _) = app.page(None, path).await;
    assert_eq!(s, StatusCode::OK);
    let html = html.replace(email, "EMAIL");
    match csrf_of(&html) {
        Some(t) => html.replace(&t, "CSRF"),
        None => html,
    }
}

/// Defects 1 and 9: studio B invites studio A's owner. The answer looks like
/// any new invitation; B can neither reset the sign-in nor accept for them,
/// and the victim's sessions never end.
#[tokio::test]
async fn inviting_another_studios_owner_gives_no_hold_on_their_sign_in() {
    let app = TestApp::spawn().await;
    let a = app.studio("Alpha").await;
    let b = app.studio("Beta").await;
    let role = app.role_id(&b, "photographer").await.to_string();
    let before = jiff::Timestamp::now();
    let (s, known) = app
        .post(
            &b,
            "/api/v1/staff",
            json!({ "email": a.email, "name": "Victim", "role_id": role }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{known}");
    let (s, fresh) = app
        .post(
            &b,
            "/api/v1/staff",
            json!({ "email": "nobody-yet@new.test", "name": "Victim", "role_id": role }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{fresh}");

    // The answer does not depend on whether the address already signs in here.
    let id = known["staff"]["id"].as_str().unwrap();
    assert_ne!(id, a.user.to_string(), "A's person id must not be revealed");
    let minted = darkroom_domain::UserId::parse(id).unwrap().uuid();
    let (secs, _) = minted.get_timestamp().unwrap().to_unix();
    assert!(
        secs as i64 >= before.as_second() - 1,
        "the id is minted now, not when the sign-in was made"
    );
    let shape = |v: &Value| {
        let mut v = v.clone();
        for k in ["id", "email", "created_at", "updated_at"] {
            v["staff"][k] = Value::Null;
        }
        for k in ["id", "expires_at", "invite_url"] {
            v["invitation"][k] = Value::Null;
        }
        v["staff"]["roles"][0]["id"] = Value::Null;
        v["staff"]["roles"][0]["user_id"] = Value::Null;
        v["staff"]["roles"][0]["created_at"] = Value::Null;
        v
    };
    assert_eq!(shape(&known), shape(&fresh));

    // B cannot make a reset link: an invitation not accepted grants nothing.
    let (s, v) = app
        .post(&b, &format!("/api/v1/staff/{id}/reset-link"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v.get("reset_url").is_none());

    // B holds the invitation link (no email server) but cannot accept it
    // without A's owner's password, and guessing is throttled like sign-in.
    let url = known["invitation"]["invite_url"].as_str().unwrap();
    let mut refusals = Vec::new();
    for guess in 0..7 {
        let r = staff::accept_invitation(
            &app.core,
            token_of(url),
            Some(&format!("guessed password number {guess}")),
            &Meta::system(),
        )
        .await;
        refusals.push(r.expect_err("a wrong password is refused").code());
    }
    assert_eq!(refusals[0], "validation_failed");
    assert_eq!(refusals.last().copied(), Some("rate_limited"));
    sessions_alive(&app, &a).await;
    // Once the throttle's window has passed, their own password still works.
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    still_theirs(&app, &a).await;

    // The accepting page is the same for an existing sign-in and a new one.
    let fresh_url = fresh["invitation"]["invite_url"].as_str().unwrap();
    assert_eq!(
        invitation_page(&app, url, &a.email).await,
        invitation_page(&app, fresh_url, "nobody-yet@new.test").await
    );
}

/// Once the person accepts (with their own password), neither studio holds
/// the sign-in: no reset links, and one studio's suspension ends only its
/// own sessions.
#[tokio::test]
async fn a_person_of_two_studios_keeps_their_sign_in_to_themselves() {
    let app = TestApp::spawn().await;
    let a = app.studio("Alpha").await;
    let b = app.studio("Beta").await;
    let photographer = app.member(&a, "photographer", None).await;
    let in_b = joins(&app, &b, &photographer).await;
    assert_ne!(in_b.user, photographer.user, "each studio has its own id");

    for (owner, id) in [(&a, photographer.user), (&b, in_b.user)] {
        let (s, v) = app
            .post(owner, &format!("/api/v1/staff/{id}/reset-link"), json!({}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("another studio"));
    }
    let (s, v) = app
        .post(
            &b,
            &format!("/api/v1/staff/{}/suspend", in_b.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    still_theirs(&app, &photographer).await;
    let (s, _) = app.get(&in_b, "/api/v1/me").await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "B's own token of theirs is revoked"
    );
    let (s, v) = app
        .api(
            &b,
            Method::DELETE,
            &format!("/api/v1/staff/{}", in_b.user),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    still_theirs(&app, &photographer).await;
}

/// A reset link a studio made while it held the sign-in stops working when
/// the person joins another studio before using it.
#[tokio::test]
async fn a_studios_reset_link_stops_working_once_the_person_joins_another_studio() {
    let app = TestApp::spawn().await;
    let a = app.studio("Alpha").await;
    let b = app.studio("Beta").await;
    let assistant = app.member(&a, "assistant", None).await;
    let (s, link) = app
        .post(
            &a,
            &format!("/api/v1/staff/{}/reset-link", assistant.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    joins(&app, &b, &assistant).await;
    let r = auth::complete_password_reset(
        &app.core,
        token_of(link["reset_url"].as_str().unwrap()),
        "a brand new passphrase here",
        &Meta::system(),
    )
    .await;
    let e = r.expect_err("the studio no longer holds the sign-in");
    assert!(e.to_string().contains("another studio"), "{e}");
    still_theirs(&app, &assistant).await;
}

/// Defect 2: a manager without `audit.export` cannot take over the
/// accountant (who has it) through a reset link, but may still help a
/// photographer whose permissions they hold.
#[tokio::test]
async fn a_manager_cannot_reset_a_colleague_who_holds_more() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Alpha").await;
    let manager = app.member(&owner, "manager", None).await;
    let accountant = app.member(&owner, "accountant", None).await;
    let photographer = app.member(&owner, "photographer", None).await;
    let (s, v) = app
        .post(
            &manager,
            &format!("/api/v1/staff/{}/reset-link", accountant.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("audit.export"),
        "{v}"
    );
    let (s, _) = app.get(&manager, "/api/v1/audit/export").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    still_theirs(&app, &accountant).await;
    let (s, v) = app
        .post(
            &manager,
            &format!("/api/v1/staff/{}/reset-link", photographer.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Reset emails a person asks for themselves go through the instance's
/// email server when they work for several studios: one studio's own server
/// never carries the link to a sign-in it does not hold.
#[tokio::test]
async fn a_shared_persons_reset_email_never_goes_through_a_studios_own_server() {
    let app = TestApp::spawn_with(|c| {
        c.smtp = Some(darkroom_server::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port: 9,
            security: "none".into(),
            username: None,
            password: None,
            from_address: "instance@example.com".into(),
            from_name: "Darkroom".into(),
        })
    })
    .await;
    let a = app.studio("Alpha").await;
    let b = app.studio("Beta").await;
    app.unreachable_smtp(&b, "Beta's own server").await;
    let only_b_email = "only-beta@staff.test".to_string();
    for email in [&a.email, &only_b_email] {
        invite(&app, &b, email).await;
        let url = emailed_invitation(&app, email).await;
        app.accept(&url, email, PASSWORD).await;
    }
    for email in [&a.email, &only_b_email] {
        auth::request_password_reset(&app.core, email, &Meta::system())
            .await
            .unwrap();
    }
    app.drain_jobs().await;
    let rows = darkroom_db::email::list(
        app.db.conn(),
        None,
        None,
        &darkroom_db::page::PageRequest::first(100),
    )
    .await
    .unwrap();
    let studio_of = |to: &str| {
        rows.items
            .iter()
            .find(|e| e.kind == "password_reset" && e.to_address == to)
            .map(|e| e.studio_id)
    };
    assert_eq!(studio_of(&a.email), Some(None), "the instance's server");
    assert_eq!(
        studio_of(&only_b_email),
        Some(Some(b.studio.uuid())),
        "B holds this sign-in: its own server may carry the link"
    );
}

/// Everything a person can be acted on through (their account, standing,
/// reset links, roles, grants, tokens), generated from the OpenAPI document
/// and the page table: another studio's owner gets 404, a colleague lacking
/// one of the person's permissions gets 403, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_acting_on_a_person_refuses_another_studio_and_a_lower_role() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Alpha").await;
    let other = app.studio("Beta").await;
    let branch = app.branch(&owner, "Main").await.to_string();
    let target = app.member(&owner, "accountant", None).await;
    // Everything but `audit.export`, which the accountant holds.
    let all_but: Vec<&str> = darkroom_domain::permission::Permission::ALL
        .iter()
        .map(|p| p.name())
        .filter(|p| *p != "audit.export")
        .collect();
    let (s, role) = app
        .post(
            &owner,
            "/api/v1/roles",
            json!({ "name": "Almost everything", "permissions": all_but }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{role}");
    let lower = app
        .member_with_role(
            &owner,
            "almost",
            role["id"].as_str().unwrap().parse().unwrap(),
            None,
        )
        .await;
    let (s, grant) = app
        .post(&owner, &format!("/api/v1/staff/{}/grants", target.user), json!({ "permission": "branch.view", "resource_type": "branch", "resource_id": branch }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{grant}");
    let (_, before) = app
        .get(&owner, &format!("/api/v1/staff/{}", target.user))
        .await;
    let (_, tokens) = app.get(&target, "/api/v1/tokens").await;
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert("user_id".into(), target.user.to_string());
    ids.insert(
        "assignment_id".into(),
        before["roles"][0]["id"].as_str().unwrap().into(),
    );
    ids.insert("grant_id".into(), grant["id"].as_str().unwrap().into());
    ids.insert("token_id".into(), tokens[0]["id"].as_str().unwrap().into());
    let mut own: HashMap<&'static str, String> = HashMap::new();
    own.insert(
        "role_id",
        app.role_id(&owner, "photographer").await.to_string(),
    );
    own.insert("branch_id", branch.clone());

    let (_, spec) = app.get(&owner, "/api/v1/openapi.json").await;
    let mut checked = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let params = params_of(path);
        let on_person = params.iter().any(|p| p == "user_id" || p == "token_id");
        // A person's working hours, time off and busy calendars are the
        // calendar's, not their account's: `booking.manage` decides
        // (tests/api/bookings.rs, tests/api/calendar_imports.rs).
        let scheduling = path.ends_with("/hours")
            || path.contains("/time-off")
            || path.contains("/calendar-imports");
        if !on_person || scheduling {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if method == "get" {
                continue;
            }
            let m: Method = method.to_uppercase().parse().unwrap();
            let url = fill(path, &ids);
            let body = op
                .pointer("/requestBody/content/application~1json/schema")
                .map(|s| body_for(&spec, s, &own));
            let (s, v) = app.api(&lower, m.clone(), &url, body.clone()).await;
            let expected = if params.iter().any(|p| p == "token_id") {
                // Tokens are each person's own: another's answers like a missing one.
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(s, expected, "{method} {path} by a lower role: {v}");
            let (s, v) = app.api(&other, m, &url, body).await;
            assert_eq!(
                s,
                StatusCode::NOT_FOUND,
                "{method} {path} by another studio: {v}"
            );
            checked.push(format!("{method} {path}"));
        }
    }
    assert!(checked.len() >= 10, "only {checked:?}");

    // The same through the staff pages, as a browser posts them.
    let (_, html, _) = app.page(Some(&lower.session), "/account").await;
    let csrf = csrf_of(&html).unwrap();
    let (_, html, _) = app.page(Some(&other.session), "/account").await;
    let other_csrf = csrf_of(&html).unwrap();
    let actions = [
        "suspend",
        "reactivate",
        "delete",
        "restore",
        "resend",
        "reset-link",
        "roles",
        "grants",
    ];
    let mut page_checks = 0;
    for path in darkroom_server::web::page_paths() {
        // Availability pages are the calendar's: `booking.manage` decides.
        if !path.contains("{user_id}") || path.starts_with("/availability/") {
            continue;
        }
        let words: Vec<&str> = if path.contains("{action}") {
            actions.to_vec()
        } else {
            vec![""]
        };
        for word in words {
            let mut values = ids.clone();
            values.insert("action".into(), word.into());
            let url = fill(path, &values);
            let fields = [
                ("version", before["version"].to_string()),
                ("name", "Taken over".to_string()),
                ("time_zone", "UTC".to_string()),
                ("role_id", own["role_id"].clone()),
                ("permission", "branch.view".to_string()),
                ("resource_id", branch.clone()),
            ];
            for (who, token, expected) in [
                (&lower, &csrf, StatusCode::FORBIDDEN),
                (&other, &other_csrf, StatusCode::NOT_FOUND),
            ] {
                let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
                form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                let res = app
                    .http
                    .post(app.url(&url))
                    .header("cookie", format!("darkroom_session={}", who.session))
                    .header("origin", &app.base)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), expected, "POST {url}");
            }
            page_checks += 1;
        }
    }
    assert!(page_checks >= 10, "{page_checks}");

    // Nothing about the person changed, and no reset link was ever made.
    let (_, after) = app
        .get(&owner, &format!("/api/v1/staff/{}", target.user))
        .await;
    assert_eq!(before, after);
    still_theirs(&app, &target).await;
    assert_eq!(
        app.audit_count(owner.studio, "auth.reset_link_created")
            .await,
        0
    );
}
