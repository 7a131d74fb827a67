//! The audit log.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use darkroom_core::kernel::audit::{self, AuditEntryView, AuditExportFilter, AuditFilter};
use darkroom_core::kernel::listing::Listing;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiQuery, ClientMeta};
use crate::state::AppState;

/// The studio's audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Listing<AuditEntryView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_audit(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Listing<AuditEntryView>>> {
    Ok(Json(audit::list(&s.core, &p, &f).await?))
}

/// Every matching entry, oldest first, as JSON Lines. The export is itself audited.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditExportFilter),
    responses((status = 200, content_type = "application/x-ndjson", description = "One entry per line"), (status = 403, body = Problem)))]
async fn export_audit(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiQuery(f): ApiQuery<AuditExportFilter>,
) -> ApiResult<Response> {
    let rows = audit::export(&s.core, &p, &m, &f).await?;
    let mut body = String::new();
    for r in rows {
        body.push_str(&serde_json::to_string(&r).unwrap_or_default());
        body.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.jsonl\"",
            ),
        ],
        body,
    )
        .into_response())
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_audit)).routes(routes!(export_audit))
}
