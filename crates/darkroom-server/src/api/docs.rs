//! The OpenAPI document and a browsable reference rendered from it, served
//! from the binary (no CDN, no JavaScript).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::state::AppState;
use crate::web::render::render_public;

/// The document, built once from the route table.
#[derive(Clone)]
pub struct Spec(pub Arc<serde_json::Value>);

pub fn routes(spec: Spec) -> Router<AppState> {
    let json = spec.clone();
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json((*json.0).clone()) }),
        )
        .route(
            "/api/docs",
            get(move |State(s): State<AppState>| {
                let spec = spec.clone();
                async move { reference(s, spec) }
            }),
        )
}

fn type_of(schema: &serde_json::Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(|r| r.as_str()) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", type_of(items));
    }
    if let Some(one) = schema.get("oneOf").and_then(|o| o.as_array()) {
        return one
            .iter()
            .map(type_of)
            .filter(|t| t != "null")
            .collect::<Vec<_>>()
            .join(" or ");
    }
    match schema.get("type") {
        Some(serde_json::Value::String(t)) => schema
            .get("format")
            .and_then(|f| f.as_str())
            .map(|f| format!("{t} ({f})"))
            .unwrap_or(t.clone()),
        Some(serde_json::Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".into(),
    }
}

fn reference(s: AppState, spec: Spec) -> Response {
    let doc = &*spec.0;
    let ops = operations(doc);
    let schemas = schemas_of(doc);
    let mut res = render_public(
        &s,
        "api_docs.html",
        minijinja::context! {
            title => "API reference",
            info => doc.get("info"),
            ops => ops,
            schemas => schemas,
        },
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=300"),
    );
    res.into_response()
}

/// Each operation of the document, as the reference page lists it, by tag
/// and path.
fn operations(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let params: Vec<serde_json::Value> = op
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| serde_json::json!({
                        "name": p.get("name"), "in": p.get("in"), "required": p.get("required"),
                        "description": p.get("description"), "type": p.get("schema").map(type_of).unwrap_or_default()
                    }))
                    .collect();
                let body = op
                    .pointer("/requestBody/content/application~1json/schema")
                    .map(type_of);
                let responses: Vec<serde_json::Value> = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|r| {
                        r.iter()
                            .map(|(code, resp)| serde_json::json!({
                                "code": code,
                                "description": resp.get("description"),
                                "type": resp.pointer("/content").and_then(|c| c.as_object()).and_then(|c| c.values().next()).and_then(|c| c.get("schema")).map(type_of),
                            }))
                            .collect()
                    })
                    .unwrap_or_default();
                ops.push(serde_json::json!({
                    "method": method.to_uppercase(), "path": path,
                    "tag": op.get("tags").and_then(|t| t.get(0)),
                    "summary": op.get("summary"), "description": op.get("description"),
                    "params": params, "body": body, "responses": responses,
                    "anchor": format!("{}-{}", method, path.replace(['/', '{', '}'], "-")),
                }));
            }
        }
    }
    ops.sort_by_key(|o| {
        (
            o["tag"].as_str().unwrap_or("").to_string(),
            o["path"].as_str().unwrap_or("").to_string(),
        )
    });
    ops
}

/// Each schema of the document with its properties.
fn schemas_of(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut schemas = Vec::new();
    if let Some(map) = doc
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    {
        for (name, schema) in map {
            let required: Vec<String> = schema
                .get("required")
                .and_then(|r| r.as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let props: Vec<serde_json::Value> = schema
                .get("properties")
                .and_then(|p| p.as_object())
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| serde_json::json!({ "name": k, "type": type_of(v), "required": required.contains(k), "description": v.get("description") }))
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(serde_json::json!({ "name": name, "description": schema.get("description"), "props": props }));
        }
    }
    schemas
}
