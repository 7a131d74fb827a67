//! Galleries, their photos and the staging area. Photos arrive through the
//! tus endpoints in `upload.rs`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::kernel::listing::{Listing, Offset, PhotoLimit};
use darkroom_core::photos::gallery::{self, GalleryFilter, GalleryPatch, GalleryView, NewGallery};
use darkroom_core::photos::photo::{self, AssignPhotos, BatchView, PhotoDetail, PhotoPage, Purged};
use darkroom_domain::{BatchId, GalleryId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// Galleries you may see.
#[utoipa::path(get, path = "/api/v1/galleries", tag = "photos", params(GalleryFilter),
    responses((status = 200, body = Listing<GalleryView>), (status = 401, body = Problem)))]
async fn list_galleries(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<GalleryFilter>,
) -> ApiResult<Json<Listing<GalleryView>>> {
    Ok(Json(gallery::list(&s.core, &p, &f).await?))
}

/// Create a gallery in a branch. With a client-chosen `id`, sending the same
/// body again returns the gallery (200).
#[utoipa::path(post, path = "/api/v1/galleries", tag = "photos", request_body = NewGallery,
    responses((status = 201, body = GalleryView), (status = 200, body = GalleryView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewGallery>,
) -> ApiResult<(StatusCode, Json<GalleryView>)> {
    let (v, created) = gallery::create(&s.core, &p, &m, input).await?;
    Ok(crate::api::created(v, created))
}

/// One gallery.
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}", tag = "photos",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem)))]
async fn get_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(gallery::get(&s.core, &p, path_id(&id)?).await?))
}

/// Rename a gallery or change its status; send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/galleries/{gallery_id}", tag = "photos", request_body = GalleryPatch,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<GalleryPatch>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(
        gallery::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Delete a gallery (it can be restored; its photos stay stored).
#[utoipa::path(delete, path = "/api/v1/galleries/{gallery_id}", tag = "photos",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem)))]
async fn delete_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(
        gallery::set_deleted(&s.core, &p, &m, path_id(&id)?, false).await?,
    ))
}

/// Restore a deleted gallery.
#[utoipa::path(post, path = "/api/v1/galleries/{gallery_id}/restore", tag = "photos",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem)))]
async fn restore_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(
        gallery::set_deleted(&s.core, &p, &m, path_id(&id)?, true).await?,
    ))
}

/// Paging through photos.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Photos to skip (from `next_offset`).
    pub offset: Option<Offset>,
    /// At most this many (default 100).
    pub limit: Option<PhotoLimit>,
    /// Staging only: one batch; without it, photos in no batch.
    pub batch: Option<BatchId>,
}

/// A gallery's photos, by capture time then name.
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}/photos", tag = "photos",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`"), PageParams),
    responses((status = 200, body = PhotoPage), (status = 404, body = Problem)))]
async fn gallery_photos(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<PhotoPage>> {
    let g: GalleryId = path_id(&id)?;
    Ok(Json(
        photo::list_in_gallery(
            &s.core,
            &p,
            g,
            q.offset.unwrap_or_default(),
            q.limit.unwrap_or(PhotoLimit::clamped(100)),
        )
        .await?,
    ))
}

/// A photo with its metadata and every version.
#[utoipa::path(get, path = "/api/v1/photos/{photo_id}", tag = "photos",
    params(("photo_id" = darkroom_domain::PhotoId, Path, description = "`pho_...`")),
    responses((status = 200, body = PhotoDetail), (status = 404, body = Problem)))]
async fn get_photo(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<PhotoDetail>> {
    Ok(Json(photo::get(&s.core, &p, path_id(&id)?).await?))
}

/// Delete a photo. Its files stay until the owner purges them.
#[utoipa::path(delete, path = "/api/v1/photos/{photo_id}", tag = "photos",
    params(("photo_id" = darkroom_domain::PhotoId, Path, description = "`pho_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_photo(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    photo::delete(&s.core, &p, &m, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the stored bytes of a photo's replaced versions (not the current
/// one). Their history stays; their files cannot be fetched again.
#[utoipa::path(post, path = "/api/v1/photos/{photo_id}/purge-replaced", tag = "photos",
    params(("photo_id" = darkroom_domain::PhotoId, Path, description = "`pho_...`")),
    responses((status = 200, body = Purged), (status = 404, body = Problem)))]
async fn purge_replaced(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<Purged>> {
    Ok(Json(
        photo::purge_replaced(&s.core, &p, &m, path_id(&id)?).await?,
    ))
}

/// Batches waiting in the staging area (uploaded without a gallery).
#[utoipa::path(get, path = "/api/v1/staging", tag = "photos",
    responses((status = 200, body = Vec<BatchView>), (status = 401, body = Problem)))]
async fn staging_batches(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<BatchView>>> {
    Ok(Json(photo::staging(&s.core, &p).await?))
}

/// Photos of one staging batch.
#[utoipa::path(get, path = "/api/v1/staging/photos", tag = "photos", params(PageParams),
    responses((status = 200, body = PhotoPage), (status = 404, body = Problem)))]
async fn staging_photos(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<PhotoPage>> {
    let batch = q.batch;
    Ok(Json(
        photo::list_batch(
            &s.core,
            &p,
            batch,
            q.offset.unwrap_or_default(),
            q.limit.unwrap_or(PhotoLimit::clamped(100)),
        )
        .await?,
    ))
}

/// How many photos moved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Assigned {
    pub assigned: u64,
}

/// File staged photos into a gallery. Photos that are not in staging (or
/// not yours) are left alone and not counted.
#[utoipa::path(post, path = "/api/v1/staging/assign", tag = "photos", request_body = AssignPhotos,
    responses((status = 200, body = Assigned), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn assign_photos(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<AssignPhotos>,
) -> ApiResult<Json<Assigned>> {
    let n = photo::assign(&s.core, &p, &m, input).await?;
    Ok(Json(Assigned { assigned: n }))
}

/// The version the change applies to.
pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_galleries, create_gallery))
        .routes(routes!(get_gallery, update_gallery, delete_gallery))
        .routes(routes!(restore_gallery))
        .routes(routes!(gallery_photos))
        .routes(routes!(get_photo, delete_photo))
        .routes(routes!(purge_replaced))
        .routes(routes!(staging_batches))
        .routes(routes!(staging_photos))
        .routes(routes!(assign_photos))
}
