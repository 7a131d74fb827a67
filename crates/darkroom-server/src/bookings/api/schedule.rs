//! Session types and their free times, staff hours and time off, and
//! calendar feeds.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::bookings::availability::{self, BlockView, NewBlock, Slot, WeekHours};
use darkroom_core::bookings::feed::{self, FeedView, NewFeed};
use darkroom_core::bookings::session_type::{self, NewSessionType, SessionTypeView};
use darkroom_domain::Timestamp;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// A range of time.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// Now by default.
    pub from: Option<Timestamp>,
    /// At most 62 days after `from`; 14 days after it by default.
    pub to: Option<Timestamp>,
}

impl Window {
    fn or_default(&self, s: &AppState) -> (Timestamp, Timestamp) {
        let from = self.from.unwrap_or_else(|| s.core.now());
        let to = self
            .to
            .unwrap_or_else(|| from.plus(std::time::Duration::from_secs(14 * 86_400)));
        (from, to)
    }
}

/// The studio's session types.
#[utoipa::path(get, path = "/api/v1/session-types", tag = "bookings",
    responses((status = 200, body = Vec<SessionTypeView>)))]
async fn list_session_types(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<SessionTypeView>>> {
    Ok(Json(session_type::list(&s.core, &p).await?))
}

/// Add a session type.
#[utoipa::path(post, path = "/api/v1/session-types", tag = "bookings", request_body = NewSessionType,
    responses((status = 201, body = SessionTypeView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_session_type(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewSessionType>,
) -> ApiResult<(StatusCode, Json<SessionTypeView>)> {
    Ok(crate::api::created(
        session_type::create(&s.core, &p, &m, input).await?,
        true,
    ))
}

/// One session type.
#[utoipa::path(get, path = "/api/v1/session-types/{session_type_id}", tag = "bookings",
    params(("session_type_id" = darkroom_domain::SessionTypeId, Path, description = "`sst_...`")),
    responses((status = 200, body = SessionTypeView), (status = 404, body = Problem)))]
async fn get_session_type(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionTypeView>> {
    Ok(Json(session_type::get(&s.core, &p, path_id(&id)?).await?))
}

/// The free start times of a session type in a range: when one of its
/// staff works, is not away or booked (buffers included), and what it
/// needs is free; computed in the branch's zone, across clock changes.
#[utoipa::path(get, path = "/api/v1/session-types/{session_type_id}/slots", tag = "bookings",
    params(("session_type_id" = darkroom_domain::SessionTypeId, Path, description = "`sst_...`"), Window),
    responses((status = 200, body = Vec<Slot>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn session_type_slots(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Vec<Slot>>> {
    let (from, to) = w.or_default(&s);
    Ok(Json(
        availability::slots(&s.core, &p, path_id(&id)?, from, to).await?,
    ))
}

/// A staff member's weekly hours, per branch, in the branch's wall-clock time.
#[utoipa::path(get, path = "/api/v1/staff/{user_id}/hours", tag = "bookings",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = WeekHours), (status = 404, body = Problem)))]
async fn get_hours(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<WeekHours>> {
    Ok(Json(availability::hours(&s.core, &p, path_id(&id)?).await?))
}

/// Replace a staff member's weekly hours (your own, or anyone's with `booking.manage`).
#[utoipa::path(put, path = "/api/v1/staff/{user_id}/hours", tag = "bookings", request_body = WeekHours,
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = WeekHours), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_hours(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(w): ApiJson<WeekHours>,
) -> ApiResult<Json<WeekHours>> {
    Ok(Json(
        availability::set_hours(&s.core, &p, &m, path_id(&id)?, w).await?,
    ))
}

/// A staff member's time off and blocks meeting a range.
#[utoipa::path(get, path = "/api/v1/staff/{user_id}/time-off", tag = "bookings",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), Window),
    responses((status = 200, body = Vec<BlockView>), (status = 404, body = Problem)))]
async fn list_time_off(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Vec<BlockView>>> {
    let (from, to) = w.or_default(&s);
    Ok(Json(
        availability::blocks(&s.core, &p, path_id(&id)?, from, to).await?,
    ))
}

/// Add time off or a one-off block for a staff member.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/time-off", tag = "bookings", request_body = NewBlock,
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 201, body = BlockView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_time_off(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewBlock>,
) -> ApiResult<(StatusCode, Json<BlockView>)> {
    Ok(crate::api::created(
        availability::add_block(&s.core, &p, &m, path_id(&id)?, b).await?,
        true,
    ))
}

/// Remove time off or a block.
#[utoipa::path(delete, path = "/api/v1/staff/{user_id}/time-off/{block_id}", tag = "bookings",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"),
        ("block_id" = darkroom_domain::BlockId, Path, description = "`blk_...`")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_time_off(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((user, block)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    availability::remove_block(&s.core, &p, &m, path_id(&user)?, path_id(&block)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calendar feeds you may manage (their URLs are shown only when made).
#[utoipa::path(get, path = "/api/v1/calendar-feeds", tag = "bookings",
    responses((status = 200, body = Vec<FeedView>)))]
async fn list_feeds(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<FeedView>>> {
    Ok(Json(feed::list(&s.core, &p).await?))
}

/// Make a secret iCalendar feed URL of a staff member's, a resource's or a
/// branch's bookings, for any calendar app. The URL is shown once.
#[utoipa::path(post, path = "/api/v1/calendar-feeds", tag = "bookings", request_body = NewFeed,
    responses((status = 201, body = FeedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_feed(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewFeed>,
) -> ApiResult<(StatusCode, Json<FeedView>)> {
    Ok(crate::api::created(
        feed::create(&s.core, &p, &m, input).await?,
        true,
    ))
}

/// Revoke a feed: its URL stops working at once.
#[utoipa::path(delete, path = "/api/v1/calendar-feeds/{feed_id}", tag = "bookings",
    params(("feed_id" = darkroom_domain::FeedId, Path, description = "`fed_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_feed(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    feed::revoke(&s.core, &p, &m, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_session_types, create_session_type))
        .routes(routes!(get_session_type))
        .routes(routes!(session_type_slots))
        .routes(routes!(get_hours, set_hours))
        .routes(routes!(list_time_off, add_time_off))
        .routes(routes!(remove_time_off))
        .routes(routes!(list_feeds, create_feed))
        .routes(routes!(revoke_feed))
}
