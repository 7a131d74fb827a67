//! The role x action matrix, contextual grants that expire, revocation on the
//! very next request, and the rules that stop people granting themselves
//! rights or demoting the owner.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, Who};

/// What each built-in role may do, as the product defines it. `true`:
/// allowed (2xx); `false`: 403.
const MATRIX: &[(&str, [bool; 6])] = &[
    //                     owner  manager photog editor assist accountant
    ("read studio", [true, true, true, true, true, true]),
    ("edit studio", [true, true, false, false, false, false]),
    ("list branches", [true, true, true, true, true, true]),
    ("create branch", [true, true, false, false, false, false]),
    ("edit branch", [true, true, false, false, false, false]),
    ("list staff", [true, true, true, true, false, true]),
    ("invite staff", [true, true, false, false, false, false]),
    ("list roles", [true, true, false, false, false, false]),
    ("create role", [true, false, false, false, false, false]),
    ("read audit", [true, true, false, false, false, true]),
    ("export audit", [true, false, false, false, false, true]),
    ("list jobs", [true, true, false, false, false, false]),
];

const ROLES: [&str; 6] = [
    "owner",
    "manager",
    "photographer",
    "editor",
    "assistant",
    "accountant",
];

async fn attempt(app: &TestApp, who: &Who, action: &str, branch: &str, n: usize) -> StatusCode {
    let (_, studio) = app.get(who, "/api/v1/studio").await;
    let (_, b) = app.get(who, &format!("/api/v1/branches/{branch}")).await;
    let role_id = app.role_id(who, "assistant").await.to_string();
    let (s, _) = match action {
        "read studio" => app.get(who, "/api/v1/studio").await,
        "edit studio" => {
            app.patch(
                who,
                "/api/v1/studio",
                json!({ "version": studio["version"], "locale": "en-GB" }),
            )
            .await
        }
        "list branches" => app.get(who, "/api/v1/branches").await,
        "create branch" => {
            app.post(
                who,
                "/api/v1/branches",
                json!({ "name": format!("New {n}"), "invoice_prefix": format!("N{n}-") }),
            )
            .await
        }
        "edit branch" => {
            app.patch(
                who,
                &format!("/api/v1/branches/{branch}"),
                json!({ "version": b["version"], "phone": "+91 98765 43210" }),
            )
            .await
        }
        "list staff" => app.get(who, "/api/v1/staff").await,
        "invite staff" => {
            app.post(
                who,
                "/api/v1/staff",
                json!({ "email": format!("new{n}@x.test"), "name": "New", "role_id": role_id }),
            )
            .await
        }
        "list roles" => app.get(who, "/api/v1/roles").await,
        "create role" => {
            app.post(
                who,
                "/api/v1/roles",
                json!({ "name": format!("Role {n}"), "permissions": ["branch.view"] }),
            )
            .await
        }
        "read audit" => app.get(who, "/api/v1/audit").await,
        "export audit" => app.get(who, "/api/v1/audit/export").await,
        "list jobs" => app.get(who, "/api/v1/jobs").await,
        other => panic!("unknown action {other}"),
    };
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_may_do_exactly_what_the_matrix_says() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Matrix").await;
    let branch = app.branch(&owner, "Main street").await.to_string();
    let mut people = vec![owner.clone()];
    for role in &ROLES[1..] {
        people.push(app.member(&owner, role, None).await);
    }
    let mut n = 0;
    for (action, allowed) in MATRIX {
        for (i, who) in people.iter().enumerate() {
            n += 1;
            let s = attempt(&app, who, action, &branch, n).await;
            if allowed[i] {
                assert!(
                    s.is_success(),
                    "{} should be able to {action}, got {s}",
                    ROLES[i]
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{} must not {action}", ROLES[i]);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_scoped_role_applies_only_to_its_branch() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Scoped").await;
    let mine = app.branch(&owner, "Mine").await;
    let other = app.branch(&owner, "Other").await;
    let m = app.member(&owner, "manager", Some(mine)).await;
    let (_, list) = app.get(&m, "/api/v1/branches").await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![mine.to_string()],
        "a branch manager lists only their branch"
    );
    let (_, b) = app.get(&m, &format!("/api/v1/branches/{mine}")).await;
    let (s, _) = app
        .patch(
            &m,
            &format!("/api/v1/branches/{mine}"),
            json!({ "version": b["version"], "name": "Mine, renamed" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .patch(
            &m,
            &format!("/api/v1/branches/{other}"),
            json!({ "version": 1, "name": "Not mine" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &m,
            "/api/v1/branches",
            json!({ "name": "Studio-wide needs a studio-wide role" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contextual_grants_expire_and_revocation_applies_on_the_next_request() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Grants").await;
    let b1 = app.branch(&owner, "Covered").await;
    let b2 = app.branch(&owner, "Uncovered").await;
    let ph = app.member(&owner, "photographer", None).await;
    let edit = |b: darkroom_domain::BranchId, name: &'static str| {
        let app = &app;
        let ph = ph.clone();
        async move {
            let (_, cur) = app.get(&ph, &format!("/api/v1/branches/{b}")).await;
            app.patch(
                &ph,
                &format!("/api/v1/branches/{b}"),
                json!({ "version": cur["version"], "name": name }),
            )
            .await
            .0
        }
    };
    assert_eq!(edit(b1, "x").await, StatusCode::FORBIDDEN);
    let expires = app.clock_now().plus(Duration::from_secs(3600));
    let (s, g) = app
        .post(&owner, &format!("/api/v1/staff/{}/grants", ph.user), json!({ "permission": "branch.edit", "resource_type": "branch", "resource_id": b1.to_string(), "expires_at": expires }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    // The photographer's token was created before the grant: scopes bound it.
    let ph = app.refresh_token(&ph).await;
    let edit = |b: darkroom_domain::BranchId, name: &'static str| {
        let app = &app;
        let ph = ph.clone();
        async move {
            let (_, cur) = app.get(&ph, &format!("/api/v1/branches/{b}")).await;
            app.patch(
                &ph,
                &format!("/api/v1/branches/{b}"),
                json!({ "version": cur["version"], "name": name }),
            )
            .await
            .0
        }
    };
    assert_eq!(edit(b1, "Covered, edited").await, StatusCode::OK);
    assert_eq!(edit(b2, "nope").await, StatusCode::FORBIDDEN);
    // An hour and a minute later the grant no longer applies.
    app.clock.advance(Duration::from_secs(3660));
    assert_eq!(edit(b1, "too late").await, StatusCode::FORBIDDEN);

    // A fresh grant, revoked: the very next request is refused.
    let (s, g) = app
        .post(&owner, &format!("/api/v1/staff/{}/grants", ph.user), json!({ "permission": "branch.edit", "resource_type": "branch", "resource_id": b2.to_string() }))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(edit(b2, "granted").await, StatusCode::OK);
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!(
                "/api/v1/staff/{}/grants/{}",
                ph.user,
                g["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(edit(b2, "revoked").await, StatusCode::FORBIDDEN);

    // A role taken away: the next request is refused too.
    let m = app.member(&owner, "manager", None).await;
    let (s, _) = app.get(&m, "/api/v1/audit").await;
    assert_eq!(s, StatusCode::OK);
    let (_, staff) = app.get(&owner, &format!("/api/v1/staff/{}", m.user)).await;
    let assignment = staff["roles"][0]["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/staff/{}/roles/{assignment}", m.user),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&m, "/api/v1/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_grants_themselves_rights_or_demotes_the_owner() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Guarded").await;
    let branch = app.branch(&owner, "Somewhere").await;
    // A manager who may also manage roles, but holds no audit export.
    let (s, admin_role) = app
        .post(&owner, "/api/v1/roles", json!({ "name": "Access admin", "permissions": ["role.view", "role.manage", "staff.view", "staff.suspend", "staff.delete"] }))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let m = app.member(&owner, "manager", None).await;
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/roles", m.user),
            json!({ "role_id": admin_role["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let m = app.refresh_token(&m).await;
    let ph = app.member(&owner, "photographer", None).await;

    // Not to themselves, in any form.
    let manager_role = app.role_id(&owner, "manager").await.to_string();
    let (s, v) = app
        .post(
            &m,
            &format!("/api/v1/staff/{}/roles", m.user),
            json!({ "role_id": manager_role, "branch_id": branch.to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app.post(&m, &format!("/api/v1/staff/{}/grants", m.user), json!({ "permission": "audit.export", "resource_type": "branch", "resource_id": branch.to_string() })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Not permissions they lack, to anyone.
    let accountant = app.role_id(&owner, "accountant").await.to_string();
    let (s, v) = app
        .post(
            &m,
            &format!("/api/v1/staff/{}/roles", ph.user),
            json!({ "role_id": accountant }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("audit.export"));
    let (s, _) = app
        .post(
            &m,
            "/api/v1/roles",
            json!({ "name": "Escalate", "permissions": ["audit.export"] }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, r) = app
        .get(
            &m,
            &format!("/api/v1/roles/{}", admin_role["id"].as_str().unwrap()),
        )
        .await;
    let (s, _) = app
        .patch(
            &m,
            &format!("/api/v1/roles/{}", admin_role["id"].as_str().unwrap()),
            json!({ "version": r["version"], "permissions": ["role.manage", "audit.export"] }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // What they hold, they may give.
    let assistant = app.role_id(&owner, "assistant").await.to_string();
    let (s, _) = app
        .post(
            &m,
            &format!("/api/v1/staff/{}/roles", ph.user),
            json!({ "role_id": assistant }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // The owner cannot be demoted, suspended or deleted, nor the owner role given or edited.
    let owner_role = app.role_id(&owner, "owner").await.to_string();
    let (_, o) = app
        .get(&owner, &format!("/api/v1/staff/{}", owner.user))
        .await;
    let owner_assignment = o["roles"][0]["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &m,
            Method::DELETE,
            &format!("/api/v1/staff/{}/roles/{owner_assignment}", owner.user),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &m,
            &format!("/api/v1/staff/{}/suspend", owner.user),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .api(
            &m,
            Method::DELETE,
            &format!("/api/v1/staff/{}", owner.user),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &m,
            &format!("/api/v1/staff/{}/roles", ph.user),
            json!({ "role_id": owner_role }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/roles", ph.user),
            json!({ "role_id": owner_role }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "even the owner cannot hand out the owner role"
    );
    let (s, _) = app
        .patch(
            &owner,
            &format!("/api/v1/roles/{owner_role}"),
            json!({ "version": 1, "permissions": [] }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, o2) = app
        .get(&owner, &format!("/api/v1/staff/{}", owner.user))
        .await;
    assert_eq!(o2["is_owner"], true);
    assert_eq!(o2["status"], "active");
}

#[tokio::test]
async fn token_scopes_bound_what_a_token_can_do() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Scopes").await;
    let p = app.principal(&owner).await;
    let t = darkroom_core::studio::token::create(
        &app.core,
        &p,
        &darkroom_core::Meta::system(),
        darkroom_core::studio::token::NewToken {
            name: "read only".into(),
            scopes: vec!["branch.view".into()],
            expires_in_days: Some(darkroom_domain::field::Ranged(1)),
        },
    )
    .await
    .unwrap();
    let reader = Who {
        token: t.token,
        ..owner.clone()
    };
    let (s, _) = app.get(&reader, "/api/v1/branches").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(&reader, "/api/v1/branches", json!({ "name": "Nope" }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get(&reader, "/api/v1/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
