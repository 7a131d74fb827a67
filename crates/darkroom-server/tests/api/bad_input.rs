//! Bad input gets a clear 4xx problem document and stores nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

async fn raw(
    app: &TestApp,
    token: &str,
    ctype: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Value) {
    let res = app
        .http
        .post(app.url("/api/v1/branches"))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn malformed_wrong_unknown_oversized_and_mistyped_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Strict").await;
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            "application/json",
            b"{\"name\": \"x\"".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "empty body",
            "application/json",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not an object",
            "application/json",
            b"[1,2]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "wrong type",
            "application/json",
            br#"{"name": 5}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "wrong nested type",
            "application/json",
            br#"{"name": "x", "address": {"city": ["a"]}}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "unknown field",
            "application/json",
            br#"{"name": "x", "colour": "red"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "missing field",
            "application/json",
            br#"{"invoice_prefix": "X-"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "invalid value",
            "application/json",
            br#"{"name": "x", "currency": "DOUBLOONS"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "bad tax number",
            "application/json",
            br#"{"name": "x", "tax_id_kind": "gstin", "tax_id": "29ABCDE1234F1Z0"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "not JSON at all",
            "text/plain",
            b"name=x".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "oversized",
            "application/json",
            format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (what, ctype, body, status, code) in cases {
        let (s, ct, v) = raw(&app, &owner.token, ctype, body).await;
        assert_eq!(s, status, "{what}: {v}");
        assert_eq!(ct, "application/problem+json", "{what}");
        assert_eq!(v["code"], code, "{what}: {v}");
        let detail = v["detail"].as_str().unwrap_or("");
        assert!(
            detail.len() > 15,
            "{what}: the detail says what is wrong: {v}"
        );
        assert_eq!(v["status"], status.as_u16());
    }
    // Field errors name the field.
    let (_, _, v) = raw(
        &app,
        &owner.token,
        "application/json",
        br#"{"name": 5}"#.to_vec(),
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "name");
    let (_, _, v) = raw(
        &app,
        &owner.token,
        "application/json",
        br#"{"name": "x", "address": {"city": ["a"]}}"#.to_vec(),
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "address.city");
    let (_, _, v) = raw(
        &app,
        &owner.token,
        "application/json",
        br#"{"name": "x", "colour": "red"}"#.to_vec(),
    )
    .await;
    assert!(v["detail"].as_str().unwrap().contains("colour"), "{v}");
    // Nothing was stored: the studio still has only its first branch.
    let (_, list) = app.get(&owner, "/api/v1/branches").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test]
async fn bad_queries_paths_and_methods_get_problem_documents() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Strict").await;
    for (path, status) in [
        ("/api/v1/branches?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/api/v1/branches?limit=abc",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/branches?cursor=%21%21",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/branches?colour=red",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/audit?severity=catastrophic",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/audit?from=yesterday",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/branches/brn_nope", StatusCode::NOT_FOUND),
        ("/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let (s, v) = app.get(&owner, path).await;
        assert_eq!(s, status, "{path}: {v}");
        assert!(v["code"].is_string(), "{path}: {v}");
    }
    let (s, v) = app
        .api(&owner, reqwest::Method::PUT, "/api/v1/branches", None)
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["code"], "method_not_allowed");
}
