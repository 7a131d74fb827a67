//! Clients in and out as CSV: an import (dry run first) and an export.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use darkroom_core::crm::import::{self, ImportInput, ImportReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta};
use crate::state::AppState;

/// Import clients from a CSV file (HoneyBook, Pixieset and Studio Ninja
/// exports are read as they come; the README lists the columns). With
/// `dry_run` (the default) nothing is written: the report says per row
/// what would be created, merged into a client on file (same email or
/// phone) or refused (row, column, reason). Then send it with
/// `dry_run: false`.
#[utoipa::path(post, path = "/api/v1/clients/import", tag = "clients", request_body = ImportInput,
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_clients(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(import::import(&s.core, &p, &m, input).await?))
}

/// The studio's clients as CSV (the columns the import reads back; a cell
/// a spreadsheet would run as a formula starts with `'`).
#[utoipa::path(get, path = "/api/v1/clients/export", tag = "clients",
    responses((status = 200, content_type = "text/csv", description = "One client per row"), (status = 403, body = Problem)))]
pub async fn export_clients(State(s): State<AppState>, ApiAuth(p): ApiAuth) -> ApiResult<Response> {
    let body = import::export(&s.core, &p).await?;
    Ok(csv_response(body))
}

/// A CSV file to save.
pub fn csv_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"clients.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}
