//! Getting a new link to the client: a ready message in the studio's
//! language with the link, the code and the date, and a plain word when an
//! address was given but no email server is set up.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::sharing::link;

/// The text of a page fetched with no cookie.
async fn page_text(app: &TestApp, path: &str) -> String {
    app.http
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

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
    let general_url = url.to_string();
    let general_id = created["link"]["id"].as_str().unwrap().to_string();
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
    let created = link(
        &app,
        &owner,
        &gallery,
        json!({ "label": "민아", "rights": ["favourite"] }),
    )
    .await;
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

    // The client's page speaks the studio's language, its script too.
    let guest = crate::sharing::open(&app, created["url"].as_str().unwrap()).await;
    let (s, page) = guest.get("").await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("<html lang=\"ko\">"), "{page}");
    let meta: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("class=\"meta\""))
        .collect();
    for ko in [
        "닫기",
        "사진으로 건너뛰기",
        "민아님께",
        "2099년 1월 30일까지 마음에 드는 사진을 골라 주세요",
        "선택을 취소했습니다",
    ] {
        assert!(page.contains(ko), "the Korean page lacks `{ko}`: {meta:?}");
    }
    assert!(!page.contains(">Close<"), "no English left on the page");

    // The access-code page, a wrong code, and a link turned off: Korean too.
    let token = general_url.rsplit('/').next().unwrap();
    let page = page_text(&app, &format!("/g/{token}")).await;
    assert!(
        page.contains("접근 코드") && page.contains("갤러리 열기"),
        "{page}"
    );
    let wrong = app
        .http
        .post(app.url(&format!("/g/{token}")))
        .header("origin", &app.base)
        .form(&[("code", "WRONG-CODE")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("접근 코드가 맞지 않습니다")
    );
    let (s, v) = app
        .post(
            &owner,
            &format!("/api/v1/links/{general_id}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let page = page_text(&app, &format!("/g/{token}")).await;
    assert!(
        page.contains("더 이상 공유되지 않는 갤러리입니다"),
        "{page}"
    );
}
