//! Inside a gallery (sets, cover, manual order) as the client sees it; the
//! editing queue from a client's selection and edit requests to an approved
//! edit; delivery links and physical deliverables.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, jpeg};
use crate::sharing::{gallery_with_photos, link, open, zip_names};

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

async fn zip_of(
    app: &TestApp,
    guest: &crate::sharing::Guest,
    query: &str,
) -> (StatusCode, Vec<u8>) {
    let res = app
        .http
        .get(app.url(&format!("/c/{}/download{query}", guest.link)))
        .header("cookie", format!("darkroom_link={}", guest.cookie))
        .send()
        .await
        .unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sets_a_cover_and_a_manual_order_shape_what_the_client_sees() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Wedding", 5).await;
    let set_url = format!("/api/v1/galleries/{gallery}/sets");
    let (s, ceremony) = app
        .post(&owner, &set_url, json!({ "name": "Ceremony" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ceremony}");
    let (s, portraits) = app
        .post(&owner, &set_url, json!({ "name": "Portraits" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{portraits}");
    let (s, dup) = app
        .post(&owner, &set_url, json!({ "name": "ceremony" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{dup}");
    assert_eq!(dup["errors"][0]["field"], "name", "{dup}");
    assert!(dup.to_string().contains("already has a set"), "{dup}");
    let (ceremony, portraits) = (
        ceremony["id"].as_str().unwrap().to_string(),
        portraits["id"].as_str().unwrap().to_string(),
    );

    // Photos into sets; a photo of another gallery is named in the error
    // (404: it is not one of this gallery's).
    let (other, other_photos) = gallery_with_photos(&app, &owner, "Other", 1).await;
    let place = format!("/api/v1/galleries/{gallery}/sets/place");
    let (s, e) = app
        .post(
            &owner,
            &place,
            json!({ "photo_ids": [photos[0], other_photos[0]], "set_id": ceremony }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    assert!(e.to_string().contains("photo_ids[1]"), "{e}");
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/galleries/{other}/sets/place"),
            json!({ "photo_ids": [other_photos[0]], "set_id": ceremony }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a set of another gallery: {e}");
    let (s, v) = app
        .post(
            &owner,
            &place,
            json!({ "photo_ids": [photos[0], photos[1]], "set_id": ceremony }),
        )
        .await;
    assert_eq!((s, v["placed"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    app.post(
        &owner,
        &place,
        json!({ "photo_ids": [photos[2]], "set_id": portraits }),
    )
    .await;
    // Portraits first.
    let (_, sets) = app.get(&owner, &set_url).await;
    let p_version = sets[1]["version"].clone();
    let (s, v) = app
        .patch(
            &owner,
            &format!("/api/v1/sets/{portraits}"),
            json!({ "version": p_version, "position": 0 }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/sets/{portraits}"),
            json!({ "version": p_version, "name": "Late" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");

    // The studio's own order: photo 4 first, then 3; the rest keep theirs.
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let order = format!("/api/v1/galleries/{gallery}/order");
    let (s, e) = app
        .api(
            &owner,
            Method::PUT,
            &order,
            Some(
                json!({ "version": g["version"], "photo_ids": [photos[4], photos[3], photos[4]] }),
            ),
        )
        .await;
    // A photo listed again keeps its first place.
    let g2 = e;
    assert_eq!(s, StatusCode::OK, "{g2}");
    assert_eq!(g2["sort_order"], "manual");
    let (s, _) = app
        .api(
            &owner,
            Method::PUT,
            &order,
            Some(json!({ "version": g["version"], "photo_ids": [photos[0]] })),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale gallery version");
    let (s, e) = app
        .patch(
            &owner,
            &format!("/api/v1/galleries/{gallery}"),
            json!({ "version": g2["version"], "cover_photo_id": other_photos[0] }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["errors"][0]["field"], "cover_photo_id", "{e}");
    let (s, g3) = app
        .patch(
            &owner,
            &format!("/api/v1/galleries/{gallery}"),
            json!({ "version": g2["version"], "cover_photo_id": photos[2] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g3}");
    let (_, listed) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/photos"))
        .await;
    let expected = vec![
        photos[4].clone(),
        photos[3].clone(),
        photos[0].clone(),
        photos[1].clone(),
        photos[2].clone(),
    ];
    assert_eq!(ids(&listed["items"], "id"), expected);

    // One page of the order, dragged: the photos at positions 1 and 2 swap
    // places and the others keep theirs; a page whose photos moved meanwhile
    // is refused rather than scrambling the gallery.
    let put_page = |version: Value, from: i64, page: Vec<&String>| {
        let body = json!({ "version": version, "photo_ids": page, "from": from });
        let order = order.clone();
        let app = &app;
        let owner = &owner;
        async move { app.api(owner, Method::PUT, &order, Some(body)).await }
    };
    let (s, g4) = put_page(g3["version"].clone(), 1, vec![&photos[0], &photos[3]]).await;
    assert_eq!(s, StatusCode::OK, "{g4}");
    let (_, listed) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}/photos"))
        .await;
    assert_eq!(
        ids(&listed["items"], "id"),
        vec![
            photos[4].clone(),
            photos[0].clone(),
            photos[3].clone(),
            photos[1].clone(),
            photos[2].clone(),
        ]
    );
    let (s, e) = put_page(g4["version"].clone(), 1, vec![&photos[1], &photos[2]]).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "stale", "{e}");
    let (s, e) = put_page(g4["version"].clone(), 1, vec![&photos[3], &photos[0]]).await;
    assert_eq!(s, StatusCode::OK, "{e}");

    // The client: sets in order, photos in the studio's order, the cover.
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Mina", "download": "web" }),
    )
    .await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    let (_, cg) = guest.get("/gallery.json").await;
    assert_eq!(ids(&cg["photos"], "id"), expected);
    assert_eq!(cg["sets"][0]["name"], "Portraits");
    assert_eq!(cg["sets"][1]["name"], "Ceremony");
    assert_eq!(cg["sets"][1]["photo_count"], 2);
    assert_eq!(cg["cover_photo_id"], photos[2].as_str());
    assert_eq!(cg["photos"][2]["set_id"], ceremony.as_str());
    let (_, page) = guest.get("").await;
    let page = page.as_str().unwrap();
    assert!(
        page.contains("Download this set"),
        "the page offers set downloads"
    );
    assert!(page.find("Portraits").unwrap() < page.find("Ceremony").unwrap());

    // One set as a ZIP: only its photos.
    let (s, body) = zip_of(&app, &guest, &format!("?set={ceremony}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(zip_names(&body), vec!["IMG_0000.jpg", "IMG_0001.jpg"]);
    let (s, _) = zip_of(&app, &guest, "?set=set_0193b0c4e5f67a8b9c0d1e2f3a4b5c6d").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Deleting a set keeps its photos, in no set.
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/sets/{ceremony}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, cg) = guest.get("/gallery.json").await;
    assert_eq!(cg["photos"].as_array().unwrap().len(), 5);
    assert_eq!(cg["sets"].as_array().unwrap().len(), 1);
    assert!(cg["photos"][2]["set_id"].is_null());
}

async fn upload_edit(app: &TestApp, who: &Who, photo: &str, seed: u32) {
    let up = app
        .upload(who, ("photo", photo), "edit.jpg", &jpeg(96, 64, seed))
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    app.drain_jobs().await;
}

async fn task(app: &TestApp, who: &Who, id: &str) -> Value {
    let (s, t) = app.get(who, &format!("/api/v1/editing/tasks/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

async fn act(app: &TestApp, who: &Who, t: &Value, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = t["version"].clone();
    app.patch(
        who,
        &format!("/api/v1/editing/tasks/{}", t["id"].as_str().unwrap()),
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_selection_and_an_edit_request_become_tasks_that_edited_uploads_send_to_review()
{
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let editor = app.member(&owner, "editor", None).await;
    let accountant = app.member(&owner, "accountant", None).await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Proofs", 3).await;
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Mina", "rights": ["favourite", "edits"] }),
    )
    .await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    for p in &photos[..2] {
        let (s, v) = guest
            .post(&format!("/photos/{p}/mark"), json!({ "favourite": true }))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = guest
        .post(
            &format!("/photos/{}/notes", photos[2]),
            json!({ "kind": "edit_request", "body": "Please remove the exit sign" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = guest.post("/submit", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (_, tasks) = app
        .get(
            &owner,
            &format!("/api/v1/editing/tasks?gallery_id={gallery}&status=open"),
        )
        .await;
    assert_eq!(tasks.as_array().unwrap().len(), 2, "{tasks}");
    let sel = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["source"] == "selection")
        .unwrap()
        .clone();
    let req = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["source"] == "edit_request")
        .unwrap()
        .clone();
    assert_eq!(sel["photos"].as_array().unwrap().len(), 2);
    assert_eq!(sel["status"], "queued");
    assert_eq!(req["notes"], "Please remove the exit sign");
    assert_eq!(req["photos"][0]["photo_id"], photos[2].as_str());

    // Only staff who may upload to the gallery can be assigned.
    let (s, e) = act(
        &app,
        &owner,
        &sel,
        json!({ "assignee_id": accountant.user.to_string() }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, sel) = act(&app, &owner, &sel, json!({ "assignee_id": editor.user.to_string(), "priority": "urgent", "due_at": "2030-01-31T17:00:00Z" })).await;
    assert_eq!(s, StatusCode::OK, "{sel}");
    assert_eq!(sel["assignee_name"], "A editor");
    let (_, mine) = app.get(&editor, "/api/v1/editing/tasks?assignee=me").await;
    assert_eq!(
        ids(&mine, "id"),
        vec![sel["id"].as_str().unwrap().to_string()]
    );
    // An editor works the task but does not review it.
    let (s, _) = act(&app, &editor, &sel, json!({ "action": "approve" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = act(&app, &editor, &sel, json!({ "priority": "low" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, sel) = act(&app, &editor, &sel, json!({ "action": "start" })).await;
    assert_eq!(
        (s, sel["status"].as_str()),
        (StatusCode::OK, Some("in_progress")),
        "{sel}"
    );
    let (s, e) = act(&app, &editor, &sel, json!({ "action": "start" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");

    // Uploading the edits: one photo edited keeps it in progress; both send it to review.
    let (_, before) = guest.get("/gallery.json").await;
    upload_edit(&app, &editor, &photos[0], 7001).await;
    let sel = task(&app, &owner, sel["id"].as_str().unwrap()).await;
    assert_eq!(
        (sel["status"].as_str(), sel["edited_count"].as_u64()),
        (Some("in_progress"), Some(1))
    );
    upload_edit(&app, &editor, &photos[1], 7002).await;
    let sel = task(&app, &owner, sel["id"].as_str().unwrap()).await;
    assert_eq!(sel["status"], "review", "{sel}");
    assert!(sel["review_at"].is_string());
    // The client sees the new version.
    let (_, after) = guest.get("/gallery.json").await;
    let shown = |g: &Value, id: &str| {
        g["photos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(shown(&after, &photos[0])["edited"], true);
    assert_ne!(
        shown(&after, &photos[0])["thumb_url"],
        shown(&before, &photos[0])["thumb_url"]
    );
    assert_eq!(shown(&after, &photos[2])["edited"], false);

    // Sent back: a revision, counted, and the photos need editing again.
    let (s, sel) = act(&app, &owner, &sel, json!({ "action": "revise" })).await;
    assert_eq!(s, StatusCode::OK, "{sel}");
    assert_eq!(
        (
            sel["status"].as_str(),
            sel["revision_count"].as_i64(),
            sel["edited_count"].as_u64()
        ),
        (Some("revision"), Some(1), Some(0))
    );
    upload_edit(&app, &editor, &photos[0], 7003).await;
    upload_edit(&app, &editor, &photos[1], 7004).await;
    let sel = task(&app, &owner, sel["id"].as_str().unwrap()).await;
    assert_eq!(sel["status"], "review");
    let (s, stale) = app
        .patch(
            &owner,
            &format!("/api/v1/editing/tasks/{}", sel["id"].as_str().unwrap()),
            json!({ "version": 1, "action": "approve" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    let (s, sel) = act(&app, &owner, &sel, json!({ "action": "approve" })).await;
    assert_eq!(
        (s, sel["status"].as_str()),
        (StatusCode::OK, Some("done")),
        "{sel}"
    );
    assert!(sel["completed_at"].is_string());
    let (s, e) = act(&app, &owner, &sel, json!({ "action": "approve" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(
        e["detail"].as_str().unwrap().contains("not in review"),
        "{e}"
    );

    // The edit request stays open; staff add their own tasks too.
    let (_, open_tasks) = app.get(&owner, "/api/v1/editing/tasks?status=open").await;
    assert_eq!(
        ids(&open_tasks, "id"),
        vec![req["id"].as_str().unwrap().to_string()]
    );
    let (s, t) = app
        .post(&owner, "/api/v1/editing/tasks", json!({ "gallery_id": gallery, "title": "Black and white set", "photo_ids": [photos[0]], "priority": "someday" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    let (s, e) = app.get(&owner, "/api/v1/editing/tasks?status=later").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let studio = app.principal(&owner).await.studio;
    assert_eq!(app.audit_count(studio, "editing_task.updated").await, 4);
    // Uploads moved it three times: to review, back in progress after the revision, to review.
    assert_eq!(
        app.audit_count(studio, "editing_task.moved_by_upload")
            .await,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_link_has_its_own_cap_and_deliverables_are_tracked_to_the_door() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    // An unreachable SMTP server: what is sent stays in the outbox.
    app.unreachable_smtp(&owner, "Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Final", 2).await;
    let (_, client) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Mina Kim", "email": "mina@example.com" }),
        )
        .await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(
                json!({ "version": g["version"], "client_id": client["id"], "download_limit": 1 }),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The proofing link uses up the gallery's one download.
    let proofing = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "Mina", "download": "web" }),
    )
    .await;
    let proofing = open(&app, proofing["url"].as_str().unwrap()).await;
    assert_eq!(zip_of(&app, &proofing, "").await.0, StatusCode::OK);
    assert_eq!(zip_of(&app, &proofing, "").await.0, StatusCode::CONFLICT);

    // A delivery link takes no proofing rights, and has its own cap.
    let (s, e) = app
        .post(
            &owner,
            &format!("/api/v1/galleries/{gallery}/links"),
            json!({ "label": "Mina", "purpose": "delivery", "rights": ["favourite"] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let delivery = link(&app, &owner, &gallery, json!({ "label": "Mina", "purpose": "delivery", "email": "mina@example.com", "download_limit": 2 })).await;
    assert_eq!(delivery["link"]["purpose"], "delivery");
    assert_eq!(delivery["link"]["download"], "original");
    assert_eq!(delivery["link"]["rights"], json!(["clean"]));
    assert_eq!(delivery["email_queued"], true);
    let guest = open(&app, delivery["url"].as_str().unwrap()).await;
    let (_, cg) = guest.get("/gallery.json").await;
    assert_eq!(cg["delivery"], true);
    assert_eq!(cg["rights"]["downloads_left"], 2);
    assert!(
        cg["photos"][0]["view_url"]
            .as_str()
            .unwrap()
            .contains("/preview"),
        "clean previews"
    );
    let (s, e) = guest
        .post(
            &format!("/photos/{}/mark", photos[0]),
            json!({ "favourite": true }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert!(
        e["detail"].as_str().unwrap().contains("delivery link"),
        "{e}"
    );
    let (s, body) = zip_of(&app, &guest, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(zip_names(&body).len(), 2);
    let (s, _) = guest.get(&format!("/photos/{}/download", photos[0])).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = zip_of(&app, &guest, "").await;
    assert_eq!(s, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&e));

    // Physical deliverables.
    let url = format!("/api/v1/galleries/{gallery}/deliverables");
    let (s, e) = app
        .post(
            &owner,
            &url,
            json!({ "kind": "canvas", "description": "Big" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, album) = app
        .post(&owner, &url, json!({ "kind": "album", "description": "30x30 layflat, 40 pages", "recipient": "Mina Kim", "address": "1 Main St" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{album}");
    assert_eq!(album["status"], "preparing");
    let at = format!("/api/v1/deliverables/{}", album["id"].as_str().unwrap());
    let (s, e) = app
        .patch(
            &owner,
            &at,
            json!({ "version": album["version"], "status": "shipped" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "carrier_required", "{e}");
    let (s, shipped) = app
        .patch(&owner, &at, json!({ "version": album["version"], "status": "shipped", "carrier": "DHL", "tracking_number": "JD0146" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{shipped}");
    assert_eq!(shipped["client_notified"], true);
    assert!(shipped["deliverable"]["shipped_at"].is_string());
    let v1 = shipped["deliverable"]["version"].clone();
    let (s, done) = app
        .patch(&owner, &at, json!({ "version": v1, "status": "delivered" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done["deliverable"]["delivered_at"].is_string());
    let (s, e) = app
        .patch(
            &owner,
            &at,
            json!({ "version": done["deliverable"]["version"], "status": "preparing" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, _) = app
        .patch(
            &owner,
            &at,
            json!({ "version": v1, "description": "stale" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, emails) = app.get(&owner, "/api/v1/emails").await;
    let subjects: Vec<String> = emails["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "mina@example.com")
        .map(|e| e["subject"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        subjects.iter().any(|s| s.contains("Your photos are ready")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("on its way")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("was delivered")),
        "{subjects:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_caches_never_outlive_a_change_made_on_this_node() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (gallery, photos) = gallery_with_photos(&app, &owner, "Warm", 2).await;
    let created = link(&app, &owner, &gallery, json!({ "label": "Mina" })).await;
    let guest = open(&app, created["url"].as_str().unwrap()).await;
    let thumb = |g: &Value, i: usize| app.url(g["photos"][i]["thumb_url"].as_str().unwrap());
    let (_, listing) = guest.get("/gallery.json").await;
    // Twice each: the second answers come from the caches.
    for _ in 0..2 {
        for i in 0..2 {
            let r = app.http.get(thumb(&listing, i)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        assert_eq!(guest.get("/gallery.json").await.0, StatusCode::OK);
    }
    // A deleted photo is gone from the listing and its thumbnail at once.
    let (s, _) = app
        .api(
            &owner,
            Method::DELETE,
            &format!("/api/v1/photos/{}", photos[0]),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let r = app.http.get(thumb(&listing, 0)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, after) = guest.get("/gallery.json").await;
    assert_eq!(after["photos"].as_array().unwrap().len(), 1);
    // A revoked link: its thumbnails and listing stop at once.
    let (s, _) = app
        .post(
            &owner,
            &format!(
                "/api/v1/links/{}/revoke",
                created["link"]["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = app.http.get(thumb(&listing, 1)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(guest.get("/gallery.json").await.0, StatusCode::NOT_FOUND);
}
