//! Arranging galleries (sets, photo order), the editing queue, and physical
//! deliverables.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::photos::gallery::GalleryView;
use darkroom_core::production::arrange::{
    self, NewSet, PhotoOrder, PlacePhotos, SetPatch, SetView,
};
use darkroom_core::production::delivery::{
    self, DeliverablePatch, DeliverableUpdated, DeliverableView, NewDeliverable,
};
use darkroom_core::production::editing::{self, NewTask, TaskFilter, TaskPatch, TaskView};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::created;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// A gallery's sets, in order, with their photo counts.
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}/sets", tag = "photos",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = Vec<SetView>), (status = 404, body = Problem)))]
async fn list_sets(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SetView>>> {
    Ok(Json(arrange::list_sets(&s.core, &p, path_id(&id)?).await?))
}

/// Add a set (a section such as "Ceremony") at the end of the gallery's sets.
#[utoipa::path(post, path = "/api/v1/galleries/{gallery_id}/sets", tag = "photos", request_body = NewSet,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 201, body = SetView), (status = 200, body = SetView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_set(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewSet>,
) -> ApiResult<(StatusCode, Json<SetView>)> {
    let (v, fresh) = arrange::create_set(&s.core, &p, &m, path_id(&id)?, input).await?;
    Ok(created(v, fresh))
}

/// Rename a set or change its position.
#[utoipa::path(patch, path = "/api/v1/sets/{set_id}", tag = "photos", request_body = SetPatch,
    params(("set_id" = darkroom_domain::GallerySetId, Path, description = "`set_...`")),
    responses((status = 200, body = SetView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_set(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<SetPatch>,
) -> ApiResult<Json<SetView>> {
    Ok(Json(
        arrange::update_set(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Delete a set; its photos stay in the gallery, in no set.
#[utoipa::path(delete, path = "/api/v1/sets/{set_id}", tag = "photos",
    params(("set_id" = darkroom_domain::GallerySetId, Path, description = "`set_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_set(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    arrange::delete_set(&s.core, &p, &m, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many photos were placed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Placed {
    pub placed: u64,
}

/// Put photos of the gallery in a set (or, without `set_id`, in none).
#[utoipa::path(post, path = "/api/v1/galleries/{gallery_id}/sets/place", tag = "photos", request_body = PlacePhotos,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = Placed), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn place_photos(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PlacePhotos>,
) -> ApiResult<Json<Placed>> {
    let placed = arrange::place_photos(&s.core, &p, &m, path_id(&id)?, input).await?;
    Ok(Json(Placed { placed }))
}

/// Save a manual order: the listed photos first, in that order, the rest
/// after them as they were. The gallery switches to manual order.
#[utoipa::path(put, path = "/api/v1/galleries/{gallery_id}/order", tag = "photos", request_body = PhotoOrder,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = GalleryView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reorder(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PhotoOrder>,
) -> ApiResult<Json<GalleryView>> {
    Ok(Json(
        arrange::reorder(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// The editing queue: tasks of the galleries you may see, most urgent and
/// soonest due first. `assignee=me` is your own queue; `status=open` is
/// what still needs work.
#[utoipa::path(get, path = "/api/v1/editing/tasks", tag = "editing", params(TaskFilter),
    responses((status = 200, body = Vec<TaskView>), (status = 422, body = Problem)))]
async fn list_tasks(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<TaskFilter>,
) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(editing::list(&s.core, &p, &f).await?))
}

/// Add an editing task for photos of a gallery.
#[utoipa::path(post, path = "/api/v1/editing/tasks", tag = "editing", request_body = NewTask,
    responses((status = 201, body = TaskView), (status = 200, body = TaskView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_task(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    let (v, fresh) = editing::create(&s.core, &p, &m, input).await?;
    Ok(created(v, fresh))
}

/// One task, with its photos and how many are edited.
#[utoipa::path(get, path = "/api/v1/editing/tasks/{task_id}", tag = "editing",
    params(("task_id" = darkroom_domain::EditTaskId, Path, description = "`edt_...`")),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
async fn get_task(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(editing::get(&s.core, &p, path_id(&id)?).await?))
}

/// Assign, reprioritise or reschedule a task, and/or move it: `start`,
/// `send` (for review), `approve`, `revise` (send back; counts a revision).
/// Uploading an edited version of every photo sends a task for review by itself.
#[utoipa::path(patch, path = "/api/v1/editing/tasks/{task_id}", tag = "editing", request_body = TaskPatch,
    params(("task_id" = darkroom_domain::EditTaskId, Path, description = "`edt_...`")),
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_task(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(
        editing::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// A gallery's physical deliverables (USB, album, prints).
#[utoipa::path(get, path = "/api/v1/galleries/{gallery_id}/deliverables", tag = "delivery",
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 200, body = Vec<DeliverableView>), (status = 404, body = Problem)))]
async fn list_deliverables(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DeliverableView>>> {
    Ok(Json(delivery::list(&s.core, &p, path_id(&id)?).await?))
}

/// Add a physical deliverable; it starts `preparing`.
#[utoipa::path(post, path = "/api/v1/galleries/{gallery_id}/deliverables", tag = "delivery", request_body = NewDeliverable,
    params(("gallery_id" = darkroom_domain::GalleryId, Path, description = "`gal_...`")),
    responses((status = 201, body = DeliverableView), (status = 200, body = DeliverableView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_deliverable(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewDeliverable>,
) -> ApiResult<(StatusCode, Json<DeliverableView>)> {
    let (v, fresh) = delivery::create(&s.core, &p, &m, path_id(&id)?, input).await?;
    Ok(created(v, fresh))
}

/// One deliverable.
#[utoipa::path(get, path = "/api/v1/deliverables/{deliverable_id}", tag = "delivery",
    params(("deliverable_id" = darkroom_domain::DeliverableId, Path, description = "`dlv_...`")),
    responses((status = 200, body = DeliverableView), (status = 404, body = Problem)))]
async fn get_deliverable(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliverableView>> {
    Ok(Json(delivery::get(&s.core, &p, path_id(&id)?).await?))
}

/// Update a deliverable: its details, carrier and tracking number, status
/// (`ready`, `shipped` (needs a carrier), `delivered`, `cancelled`). The
/// gallery's client is emailed when it becomes ready, shipped or delivered.
#[utoipa::path(patch, path = "/api/v1/deliverables/{deliverable_id}", tag = "delivery", request_body = DeliverablePatch,
    params(("deliverable_id" = darkroom_domain::DeliverableId, Path, description = "`dlv_...`")),
    responses((status = 200, body = DeliverableUpdated), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_deliverable(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<DeliverablePatch>,
) -> ApiResult<Json<DeliverableUpdated>> {
    Ok(Json(
        delivery::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_sets, create_set))
        .routes(routes!(update_set, delete_set))
        .routes(routes!(place_photos))
        .routes(routes!(reorder))
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task))
        .routes(routes!(list_deliverables, create_deliverable))
        .routes(routes!(get_deliverable, update_deliverable))
}
