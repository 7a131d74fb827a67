//! The studio's clients: people and organisations the studio works for.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::crm::client::ClientChange;
use darkroom_core::crm::client::NewClient;
use darkroom_core::crm::client::{self, ClientFilter, ClientView};
use darkroom_core::crm::contact::{self, ClientDetail};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// The studio's clients, by name; `q` finds them by a name (typos
/// forgiven, contacts' names too), the start of an email, digits of a phone
/// number or a tag, best matches first.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientFilter),
    responses((status = 200, body = Vec<ClientView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_clients(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ClientFilter>,
) -> ApiResult<Json<Vec<ClientView>>> {
    Ok(Json(client::list(&s.core, &p, &f).await?))
}

/// Add a client (a person, a couple or an organisation). A client with
/// the same email or phone number already there refuses it with 409
/// `duplicate_client` naming that client, unless `allow_duplicate`.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = NewClient,
    responses((status = 201, body = ClientView), (status = 200, body = ClientView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewClient(input)): ApiJson<NewClient>,
) -> ApiResult<(StatusCode, Json<ClientView>)> {
    let (v, created) = client::create(&s.core, &p, &m, input).await?;
    Ok(crate::api::created(v, created))
}

/// One client, with its contacts and addresses.
#[utoipa::path(get, path = "/api/v1/clients/{client_id}", tag = "clients",
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = ClientDetail), (status = 404, body = Problem)))]
async fn get_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ClientDetail>> {
    Ok(Json(
        contact::detail(&s.core, &p, path_id(&id)?, false).await?,
    ))
}

/// Change a client: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/clients/{client_id}", tag = "clients", request_body = ClientChange,
    params(("client_id" = darkroom_domain::ClientId, Path, description = "`cli_...`")),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(ClientChange(input)): ApiJson<ClientChange>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        client::update(&s.core, &p, &m, path_id(&id)?, input).await?,
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
        .routes(routes!(super::transfer::import_clients))
        .routes(routes!(super::transfer::export_clients))
        .routes(routes!(get_client, update_client, delete_client))
        .routes(routes!(restore_client))
        .routes(routes!(super::parts::add_contact))
        .routes(routes!(
            super::parts::update_contact,
            super::parts::remove_contact
        ))
        .routes(routes!(super::parts::add_address))
        .routes(routes!(
            super::parts::update_address,
            super::parts::remove_address
        ))
        .routes(routes!(super::parts::merge_client))
        .routes(routes!(super::parts::unmerge_client))
        .routes(routes!(
            super::documents::list_documents,
            super::documents::add_document
        ))
        .routes(routes!(
            super::documents::get_document,
            super::documents::update_document,
            super::documents::delete_document
        ))
        .routes(routes!(super::documents::restore_document))
        .routes(routes!(super::documents::document_file))
}
