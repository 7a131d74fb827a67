//! Portal sign-in links over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::portal::{self, PortalLinkInput, PortalLinkView};
use darkroom_domain::{ClientId, PortalLinkId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// Email a client (or one of its contacts) a sign-in link to their portal
/// page. The answer carries the link (`url`) once. One without an email
/// address answers 409 `no_email`.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/portal-links", tag = "portal", request_body = PortalLinkInput,
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 201, body = PortalLinkView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn send_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PortalLinkInput>,
) -> ApiResult<(StatusCode, Json<PortalLinkView>)> {
    Ok((
        StatusCode::CREATED,
        Json(portal::send(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// A client's portal links, newest first (without their tokens).
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/portal-links", tag = "portal",
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = Vec<PortalLinkView>), (status = 404, body = Problem)))]
async fn list_links(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<PortalLinkView>>> {
    Ok(Json(portal::list(&s.core, &p, path_id(&id)?).await?))
}

/// Revoke a portal link: it stops opening the page at once.
#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/portal-links/{portal_link_id}", tag = "portal",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("portal_link_id" = PortalLinkId, Path, description = "`ptl_...`")),
    responses((status = 200, body = PortalLinkView), (status = 404, body = Problem)))]
async fn revoke_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, link)): Path<(String, String)>,
) -> ApiResult<Json<PortalLinkView>> {
    let (id, link) = (path_id(&id)?, path_id(&link)?);
    Ok(Json(portal::revoke(&s.core, &p, &m, id, link).await?))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(send_link, list_links))
        .routes(routes!(revoke_link))
}
