//! The lead pipeline: its board, leads, their tasks, stages and report.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::crm::lead::LeadChange;
use darkroom_core::crm::lead::NewLead;
use darkroom_core::crm::lead::report::{self, LeadReport};
use darkroom_core::crm::lead::stages;
use darkroom_core::crm::lead::stages::NewStage;
use darkroom_core::crm::lead::stages::StageChange;
use darkroom_core::crm::lead::tasks::{self, LeadTaskView, NewLeadTask, TaskDone};
use darkroom_core::crm::lead::{self, Board, LeadView, StageView};
use darkroom_domain::{LeadId, LeadTaskId, StageId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ClientMeta, path_id};
use crate::state::AppState;

/// The pipeline: every stage, left to right, with its leads (newest first).
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads",
    responses((status = 200, body = Board), (status = 403, body = Problem)))]
async fn board(State(s): State<AppState>, ApiAuth(p): ApiAuth) -> ApiResult<Json<Board>> {
    Ok(Json(lead::board(&s.core, &p).await?))
}

/// Add a lead (in the first stage unless `stage_id` says otherwise).
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = NewLead,
    responses((status = 201, body = LeadView), (status = 422, body = Problem)))]
async fn create_lead(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewLead(input)): ApiJson<NewLead>,
) -> ApiResult<(StatusCode, Json<LeadView>)> {
    Ok((
        StatusCode::CREATED,
        Json(lead::create(&s.core, &p, &m, input).await?),
    ))
}

/// One lead.
#[utoipa::path(get, path = "/api/v1/leads/{lead_id}", tag = "leads",
    params(("lead_id" = LeadId, Path, description = "`led_...`")),
    responses((status = 200, body = LeadView), (status = 404, body = Problem)))]
async fn get_lead(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<LeadView>> {
    Ok(Json(lead::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a lead or move it to another stage (a lost stage needs
/// `lost_reason`).
#[utoipa::path(patch, path = "/api/v1/leads/{lead_id}", tag = "leads", request_body = LeadChange,
    params(("lead_id" = LeadId, Path, description = "`led_...`")),
    responses((status = 200, body = LeadView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_lead(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(LeadChange(input)): ApiJson<LeadChange>,
) -> ApiResult<Json<LeadView>> {
    Ok(Json(
        lead::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// The version a conversion is made against.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertInput {
    pub version: i64,
}

/// Convert a lead: the client with its email (or a new one) becomes its
/// client, and it moves to the first won stage.
#[utoipa::path(post, path = "/api/v1/leads/{lead_id}/convert", tag = "leads", request_body = ConvertInput,
    params(("lead_id" = LeadId, Path, description = "`led_...`")),
    responses((status = 200, body = LeadView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn convert_lead(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ConvertInput>,
) -> ApiResult<Json<LeadView>> {
    Ok(Json(
        lead::convert(&s.core, &p, &m, path_id(&id)?, input.version).await?,
    ))
}

/// A lead's follow-up tasks (open ones first, by due date).
#[utoipa::path(get, path = "/api/v1/leads/{lead_id}/tasks", tag = "leads",
    params(("lead_id" = LeadId, Path, description = "`led_...`")),
    responses((status = 200, body = Vec<LeadTaskView>), (status = 404, body = Problem)))]
async fn list_tasks(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<LeadTaskView>>> {
    Ok(Json(tasks::list(&s.core, &p, path_id(&id)?).await?))
}

/// Add a follow-up task to a lead.
#[utoipa::path(post, path = "/api/v1/leads/{lead_id}/tasks", tag = "leads", request_body = NewLeadTask,
    params(("lead_id" = LeadId, Path, description = "`led_...`")),
    responses((status = 201, body = LeadTaskView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_task(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewLeadTask>,
) -> ApiResult<(StatusCode, Json<LeadTaskView>)> {
    Ok((
        StatusCode::CREATED,
        Json(tasks::add(&s.core, &p, &m, path_id(&id)?, input).await?),
    ))
}

/// Mark a task done (or open again).
#[utoipa::path(patch, path = "/api/v1/leads/{lead_id}/tasks/{lead_task_id}", tag = "leads", request_body = TaskDone,
    params(("lead_id" = LeadId, Path, description = "`led_...`"), ("lead_task_id" = LeadTaskId, Path, description = "`ltk_...`")),
    responses((status = 200, body = LeadTaskView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn set_task(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path((lead_id, task_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<TaskDone>,
) -> ApiResult<Json<LeadTaskView>> {
    let (l, t) = (path_id(&lead_id)?, path_id(&task_id)?);
    Ok(Json(tasks::set_done(&s.core, &p, &m, l, t, input).await?))
}

/// The pipeline's stages, left to right.
#[utoipa::path(get, path = "/api/v1/pipeline/stages", tag = "leads",
    responses((status = 200, body = Vec<StageView>), (status = 403, body = Problem)))]
async fn list_stages(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<StageView>>> {
    Ok(Json(stages::list(&s.core, &p).await?))
}

/// Add a stage (at `position`, default last).
#[utoipa::path(post, path = "/api/v1/pipeline/stages", tag = "leads", request_body = NewStage,
    responses((status = 201, body = StageView), (status = 422, body = Problem)))]
async fn add_stage(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewStage(input)): ApiJson<NewStage>,
) -> ApiResult<(StatusCode, Json<StageView>)> {
    Ok((
        StatusCode::CREATED,
        Json(stages::save(&s.core, &p, &m, None, input).await?),
    ))
}

/// Rename a stage, change its kind, or move it.
#[utoipa::path(patch, path = "/api/v1/pipeline/stages/{stage_id}", tag = "leads", request_body = StageChange,
    params(("stage_id" = StageId, Path, description = "`stg_...`")),
    responses((status = 200, body = StageView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_stage(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(StageChange(input)): ApiJson<StageChange>,
) -> ApiResult<Json<StageView>> {
    Ok(Json(
        stages::save(&s.core, &p, &m, Some(path_id(&id)?), input).await?,
    ))
}

/// Leads per source: how many came, were won and lost, and the
/// conversion rate; and why leads were lost.
#[utoipa::path(get, path = "/api/v1/leads/report", tag = "leads",
    responses((status = 200, body = LeadReport), (status = 403, body = Problem)))]
async fn lead_report(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<LeadReport>> {
    Ok(Json(report::report(&s.core, &p).await?))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(board, create_lead))
        .routes(routes!(lead_report))
        .routes(routes!(get_lead, update_lead))
        .routes(routes!(convert_lead))
        .routes(routes!(list_tasks, add_task))
        .routes(routes!(set_task))
        .routes(routes!(list_stages, add_stage))
        .routes(routes!(update_stage))
}
