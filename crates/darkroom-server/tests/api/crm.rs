//! The CRM: people, couples and organisations with contacts, addresses and
//! a billing profile; phones in E.164; a search that forgives typos; a
//! duplicate offered instead of added; a merge and its undo. Another
//! studio's clients are never found, merged or changed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

async fn search(app: &TestApp, who: &Who, q: &str) -> Vec<String> {
    let (s, found) = app
        .get(who, &format!("/api/v1/clients?q={}", urlencode(q)))
        .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    names(&found)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn add(app: &TestApp, who: &Who, body: Value) -> Value {
    let (s, c) = app.post(who, "/api/v1/clients", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c
}

#[tokio::test]
async fn couples_and_organisations_keep_contacts_addresses_and_billing() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    // A couple: two partners on one record; phones typed the local way are
    // read in the studio's country (en-IN) and kept in E.164.
    let couple = add(&app, &owner, json!({
        "kind": "couple", "name": "Ananya Rao", "phone": "98765 43210",
        "partner_name": "Vikram Shah", "partner_phone": "(0) 98765-43211", "partner_email": "Vikram@Example.COM",
        "source": "instagram", "marketing_consent": true, "tags": ["wedding"],
    })).await;
    assert_eq!(couple["phone"], "+919876543210");
    assert_eq!(couple["partner_phone"], "+919876543211");
    assert_eq!(couple["partner_email"], "vikram@example.com");
    assert_eq!(couple["source"], "instagram");
    assert!(couple["marketing_consent_at"].is_string(), "{couple}");

    // An organisation with a billing profile, contacts and addresses.
    let org = add(
        &app,
        &owner,
        json!({
            "kind": "organisation", "name": "Acme Events Pvt Ltd", "email": "accounts@acme.example",
            "tax_id_kind": "gstin", "tax_id": "29ABCDE1234F1ZW", "payment_terms_days": 30,
            "vendor_number": "V-2231", "po_required": true,
        }),
    )
    .await;
    assert_eq!(org["billing"]["tax_id"], "29ABCDE1234F1ZW", "{org}");
    assert_eq!(org["billing"]["payment_terms_days"], 30);
    assert_eq!(org["billing"]["po_required"], true);
    let id = org["id"].as_str().unwrap();
    let (s, billing) = app.post(&owner, &format!("/api/v1/clients/{id}/contacts"), json!({
        "name": "Meera Iyer", "role": "billing", "email": "meera@acme.example", "phone": "+91 80 4123 4567", "primary": true,
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{billing}");
    assert_eq!(billing["phone"], "+918041234567");
    let (s, marketing) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{id}/contacts"),
            json!({
                "name": "Karan Mehta", "role": "marketing", "primary": true,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{marketing}");
    let (s, venue) = app.post(&owner, &format!("/api/v1/clients/{id}/addresses"), json!({
        "kind": "venue", "label": "Leela Palace", "line1": "23 Old Airport Road", "city": "Bengaluru", "postal_code": "560008", "primary": true,
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{venue}");
    assert_eq!(venue["country"], "IN", "a blank country is the studio's");
    let (_, detail) = app.get(&owner, &format!("/api/v1/clients/{id}")).await;
    assert_eq!(detail["name"], "Acme Events Pvt Ltd");
    let contacts = detail["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    let primaries: Vec<&str> = contacts
        .iter()
        .filter(|c| c["primary"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(primaries, ["Karan Mehta"], "one primary: the newest marked");
    assert_eq!(detail["addresses"][0]["label"], "Leela Palace");

    // A contact is changed with its version, and removed.
    let cid = billing["id"].as_str().unwrap();
    let (s, changed) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}/contacts/{cid}"),
            json!({ "version": billing["version"], "role": "admin" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "admin");
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/clients/{id}/contacts/{cid}"),
            json!({ "version": billing["version"], "role": "billing" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/clients/{id}/contacts/{cid}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, detail) = app.get(&owner, &format!("/api/v1/clients/{id}")).await;
    assert_eq!(detail["contacts"].as_array().unwrap().len(), 1);

    // Bad input: each field says what is wrong, and nothing is stored.
    let (s, bad) = app.post(&owner, "/api/v1/clients", json!({
        "name": "Bad", "phone": "12345", "partner_phone": "call me", "tax_id_kind": "gstin", "tax_id": "29ABCDE1234F1Z4",
        "payment_terms_days": 400, "source": "tiktok", "branch_id": "brn_nope", "manager_id": "usr_nope",
    })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "phone",
        "partner_phone",
        "tax_id",
        "payment_terms_days",
        "source",
        "branch_id",
        "manager_id",
    ] {
        assert!(fields.contains(&f), "{f} in {bad}");
    }
    assert!(
        bad.to_string().contains("not a valid phone number in IN"),
        "{bad}"
    );
    assert!(search(&app, &owner, "Bad").await.is_empty());
    let (s, bad) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{id}/addresses"),
            json!({ "kind": "castle", "country": "India" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    for f in ["kind", "line1", "country"] {
        assert!(
            bad.to_string().contains(&format!("\"field\":\"{f}\"")),
            "{f} in {bad}"
        );
    }
}

#[tokio::test]
async fn the_search_forgives_typos_and_finds_partners_contacts_emails_phones_and_tags() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Rival").await;
    add(&app, &owner, json!({ "name": "Priya Raghunathan", "email": "priya@studio-mail.example", "phone": "+91 98450 12345", "tags": ["vip"] })).await;
    add(
        &app,
        &owner,
        json!({ "kind": "couple", "name": "Zoë O'Brien", "partner_name": "Seo-yeon Kim" }),
    )
    .await;
    let org = add(
        &app,
        &owner,
        json!({ "kind": "organisation", "name": "Northwind Traders" }),
    )
    .await;
    app.post(
        &owner,
        &format!("/api/v1/clients/{}/contacts", org["id"].as_str().unwrap()),
        json!({ "name": "Gurpreet Sandhu" }),
    )
    .await;
    add(
        &app,
        &owner,
        json!({ "name": "김민수", "phone": "+82 10-2345-6789" }),
    )
    .await;
    add(&app, &owner, json!({ "name": "John Smith" })).await;
    add(
        &app,
        &other,
        json!({ "name": "Priya Raghunathan", "email": "priya@rival.example" }),
    )
    .await;

    for (q, want) in [
        ("pria ragunathan", "Priya Raghunathan"),
        ("Raghu", "Priya Raghunathan"),
        ("priya@studio", "Priya Raghunathan"),
        ("studio-mail.example", "Priya Raghunathan"),
        ("98450 12345", "Priya Raghunathan"),
        ("+919845012345", "Priya Raghunathan"),
        ("VIP", "Priya Raghunathan"),
        ("zoe obrien", "Zoë O'Brien"),
        ("seoyeon", "Zoë O'Brien"),
        ("Seo-yeon Kin", "Zoë O'Brien"),
        ("gurpreet", "Northwind Traders"),
        ("northwnd", "Northwind Traders"),
        ("민수", "김민수"),
        ("010-2345-6789", "김민수"),
    ] {
        let found = search(&app, &owner, q).await;
        assert_eq!(
            found.first().map(String::as_str),
            Some(want),
            "{q}: {found:?}"
        );
        assert!(
            found.iter().filter(|n| *n == "Priya Raghunathan").count() <= 1,
            "{q}: the other studio's Priya never shows"
        );
    }
    for q in ["xyzzy", "Smythe-Jones Catering"] {
        assert!(search(&app, &owner, q).await.is_empty(), "{q}");
    }
    // The other studio finds only its own.
    assert_eq!(search(&app, &other, "priya").await, ["Priya Raghunathan"]);
    assert!(search(&app, &other, "gurpreet").await.is_empty());
    // A deleted client leaves the search, and comes back with a restore.
    let (_, list) = app.get(&owner, "/api/v1/clients?q=john").await;
    let john = &list[0];
    let jid = john["id"].as_str().unwrap();
    app.api(
        &owner,
        Method::DELETE,
        &format!("/api/v1/clients/{jid}"),
        None,
    )
    .await;
    assert!(search(&app, &owner, "john smith").await.is_empty());
    let (_, deleted) = app.get(&owner, "/api/v1/clients?q=john&deleted=true").await;
    assert_eq!(names(&deleted), ["John Smith"]);
}

#[tokio::test]
async fn a_duplicate_is_offered_instead_of_added() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Rival").await;
    let first = add(
        &app,
        &owner,
        json!({ "name": "Asha Verma", "email": "asha@example.com", "phone": "98765 11111" }),
    )
    .await;
    // Same email in another case, or the same phone typed another way.
    for body in [
        json!({ "name": "A. Verma", "email": "ASHA@example.com" }),
        json!({ "name": "Asha V", "phone": "+91 98765-11111" }),
    ] {
        let (s, dup) = app.post(&owner, "/api/v1/clients", body.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{dup}");
        assert_eq!(dup["code"], "duplicate_client");
        assert_eq!(dup["current"][0]["id"], first["id"], "{dup}");
        let mut anyway = body;
        anyway["allow_duplicate"] = json!(true);
        let (s, _) = app.post(&owner, "/api/v1/clients", anyway).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    // Another studio's client with that email is no duplicate here.
    add(
        &app,
        &other,
        json!({ "name": "Asha Verma", "email": "asha@example.com" }),
    )
    .await;
    // The page shows the existing client with an "Add anyway" box.
    let (s, html, _) = app
        .form(
            &owner.session,
            "/clients/new",
            &[
                ("kind", "person"),
                ("name", "Asha"),
                ("email", "asha@example.com"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("may already be here")
            && html.contains(first["id"].as_str().unwrap())
            && html.contains("allow_duplicate"),
        "{html}"
    );
    let (s, _, h) = app
        .form(
            &owner.session,
            "/clients/new",
            &[
                ("kind", "person"),
                ("name", "Asha"),
                ("email", "asha@example.com"),
                ("allow_duplicate", "true"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().starts_with("/clients/cli_"));
}

#[tokio::test]
async fn a_merge_moves_everything_and_can_be_undone() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Rival").await;
    let keep = add(
        &app,
        &owner,
        json!({ "name": "Mina Kim", "email": "mina@example.com", "tags": ["wedding"] }),
    )
    .await;
    let gone = add(&app, &owner, json!({ "name": "Mina K.", "phone": "+82 10-1234-5678", "notes": "prefers mornings", "tags": ["vip"], "allow_duplicate": true })).await;
    let (keep_id, gone_id) = (keep["id"].as_str().unwrap(), gone["id"].as_str().unwrap());
    app.post(
        &owner,
        &format!("/api/v1/clients/{gone_id}/contacts"),
        json!({ "name": "Planner Jo", "primary": true }),
    )
    .await;
    app.post(
        &owner,
        &format!("/api/v1/clients/{keep_id}/contacts"),
        json!({ "name": "Mother Kim", "primary": true }),
    )
    .await;
    let gallery = app.gallery(&owner, "Kim wedding").await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, g) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({ "version": g["version"], "client_id": gone_id })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");

    // Another studio's client, a missing one or itself: refused alike.
    let stranger = add(&app, &other, json!({ "name": "Stranger" })).await;
    for bad in [
        stranger["id"].as_str().unwrap(),
        "cli_0193f7a2c3d47e8f9a0b1c2d3e4f5a6b",
        keep_id,
    ] {
        let (s, e) = app
            .post(
                &owner,
                &format!("/api/v1/clients/{keep_id}/merge"),
                json!({ "other": bad, "version": keep["version"] }),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    }
    let (s, e) = app
        .post(
            &other,
            &format!("/api/v1/clients/{keep_id}/merge"),
            json!({ "other": gone_id, "version": keep["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

    let (s, merged) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{keep_id}/merge"),
            json!({ "other": gone_id, "version": keep["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{merged}");
    assert_eq!(merged["phone"], "+821012345678", "blank fields are filled");
    assert_eq!(merged["notes"], "prefers mornings");
    assert_eq!(merged["tags"], json!(["wedding", "vip"]));
    let (_, detail) = app.get(&owner, &format!("/api/v1/clients/{keep_id}")).await;
    let contacts = detail["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(
        contacts.iter().filter(|c| c["primary"] == true).count(),
        1,
        "{detail}"
    );
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    assert_eq!(g["client_id"].as_str(), Some(keep_id), "{g}");
    let (s, _) = app.get(&owner, &format!("/api/v1/clients/{gone_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the merged client is gone");
    assert_eq!(search(&app, &owner, "1012345678").await, ["Mina Kim"]);
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{gone_id}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a merged client comes back only by undoing the merge: {e}"
    );
    let (_, log) = app
        .get(&owner, "/api/v1/audit?event_type=client.merged")
        .await;
    assert!(log.to_string().contains(gone_id), "{log}");

    // Undo: what moved goes back, the filled fields are blank again.
    let (s, back) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{keep_id}/unmerge"),
            json!({ "merged": gone_id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert_eq!(back["phone"], Value::Null);
    assert_eq!(back["notes"], Value::Null);
    let (s, restored) = app.get(&owner, &format!("/api/v1/clients/{gone_id}")).await;
    assert_eq!(s, StatusCode::OK, "{restored}");
    assert_eq!(restored["contacts"][0]["name"], "Planner Jo");
    assert_eq!(restored["contacts"][0]["primary"], true);
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    assert_eq!(g["client_id"].as_str(), Some(gone_id));
    let (s, _) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{keep_id}/unmerge"),
            json!({ "merged": gone_id }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only once");
}

#[tokio::test]
async fn the_client_page_holds_contacts_addresses_and_look_alikes() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let keep = add(
        &app,
        &owner,
        json!({ "name": "Rohan Gupta", "email": "rohan@example.com" }),
    )
    .await;
    let twin = add(
        &app,
        &owner,
        json!({ "name": "Rohan Gupt", "phone": "98111 22222" }),
    )
    .await;
    let id = keep["id"].as_str().unwrap();
    let page = format!("/clients/{id}");
    let (s, _, h) = app
        .form(
            &owner.session,
            &format!("{page}/contacts"),
            &[
                ("name", "Sunita Gupta"),
                ("role", "billing"),
                ("email", "sunita@example.com"),
                ("phone", "98111 33333"),
                ("primary", "true"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{h:?}");
    let (s, _, _) = app
        .form(
            &owner.session,
            &format!("{page}/addresses"),
            &[
                ("kind", "delivery"),
                ("line1", "14 MG Road"),
                ("city", "Pune"),
                ("postal_code", "411001"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html, _) = app.page(Some(&owner.session), &page).await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Sunita Gupta",
        "+919811133333",
        "14 MG Road",
        "Look-alike clients",
        twin["id"].as_str().unwrap(),
        "Merge into this client",
    ] {
        assert!(html.contains(want), "{want} on the page");
    }
    // The billing profile is edited on the same form.
    let (s, html, _) = app
        .form(
            &owner.session,
            &page,
            &[
                ("version", "1"),
                ("kind", "person"),
                ("name", "Rohan Gupta"),
                ("email", "rohan@example.com"),
                ("payment_terms_days", "thirty"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is not a number of days"), "{html}");
    let (s, _, _) = app
        .form(
            &owner.session,
            &page,
            &[
                ("version", "1"),
                ("kind", "person"),
                ("name", "Rohan Gupta"),
                ("email", "rohan@example.com"),
                ("payment_terms_days", "45"),
                ("tax_exempt", "true"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, c) = app.get(&owner, &format!("/api/v1/clients/{id}")).await;
    assert_eq!(c["billing"]["payment_terms_days"], 45);
    assert_eq!(c["billing"]["tax_exempt"], true);
    // Merging the look-alike from the page.
    let twin_id = twin["id"].as_str().unwrap();
    let (s, _, _) = app
        .form(
            &owner.session,
            &format!("{page}/merge"),
            &[("other", twin_id), ("version", &c["version"].to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, c) = app.get(&owner, &format!("/api/v1/clients/{id}")).await;
    assert_eq!(c["phone"], "+919811122222");
    let (_, html, _) = app
        .page(Some(&owner.session), &format!("/clients/{twin_id}"))
        .await;
    assert!(
        html.contains("Undo the merge"),
        "the merged client's page offers the undo"
    );
}
