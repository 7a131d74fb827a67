//! Staff accounts and invitations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::kernel::listing::Listing;
use darkroom_core::studio::staff::{
    self, InvitationView, Invited, NewInvitation, StaffFilter, StaffPatch, StaffView, Standing,
};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::VersionParam;
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, path_id};
use crate::state::AppState;

/// Staff of the studio.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", params(StaffFilter),
    responses((status = 200, body = Listing<StaffView>), (status = 403, body = Problem)))]
async fn list_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<StaffFilter>,
) -> ApiResult<Json<Listing<StaffView>>> {
    Ok(Json(staff::list(&s.core, &p, &f).await?))
}

/// Invite a person with a first role. Without an SMTP server the answer
/// carries `invite_url` to hand over yourself.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = NewInvitation,
    responses((status = 201, body = Invited), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn invite_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(input): ApiJson<NewInvitation>,
) -> ApiResult<(StatusCode, Json<Invited>)> {
    Ok((
        StatusCode::CREATED,
        Json(staff::invite(&s.core, &p, &m, input).await?),
    ))
}

/// One staff member.
#[utoipa::path(get, path = "/api/v1/staff/{user_id}", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = StaffView), (status = 404, body = Problem)))]
async fn get_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffView>> {
    Ok(Json(staff::get(&s.core, &p, path_id(&id)?).await?))
}

/// Edit a profile (your own, or anyone's with `staff.edit`).
#[utoipa::path(patch, path = "/api/v1/staff/{user_id}", tag = "staff", request_body = StaffPatch,
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = StaffView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<StaffPatch>,
) -> ApiResult<Json<StaffView>> {
    Ok(Json(
        staff::update(&s.core, &p, &m, path_id(&id)?, patch).await?,
    ))
}

async fn standing(
    s: AppState,
    p: darkroom_core::Principal,
    m: darkroom_core::Meta,
    id: String,
    v: VersionParam,
    change: Standing,
) -> ApiResult<Json<StaffView>> {
    Ok(Json(
        staff::set_standing(&s.core, &p, &m, path_id(&id)?, v.get(), change).await?,
    ))
}

/// Delete a staff account: their sessions end and tokens are revoked. It can be restored.
#[utoipa::path(delete, path = "/api/v1/staff/{user_id}", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), VersionParam),
    responses((status = 200, body = StaffView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<StaffView>> {
    standing(s, p, m, id, v, Standing::Delete).await
}

/// Suspend a staff account: their sessions end and tokens are revoked at once.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/suspend", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), VersionParam),
    responses((status = 200, body = StaffView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn suspend_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<StaffView>> {
    standing(s, p, m, id, v, Standing::Suspend).await
}

/// Reactivate a suspended account.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/reactivate", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), VersionParam),
    responses((status = 200, body = StaffView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reactivate_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<StaffView>> {
    standing(s, p, m, id, v, Standing::Reactivate).await
}

/// Restore a deleted account.
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/restore", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`"), VersionParam),
    responses((status = 200, body = StaffView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn restore_staff(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<StaffView>> {
    standing(s, p, m, id, v, Standing::Restore).await
}

/// Send a fresh invitation (the previous link stops working).
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/resend-invitation", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = InvitationView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend_invitation(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<InvitationView>> {
    Ok(Json(
        staff::resend_invitation(&s.core, &p, &m, path_id(&id)?).await?,
    ))
}

/// A password-reset link to hand to a colleague (shown once).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetLink {
    pub reset_url: String,
}

/// Create a password-reset link for a colleague (for studios without email).
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/reset-link", tag = "staff",
    params(("user_id" = darkroom_domain::UserId, Path, description = "`usr_...`")),
    responses((status = 200, body = ResetLink), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn create_reset_link(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<ResetLink>> {
    Ok(Json(ResetLink {
        reset_url: staff::reset_link(&s.core, &p, &m, path_id(&id)?).await?,
    }))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_staff, invite_staff))
        .routes(routes!(get_staff, update_staff, delete_staff))
        .routes(routes!(suspend_staff))
        .routes(routes!(reactivate_staff))
        .routes(routes!(restore_staff))
        .routes(routes!(resend_invitation))
        .routes(routes!(create_reset_link))
}
