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

/// The schema of a parameter or property, following a `$ref`.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => &spec["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

/// A studio with one of everything, the OpenAPI document, and its ids by
/// path parameter name.
async fn studio_with_everything(
    app: &TestApp,
) -> (
    crate::isolation::Fixtures,
    Value,
    std::collections::HashMap<String, String>,
) {
    let own = crate::isolation::fixtures(app, "Strict", "Strict").await;
    let (_, spec) = app.get(&own.who, "/api/v1/openapi.json").await;
    let ids = own
        .ids
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    (own, spec, ids)
}

/// Defect 5: every numeric query parameter of the route table, given a
/// number out of its range (or past what 64 bits hold, or not a number),
/// gets a 422 naming the parameter and its range; no request panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_numeric_query_parameter_refuses_numbers_out_of_range() {
    let app = TestApp::spawn().await;
    let (own, spec, ids) = studio_with_everything(&app).await;
    let mut checked = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(params) = op["parameters"].as_array() else {
                continue;
            };
            for p in params.iter().filter(|p| p["in"] == "query") {
                let schema = resolve(&spec, &p["schema"]);
                let schema = match schema.get("oneOf").and_then(|o| o.as_array()) {
                    Some(alts) => alts
                        .iter()
                        .map(|a| resolve(&spec, a))
                        .find(|a| a["type"] != "null")
                        .unwrap_or(schema),
                    None => schema,
                };
                if schema["type"] != "integer" {
                    continue;
                }
                let name = p["name"].as_str().unwrap();
                let (min, max) = (schema["minimum"].as_i64(), schema["maximum"].as_i64());
                assert!(
                    min.is_some() && max.is_some(),
                    "{method} {path}: `{name}` states no range: {schema}"
                );
                let mut bad = vec![
                    "9223372036854775808".to_string(),
                    "99999999999999999999999".to_string(),
                    "-9223372036854775809".to_string(),
                    "1.5".to_string(),
                    "ten".to_string(),
                    (min.unwrap() - 1).to_string(),
                ];
                if let Some(m) = max.unwrap().checked_add(1) {
                    bad.push(m.to_string());
                }
                let url = crate::helpers::fill(path, &ids);
                let m: reqwest::Method = method.to_uppercase().parse().unwrap();
                for value in bad {
                    let (s, v) = app
                        .api(&own.who, m.clone(), &format!("{url}?{name}={value}"), None)
                        .await;
                    assert_eq!(
                        s,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{method} {path}?{name}={value}: {v}"
                    );
                    assert_eq!(v["errors"][0]["field"], name, "{v}");
                    let detail = v["detail"].as_str().unwrap();
                    assert!(
                        detail.contains(&format!("from {} to {}", min.unwrap(), max.unwrap())),
                        "{method} {path}?{name}={value}: the range is named: {detail}"
                    );
                }
                checked.push(format!("{method} {path} {name}"));
            }
        }
    }
    assert!(checked.len() >= 10, "{checked:?}");
    // The pages that page by offset, too.
    let gallery = &own.ids["gallery_id"];
    for page in [format!("/galleries/{gallery}"), "/staging".to_string()] {
        for value in ["9223372036854775808", "-1", "abc"] {
            let (s, html, _) = app
                .page(Some(&own.who.session), &format!("{page}?offset={value}"))
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}?offset={value}");
            assert!(
                html.contains("offset"),
                "{page}: the page names the parameter"
            );
        }
    }
    let (s, _) = app.get(&own.who, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "the server is alive and well");
}

/// Defect 8: a JSON body followed by anything but whitespace is refused on
/// every route that takes JSON, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_bodies_with_trailing_garbage_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let (own, spec, ids) = studio_with_everything(&app).await;
    let (_, before) = app.get(&own.who, "/api/v1/branches").await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            let body = crate::helpers::body_for(&spec, schema, &own.ids);
            for tail in [" trailing", "{}", "\n]", ",1"] {
                let res = app
                    .http
                    .request(
                        method.to_uppercase().parse().unwrap(),
                        app.url(&crate::helpers::fill(path, &ids)),
                    )
                    .bearer_auth(&own.who.token)
                    .header("content-type", "application/json")
                    .body(format!("{body}{tail}"))
                    .send()
                    .await
                    .unwrap();
                let s = res.status();
                let v: Value = res.json().await.unwrap_or(Value::Null);
                assert_eq!(
                    s,
                    StatusCode::BAD_REQUEST,
                    "{method} {path} + {tail:?}: {v}"
                );
                assert_eq!(v["code"], "malformed_json", "{v}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
    let (_, after) = app.get(&own.who, "/api/v1/branches").await;
    assert_eq!(before, after, "nothing was created");
    // Whitespace after the value is fine.
    let (s, v) = app
        .http
        .post(app.url("/api/v1/branches"))
        .bearer_auth(&own.who.token)
        .header("content-type", "application/json")
        .body("{\"name\": \"Trailing space\", \"invoice_prefix\": \"TS-\"} \n\t ")
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(s, StatusCode::CREATED, "{v:?}");
}
