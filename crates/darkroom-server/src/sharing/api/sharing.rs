//! Sharing galleries with clients (staff side): a gallery's terms, share
//! links and the activity they bring. The client side is in `../guest.rs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::photos::gallery::{self, GalleryTerms, GalleryView};
use darkroom_core::sharing::activity::{self, ActivityView};
use darkroom_core::sharing::share::{self, CreatedLink, LinkChange, LinkView, NewLink};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// Set a gallery's client, expiry, proofing terms (maximum selections,
/// deadline, extras) and download cap. The whole set is replaced: leave a
/// field out to clear it.
#[utoipa::path(put, path = "/api/v1/galleries/{gallery_id}/terms", tag = "sharing", request_body = GalleryTerms,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_terms(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<GalleryTerms>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(
        gallery::set_terms(&s.core, &p, &m, path_id(&id)?, t).await?,
    ))
}

/// A gallery's share links, with what each has seen and done.
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}/links", tag = "sharing",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = Vec<LinkView>), (status = 404, body = Problem)))]
async fn list_links(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<LinkView>>> {
    Ok(Json(share::list_links(&s.core, &p, path_id(&id)?).await?))
}

/// Share a gallery: a link for one person, or a general link with an access
/// code. The URL (and code) are in this response only; with an `email` and
/// the studio's email set up, the link is also emailed.
#[utoipa::path(post, path = "/api/v1/galleries/{gallery_id}/links", tag = "sharing", request_body = NewLink,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 201, body = CreatedLink), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewLink>,
) -> ApiResult<(StatusCode, Json<CreatedLink>)> {
    Ok((
        StatusCode::CREATED,
        Json(share::create_link(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Revoke a link: its pages and media URLs stop working on their next request.
#[utoipa::path(post, path = "/api/v1/links/{link_id}/revoke", tag = "sharing",
    params(("link_id" = darkroom_domain::ShareLinkId, Path, description = "`lnk_...`")),
    responses((status = 200, body = LinkView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn revoke_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<LinkView>> {
    Ok(Json(
        share::change_link(&s.core, &p, &m, path_id(&id)?, LinkChange::Revoke).await?,
    ))
}

/// Reopen a submitted selection so the client can change it.
#[utoipa::path(post, path = "/api/v1/links/{link_id}/reopen", tag = "sharing",
    params(("link_id" = darkroom_domain::ShareLinkId, Path, description = "`lnk_...`")),
    responses((status = 200, body = LinkView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reopen_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<LinkView>> {
    Ok(Json(
        share::change_link(&s.core, &p, &m, path_id(&id)?, LinkChange::Reopen).await?,
    ))
}

/// What clients did in a gallery: per link and per photo, and the latest events.
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}/activity", tag = "sharing",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem)))]
async fn gallery_activity(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ActivityView>> {
    Ok(Json(
        activity::of_gallery(&s.core, &p, path_id(&id)?).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(set_terms))
        .routes(routes!(list_links, create_link))
        .routes(routes!(revoke_link))
        .routes(routes!(reopen_link))
        .routes(routes!(gallery_activity))
}
