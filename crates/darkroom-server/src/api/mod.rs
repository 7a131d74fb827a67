//! The JSON API under `/api/v1`, assembled from every context's operations.
//! Handlers are thin: extract, call one core function, map the result. The
//! OpenAPI document is generated from the same route table that builds the
//! router, so the two cannot drift.

pub mod contract;
pub mod docs;

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Darkroom API",
        description = "Run a photography studio: branches, staff, roles and permissions, galleries and photos, audit, jobs and email.\n\n\
            Authenticate with a personal API token (`Authorization: Bearer drk_...`, created under Account → API tokens). \
            Ids are UUIDv7 with a type prefix (`brn_...`); creates accept a client-chosen id and are idempotent for the same body. \
            Updates carry the `version` you read; a stale one gets 409 with the current state. \
            Errors are RFC 9457 problem documents with a stable `code`. Lists are paginated with `cursor`.",
        version = "1"
    ),
    modifiers(&Security),
    components(schemas(
        darkroom_domain::AssignmentId,
        darkroom_domain::BranchId,
        darkroom_domain::ClientId,
        darkroom_domain::DeliverableId,
        darkroom_domain::EmailId,
        darkroom_domain::GalleryId,
        darkroom_domain::GrantId,
        darkroom_domain::JobId,
        darkroom_domain::ShareLinkId,
        darkroom_domain::PhotoId,
        darkroom_domain::RoleId,
        darkroom_domain::GallerySetId,
        darkroom_domain::EditTaskId,
        darkroom_domain::TokenId,
        darkroom_domain::UploadId,
        darkroom_domain::UserId,
        darkroom_domain::BatchId,
        darkroom_domain::names::JobStatus,
        darkroom_domain::names::EmailStatus,
        darkroom_domain::people::StaffStatus,
        darkroom_domain::audit::Severity,
        darkroom_domain::field::DateOrInstant,
        darkroom_core::kernel::listing::IdCursor,
        darkroom_core::kernel::listing::SeqCursor,
        darkroom_core::production::editing::Assignee,
        darkroom_core::production::editing::StatusList,
        crate::photos::TusVersion,
        darkroom_core::kernel::listing::Offset,
        darkroom_core::kernel::listing::ListLimit,
        darkroom_core::kernel::listing::PhotoLimit,
        darkroom_core::kernel::listing::RowVersion,
    )),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("drk_...")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("darkroom_session"))),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "token",
            Vec::<String>::new(),
        )]);
    }
}

/// The API routes and the OpenAPI document describing exactly them, with
/// this server's configured limits.
/// The answer to a create that accepts a client-chosen id: `201 Created`
/// with the new record, or `200 OK` with the existing one when the same
/// request came before (an idempotent replay).
pub fn created<T>(v: T, fresh: bool) -> (axum::http::StatusCode, axum::Json<T>) {
    let status = if fresh {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
    };
    (status, axum::Json(v))
}

pub fn routes(limits: contract::Limits) -> (Router<AppState>, serde_json::Value) {
    let mut r = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let mut tags = Vec::new();
    for c in crate::context::all() {
        r = (c.api)(r);
        tags.extend(c.tags.iter().map(|(name, about)| {
            TagBuilder::new()
                .name(*name)
                .description(Some(*about))
                .build()
        }));
    }
    let (router, mut openapi) = r.split_for_parts();
    openapi.tags = Some(tags);
    let mut doc = serde_json::to_value(&openapi).unwrap_or_default();
    contract::complete(&mut doc, limits);
    (router, doc)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every `$ref` of the document names a schema it holds (a type used
    /// only in query parameters must be listed in `ApiDoc`'s components).
    #[test]
    fn every_reference_resolves() {
        let (_, doc) = super::routes(super::contract::Limits {
            max_upload_bytes: 1,
        });
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut missing = Vec::new();
        fn walk(v: &Value, schemas: &serde_json::Map<String, Value>, missing: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref")
                        && !schemas.contains_key(r.rsplit('/').next().unwrap_or(""))
                    {
                        missing.push(r.clone());
                    }
                    o.values().for_each(|x| walk(x, schemas, missing));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, schemas, missing)),
                _ => {}
            }
        }
        walk(&doc, &schemas, &mut missing);
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "unresolved: {missing:?}");
    }
}
