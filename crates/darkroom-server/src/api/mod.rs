//! The JSON API under `/api/v1`. Handlers are thin: extract, call one core
//! function, map the result. The OpenAPI document is generated from the same
//! route table that builds the router, so the two cannot drift.

mod access;
mod audit;
mod branch;
pub mod docs;
mod editing;
mod me;
mod ops;
mod photos;
mod sharing;
mod staff;
mod studio;
mod token;
mod upload;

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    tags(
        (name = "studio", description = "The studio's profile and settings"),
        (name = "photos", description = "Galleries, photos, versions, the staging area, and resumable uploads (tus 1.0)"),
        (name = "sharing", description = "Clients, gallery terms, share links for clients (proofing and delivery), and what clients did"),
        (name = "editing", description = "The editing queue: tasks from clients' selections and edit requests, assignees, priorities, review"),
        (name = "delivery", description = "Physical deliverables (USB, albums, prints): status, carrier, tracking"),
        (name = "branches", description = "Where the studio works from"),
        (name = "staff", description = "Staff accounts and invitations"),
        (name = "access", description = "Roles, permissions, role assignments and grants"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "tokens", description = "Personal API tokens"),
        (name = "operations", description = "Background jobs and outgoing email"),
    )
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

/// The API routes and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let r = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let r = me::routes(r);
    let r = studio::routes(r);
    let r = branch::routes(r);
    let r = staff::routes(r);
    let r = access::routes(r);
    let r = audit::routes(r);
    let r = token::routes(r);
    let r = ops::routes(r);
    let r = photos::routes(r);
    let r = sharing::routes(r);
    let r = editing::routes(r);
    let r = upload::routes(r);
    r.split_for_parts()
}
