//! The studio's clients: people and organisations the studio works for.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::crm::client::{self, ClientFilter, ClientPatch, ClientView, NewClient};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// The studio's clients, by name; `q` finds them by part of the name or
/// email, or by digits of the phone number.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientFilter),
    responses((status = 200, body = Vec<ClientView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_clients(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ClientFilter>,
) -> ApiResult<Json<Vec<ClientView>>> {
    Ok(Json(client::list(&s.core, &p, &f).await?))
}

/// Add a client (a person or an organisation).
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = NewClient,
    responses((status = 201, body = ClientView), (status = 200, body = ClientView), (status = 422, body = Problem)))]
async fn create_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewClient>,
) -> ApiResult<(StatusCode, Json<ClientView>)> {
    let (v, created) = client::create(&s.core, &p, &m, input).await?;
    Ok(crate::api::created(v, created))
}

/// One client.
#[utoipa::path(get, path = "/api/v1/clients/{client_id}", tag = "clients",
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = ClientView), (status = 404, body = Problem)))]
async fn get_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(client::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a client: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/clients/{client_id}", tag = "clients", request_body = ClientPatch,
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ClientPatch>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        client::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Delete a client (it can be restored).
#[utoipa::path(delete, path = "/api/v1/clients/{client_id}", tag = "clients",
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`"), VersionParam),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        client::set_deleted(&s.core, &p, &m, path_id(&id)?, v.get(), false).await?,
    ))
}

/// Restore a deleted client.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/restore", tag = "clients",
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`"), VersionParam),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn restore_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        client::set_deleted(&s.core, &p, &m, path_id(&id)?, v.get(), true).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_clients, create_client))
        .routes(routes!(get_client, update_client, delete_client))
        .routes(routes!(restore_client))
}
