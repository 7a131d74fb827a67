//! Projects over the API: the jobs, their milestones, and the galleries
//! and sessions linked to them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::projects::input::NewProject;
use darkroom_core::projects::input::ProjectChange;
use darkroom_core::projects::links::{self, Linked};
use darkroom_core::projects::milestones::MilestoneChange;
use darkroom_core::projects::milestones::NewMilestone;
use darkroom_core::projects::milestones::{self, MilestoneView};
use darkroom_core::projects::{self, ProjectDetail, ProjectFilter, ProjectView};
use darkroom_domain::{BookingId, GalleryId, MilestoneId, ProjectId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// The studio's projects, soonest first (undated last).
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectFilter),
    responses((status = 200, body = Vec<ProjectView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_projects(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ProjectFilter>,
) -> ApiResult<Json<Vec<ProjectView>>> {
    Ok(Json(projects::list(&s.core, &p, &f).await?))
}

/// Add a project for a client (numbered per branch, with the default
/// milestones of its kind).
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_project(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewProject(input)): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    Ok((
        StatusCode::CREATED,
        Json(projects::create(&s.core, &p, &m, input).await?),
    ))
}

/// A project with its client, people, milestones, galleries and sessions.
#[utoipa::path(get, path = "/api/v1/projects/{project_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`")),
    responses((status = 200, body = ProjectDetail), (status = 404, body = Problem)))]
async fn get_project(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(projects::detail(&s.core, &p, path_id(&id)?).await?))
}

/// Change a project: its fields, people (each list replaces the role's
/// people) or status.
#[utoipa::path(patch, path = "/api/v1/projects/{project_id}", tag = "projects", request_body = ProjectChange,
    params(("project_id" = ProjectId, Path, description = "`prj_...`")),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_project(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(ProjectChange(input)): ApiJson<ProjectChange>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(
        projects::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Delete a project (it can be restored; its galleries and sessions stay).
#[utoipa::path(delete, path = "/api/v1/projects/{project_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), VersionParam),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_project(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(
        projects::set_deleted(&s.core, &p, &m, path_id(&id)?, v.get(), true).await?,
    ))
}

/// Restore a deleted project.
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/restore", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), VersionParam),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn restore_project(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(
        projects::set_deleted(&s.core, &p, &m, path_id(&id)?, v.get(), false).await?,
    ))
}

/// A project's milestones, with where each stands today.
#[utoipa::path(get, path = "/api/v1/projects/{project_id}/milestones", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`")),
    responses((status = 200, body = Vec<MilestoneView>), (status = 404, body = Problem)))]
async fn list_milestones(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MilestoneView>>> {
    Ok(Json(milestones::list(&s.core, &p, path_id(&id)?).await?))
}

/// Add a milestone at the end of a project's list.
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/milestones", tag = "projects", request_body = NewMilestone,
    params(("project_id" = ProjectId, Path, description = "`prj_...`")),
    responses((status = 201, body = MilestoneView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_milestone(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(NewMilestone(input)): ApiJson<NewMilestone>,
) -> ApiResult<(StatusCode, Json<MilestoneView>)> {
    Ok((
        StatusCode::CREATED,
        Json(milestones::create(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Change a milestone: rename it, move its target, or mark the day it was
/// reached (`done_on`; `""` opens it again).
#[utoipa::path(patch, path = "/api/v1/projects/{project_id}/milestones/{milestone_id}", tag = "projects", request_body = MilestoneChange,
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("milestone_id" = MilestoneId, Path, description = "`mst_...`")),
    responses((status = 200, body = MilestoneView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_milestone(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, mid)): Path<(String, String)>,
    ApiJson(MilestoneChange(input)): ApiJson<MilestoneChange>,
) -> ApiResult<Json<MilestoneView>> {
    let (id, mid) = (path_id(&id)?, path_id(&mid)?);
    Ok(Json(
        milestones::update(&s.core, &p, &m, id, mid, input).await?,
    ))
}

/// Remove a milestone.
#[utoipa::path(delete, path = "/api/v1/projects/{project_id}/milestones/{milestone_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("milestone_id" = MilestoneId, Path, description = "`mst_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_milestone(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, mid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, mid) = (path_id(&id)?, path_id(&mid)?);
    milestones::remove(&s.core, &p, &m, id, mid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a gallery part of the project (moving it from another project).
#[utoipa::path(put, path = "/api/v1/projects/{project_id}/galleries/{gallery_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("gallery_id" = GalleryId, Path, description = "`gal_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn link_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, gid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, gid) = (path_id(&id)?, path_id(&gid)?);
    links::link(&s.core, &p, &m, id, Linked::Gallery(gid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a gallery out of the project (the gallery stays).
#[utoipa::path(delete, path = "/api/v1/projects/{project_id}/galleries/{gallery_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("gallery_id" = GalleryId, Path, description = "`gal_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn unlink_gallery(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, gid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, gid) = (path_id(&id)?, path_id(&gid)?);
    links::unlink(&s.core, &p, &m, id, Linked::Gallery(gid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a booked session part of the project (moving it from another).
#[utoipa::path(put, path = "/api/v1/projects/{project_id}/sessions/{booking_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("booking_id" = BookingId, Path, description = "`bkg_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn link_session(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, bid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, bid) = (path_id(&id)?, path_id(&bid)?);
    links::link(&s.core, &p, &m, id, Linked::Session(bid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a session out of the project (the booking stays).
#[utoipa::path(delete, path = "/api/v1/projects/{project_id}/sessions/{booking_id}", tag = "projects",
    params(("project_id" = ProjectId, Path, description = "`prj_...`"), ("booking_id" = BookingId, Path, description = "`bkg_...`")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn unlink_session(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((id, bid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, bid) = (path_id(&id)?, path_id(&bid)?);
    links::unlink(&s.core, &p, &m, id, Linked::Session(bid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, delete_project))
        .routes(routes!(restore_project))
        .routes(routes!(list_milestones, add_milestone))
        .routes(routes!(update_milestone, remove_milestone))
        .routes(routes!(link_gallery, unlink_gallery))
        .routes(routes!(link_session, unlink_session))
}
