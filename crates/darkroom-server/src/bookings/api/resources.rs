//! Resources: cameras, lenses, lights, rooms and spaces of a branch.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::bookings::resource::{self, NewResource, ResourcePatch, ResourceView};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// Which resources to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResourceFilter {
    pub branch_id: Option<darkroom_domain::BranchId>,
    /// `true` lists the deleted ones.
    pub deleted: Option<bool>,
}

/// The resources of the branches you may see bookings in.
#[utoipa::path(get, path = "/api/v1/resources", tag = "bookings", params(ResourceFilter),
    responses((status = 200, body = Vec<ResourceView>), (status = 422, body = Problem)))]
async fn list_resources(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ResourceFilter>,
) -> ApiResult<Json<Vec<ResourceView>>> {
    Ok(Json(
        resource::list(&s.core, &p, f.branch_id, f.deleted.unwrap_or(false)).await?,
    ))
}

/// Add a resource to a branch.
#[utoipa::path(post, path = "/api/v1/resources", tag = "bookings", request_body = NewResource,
    responses((status = 201, body = ResourceView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_resource(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewResource>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    Ok(crate::api::created(
        resource::create(&s.core, &p, &m, input).await?,
        true,
    ))
}

/// One resource.
#[utoipa::path(get, path = "/api/v1/resources/{resource_id}", tag = "bookings",
    params(("resource_id" = darkroom_domain::ResourceId, Path, description = "`res_...`")),
    responses((status = 200, body = ResourceView), (status = 404, body = Problem)))]
async fn get_resource(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(resource::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a resource (status `maintenance` or `lost` stops new bookings of it).
#[utoipa::path(patch, path = "/api/v1/resources/{resource_id}", tag = "bookings", request_body = ResourcePatch,
    params(("resource_id" = darkroom_domain::ResourceId, Path, description = "`res_...`")),
    responses((status = 200, body = ResourceView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_resource(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ResourcePatch>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(
        resource::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource))
}
