//! Packages: an exact price in the branch's currency, what they include,
//! and resource hooks (a booking of the package holds its room and people,
//! so a second one at that time is refused); a project names its package;
//! bad input says where; another studio's package answers like a missing one.

use reqwest::StatusCode;
use serde_json::json;

use crate::bookings::{booking, front};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_package_holds_its_room_and_people_and_prices_exactly() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Package Studio", "Asia/Kolkata").await;
    let (_, branch) = app
        .get(&f.owner, &format!("/api/v1/branches/{}", f.branch))
        .await;
    let currency = branch["currency"].as_str().unwrap().to_string();
    let (s, pkg) = app
        .post(&f.owner, "/api/v1/packages", json!({
            "branch_id": f.branch, "name": "Studio portraits", "price": "4500.50", "tax_rate_bp": 1800,
            "duration_minutes": 60, "photos_included": 15,
            "inclusions": ["15 retouched photos", "Online gallery"], "exclusions": ["Prints"],
            "resource_ids": [f.room], "staff_ids": [f.photographer.user.to_string()],
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pkg}");
    let digits = if currency == "KRW" || currency == "JPY" {
        0
    } else {
        2
    };
    if digits == 2 {
        assert_eq!(pkg["price_minor"], 450_050);
        assert_eq!(pkg["price"], format!("{currency} 4,500.50"));
    }
    assert_eq!(
        pkg["inclusions"],
        json!(["15 retouched photos", "Online gallery"])
    );
    let pid = pkg["id"].as_str().unwrap();

    // Booked with the package alone: its room and photographer are held.
    let mut b = booking(&f, "2027-03-10T05:00:00Z", "2027-03-10T06:00:00Z");
    b["staff"] = json!([]);
    b["package_id"] = json!(pid);
    let (s, made) = app.post(&f.owner, "/api/v1/bookings", b.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let held: Vec<_> = made["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["holder_id"].as_str().unwrap().to_string())
        .collect();
    assert!(held.contains(&f.room), "{held:?}");
    assert!(held.contains(&f.photographer.user.to_string()), "{held:?}");
    // The same package at an overlapping time: the room is taken.
    b["starts_at"] = json!("2027-03-10T05:30:00Z");
    b["ends_at"] = json!("2027-03-10T06:30:00Z");
    let (s, refused) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");

    // A project sold with it names it.
    let (_, c) = app
        .post(&f.owner, "/api/v1/clients", json!({ "name": "Ravi" }))
        .await;
    let (s, p) = app
        .post(
            &f.owner,
            "/api/v1/projects",
            json!({ "client_id": c["id"], "kind": "studio", "package_id": pid }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, d) = app
        .get(
            &f.owner,
            &format!("/api/v1/projects/{}", p["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(d["package"]["name"], "Studio portraits");
    assert_eq!(d["package"]["photos_included"], 15);

    // Changed, then withdrawn: the project still names it.
    let (s, changed) = app
        .patch(
            &f.owner,
            &format!("/api/v1/packages/{pid}"),
            json!({ "version": pkg["version"], "price": "5000" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    if digits == 2 {
        assert_eq!(changed["price_minor"], 500_000);
    }
    let (s, _) = app
        .api(
            &f.owner,
            reqwest::Method::DELETE,
            &format!("/api/v1/packages/{pid}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, d) = app
        .get(
            &f.owner,
            &format!("/api/v1/projects/{}", p["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(d["package"]["name"], "Studio portraits");
    let (_, list) = app.get(&f.owner, "/api/v1/packages").await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn bad_packages_say_where_and_other_studios_packages_are_not_found() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Package Studio", "Asia/Kolkata").await;
    let other = front(&app, "Other Studio", "Europe/Berlin").await;
    for (body, field) in [
        (
            json!({ "branch_id": f.branch, "name": "X", "price": "12.345" }),
            "price",
        ),
        (
            json!({ "branch_id": f.branch, "name": "X", "price": "twelve" }),
            "price",
        ),
        (
            json!({ "branch_id": f.branch, "name": "X", "price": "-5" }),
            "price",
        ),
        (json!({ "branch_id": f.branch, "price": "10" }), "name"),
        (
            json!({ "branch_id": f.branch, "name": "X", "price": "10", "tax_rate_bp": 20000 }),
            "tax_rate_bp",
        ),
        (
            json!({ "branch_id": f.branch, "name": "X", "price": "10", "photos_included": 0 }),
            "photos_included",
        ),
    ] {
        let (s, e) = app.post(&f.owner, "/api/v1/packages", body.clone()).await;
        assert!(
            s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::BAD_REQUEST,
            "{body}: {s} {e}"
        );
        assert!(
            e.to_string().contains(field),
            "{body} should name {field}: {e}"
        );
    }
    let (s, e) = app
        .post(&f.owner, "/api/v1/packages", json!({ "branch_id": f.branch, "name": "X", "price": "10", "resource_ids": [other.room] }))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (_, list) = app.get(&f.owner, "/api/v1/packages").await;
    assert_eq!(list, json!([]), "nothing stored");

    let (_, theirs) = app
        .post(
            &other.owner,
            "/api/v1/packages",
            json!({ "branch_id": other.branch, "name": "Theirs", "price": "10" }),
        )
        .await;
    let tid = theirs["id"].as_str().unwrap();
    let (s, _) = app.get(&f.owner, &format!("/api/v1/packages/{tid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut b = booking(&f, "2027-03-10T05:00:00Z", "2027-03-10T06:00:00Z");
    b["package_id"] = json!(tid);
    let (s, e) = app.post(&f.owner, "/api/v1/bookings", b).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (_, c) = app
        .post(&f.owner, "/api/v1/clients", json!({ "name": "Ravi" }))
        .await;
    let (s, e) = app
        .post(
            &f.owner,
            "/api/v1/projects",
            json!({ "client_id": c["id"], "kind": "studio", "package_id": tid }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
}

#[tokio::test]
async fn a_packages_photos_become_its_galleries_selection_limit() {
    let app = TestApp::spawn().await;
    let f = front(&app, "Limit Studio", "Asia/Kolkata").await;
    let mut pkgs = Vec::new();
    for (name, photos) in [("Silver", 30), ("Gold", 50)] {
        let (s, pkg) = app
            .post(
                &f.owner,
                "/api/v1/packages",
                json!({
                    "branch_id": f.branch, "name": name, "price": "1000", "photos_included": photos,
                }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{pkg}");
        pkgs.push(pkg["id"].as_str().unwrap().to_string());
    }
    let (_, c) = app
        .post(&f.owner, "/api/v1/clients", json!({ "name": "Ravi" }))
        .await;
    let (s, p) = app
        .post(
            &f.owner,
            "/api/v1/projects",
            json!({ "client_id": c["id"], "kind": "wedding", "package_id": pkgs[0] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    let limit = |g: String| {
        let app = &app;
        let owner = &f.owner;
        async move {
            let (_, v) = app.get(owner, &format!("/api/v1/galleries/{g}")).await;
            (v["selection_limit"].clone(), v["version"].clone())
        }
    };
    let g1 = app.gallery(&f.owner, "Ceremony").await;
    let g2 = app.gallery(&f.owner, "Reception").await;
    for g in [&g1, &g2] {
        let (s, e) = app
            .api(
                &f.owner,
                reqwest::Method::PUT,
                &format!("/api/v1/projects/{pid}/galleries/{g}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    }
    assert_eq!(
        limit(g1.clone()).await.0,
        30,
        "linking takes the package's photos"
    );

    // Staff choose another limit for one gallery: it stays.
    let (_, v) = limit(g2.clone()).await;
    let (s, e) = app
        .api(
            &f.owner,
            reqwest::Method::PUT,
            &format!("/api/v1/galleries/{g2}/terms"),
            Some(json!({ "version": v, "selection_limit": 40 })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");

    // A bigger package raises the followed limit only.
    let version = || {
        let (app, owner, pid) = (&app, &f.owner, pid.clone());
        async move {
            app.get(owner, &format!("/api/v1/projects/{pid}")).await.1["project"]["version"].clone()
        }
    };
    let (s, e) = app
        .patch(
            &f.owner,
            &format!("/api/v1/projects/{pid}"),
            json!({ "version": version().await, "package_id": pkgs[1] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(limit(g1.clone()).await.0, 50);
    assert_eq!(limit(g2.clone()).await.0, 40, "a limit staff chose stays");

    // Both at once is refused; no package takes the followed limit off.
    let (s, e) = app
        .patch(
            &f.owner,
            &format!("/api/v1/projects/{pid}"),
            json!({ "version": version().await, "package_id": pkgs[1], "no_package": true }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app
        .patch(
            &f.owner,
            &format!("/api/v1/projects/{pid}"),
            json!({ "version": version().await, "no_package": true }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert!(e["package_id"].is_null(), "{e}");
    assert!(limit(g1.clone()).await.0.is_null());
    assert_eq!(limit(g2).await.0, 40);
}
