//! What every operation of the API can answer besides its own successes,
//! added to the OpenAPI document from the same facts that produce those
//! answers, so the document describes the server that exists:
//!
//! - [`crate::extract::ApiAuth`]: 401 without valid credentials, 403 for a
//!   missing permission or a browser call without its CSRF header;
//! - the rate limiter ([`crate::security::admit`]): 429 on every route;
//! - a path id that does not parse or exists nowhere
//!   ([`crate::extract::path_id`]): 404;
//! - [`crate::extract::ApiJson`]: 400 (not JSON), 413 (too large), 415 (not
//!   `application/json`), 422 (wrong shape or invalid values);
//! - [`crate::extract::ApiQuery`]: 422 for a query parameter out of its type;
//! - writes: 409 (a stale `version`, or a state that forbids the change);
//! - the database being busy: 503.
//!
//! Every error is an RFC 9457 problem document, served (and so documented)
//! as `application/problem+json`.

use serde_json::{Map, Value, json};

const PROBLEM: &str = "application/problem+json";
const WRITES: &[&str] = &["post", "put", "patch", "delete"];

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

/// Moves problem bodies documented as `application/json` to their real type.
fn problem_content_type(responses: &mut Map<String, Value>) {
    for r in responses.values_mut() {
        let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let is_problem = content
            .get("application/json")
            .and_then(|c| c.pointer("/schema/$ref"))
            .and_then(Value::as_str)
            .is_some_and(|r| r.ends_with("/Problem"));
        if is_problem && let Some(c) = content.remove("application/json") {
            content.insert(PROBLEM.into(), c);
        }
    }
}

/// The statuses an operation can answer with, from its shape.
fn implied(
    method: &str,
    op: &Value,
    path: &str,
    secured_by_default: bool,
) -> Vec<(&'static str, &'static str)> {
    let security = op.get("security").and_then(Value::as_array);
    let needs_auth = match security {
        Some(s) => s
            .iter()
            .any(|req| req.as_object().is_some_and(|o| !o.is_empty())),
        None => secured_by_default,
    };
    let params = op.get("parameters").and_then(Value::as_array);
    let has_query = params.is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let has_body = op.get("requestBody").is_some();
    let mut out = vec![
        (
            "429",
            "Too many requests from this address, or too many failed sign-ins; wait `Retry-After` seconds",
        ),
        ("503", "The database is busy; try again in a moment"),
    ];
    if needs_auth {
        out.push((
            "401",
            "No valid credentials: send a personal API token as `Authorization: Bearer drk_...`",
        ));
        out.push(("403", "You lack a permission this needs (the problem names it), or a browser session sent no CSRF token"));
    }
    if path.contains('{') || has_body {
        out.push(("404", "No such object here: an id in the path or body is unknown, malformed, deleted, or another studio's"));
    }
    if has_body {
        out.push(("400", "The body is not one valid JSON value"));
        out.push(("413", "The body is larger than the server accepts"));
        out.push(("415", "The body is not sent as `application/json`"));
        out.push((
            "422",
            "A field is missing, of the wrong type, or not valid; `errors` names each",
        ));
    }
    if has_query {
        out.push((
            "422",
            "A query parameter is not valid; `errors` names it and its range",
        ));
    }
    if WRITES.contains(&method) {
        out.push(("409", "A stale `version` (the current state is in `current`), or a state that does not allow this"));
    }
    out
}

/// Request bodies written out in place rather than by reference, so each
/// operation reads whole (and tools that treat a referenced body's optional
/// properties as required do not misjudge it).
fn inline_bodies(doc: &mut Value) {
    let schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let Some(content) = op
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for media in content.values_mut() {
                let Some(schema) = media.get_mut("schema") else {
                    continue;
                };
                let target = schema
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .and_then(|name| schemas.get(name))
                    .cloned();
                if let Some(t) = target {
                    *schema = t;
                }
            }
        }
    }
}

/// What this server is configured to accept, stated in the document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest file an upload may announce (`Upload-Length`).
    pub max_upload_bytes: u64,
}

/// States the configured limits on the parameters they bound.
fn state_limits(doc: &mut Value, limits: Limits) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in params.iter_mut().filter(|p| p["name"] == "Upload-Length") {
                p["schema"]["minimum"] = json!(1);
                p["schema"]["maximum"] = json!(limits.max_upload_bytes);
                p["description"] =
                    json!("The file's size in bytes: 1 to the largest this server accepts");
            }
        }
    }
}

/// Completes the document in place (see the module's doc).
pub fn complete(doc: &mut Value, limits: Limits) {
    inline_bodies(doc);
    state_limits(doc, limits);
    let secured_by_default = doc
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let statuses = implied(method, op, path, secured_by_default);
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            problem_content_type(responses);
            for (status, description) in statuses {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem_response(description));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_get_the_answers_their_shape_implies() {
        let mut doc = json!({
            "security": [{ "token": [] }],
            "paths": {
                "/api/v1/things/{id}": {
                    "patch": {
                        "parameters": [{ "in": "path", "name": "id" }],
                        "requestBody": { "content": {} },
                        "responses": {
                            "200": { "description": "ok" },
                            "404": { "description": "gone", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                        }
                    }
                },
                "/api/v1/open": {
                    "options": { "security": [], "responses": { "204": { "description": "ok" } } }
                }
            }
        });
        complete(
            &mut doc,
            Limits {
                max_upload_bytes: 10,
            },
        );
        let r = &doc["paths"]["/api/v1/things/{id}"]["patch"]["responses"];
        for s in [
            "400", "401", "403", "404", "409", "413", "415", "422", "429", "503",
        ] {
            assert!(r.get(s).is_some(), "{s} missing: {r}");
        }
        assert_eq!(
            r["404"]["description"], "gone",
            "documented answers are kept"
        );
        assert!(r["404"]["content"].get(PROBLEM).is_some());
        assert!(r["404"]["content"].get("application/json").is_none());
        let open = &doc["paths"]["/api/v1/open"]["options"]["responses"];
        assert!(open.get("401").is_none(), "no sign-in, no 401");
        assert!(open.get("429").is_some());
    }
}
