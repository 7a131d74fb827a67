//! Staff members' own calendars, read for their busy times.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::bookings::busy_import::{self, CalendarImportView, NewCalendarImport};
use darkroom_domain::{CalendarImportId, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// The calendars read for a staff member's busy times.
#[utoipa::path(get, path = "/api/v1/staff/{user_id}/calendar-imports", tag = "bookings",
    params(("user_id" = UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = Vec<CalendarImportView>), (status = 404, body = Problem)))]
async fn list_imports(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(user): Path<String>,
) -> ApiResult<Json<Vec<CalendarImportView>>> {
    Ok(Json(busy_import::list(&s.core, &p, path_id(&user)?).await?))
}

/// Read a staff member's own calendar (Google, Apple, Outlook: its secret
/// address in iCal format) for busy times, now and every 15 minutes; an
/// address that does not give a calendar is refused with the reason.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/calendar-imports", tag = "bookings", request_body = NewCalendarImport,
    params(("user_id" = UserId, Path, description = "`usr_...`")),
    responses((status = 201, body = CalendarImportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_import(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(user): Path<String>,
    ApiJson(input): ApiJson<NewCalendarImport>,
) -> ApiResult<(StatusCode, Json<CalendarImportView>)> {
    let v = busy_import::add(&s.core, &p, &m, path_id(&user)?, input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Read a calendar again now.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/calendar-imports/{calendar_import_id}/refresh", tag = "bookings",
    params(("user_id" = UserId, Path, description = "`usr_...`"), ("calendar_import_id" = CalendarImportId, Path, description = "`cim_...`")),
    responses((status = 200, body = CalendarImportView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn refresh_import(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((user, id)): Path<(String, String)>,
) -> ApiResult<Json<CalendarImportView>> {
    let (user, id) = (path_id(&user)?, path_id(&id)?);
    Ok(Json(busy_import::refresh(&s.core, &p, user, id).await?))
}

/// Stop reading a calendar; the busy times it gave go.
#[utoipa::path(delete, path = "/api/v1/staff/{user_id}/calendar-imports/{calendar_import_id}", tag = "bookings",
    params(("user_id" = UserId, Path, description = "`usr_...`"), ("calendar_import_id" = CalendarImportId, Path, description = "`cim_...`")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_import(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((user, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (user, id) = (path_id(&user)?, path_id(&id)?);
    busy_import::remove(&s.core, &p, &m, user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_imports, add_import))
        .routes(routes!(refresh_import))
        .routes(routes!(remove_import))
}
