//! Bookings: sessions that hold people and resources, never double-booked.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::bookings::booking::{self, BookingFilter, BookingView};
use darkroom_core::bookings::change::{self, BookingPatch, StatusChange};
use darkroom_core::bookings::new::{self, NewBooking};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// The bookings meeting a range (at most 62 days), by start; `holder`
/// narrows them to one person's or resource's.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "bookings", params(BookingFilter),
    responses((status = 200, body = Vec<BookingView>), (status = 422, body = Problem)))]
async fn list_bookings(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<BookingFilter>,
) -> ApiResult<Json<Vec<BookingView>>> {
    Ok(Json(booking::list(&s.core, &p, &f).await?))
}

/// Book people and resources for a time. If any of them is taken (by
/// another booking, or time off), the answer is 409 `booking_conflict`
/// naming what is in the way, with the nearest free times in `current`.
/// The database refuses overlaps itself, whatever the concurrency.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "bookings", request_body = NewBooking,
    responses((status = 201, body = BookingView), (status = 200, body = BookingView),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_booking(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewBooking>,
) -> ApiResult<(StatusCode, Json<BookingView>)> {
    Ok(crate::api::created(
        new::create(&s.core, &p, &m, input).await?,
        true,
    ))
}

/// One booking.
#[utoipa::path(get, path = "/api/v1/bookings/{booking_id}", tag = "bookings",
    params(("booking_id" = darkroom_domain::BookingId, Path, description = "`bkg_...`")),
    responses((status = 200, body = BookingView), (status = 404, body = Problem)))]
async fn get_booking(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(booking::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a booking: move it, change who and what it holds, its title,
/// place or notes. Everything it holds is claimed again at once: it lands
/// whole, or is refused with the conflicts and nearest free times.
#[utoipa::path(patch, path = "/api/v1/bookings/{booking_id}", tag = "bookings", request_body = BookingPatch,
    params(("booking_id" = darkroom_domain::BookingId, Path, description = "`bkg_...`")),
    responses((status = 200, body = BookingView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_booking(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<BookingPatch>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(
        change::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Move a booking's status (cancelling releases what it holds).
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/status", tag = "bookings", request_body = StatusChange,
    params(("booking_id" = darkroom_domain::BookingId, Path, description = "`bkg_...`")),
    responses((status = 200, body = BookingView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_booking_status(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<StatusChange>,
) -> ApiResult<Json<BookingView>> {
    Ok(Json(
        change::set_status(&s.core, &p, &m, path_id(&id)?, c).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_bookings, create_booking))
        .routes(routes!(get_booking, update_booking))
        .routes(routes!(set_booking_status))
}
