//! A client's documents: insurance certificates, W-9s, contracts, terms,
//! branding. The file comes first through the resumable upload path
//! (`POST /api/v1/uploads` with the metadata `file` = `1`), then a
//! document takes the finished upload by its id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::crm::document::{self, DocumentChange, DocumentView, NewDocument};
use darkroom_domain::{ClientId, DocumentId};
use serde::Deserialize;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// Which documents to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    /// The deleted ones (to restore) instead of the live ones.
    pub deleted: Option<bool>,
}

/// A client's documents, by title, each with where it stands today
/// (missing, expired, expiring within 30 days, on file).
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/documents", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), DocumentFilter),
    responses((status = 200, body = Vec<DocumentView>), (status = 404, body = Problem)))]
pub async fn list_documents(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(client_id): Path<String>,
    ApiQuery(f): ApiQuery<DocumentFilter>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let deleted = f.deleted.unwrap_or(false);
    Ok(Json(
        document::list(&s.core, &p, path_id(&client_id)?, deleted).await?,
    ))
}

/// Add a document to a client: with `upload_id` (a finished upload of
/// yours, sent with the metadata `file` = `1`) it holds that file; without
/// one it asks for the file (it shows as missing until one is added).
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/documents", tag = "clients", request_body = NewDocument,
    params(("client_id" = ClientId, Path, description = "`cli_...`")),
    responses((status = 201, body = DocumentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_document(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(client_id): Path<String>,
    ApiJson(NewDocument(input)): ApiJson<NewDocument>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let v = document::save(&s.core, &p, &m, path_id(&client_id)?, None, input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One document of a client (deleted ones too).
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/documents/{document_id}", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("document_id" = DocumentId, Path, description = "`doc_...`")),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem)))]
pub async fn get_document(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((client_id, document_id)): Path<(String, String)>,
) -> ApiResult<Json<DocumentView>> {
    let (c, d) = (path_id(&client_id)?, path_id(&document_id)?);
    Ok(Json(document::get(&s.core, &p, c, d).await?))
}

/// Change a document: only the fields sent change; a new `upload_id`
/// replaces its file (a renewed certificate), and its reminders start again.
#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/documents/{document_id}", tag = "clients", request_body = DocumentChange,
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("document_id" = DocumentId, Path, description = "`doc_...`")),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_document(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, document_id)): Path<(String, String)>,
    ApiJson(DocumentChange(input)): ApiJson<DocumentChange>,
) -> ApiResult<Json<DocumentView>> {
    let (c, d) = (path_id(&client_id)?, path_id(&document_id)?);
    Ok(Json(
        document::save(&s.core, &p, &m, c, Some(d), input).await?,
    ))
}

/// Delete a document (it can be restored; its file is kept).
#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/documents/{document_id}", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("document_id" = DocumentId, Path, description = "`doc_...`"), VersionParam),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_document(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, document_id)): Path<(String, String)>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<DocumentView>> {
    let (c, d) = (path_id(&client_id)?, path_id(&document_id)?);
    Ok(Json(
        document::set_deleted(&s.core, &p, &m, c, d, v.get(), true).await?,
    ))
}

/// Restore a deleted document.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/documents/{document_id}/restore", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("document_id" = DocumentId, Path, description = "`doc_...`"), VersionParam),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_document(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((client_id, document_id)): Path<(String, String)>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<DocumentView>> {
    let (c, d) = (path_id(&client_id)?, path_id(&document_id)?);
    Ok(Json(
        document::set_deleted(&s.core, &p, &m, c, d, v.get(), false).await?,
    ))
}

/// The document's file, as a download (its SHA-256 is the ETag).
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/documents/{document_id}/file", tag = "clients",
    params(("client_id" = ClientId, Path, description = "`cli_...`"), ("document_id" = DocumentId, Path, description = "`doc_...`")),
    responses((status = 200, description = "The file's bytes, as an attachment"), (status = 404, body = Problem)))]
pub async fn document_file(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((client_id, document_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (c, d) = (path_id(&client_id)?, path_id(&document_id)?);
    let bytes = document::open(&s.core, &p, c, d).await?;
    Ok(crate::web::bytes::document(bytes))
}
