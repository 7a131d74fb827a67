//! Clients are a complete record: added, found by name, email or phone,
//! edited with a version, deleted and restored, through the API and the
//! staff pages alike; another studio's client answers like a missing one.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_client_is_found_edited_deleted_and_restored() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, mina) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Mina Kim", "email": "mina@example.com", "phone": "+82 10-1234-5678" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mina}");
    app.post(&owner, "/api/v1/clients", json!({ "name": "Joon Park" }))
        .await;
    let id = mina["id"].as_str().unwrap();

    // Found by part of the name, of the email, or the phone's digits however typed.
    for q in ["mina", "EXAMPLE.com", "1012345678", "10-1234"] {
        let (s, found) = app.get(&owner, &format!("/api/v1/clients?q={q}")).await;
        assert_eq!(s, StatusCode::OK, "{found}");
        let names: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Mina Kim"], "{q}");
    }

    // Edited with its version; a stale version gets 409 with the current client.
    let (s, edited) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}"),
            json!({ "version": mina["version"], "name": "Mina Kim-Park", "email": "", "kind": "person" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["name"], "Mina Kim-Park");
    assert_eq!(edited["email"], serde_json::Value::Null, "\"\" clears it");
    assert_eq!(edited["version"], mina["version"].as_i64().unwrap() + 1);
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}"),
            json!({ "version": mina["version"], "name": "Lost write" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["current"]["name"], "Mina Kim-Park");
    let (s, bad) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}"),
            json!({ "version": edited["version"], "name": "  ", "email": "not-an-email" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"email"),
        "{bad}"
    );

    // Deleted: gone from lists and lookups, listed among the deleted, restorable.
    let (s, deleted) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/clients/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{deleted}");
    assert!(deleted["deleted_at"].is_string());
    let (s, _) = app.get(&owner, &format!("/api/v1/clients/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let (_, gone) = app.get(&owner, "/api/v1/clients?deleted=true").await;
    assert_eq!(gone[0]["id"], id);
    let (s, again) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/clients/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    let (s, restored) = app
        .post(&owner, &format!("/api/v1/clients/{id}/restore"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{restored}");
    assert_eq!(restored["deleted_at"], serde_json::Value::Null);
    assert!(app.audit_count(owner.studio, "client.deleted").await == 1);
    assert!(app.audit_count(owner.studio, "client.restored").await == 1);
    assert!(app.audit_count(owner.studio, "client.updated").await == 1);

    // Another studio's client is a missing one, for every verb.
    let other = app.studio("Other").await;
    let path = format!("/api/v1/clients/{id}");
    let (s, _) = app.get(&other, &path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .patch(&other, &path, json!({ "version": 1, "name": "x" }))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::DELETE, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(&other, &format!("{path}/restore"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, theirs) = app.get(&other, "/api/v1/clients?q=mina").await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_client_pages_list_search_edit_and_delete() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, html, _) = app.page(Some(&owner.session), "/clients").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No clients yet"), "{html}");

    let (s, _, h) = app
        .form(
            &owner.session,
            "/clients/new",
            &[
                ("kind", "organisation"),
                ("name", "Hanbit Studio Co."),
                ("email", "hello@hanbit.example"),
                ("phone", "+82 2 555 0199"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/clients/cli_") && to.contains("flash=client_added"),
        "{to}"
    );
    let client_path = to.split('?').next().unwrap().to_string();

    let (_, html, _) = app.page(Some(&owner.session), "/clients?q=5550199").await;
    assert!(html.contains("Hanbit Studio Co."), "found by phone: {html}");
    let (_, html, _) = app.page(Some(&owner.session), "/clients?q=nobody").await;
    assert!(html.contains("No clients match"), "{html}");

    // A bad edit shows the form again with the field marked.
    let (_, page, _) = app.page(Some(&owner.session), &to).await;
    assert!(page.contains("Client added."), "{page}");
    let (s, html, _) = app
        .form(
            &owner.session,
            &client_path,
            &[
                ("version", "1"),
                ("kind", "organisation"),
                ("name", ""),
                ("email", "x"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let (s, _, h) = app
        .form(
            &owner.session,
            &client_path,
            &[
                ("version", "1"),
                ("kind", "organisation"),
                ("name", "Hanbit Co."),
                ("email", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().contains("client_saved"));

    let (s, _, h) = app
        .form(
            &owner.session,
            &format!("{client_path}/delete"),
            &[("version", "2")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        h["location"]
            .to_str()
            .unwrap()
            .starts_with("/clients?flash=client_deleted")
    );
    let (_, html, _) = app.page(Some(&owner.session), "/clients").await;
    assert!(!html.contains("Hanbit Co."), "{html}");
    let (_, html, _) = app
        .page(Some(&owner.session), "/clients?deleted=true")
        .await;
    assert!(html.contains("Hanbit Co."), "{html}");
    let (s, html, _) = app.page(Some(&owner.session), &client_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Restore client"), "{html}");
    let (s, _, h) = app
        .form(
            &owner.session,
            &format!("{client_path}/restore"),
            &[("version", "3")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().contains("client_restored"));

    // Another studio's staff get the page a missing client gets.
    let other = app.studio("Other").await;
    let (s, _, _) = app.page(Some(&other.session), &client_path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn names(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn clients_are_tagged_and_found_by_a_tag_within_their_studio_only() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Elsewhere").await;
    let (s, mina) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Mina Kim", "tags": [" Wedding ", "VIP", "wedding", "under_30"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mina}");
    assert_eq!(mina["tags"], json!(["wedding", "vip", "under_30"]));
    app.post(
        &owner,
        "/api/v1/clients",
        json!({ "name": "Acme Corp", "kind": "organisation", "tags": ["corporate"] }),
    )
    .await;
    // `_` and `%` in a tag are characters, not LIKE wildcards.
    app.post(
        &owner,
        "/api/v1/clients",
        json!({ "name": "Under 30", "tags": ["under-30", "50% off"] }),
    )
    .await;
    app.post(
        &other,
        "/api/v1/clients",
        json!({ "name": "Not yours", "tags": ["wedding"] }),
    )
    .await;

    for (tag, want) in [
        ("wedding", vec!["Mina Kim"]),
        ("WEDDING", vec!["Mina Kim"]),
        ("corporate", vec!["Acme Corp"]),
        ("under_30", vec!["Mina Kim"]),
        ("wed", vec![]),
        ("50%25%20off", vec!["Under 30"]),
        ("%25", vec![]),
    ] {
        let (s, found) = app.get(&owner, &format!("/api/v1/clients?tag={tag}")).await;
        assert_eq!(s, StatusCode::OK, "{found}");
        assert_eq!(names(&found), want, "{tag}");
    }
    let (_, theirs) = app.get(&other, "/api/v1/clients?tag=wedding").await;
    assert_eq!(names(&theirs), ["Not yours"]);

    // A patch replaces the list; `[]` removes them all.
    let id = mina["id"].as_str().unwrap();
    let (s, edited) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}"),
            json!({ "version": mina["version"], "tags": ["repeat   client"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["tags"], json!(["repeat client"]));
    let (_, found) = app.get(&owner, "/api/v1/clients?tag=wedding").await;
    assert_eq!(names(&found), Vec::<&str>::new());

    // A bad tag is refused, naming the field and the character.
    let (s, bad) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}"),
            json!({ "version": edited["version"], "tags": ["a|b"] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "tags", "{bad}");
    assert!(
        bad["errors"][0]["message"].as_str().unwrap().contains('|'),
        "{bad}"
    );
    let (s, bad) = app.get(&owner, "/api/v1/clients?tag=a%7Cb").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "tag", "{bad}");
}

#[tokio::test]
async fn the_client_pages_edit_and_filter_by_tags() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, _, h) = app
        .form(
            &owner.session,
            "/clients/new",
            &[
                ("kind", "person"),
                ("name", "Ari Lee"),
                ("tags", "Wedding, 2027 season"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    let (_, page, _) = app.page(Some(&owner.session), &to).await;
    assert!(page.contains(r#"value="wedding, 2027 season""#), "{page}");
    assert!(
        page.contains(r#"href="/clients?tag=2027%20season""#),
        "{page}"
    );

    let (_, html, _) = app
        .page(Some(&owner.session), "/clients?tag=2027%20season")
        .await;
    assert!(
        html.contains("Ari Lee") && html.contains("Tagged"),
        "{html}"
    );
    let (_, html, _) = app
        .page(Some(&owner.session), "/clients?tag=corporate")
        .await;
    assert!(html.contains("No clients match"), "{html}");

    // A bad tag shows the form again with the field marked.
    let path = to.split('?').next().unwrap();
    let (s, html, _) = app
        .form(
            &owner.session,
            path,
            &[
                ("version", "1"),
                ("kind", "person"),
                ("name", "Ari Lee"),
                ("tags", "ok, a|b"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("e-f-tags") && html.contains("`|`"), "{html}");
}
