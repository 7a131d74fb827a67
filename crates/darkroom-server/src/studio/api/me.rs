//! Who am I, and what may I do.

use axum::Json;
use axum::extract::State;
use darkroom_core::studio::access::{self, PermissionView};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::ApiAuth;
use crate::state::AppState;

/// The caller and the permissions they hold.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub user_id: String,
    pub studio_id: String,
    pub name: String,
    pub email: String,
    pub is_owner: bool,
    /// Permissions held anywhere (studio-wide, for a branch, or by a grant).
    pub permissions: Vec<String>,
    /// `session` or `token`.
    pub authenticated_by: String,
}

/// The signed-in caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "staff",
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
async fn get_me(State(s): State<AppState>, ApiAuth(p): ApiAuth) -> ApiResult<Json<MeView>> {
    Ok(Json(MeView {
        user_id: p.user.to_string(),
        studio_id: p.studio.to_string(),
        name: p.name.clone(),
        email: p.email.clone(),
        is_owner: p.is_owner(),
        permissions: s
            .core
            .permissions_anywhere(&p)
            .iter()
            .map(|x| x.name().to_string())
            .collect(),
        authenticated_by: match p.via {
            darkroom_core::Via::Token(_) => "token".into(),
            _ => "session".into(),
        },
    }))
}

/// Every permission there is, grouped by area.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "access",
    responses((status = 200, body = Vec<PermissionView>), (status = 401, body = Problem)))]
async fn list_permissions(ApiAuth(_p): ApiAuth) -> ApiResult<Json<Vec<PermissionView>>> {
    Ok(Json(access::permissions()))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_me)).routes(routes!(list_permissions))
}
