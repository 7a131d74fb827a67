//! Packages over the API: what each branch sells, with its resource hooks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::bookings::package::{self, NewPackage, PackageChange, PackageView};
use darkroom_domain::PackageId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// The packages of the branches you see, by name.
#[utoipa::path(get, path = "/api/v1/packages", tag = "bookings",
    responses((status = 200, body = Vec<PackageView>), (status = 403, body = Problem)))]
async fn list_packages(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<PackageView>>> {
    Ok(Json(package::list(&s.core, &p).await?))
}

/// Add a package to a branch: its price in the branch's currency (exact:
/// no more decimals than the currency has), tax, photos included, what is
/// and is not included, and the rooms, gear and people its bookings hold.
#[utoipa::path(post, path = "/api/v1/packages", tag = "bookings", request_body = NewPackage,
    responses((status = 201, body = PackageView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_package(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewPackage(input)): ApiJson<NewPackage>,
) -> ApiResult<(StatusCode, Json<PackageView>)> {
    Ok((
        StatusCode::CREATED,
        Json(package::create(&s.core, &p, &m, input).await?),
    ))
}

/// One package.
#[utoipa::path(get, path = "/api/v1/packages/{package_id}", tag = "bookings",
    params(("package_id" = PackageId, Path, description = "`pkg_...`")),
    responses((status = 200, body = PackageView), (status = 404, body = Problem)))]
async fn get_package(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<PackageView>> {
    Ok(Json(package::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a package: only the fields sent change (lists replace).
#[utoipa::path(patch, path = "/api/v1/packages/{package_id}", tag = "bookings", request_body = PackageChange,
    params(("package_id" = PackageId, Path, description = "`pkg_...`")),
    responses((status = 200, body = PackageView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_package(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(PackageChange(input)): ApiJson<PackageChange>,
) -> ApiResult<Json<PackageView>> {
    Ok(Json(
        package::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Withdraw a package (projects sold with it keep naming it).
#[utoipa::path(delete, path = "/api/v1/packages/{package_id}", tag = "bookings",
    params(("package_id" = PackageId, Path, description = "`pkg_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_package(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    package::delete(&s.core, &p, &m, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_packages, create_package))
        .routes(routes!(get_package, update_package, delete_package))
}
