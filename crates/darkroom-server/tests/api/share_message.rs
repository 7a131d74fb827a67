//! Getting a new link to the client: a ready message in the studio's
//! language with the link, the code and the date, and a plain word when an
//! address was given but no email server is set up.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::sharing::link;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_link_comes_with_a_message_and_says_when_no_email_went_out() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let gallery = app.gallery(&owner, "Kim wedding").await;
    let (_, g) = app
        .get(&owner, &format!("/api/v1/galleries/{gallery}"))
        .await;
    let (s, v) = app
        .api(
            &owner,
            Method::PUT,
            &format!("/api/v1/galleries/{gallery}/terms"),
            Some(json!({
                "version": g["version"], "selection_deadline": "2099-01-30T12:00:00Z",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({
            "label": "Mina", "kind": "general", "email": "mina@example.com",
        }),
    )
    .await;
    // No email server: the address is not silently dropped.
    assert_eq!(created["email_queued"], false);
    let why = created["email_not_sent"].as_str().unwrap();
    assert!(
        why.contains("mina@example.com") && why.contains("no email server"),
        "{why}"
    );
    let message = created["message"].as_str().unwrap();
    let url = created["url"].as_str().unwrap();
    let code = created["code"].as_str().unwrap();
    assert!(message.starts_with("Hello Mina,"), "{message}");
    assert!(message.contains(url) && message.contains(code), "{message}");
    assert!(message.contains("\"Kim wedding\""), "{message}");
    assert!(
        message.contains("30 January 2099"),
        "the deadline, as people write it: {message}"
    );
    assert!(message.ends_with("Lumen"), "{message}");

    // A Korean studio's message is in Korean.
    let (_, studio) = app.get(&owner, "/api/v1/studio").await;
    let (s, v) = app
        .api(
            &owner,
            Method::PATCH,
            "/api/v1/studio",
            Some(json!({
                "version": studio["version"], "locale": "ko-KR", "time_zone": "Asia/Seoul",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let created = link(&app, &owner, &gallery, json!({ "label": "민아" })).await;
    let message = created["message"].as_str().unwrap();
    assert!(message.starts_with("민아님, 안녕하세요."), "{message}");
    assert!(
        message.contains("2099년 1월 30일까지 선택해 주세요."),
        "{message}"
    );
    assert!(
        created["email_not_sent"].is_null(),
        "no address, nothing to say"
    );
}
