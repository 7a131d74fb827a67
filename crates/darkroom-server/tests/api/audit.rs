//! The audit log: one entry per high-risk action, and edits found by
//! `darkroom audit verify`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_high_risk_action_writes_exactly_one_entry() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Audited").await;
    let st = owner.studio;
    let branch = app.branch(&owner, "Audited branch").await;
    let extra = app.branch(&owner, "Second").await;
    let m = app.member(&owner, "photographer", None).await;

    macro_rules! once {
        ($event:literal, $action:expr) => {{
            let before = app.audit_count(st, $event).await;
            let (s, v) = $action;
            assert!(s.is_success(), "{}: {s} {v}", $event);
            assert_eq!(
                app.audit_count(st, $event).await,
                before + 1,
                "exactly one `{}` entry",
                $event
            );
            v
        }};
    }
    let (_, studio) = app.get(&owner, "/api/v1/studio").await;
    once!(
        "studio.settings_changed",
        app.patch(
            &owner,
            "/api/v1/studio",
            json!({ "version": studio["version"], "locale": "en-GB" })
        )
        .await
    );
    let role = once!(
        "role.created",
        app.post(
            &owner,
            "/api/v1/roles",
            json!({ "name": "Retoucher", "permissions": ["branch.view"] })
        )
        .await
    );
    let rid = role["id"].as_str().unwrap().to_string();
    once!(
        "role.updated",
        app.patch(
            &owner,
            &format!("/api/v1/roles/{rid}"),
            json!({ "version": 1, "permissions": ["branch.view", "staff.view"] })
        )
        .await
    );
    let a = once!(
        "role.assigned",
        app.post(
            &owner,
            &format!("/api/v1/staff/{}/roles", m.user),
            json!({ "role_id": rid })
        )
        .await
    );
    once!(
        "role.unassigned",
        app.api(
            &owner,
            Method::DELETE,
            &format!(
                "/api/v1/staff/{}/roles/{}",
                m.user,
                a["id"].as_str().unwrap()
            ),
            None
        )
        .await
    );
    once!(
        "role.deleted",
        app.api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/roles/{rid}"),
            None
        )
        .await
    );
    let g = once!("grant.created", app.post(&owner, &format!("/api/v1/staff/{}/grants", m.user), json!({ "permission": "branch.edit", "resource_type": "branch", "resource_id": branch.to_string() })).await);
    once!(
        "grant.revoked",
        app.api(
            &owner,
            Method::DELETE,
            &format!(
                "/api/v1/staff/{}/grants/{}",
                m.user,
                g["id"].as_str().unwrap()
            ),
            None
        )
        .await
    );
    once!(
        "branch.deleted",
        app.api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/branches/{extra}"),
            None
        )
        .await
    );
    once!(
        "branch.restored",
        app.post(
            &owner,
            &format!("/api/v1/branches/{extra}/restore"),
            json!({})
        )
        .await
    );
    once!(
        "staff.suspended",
        app.post(
            &owner,
            &format!("/api/v1/staff/{}/suspend", m.user),
            json!({})
        )
        .await
    );
    once!(
        "staff.reactivated",
        app.post(
            &owner,
            &format!("/api/v1/staff/{}/reactivate", m.user),
            json!({})
        )
        .await
    );
    once!(
        "staff.deleted",
        app.api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/staff/{}", m.user),
            None
        )
        .await
    );
    once!(
        "staff.restored",
        app.post(
            &owner,
            &format!("/api/v1/staff/{}/restore", m.user),
            json!({})
        )
        .await
    );
    let asst = app.role_id(&owner, "assistant").await.to_string();
    once!(
        "staff.invited",
        app.post(
            &owner,
            "/api/v1/staff",
            json!({ "email": "audited@x.test", "name": "Audited", "role_id": asst })
        )
        .await
    );
    once!(
        "audit.exported",
        app.get(&owner, "/api/v1/audit/export").await
    );
    let before = app.audit_count(st, "token.created").await;
    let t = app.refresh_token(&owner).await;
    assert_eq!(app.audit_count(st, "token.created").await, before + 1);
    let (_, tokens) = app.get(&t, "/api/v1/tokens").await;
    let old = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["revoked_at"].is_null() && x["id"] != tokens[0]["id"])
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    once!(
        "token.revoked",
        app.api(&t, Method::DELETE, &format!("/api/v1/tokens/{old}"), None)
            .await
    );
    let before = app.audit_count(st, "auth.signed_in").await;
    darkroom_core::studio::auth::sign_in(
        &app.core,
        &owner.email,
        PASSWORD,
        &darkroom_core::Meta::system(),
    )
    .await
    .unwrap();
    assert_eq!(app.audit_count(st, "auth.signed_in").await, before + 1);
    let before = app.audit_count(st, "auth.sign_in_failed").await;
    assert!(
        darkroom_core::studio::auth::sign_in(
            &app.core,
            &owner.email,
            "wrong password!",
            &darkroom_core::Meta::system()
        )
        .await
        .is_err()
    );
    assert_eq!(app.audit_count(st, "auth.sign_in_failed").await, before + 1);

    // The log is readable with filters, newest first, and paginates.
    let (s, page) = app
        .get(&t, "/api/v1/audit?event_type=staff.&severity=high&limit=2")
        .await;
    assert_eq!(s, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["seq"].as_i64() > items[1]["seq"].as_i64());
    assert!(
        items
            .iter()
            .all(|e| e["event_type"].as_str().unwrap().starts_with("staff."))
    );
    let (_, next) = app
        .get(
            &t,
            &format!(
                "/api/v1/audit?event_type=staff.&severity=high&limit=2&cursor={}",
                page["next_cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert!(next["items"][0]["seq"].as_i64() < items[1]["seq"].as_i64());
}

fn verify(app: &TestApp) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_darkroom"))
        .args(["audit", "verify"])
        .env("DARKROOM_DATABASE_URL", &app.test_db.url)
        .env("DARKROOM_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn audit_verify_detects_a_row_edited_in_the_database() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Tamper").await;
    app.branch(&owner, "One").await;
    app.branch(&owner, "Two").await;
    let (code, out) = verify(&app);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit log intact"), "{out}");
    use darkroom_db::sea_orm::ConnectionTrait;
    app.db.conn().execute_unprepared("UPDATE audit_log SET actor_label = 'someone else' WHERE event_type = 'branch.created' AND seq = (SELECT MIN(seq) FROM audit_log WHERE event_type = 'branch.created')").await.unwrap();
    let (code, out) = verify(&app);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TAMPERED") && out.contains("edited"), "{out}");
}
