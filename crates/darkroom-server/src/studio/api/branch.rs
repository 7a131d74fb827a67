//! Branches.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::kernel::listing::Listing;
use darkroom_core::studio::branch::{self, BranchFilterParams, BranchPatch, BranchView, NewBranch};
use darkroom_domain::BranchId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::VersionParam;
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// Branches you may see.
#[utoipa::path(get, path = "/api/v1/branches", tag = "branches", params(BranchFilterParams),
    responses((status = 200, body = Listing<BranchView>), (status = 401, body = Problem)))]
async fn list_branches(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<BranchFilterParams>,
) -> ApiResult<Json<Listing<BranchView>>> {
    Ok(Json(branch::list(&s.core, &p, &f).await?))
}

/// Create a branch. With a client-chosen `id`, sending the same body again
/// returns the branch (200) instead of creating another.
#[utoipa::path(post, path = "/api/v1/branches", tag = "branches", request_body = NewBranch,
    responses((status = 201, body = BranchView), (status = 200, description = "Replay of an earlier create", body = BranchView),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_branch(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewBranch>,
) -> ApiResult<(StatusCode, Json<BranchView>)> {
    let (v, created) = branch::create(&s.core, &p, &m, input).await?;
    Ok(crate::api::created(v, created))
}

/// One branch.
#[utoipa::path(get, path = "/api/v1/branches/{branch_id}", tag = "branches",
    params(("branch_id" = darkroom_domain::BranchId, Path, description = "`brn_...`")),
    responses((status = 200, body = BranchView), (status = 404, body = Problem)))]
async fn get_branch(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<BranchView>> {
    Ok(Json(branch::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a branch; send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/branches/{branch_id}", tag = "branches", request_body = BranchPatch,
    params(("branch_id" = darkroom_domain::BranchId, Path, description = "`brn_...`")),
    responses((status = 200, body = BranchView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_branch(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<BranchPatch>,
) -> ApiResult<Json<BranchView>> {
    Ok(Json(
        branch::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Delete a branch (it can be restored).
#[utoipa::path(delete, path = "/api/v1/branches/{branch_id}", tag = "branches",
    params(("branch_id" = darkroom_domain::BranchId, Path, description = "`brn_...`"), VersionParam),
    responses((status = 200, body = BranchView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_branch(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<BranchView>> {
    let id: BranchId = path_id(&id)?;
    Ok(Json(
        branch::set_deleted(&s.core, &p, &m, id, v.get(), false).await?,
    ))
}

/// Restore a deleted branch.
#[utoipa::path(post, path = "/api/v1/branches/{branch_id}/restore", tag = "branches",
    params(("branch_id" = darkroom_domain::BranchId, Path, description = "`brn_...`"), VersionParam),
    responses((status = 200, body = BranchView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn restore_branch(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<BranchView>> {
    Ok(Json(
        branch::set_deleted(&s.core, &p, &m, path_id(&id)?, v.get(), true).await?,
    ))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_branches, create_branch))
        .routes(routes!(get_branch, update_branch, delete_branch))
        .routes(routes!(restore_branch))
}
