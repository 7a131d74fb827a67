//! Contracts over the API (decision 0034): templates, drafts with their
//! proposal, sending, the studio's countersignature, the payment
//! schedule, cancelling with the refund the schedule allows, the PDF.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use darkroom_core::billing::contract::countersign::{self, CountersignInput};
use darkroom_core::billing::contract::draft::{self, ContractChange, NewContract};
use darkroom_core::billing::contract::end::{self, CancelInput, VersionInput};
use darkroom_core::billing::contract::reschedule::{self, RescheduleInput};
use darkroom_core::billing::contract::schedule;
use darkroom_core::billing::contract::send::{self, SendInput};
use darkroom_core::billing::contract::template::{self, NewTemplate, TemplateChange, TemplateView};
use darkroom_core::billing::contract::{self, ContractFilter, ContractView};
use darkroom_domain::{ContractId, TemplateId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiAuth, ApiJson, ApiQuery, ClientMeta, VersionParam, path_id};
use crate::state::AppState;

/// The studio's contracts, newest first.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "billing", params(ContractFilter),
    responses((status = 200, body = Vec<ContractView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_contracts(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(f): ApiQuery<ContractFilter>,
) -> ApiResult<Json<Vec<ContractView>>> {
    Ok(Json(contract::list(&s.core, &p, &f).await?))
}

/// Draft a contract for a project: its proposal starts as a draft invoice
/// with the project's package (`quote_id`; add add-ons and fees there).
#[utoipa::path(post, path = "/api/v1/contracts", tag = "billing", request_body = NewContract,
    responses((status = 201, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewContract(input)): ApiJson<NewContract>,
) -> ApiResult<(StatusCode, Json<ContractView>)> {
    Ok((
        StatusCode::CREATED,
        Json(draft::create(&s.core, &p, &m, input).await?),
    ))
}

/// A contract with its signers' evidence, schedule and refund allowance.
#[utoipa::path(get, path = "/api/v1/contracts/{contract_id}", tag = "billing",
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem)))]
async fn get_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(contract::detail(&s.core, &p, path_id(&id)?).await?))
}

/// Change a draft's title, body or terms (a sent contract never changes: 409).
#[utoipa::path(patch, path = "/api/v1/contracts/{contract_id}", tag = "billing", request_body = ContractChange,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(ContractChange(input)): ApiJson<ContractChange>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        draft::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Send a draft: numbered, frozen (its SHA-256 kept), each signer emailed
/// their own link.
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/send", tag = "billing", request_body = SendInput,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn send_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        send::send(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// The studio signs last: the signed PDF (with its certificate page) is
/// kept, its hash goes into the audit chain, and the schedule's invoices
/// are issued.
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/countersign", tag = "billing", request_body = CountersignInput,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn countersign_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CountersignInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        countersign::countersign(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Issue the schedule's invoices not issued yet (after fixing what stopped
/// them, shown as `schedule_problem`).
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/schedule", tag = "billing",
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue_schedule(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        schedule::issue_schedule(&s.core, &p, &m, path_id(&id)?).await?,
    ))
}

/// Cancel: a signed contract refunds what its refund schedule allows today
/// (each payment back the way it came) and credits what is no longer owed.
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/cancel", tag = "billing", request_body = CancelInput,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        end::cancel(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Move a signed contract's event to another day; its rescheduling fee
/// (from the terms) is invoiced.
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/reschedule", tag = "billing", request_body = RescheduleInput,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reschedule_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RescheduleInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        reschedule::reschedule(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Mark a signed contract completed.
#[utoipa::path(post, path = "/api/v1/contracts/{contract_id}/complete", tag = "billing", request_body = VersionInput,
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn complete_contract(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<VersionInput>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        end::complete(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// The contract as a PDF: signed with its certificate page, or as sent.
#[utoipa::path(get, path = "/api/v1/contracts/{contract_id}/pdf", tag = "billing",
    params(("contract_id" = ContractId, Path, description = "`con_...`")),
    responses((status = 200, content_type = "application/pdf", description = "The PDF"), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn contract_pdf(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) =
        darkroom_core::billing::contract::pdf::contract_pdf(&s.core, &p, path_id(&id)?).await?;
    Ok(crate::web::bytes::pdf(&name, bytes))
}

/// The studio's contract templates.
#[utoipa::path(get, path = "/api/v1/contract-templates", tag = "billing",
    responses((status = 200, body = Vec<TemplateView>), (status = 403, body = Problem)))]
async fn list_templates(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(template::list(&s.core, &p).await?))
}

/// Add a template (its body's `{{ variables }}` are checked).
#[utoipa::path(post, path = "/api/v1/contract-templates", tag = "billing", request_body = NewTemplate,
    responses((status = 201, body = TemplateView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_template(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    ApiJson(NewTemplate(input)): ApiJson<NewTemplate>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    Ok((
        StatusCode::CREATED,
        Json(template::create(&s.core, &p, &m, input).await?),
    ))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/contract-templates/{template_id}", tag = "billing",
    params(("template_id" = TemplateId, Path, description = "`tpl_...`")),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem)))]
async fn get_template(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(template::get(&s.core, &p, path_id(&id)?).await?))
}

/// Change a template (contracts made from it keep their copy).
#[utoipa::path(patch, path = "/api/v1/contract-templates/{template_id}", tag = "billing", request_body = TemplateChange,
    params(("template_id" = TemplateId, Path, description = "`tpl_...`")),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_template(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiJson(TemplateChange(input)): ApiJson<TemplateChange>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        template::update(&s.core, &p, &m, path_id(&id)?, input).await?,
    ))
}

/// Delete a template.
#[utoipa::path(delete, path = "/api/v1/contract-templates/{template_id}", tag = "billing",
    params(("template_id" = TemplateId, Path, description = "`tpl_...`"), VersionParam),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_template(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    template::delete(&s.core, &p, &m, path_id(&id)?, v.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_contracts, create_contract))
        .routes(routes!(get_contract, update_contract))
        .routes(routes!(send_contract))
        .routes(routes!(countersign_contract))
        .routes(routes!(issue_schedule))
        .routes(routes!(cancel_contract))
        .routes(routes!(complete_contract))
        .routes(routes!(reschedule_contract))
        .routes(routes!(contract_pdf))
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template, delete_template))
}
