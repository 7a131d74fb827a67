//! The studio's profile and settings.

use axum::Json;
use axum::extract::{Request, State};
use darkroom_core::studio::{self, EmailSettingsInput, StudioPatch, StudioView};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use darkroom_core::kernel::listing::RowVersion;

use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, read_body};
use crate::state::AppState;

/// The caller's studio.
#[utoipa::path(get, path = "/api/v1/studio", tag = "studio",
    responses((status = 200, body = StudioView), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn get_studio(State(s): State<AppState>, ApiAuth(p): ApiAuth) -> ApiResult<Json<StudioView>> {
    Ok(Json(studio::get(&s.core, &p).await?))
}

/// Change the studio's name, currency, time zone, locale, branding or features.
#[utoipa::path(patch, path = "/api/v1/studio", tag = "studio", request_body = StudioPatch,
    responses((status = 200, body = StudioView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_studio(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(patch): ApiJson<StudioPatch>,
) -> ApiResult<Json<StudioView>> {
    Ok(Json(studio::update(&s.core, &p, &m, patch).await?))
}

/// Use the studio's own SMTP server for its email.
#[utoipa::path(put, path = "/api/v1/studio/email", tag = "studio", request_body = EmailSettingsInput,
    responses((status = 200, body = StudioView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_studio_email(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<EmailSettingsInput>,
) -> ApiResult<Json<StudioView>> {
    let v = input.version;
    Ok(Json(
        studio::set_email(&s.core, &p, &m, v, Some(input)).await?,
    ))
}

/// The version of the studio being changed.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionOnly {
    pub version: i64,
}

/// Stop using the studio's own SMTP server (the instance's is used again).
#[utoipa::path(delete, path = "/api/v1/studio/email", tag = "studio", request_body = VersionOnly,
    responses((status = 200, body = StudioView), (status = 409, body = Problem)))]
async fn remove_studio_email(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(v): ApiJson<VersionOnly>,
) -> ApiResult<Json<StudioView>> {
    Ok(Json(
        studio::set_email(&s.core, &p, &m, v.version, None).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StudioVersion {
    /// The studio's `version` as you read it (409 if it changed).
    pub version: RowVersion,
}

/// Set the studio's watermark image (a PNG with transparency, at most 4 MB).
/// Proofs are rendered again.
#[utoipa::path(put, path = "/api/v1/studio/watermark", tag = "studio", params(StudioVersion),
    request_body(content_type = "image/png", content = Vec<u8>),
    responses((status = 200, body = StudioView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_watermark(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiQuery(v): ApiQuery<StudioVersion>,
    req: Request,
) -> ApiResult<Json<StudioView>> {
    let body = read_body(req, &s).await?;
    Ok(Json(
        studio::set_watermark_image(&s.core, &p, &m, v.version.get(), Some(body)).await?,
    ))
}

/// Remove the watermark image (proofs fall back to the text watermark).
#[utoipa::path(delete, path = "/api/v1/studio/watermark", tag = "studio", params(StudioVersion),
    responses((status = 200, body = StudioView), (status = 409, body = Problem)))]
async fn delete_watermark(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiQuery(v): ApiQuery<StudioVersion>,
) -> ApiResult<Json<StudioView>> {
    Ok(Json(
        studio::set_watermark_image(&s.core, &p, &m, v.version.get(), None).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_studio, update_studio))
        .routes(routes!(set_studio_email, remove_studio_email))
        .routes(routes!(put_watermark, delete_watermark))
}
