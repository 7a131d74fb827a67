//! Tenant isolation, generated from the route tables: for every route that
//! takes an id (API from the OpenAPI document, pages from `web::page_paths`), a
//! person of studio B asking for studio A's object gets exactly the answer
//! an id that does not exist gets (404), and no list shows A's rows. A new
//! route is covered the moment it is added; an unknown kind of id parameter
//! fails this test until a fixture for it is added below.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, Who, body_for, csrf_of, fill, params_of};

const SECRET: &str = "ALPHA-SECRET";

/// One studio's objects, by path parameter name.
pub(crate) struct Fixtures {
    pub(crate) who: Who,
    pub(crate) ids: HashMap<&'static str, String>,
}

pub(crate) async fn fixtures(app: &TestApp, name: &str, marker: &str) -> Fixtures {
    let owner = app.studio(name).await;
    let branch = app
        .branch(&owner, &format!("{marker} Branch"))
        .await
        .to_string();
    let member = app.member(&owner, "photographer", None).await;
    let (s, role) = app
        .post(
            &owner,
            "/api/v1/roles",
            json!({ "name": format!("{marker} role"), "permissions": ["branch.view"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{role}");
    let role_id = role["id"].as_str().unwrap().to_string();
    let (s, a) = app
        .post(
            &owner,
            &format!("/api/v1/staff/{}/roles", member.user),
            json!({ "role_id": role_id }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (s, g) = app
        .post(&owner, &format!("/api/v1/staff/{}/grants", member.user), json!({ "permission": "branch.view", "resource_type": "branch", "resource_id": branch }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let (_, tokens) = app.get(&owner, "/api/v1/tokens").await;
    // An unreachable SMTP server: what is sent stays in the outbox.
    app.unreachable_smtp(&owner, marker).await;
    let (s, v) = app
        .post(&owner, "/api/v1/staff", json!({ "email": format!("{}@invitee.test", marker.to_lowercase()), "name": format!("{marker} Invitee"), "role_id": role_id }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, jobs) = app.get(&owner, "/api/v1/jobs").await;
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    let (s, gal) = app
        .post(
            &owner,
            "/api/v1/galleries",
            json!({ "name": format!("{marker} wedding"), "branch_id": branch }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{gal}");
    let gallery_id = gal["id"].as_str().unwrap().to_string();
    let seed = marker.len() as u32;
    let up = app
        .upload(
            &owner,
            ("gallery", &gallery_id),
            &format!("{marker}.jpg"),
            &crate::helpers::jpeg(120, 90, seed),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let photo_id = up.header("darkroom-photo-id").unwrap().to_string();
    app.drain_jobs().await;
    let pending = app
        .tus(
            &owner,
            Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", "1000".into()),
                (
                    "upload-metadata",
                    crate::helpers::tus_meta(&[("filename", marker), ("gallery", &gallery_id)]),
                ),
            ],
            None,
        )
        .await;
    let upload_id = pending
        .header("location")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (s, client) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": format!("{marker} client"), "notes": marker }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    let cid = client["id"].as_str().unwrap();
    let (s, contact) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{cid}/contacts"),
            json!({ "name": format!("{marker} contact"), "email": "contact@example.com" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contact}");
    let (s, portal_link) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{cid}/portal-links"),
            json!({ "contact_id": contact["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{portal_link}");
    let pdf = format!("%PDF-1.7 {marker}").into_bytes();
    let up = app
        .tus(
            &owner,
            reqwest::Method::POST,
            "/api/v1/uploads",
            &[
                ("upload-length", pdf.len().to_string()),
                (
                    "upload-metadata",
                    crate::helpers::tus_meta(&[("filename", "coi.pdf"), ("file", "1")]),
                ),
                ("content-type", "application/offset+octet-stream".into()),
            ],
            Some(pdf),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let (s, document) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{cid}/documents"),
            json!({ "kind": "insurance", "title": format!("{marker} certificate"),
                    "upload_id": up.header("darkroom-upload-id").unwrap(), "expires_on": "2027-05-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{document}");
    let (s, address) = app
        .post(
            &owner,
            &format!("/api/v1/clients/{cid}/addresses"),
            json!({ "kind": "home", "line1": marker }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{address}");
    let (s, lead) = app
        .post(
            &owner,
            "/api/v1/leads",
            json!({ "name": format!("{marker} lead"), "message": marker }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{lead}");
    let lid = lead["id"].as_str().unwrap();
    let (s, ltask) = app
        .post(
            &owner,
            &format!("/api/v1/leads/{lid}/tasks"),
            json!({ "title": marker }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ltask}");
    let (s, link) = app
        .post(
            &owner,
            &format!("/api/v1/galleries/{gallery_id}/links"),
            json!({ "label": format!("{marker} link") }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let (s, set) = app
        .post(
            &owner,
            &format!("/api/v1/galleries/{gallery_id}/sets"),
            json!({ "name": format!("{marker} set") }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{set}");
    let (s, task) = app
        .post(
            &owner,
            "/api/v1/editing/tasks",
            json!({ "gallery_id": gallery_id, "title": format!("{marker} retouch"), "notes": marker, "photo_ids": [photo_id] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{task}");
    let (s, deliverable) = app
        .post(
            &owner,
            &format!("/api/v1/galleries/{gallery_id}/deliverables"),
            json!({ "kind": "album", "description": format!("{marker} album") }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{deliverable}");
    let (s, res) = app
        .post(
            &owner,
            "/api/v1/resources",
            json!({ "branch_id": branch, "kind": "camera", "name": format!("{marker} camera") }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{res}");
    let (s, stype) = app
        .post(&owner, "/api/v1/session-types", json!({ "branch_id": branch, "name": format!("{marker} mini"), "duration_minutes": 30 }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{stype}");
    let (s, package) = app
        .post(
            &owner,
            "/api/v1/packages",
            json!({ "branch_id": branch, "name": format!("{marker} package"), "price": "100",
                    "inclusions": [marker], "resource_ids": [res["id"]] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{package}");
    let (s, booking) = app
        .post(
            &owner,
            "/api/v1/bookings",
            json!({
                "branch_id": branch, "title": format!("{marker} shoot"), "notes": marker,
                "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T11:00:00Z",
                "staff": [{ "user_id": member.user.to_string() }], "resource_ids": [res["id"]],
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{booking}");
    let (s, block) = app
        .post(&owner, &format!("/api/v1/staff/{}/time-off", member.user), json!({
            "starts_at": "2027-06-01T00:00:00Z", "ends_at": "2027-06-02T00:00:00Z", "reason": marker,
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{block}");
    let (s, feed) = app
        .post(
            &owner,
            "/api/v1/calendar-feeds",
            json!({ "of": member.user.to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    let (s, project) = app
        .post(
            &owner,
            "/api/v1/projects",
            json!({
                "client_id": client["id"], "kind": "wedding", "name": format!("{marker} wedding"),
                "venue": marker, "requests": marker, "starts_on": "2027-05-01",
                "photographer_ids": [member.user.to_string()],
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{project}");
    let pid = project["id"].as_str().unwrap().to_string();
    let (s, milestones) = app
        .get(&owner, &format!("/api/v1/projects/{pid}/milestones"))
        .await;
    assert_eq!(s, StatusCode::OK, "{milestones}");
    for linked in [
        format!("galleries/{gallery_id}"),
        format!("sessions/{}", booking["id"].as_str().unwrap()),
    ] {
        let (s, _) = app
            .api(
                &owner,
                reqwest::Method::PUT,
                &format!("/api/v1/projects/{pid}/{linked}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{linked}");
    }
    let (s, invoice) = app
        .post(
            &owner,
            "/api/v1/invoices",
            json!({ "client_id": client["id"], "lines": [{ "description": format!("Prints {marker}"), "unit_price": "100" }] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{invoice}");
    let receipt_id = korean_receipt(app, &owner, client["id"].as_str().unwrap()).await;
    let (s, template) = app
        .post(
            &owner,
            "/api/v1/contract-templates",
            json!({ "name": format!("Template {marker}"), "body": "Agreement {{ client.name }}" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{template}");
    let (s, contract) = app
        .post(
            &owner,
            "/api/v1/contracts",
            json!({ "project_id": pid, "template_id": template["id"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contract}");
    let mut ids = HashMap::new();
    ids.insert("template_id", template["id"].as_str().unwrap().to_string());
    ids.insert("contract_id", contract["id"].as_str().unwrap().to_string());
    let (_, receipts) = app.get(&owner, "/api/v1/cash-receipts").await;
    ids.insert(
        "entry_id",
        receipts[0]["entry_id"].as_str().unwrap().to_string(),
    );
    ids.insert("receipt_id", receipt_id);
    ids.insert(
        "invoice_id",
        invoice["invoice"]["id"].as_str().unwrap().to_string(),
    );
    ids.insert(
        "line_id",
        invoice["lines"][0]["id"].as_str().unwrap().to_string(),
    );
    ids.insert("resource_id", res["id"].as_str().unwrap().to_string());
    ids.insert("session_type_id", stype["id"].as_str().unwrap().to_string());
    ids.insert("booking_id", booking["id"].as_str().unwrap().to_string());
    ids.insert("block_id", block["id"].as_str().unwrap().to_string());
    ids.insert("feed_id", feed["id"].as_str().unwrap().to_string());
    ids.insert("set_id", set["id"].as_str().unwrap().to_string());
    ids.insert("task_id", task["id"].as_str().unwrap().to_string());
    ids.insert(
        "deliverable_id",
        deliverable["id"].as_str().unwrap().to_string(),
    );
    ids.insert("client_id", client["id"].as_str().unwrap().to_string());
    ids.insert("contact_id", contact["id"].as_str().unwrap().to_string());
    ids.insert("address_id", address["id"].as_str().unwrap().to_string());
    ids.insert("project_id", pid);
    ids.insert("package_id", package["id"].as_str().unwrap().to_string());
    ids.insert("document_id", document["id"].as_str().unwrap().to_string());
    ids.insert(
        "portal_link_id",
        portal_link["id"].as_str().unwrap().to_string(),
    );
    ids.insert(
        "milestone_id",
        milestones[0]["id"].as_str().unwrap().to_string(),
    );
    ids.insert("lead_id", lead["id"].as_str().unwrap().to_string());
    ids.insert("lead_task_id", ltask["id"].as_str().unwrap().to_string());
    ids.insert("stage_id", lead["stage_id"].as_str().unwrap().to_string());
    ids.insert("link_id", link["link"]["id"].as_str().unwrap().to_string());
    ids.insert("gallery_id", gallery_id);
    ids.insert("photo_id", photo_id);
    ids.insert("upload_id", upload_id);
    ids.insert("branch_id", branch);
    ids.insert("user_id", member.user.to_string());
    // A calendar import of the member's (its address is never read here).
    let cim = darkroom_domain::CalendarImportId::new();
    {
        use darkroom_db::sea_orm::{ActiveModelTrait, Set};
        use darkroom_domain::TypedId;
        let now = app.clock_now().as_micros();
        darkroom_db::entity::calendar_import::ActiveModel {
            id: Set(cim.uuid()),
            studio_id: Set(member.studio.uuid()),
            user_id: Set(member.user.uuid()),
            url_sealed: Set(app.core.keys().seal("https://calendar.example/secret.ics")),
            url_hint: Set(format!("{marker}.example/cal…")),
            last_fetched_at: Set(Some(now)),
            last_ok_at: Set(Some(now)),
            last_error: Set(None),
            busy_count: Set(0),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.core.db().conn())
        .await
        .unwrap();
    }
    ids.insert("calendar_import_id", cim.to_string());
    ids.insert("role_id", role_id);
    ids.insert("assignment_id", a["id"].as_str().unwrap().to_string());
    ids.insert("grant_id", g["id"].as_str().unwrap().to_string());
    ids.insert("token_id", tokens[0]["id"].as_str().unwrap().to_string());
    ids.insert(
        "job_id",
        jobs["items"][0]["id"].as_str().unwrap().to_string(),
    );
    ids.insert(
        "email_id",
        emails["items"][0]["id"].as_str().unwrap().to_string(),
    );
    Fixtures { who: owner, ids }
}

/// A cash receipt of a Korean branch's paid invoice.
async fn korean_receipt(app: &TestApp, owner: &Who, client: &str) -> String {
    let (_, b) = app
        .post(owner, "/api/v1/branches", json!({ "name": "Seoul", "invoice_prefix": "SEL-", "tax_id_kind": "brn", "tax_id": "123-45-67890", "currency": "KRW" }))
        .await;
    let (_, d) = app
        .post(owner, "/api/v1/invoices", json!({ "client_id": client, "branch_id": b["id"], "lines": [{ "description": "Prints", "unit_price": "11000" }] }))
        .await;
    let id = d["invoice"]["id"].as_str().unwrap();
    let (s, v) = app
        .post(
            owner,
            &format!("/api/v1/invoices/{id}/issue"),
            json!({ "version": d["invoice"]["version"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .post(owner, &format!("/api/v1/invoices/{id}/payments"), json!({ "amount": "11000", "method": "cash", "cash_receipt": { "identity_kind": "phone", "identity": "010-1234-5678" } }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, list) = app.get(owner, "/api/v1/cash-receipts").await;
    list[0]["id"].as_str().unwrap().to_string()
}

/// A well-formed id of the kind a parameter takes, that exists nowhere.
fn fresh_id(param: &str) -> String {
    let prefix = match param {
        "branch_id" => "brn",
        "user_id" => "usr",
        "role_id" => "rol",
        "assignment_id" => "ras",
        "grant_id" => "grt",
        "token_id" => "tok",
        "job_id" => "job",
        "email_id" => "eml",
        "gallery_id" => "gal",
        "photo_id" => "pho",
        "upload_id" => "upl",
        "client_id" => "cli",
        "contact_id" => "ctc",
        "address_id" => "adr",
        "lead_id" => "led",
        "stage_id" => "stg",
        "lead_task_id" => "ltk",
        "project_id" => "prj",
        "package_id" => "pkg",
        "portal_link_id" => "ptl",
        "document_id" => "doc",
        "calendar_import_id" => "cim",
        "milestone_id" => "mst",
        "invoice_id" => "inv",
        "receipt_id" => "crc",
        "contract_id" => "con",
        "entry_id" => "txn",
        "template_id" => "tpl",
        "line_id" => "inl",
        "link_id" => "lnk",
        "set_id" => "set",
        "task_id" => "edt",
        "deliverable_id" => "dlv",
        "resource_id" => "res",
        "session_type_id" => "sst",
        "booking_id" => "bkg",
        "block_id" => "blk",
        "feed_id" => "fed",
        other => {
            panic!("path parameter `{other}` has no fixture: add one to tests/api/isolation.rs")
        }
    };
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_studios_ids_answer_like_missing_ids_on_every_api_route() {
    let app = TestApp::spawn().await;
    let a = fixtures(&app, "Alpha", SECRET).await;
    let b = fixtures(&app, "Beta", "Beta").await;
    let (_, spec) = app.get(&b.who, "/api/v1/openapi.json").await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let params = params_of(path);
        if params.is_empty() {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let m: Method = method.to_uppercase().parse().unwrap();
            let body = op
                .pointer("/requestBody/content/application~1json/schema")
                .map(|s| body_for(&spec, s, &b.ids));
            for foreign in &params {
                let mut theirs: HashMap<String, String> = params
                    .iter()
                    .map(|p| (p.clone(), b.ids[p.as_str()].clone()))
                    .collect();
                let mut missing = theirs.clone();
                theirs.insert(foreign.clone(), a.ids[foreign.as_str()].clone());
                missing.insert(foreign.clone(), fresh_id(foreign));
                let r1 = app
                    .api(&b.who, m.clone(), &fill(path, &theirs), body.clone())
                    .await;
                let r2 = app
                    .api(&b.who, m.clone(), &fill(path, &missing), body.clone())
                    .await;
                assert_eq!(
                    r1.0,
                    StatusCode::NOT_FOUND,
                    "{method} {path} with studio A's {foreign}: {}",
                    r1.1
                );
                assert_eq!(
                    r1, r2,
                    "{method} {path}: A's {foreign} must answer exactly like a missing one"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} route/parameter pairs checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_searches_never_show_another_studios_rows() {
    let app = TestApp::spawn().await;
    let a = fixtures(&app, "Alpha", SECRET).await;
    let b = fixtures(&app, "Beta", "Beta").await;
    let (_, spec) = app.get(&b.who, "/api/v1/openapi.json").await;
    let mut leaks_checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        if path.contains('{') || path.ends_with("openapi.json") {
            continue;
        }
        let searchable = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "q"));
        let mut urls = vec![path.clone()];
        let has_deleted = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "deleted"));
        if searchable {
            urls.push(format!("{path}?q=alpha"));
            urls.push(format!("{path}?q=ALPHA"));
        }
        if searchable && has_deleted {
            urls.push(format!("{path}?q=ALPHA&deleted=true"));
        }
        for url in urls {
            let (status, v) = app.get(&b.who, &url).await;
            assert!(status.is_success(), "GET {url}: {status} {v}");
            let text = v.to_string();
            assert!(
                !text.contains(SECRET),
                "GET {url} shows studio A's data: {text}"
            );
            for id in a.ids.values() {
                assert!(
                    !text.contains(id.as_str()),
                    "GET {url} shows studio A's id {id}"
                );
            }
            leaks_checked += 1;
        }
    }
    assert!(leaks_checked >= 8, "{leaks_checked}");
    // The same person's view of their own studio does show its rows.
    let (_, mine) = app.get(&a.who, "/api/v1/branches?q=alpha").await;
    assert!(mine.to_string().contains(SECRET));
}

/// Values for path parameters that are not ids.
fn word_values(param: &str) -> Option<Vec<&'static str>> {
    match param {
        "action" => Some(vec![
            "suspend",
            "reactivate",
            "delete",
            "restore",
            "resend",
            "reset-link",
            "roles",
            "grants",
            "start",
            "send",
            "approve",
            "revise",
        ]),
        "rendition" => Some(vec!["thumb", "preview", "proof", "original"]),
        "file" => Some(vec!["gst.csv", "ledger.csv", "cash-receipts.csv"]),
        _ => None,
    }
}

async fn page_call(
    app: &TestApp,
    who: &Who,
    csrf: &str,
    method: &Method,
    path: &str,
) -> (StatusCode, String) {
    let mut req = app
        .http
        .request(method.clone(), app.url(path))
        .header("cookie", format!("darkroom_session={}", who.session));
    if *method == Method::POST {
        req = req.header("origin", &app.base).form(&[("_csrf", csrf)]);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_studios_ids_answer_like_missing_ids_on_every_page() {
    let app = TestApp::spawn().await;
    let a = fixtures(&app, "Alpha", SECRET).await;
    let b = fixtures(&app, "Beta", "Beta").await;
    let (_, html, _) = app.page(Some(&b.who.session), "/account").await;
    let csrf = csrf_of(&html).unwrap();
    let mut checked = 0;
    for path in darkroom_server::web::page_paths() {
        let params = params_of(path);
        // Link-token pages are keyed by secrets, not ids; they are tested in signin.rs.
        if params.is_empty() || params.iter().any(|p| p == "token") {
            continue;
        }
        let id_params: Vec<&String> = params.iter().filter(|p| word_values(p).is_none()).collect();
        let word_param = params.iter().find(|p| word_values(p).is_some());
        let words: Vec<&str> = word_param
            .map(|w| word_values(w).unwrap())
            .unwrap_or_else(|| vec![""]);
        for word in words {
            for foreign in &id_params {
                let mut theirs: HashMap<String, String> = id_params
                    .iter()
                    .map(|p| ((*p).clone(), b.ids[p.as_str()].clone()))
                    .collect();
                if let Some(w) = word_param {
                    theirs.insert(w.clone(), word.to_string());
                }
                let mut missing = theirs.clone();
                theirs.insert((*foreign).clone(), a.ids[foreign.as_str()].clone());
                missing.insert((*foreign).clone(), fresh_id(foreign));
                let mut saw_404 = false;
                for method in [Method::GET, Method::POST] {
                    let r1 = page_call(&app, &b.who, &csrf, &method, &fill(path, &theirs)).await;
                    let r2 = page_call(&app, &b.who, &csrf, &method, &fill(path, &missing)).await;
                    assert_eq!(
                        r1, r2,
                        "{method} {path} ({word}): A's {foreign} must answer exactly like a missing one"
                    );
                    assert!(!r1.1.contains(SECRET), "{method} {path} shows A's data");
                    assert!(
                        r1.0 == StatusCode::NOT_FOUND || r1.0 == StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {path}: {}",
                        r1.0
                    );
                    saw_404 |= r1.0 == StatusCode::NOT_FOUND;
                }
                assert!(saw_404, "{path} never answered 404");
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "{checked}");
    // Every list page of B's is free of A's rows.
    for path in [
        "/dashboard",
        "/branches",
        "/branches?q=alpha",
        "/staff",
        "/staff?q=alpha",
        "/roles",
        "/audit",
        "/operations",
        "/settings",
        "/account",
        "/galleries",
        "/galleries?q=alpha",
        "/staging",
    ] {
        let (status, html, _) = app.page(Some(&b.who.session), path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(SECRET), "{path} shows A's data");
        for id in a.ids.values() {
            assert!(!html.contains(id.as_str()), "{path} shows A's id {id}");
        }
    }
}
