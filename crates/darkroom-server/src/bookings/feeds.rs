//! A calendar feed by its secret URL (`/calendar/cal_….ics`): the same 404
//! for a token that never existed, was revoked, or is malformed.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use darkroom_core::bookings::feed;

use crate::error::ApiResult;
use crate::state::AppState;

pub async fn ics(State(s): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let body = feed::render(&s.core, token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
