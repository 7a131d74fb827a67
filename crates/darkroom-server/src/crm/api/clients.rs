//! The studio's clients: people and organisations the studio works for.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::crm::client::{self, ClientView, NewClient};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// Filters for the client list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Part of the name.
    pub q: Option<String>,
}

/// The studio's clients, by name.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientFilter),
    responses((status = 200, body = Vec<ClientView>), (status = 403, body = Problem)))]
async fn list_clients(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ClientFilter>,
) -> ApiResult<Json<Vec<ClientView>>> {
    Ok(Json(client::list(&s.core, &p, f.q.as_deref()).await?))
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
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(v),
    ))
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

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_clients, create_client))
        .routes(routes!(get_client))
}
