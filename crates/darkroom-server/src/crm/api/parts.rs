//! A client's contacts and addresses, and merging two clients into one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::crm::client::ClientView;
use darkroom_core::crm::contact::AddressChange;
use darkroom_core::crm::contact::ContactChange;
use darkroom_core::crm::contact::NewAddress;
use darkroom_core::crm::contact::NewContact;
use darkroom_core::crm::contact::{AddressView, ContactView};
use darkroom_core::crm::merge::{self, MergeInput};
use darkroom_core::crm::parts::{self as contact, Part};
use darkroom_domain::ClientId;
use serde::Deserialize;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// Add a contact to a client (an organisation's billing or marketing
/// person, a couple's planner). `primary: true` makes it the one to reach
/// first (the previous primary stops being it).
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/contacts", tag = "clients", request_body = NewContact,
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 201, body = ContactView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(client_id): Path<String>,
    ApiJson(NewContact(input)): ApiJson<NewContact>,
) -> ApiResult<(StatusCode, Json<ContactView>)> {
    let v = contact::save_contact(&s.core, &p, &m, path_id(&client_id)?, None, input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Change a contact of a client: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/contacts/{contact_id}", tag = "clients", request_body = ContactChange,
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("contact_id" = darkroom_domain::ContactId, Path, description = "`ctc_...`")),
    responses((status = 200, body = ContactView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_contact(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, contact_id)): Path<(String, String)>,
    ApiJson(ContactChange(input)): ApiJson<ContactChange>,
) -> ApiResult<Json<ContactView>> {
    let (c, k) = (path_id(&client_id)?, path_id(&contact_id)?);
    Ok(Json(
        contact::save_contact(&s.core, &p, &m, c, Some(k), input).await?,
    ))
}

/// Remove a contact of a client.
#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/contacts/{contact_id}", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("contact_id" = darkroom_domain::ContactId, Path, description = "`ctc_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_contact(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, contact_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let part = Part::Contact(path_id(&contact_id)?);
    contact::remove(&s.core, &p, &m, path_id(&client_id)?, part).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an address to a client (home, billing, delivery, venue, office).
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/addresses", tag = "clients", request_body = NewAddress,
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 201, body = AddressView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_address(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(client_id): Path<String>,
    ApiJson(NewAddress(input)): ApiJson<NewAddress>,
) -> ApiResult<(StatusCode, Json<AddressView>)> {
    let v = contact::save_address(&s.core, &p, &m, path_id(&client_id)?, None, input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Change an address of a client: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/addresses/{address_id}", tag = "clients", request_body = AddressChange,
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("address_id" = darkroom_domain::AddressId, Path, description = "`adr_...`")),
    responses((status = 200, body = AddressView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_address(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, address_id)): Path<(String, String)>,
    ApiJson(AddressChange(input)): ApiJson<AddressChange>,
) -> ApiResult<Json<AddressView>> {
    let (c, a) = (path_id(&client_id)?, path_id(&address_id)?);
    Ok(Json(
        contact::save_address(&s.core, &p, &m, c, Some(a), input).await?,
    ))
}

/// Remove an address of a client.
#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/addresses/{address_id}", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("address_id" = darkroom_domain::AddressId, Path, description = "`adr_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_address(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, address_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let part = Part::Address(path_id(&address_id)?);
    contact::remove(&s.core, &p, &m, path_id(&client_id)?, part).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merge another client into this one: its galleries, bookings, contacts
/// and addresses move here, blank fields here take its values, and it is
/// deleted. The audit trail keeps what moved; `unmerge` moves it back.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/merge", tag = "clients", request_body = MergeInput,
    params(("client_id" = ClientId, Path, description = "`cli_...` (the one that stays)")),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        merge::merge(&s.core, &p, &m, path_id(&client_id)?, input).await?,
    ))
}

/// Which merged client to bring back.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmergeInput {
    /// The client that was merged into this one (`cli_...`).
    pub merged: ClientId,
}

/// Undo a merge: what moved goes back and the merged client returns.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/unmerge", tag = "clients", request_body = UnmergeInput,
    params(("client_id" = ClientId, Path, description = "`cli_...` (the one that stayed)")),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn unmerge_client(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<UnmergeInput>,
) -> ApiResult<Json<ClientView>> {
    Ok(Json(
        merge::unmerge(&s.core, &p, &m, path_id(&client_id)?, input.merged).await?,
    ))
}
