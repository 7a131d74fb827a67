//! Roles, role assignments and contextual grants.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::studio::access::{
    self, AssignmentView, GrantView, NewAssignment, NewGrant, NewRole, RolePatch, RoleView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// Roles of the studio with their permissions.
#[utoipa::path(get, path = "/api/v1/roles", tag = "access",
    responses((status = 200, body = Vec<RoleView>), (status = 403, body = Problem)))]
async fn list_roles(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<RoleView>>> {
    Ok(Json(access::list_roles(&s.core, &p).await?))
}

/// Create a role. You can only include permissions you hold studio-wide.
#[utoipa::path(post, path = "/api/v1/roles", tag = "access", request_body = NewRole,
    responses((status = 201, body = RoleView), (status = 200, body = RoleView, description = "Replay of an earlier create"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewRole>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    let (v, created) = access::create_role(&s.core, &p, &m, input).await?;
    Ok(crate::api::created(v, created))
}

/// One role.
#[utoipa::path(get, path = "/api/v1/roles/{role_id}", tag = "access",
    params(("role_id" = darkroom_domain::RoleId, Path, description = "`rol_...`")),
    responses((status = 200, body = RoleView), (status = 404, body = Problem)))]
async fn get_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<RoleView>> {
    Ok(Json(access::get_role(&s.core, &p, path_id(&id)?).await?))
}

/// Change a role's name, description or permissions (not the owner role).
#[utoipa::path(patch, path = "/api/v1/roles/{role_id}", tag = "access", request_body = RolePatch,
    params(("role_id" = darkroom_domain::RoleId, Path, description = "`rol_...`")),
    responses((status = 200, body = RoleView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RolePatch>,
) -> ApiResult<Json<RoleView>> {
    Ok(Json(
        access::update_role(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

/// Delete a studio-defined role that nobody holds.
#[utoipa::path(delete, path = "/api/v1/roles/{role_id}", tag = "access",
    params(("role_id" = darkroom_domain::RoleId, Path, description = "`rol_...`")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    access::delete_role(&s.core, &p, &m, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Roles a staff member holds.
#[utoipa::path(get, path = "/api/v1/staff/{user_id}/roles", tag = "access",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = Vec<AssignmentView>), (status = 404, body = Problem)))]
async fn list_assignments(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    Ok(Json(
        darkroom_core::studio::staff::get(&s.core, &p, path_id(&id)?)
            .await?
            .roles,
    ))
}

/// Give a staff member a role, studio-wide or for one branch.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/roles", tag = "access", request_body = NewAssignment,
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 201, body = AssignmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn assign_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewAssignment>,
) -> ApiResult<(StatusCode, Json<AssignmentView>)> {
    Ok((
        StatusCode::CREATED,
        Json(access::assign_role(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Take a role away (never the owner's).
#[utoipa::path(delete, path = "/api/v1/staff/{user_id}/roles/{assignment_id}", tag = "access",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), ("assignment_id" = darkroom_domain::AssignmentId, Path, description = "`ras_...`")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn unassign_role(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((user, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    access::unassign_role(&s.core, &p, &m, path_id(&user)?, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grant one permission on one resource, optionally until a time.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/grants", tag = "access", request_body = NewGrant,
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 201, body = GrantView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_grant(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewGrant>,
) -> ApiResult<(StatusCode, Json<GrantView>)> {
    Ok((
        StatusCode::CREATED,
        Json(access::grant(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Revoke a grant; it stops applying on the next request.
#[utoipa::path(delete, path = "/api/v1/staff/{user_id}/grants/{grant_id}", tag = "access",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), ("grant_id" = darkroom_domain::GrantId, Path, description = "`grt_...`")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_grant(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((user, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    access::revoke_grant(&s.core, &p, &m, path_id(&user)?, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_roles, create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_assignments, assign_role))
        .routes(routes!(unassign_role))
        .routes(routes!(create_grant))
        .routes(routes!(revoke_grant))
}
