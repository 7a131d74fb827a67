//! The contract pages: the list with a new contract from a project, a
//! contract's page (its proposal, body and terms while a draft; signers'
//! evidence, the studio's countersignature, the payment schedule, the
//! refund the schedule allows and cancelling once sent), and the studio's
//! templates.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::billing::contract::countersign::{self, CountersignInput};
use darkroom_core::billing::contract::draft::{self, ContractInput};
use darkroom_core::billing::contract::end::{self, CancelInput, VersionInput};
use darkroom_core::billing::contract::schedule;
use darkroom_core::billing::contract::send::{self, SendInput};
use darkroom_core::billing::contract::template::{self, TemplateInput};
use darkroom_core::billing::contract::terms::{TermsInput, TierInput};
use darkroom_core::billing::contract::{self, ContractFilter};
use darkroom_domain::billing::contract::ContractStatus;
use darkroom_domain::field::Ranged;
use darkroom_domain::names::Named;
use darkroom_domain::{ContractId, TemplateId};
use minijinja::{Value, context};

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, param};

type Form = PageForm<HashMap<String, String>>;

fn get<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map_or("", String::as_str)
}

fn not_found() -> CoreError {
    CoreError::not_found("contract")
}

/// Terms from form fields `deposit`, `balance_days_before`,
/// `tier{n}_days`, `tier{n}_refund`, `cancellation_fee`, `reschedule_fee`.
fn terms_of(f: &HashMap<String, String>) -> TermsInput {
    let mut tiers = Vec::new();
    for n in 0..6 {
        let days = get(f, &format!("tier{n}_days")).trim();
        let refund = get(f, &format!("tier{n}_refund")).trim();
        if days.is_empty() && refund.is_empty() {
            continue;
        }
        tiers.push(TierInput {
            days_before: Ranged(days.parse().unwrap_or(-1)),
            refund: field(refund),
        });
    }
    TermsInput {
        deposit: Some(field(get(f, "deposit"))),
        balance_days_before: Some(Ranged(
            get(f, "balance_days_before").trim().parse().unwrap_or(-1),
        )),
        refund_schedule: Some(tiers),
        cancellation_fee: Some(field(get(f, "cancellation_fee"))),
        reschedule_fee: Some(field(get(f, "reschedule_fee"))),
    }
}

async fn list_page(
    ctx: &PageCtx,
    q: &HashMap<String, String>,
    status: StatusCode,
    errors: Value,
) -> Response {
    let core = &ctx.state.core;
    let f = ContractFilter {
        status: param(q, "status").map(field),
        ..Default::default()
    };
    let rows = match contract::list(core, &ctx.p, &f).await {
        Ok(r) => r,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let projects: Vec<(String, String)> =
        darkroom_core::projects::list(core, &ctx.p, &Default::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let when = p.starts_on.clone().unwrap_or_else(|| "no day yet".into());
                (
                    p.id.to_string(),
                    format!(
                        "{} · {} ({when})",
                        p.name,
                        p.client_name.unwrap_or_default()
                    ),
                )
            })
            .collect();
    let templates: Vec<(String, String)> = template::list(core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let statuses: Vec<(String, String)> = ContractStatus::all()
        .iter()
        .map(|s| (s.name().to_string(), s.name().to_string()))
        .collect();
    ctx.render_status(
        status,
        "contracts.html",
        context! {
            title => "Contracts", contracts => rows, projects => projects, templates => templates,
            statuses => statuses, status => param(q, "status").unwrap_or(""),
            form => Value::from_serialize(q), errors => errors, flash => flash_text(param(q, "flash")),
        },
    )
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    list_page(&ctx, &q.0, StatusCode::OK, context! {}).await
}

pub async fn create(ctx: PageCtx, PageForm(f): Form) -> Response {
    let input = ContractInput {
        project_id: get(&f, "project_id").parse().ok(),
        template_id: get(&f, "template_id").parse().ok(),
        ..Default::default()
    };
    if input.project_id.is_none() {
        let errs = context! { project_id => "choose the project the contract is for" };
        return list_page(&ctx, &f, StatusCode::UNPROCESSABLE_ENTITY, errs).await;
    }
    match draft::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(c) => done(&format!("/contracts/{}", c.id), "contract_drafted"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                list_page(
                    &ctx,
                    &f,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

async fn show_page(
    ctx: &PageCtx,
    id: ContractId,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let c = match contract::detail(core, &ctx.p, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let quote = match c.quote_id {
        Some(q) => darkroom_core::billing::detail(core, &ctx.p, q).await.ok(),
        None => None,
    };
    let clients_signed = c
        .signers
        .iter()
        .filter(|s| s.role == darkroom_domain::billing::contract::SignerRole::Client)
        .all(|s| s.signed_at.is_some());
    let title = c
        .number
        .clone()
        .unwrap_or_else(|| format!("Draft: {}", c.title));
    let h = match darkroom_core::kernel::tenant::page_header(core, ctx.p.studio).await {
        Ok(h) => h,
        Err(e) => return error_page(&ctx.state, &e),
    };
    ctx.render_status(
        status,
        "contract.html",
        context! {
            title => title, c => c, quote => quote, errors => errors, flash => flash_text(flash),
            variables => template::variables(), clients_signed => clients_signed,
            tz => h.time_zone, locale => h.locale,
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<ContractId>(&id) {
        Ok(id) => show_page(&ctx, id, StatusCode::OK, context! {}, param(&q, "flash")).await,
        Err(_) => error_page(&ctx.state, &not_found()),
    }
}

async fn answer(ctx: &PageCtx, id: ContractId, r: Result<&str, CoreError>) -> Response {
    match r {
        Ok(flash) => done(&format!("/contracts/{id}"), flash),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                show_page(
                    ctx,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

fn version(f: &HashMap<String, String>) -> i64 {
    get(f, "version").parse().unwrap_or(0)
}

pub async fn update(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = ContractInput {
        version: Some(version(&f)),
        title: Some(field(get(&f, "title"))),
        body: Some(field(get(&f, "body"))),
        terms: Some(terms_of(&f)),
        ..Default::default()
    };
    let r = draft::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "contract_saved")).await
}

pub async fn send_it(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = SendInput {
        version: version(&f),
        signers: None,
    };
    let r = send::send(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "contract_sent")).await
}

pub async fn countersign_it(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = CountersignInput {
        version: version(&f),
        consent: f.contains_key("consent"),
        signature: field(get(&f, "signature")),
    };
    let r = countersign::countersign(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "contract_signed")).await
}

pub async fn schedule_it(ctx: PageCtx, Path(id): Path<String>, PageForm(_): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let r = schedule::issue_schedule(&ctx.state.core, &ctx.p, &ctx.meta, id).await;
    answer(&ctx, id, r.map(|_| "contract_invoiced")).await
}

pub async fn cancel_it(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = CancelInput {
        version: version(&f),
        reason: field(get(&f, "reason")),
        refund: Some(get(&f, "refund") != "no"),
    };
    let r = end::cancel(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "contract_cancelled")).await
}

pub async fn complete_it(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = VersionInput {
        version: version(&f),
    };
    let r = end::complete(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    answer(&ctx, id, r.map(|_| "contract_completed")).await
}

pub async fn reschedule_it(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = darkroom_core::billing::contract::reschedule::RescheduleInput {
        version: version(&f),
        event_on: field(get(&f, "event_on")),
        reason: field(get(&f, "move_reason")),
    };
    let r = darkroom_core::billing::contract::reschedule::reschedule(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        id,
        input,
    )
    .await;
    answer(&ctx, id, r.map(|_| "contract_rescheduled")).await
}

pub async fn pdf(ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = path_id::<ContractId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    match darkroom_core::billing::contract::pdf::contract_pdf(&ctx.state.core, &ctx.p, id).await {
        Ok((name, bytes)) => crate::web::bytes::pdf(&name, bytes),
        Err(e) => error_page(&ctx.state, &e),
    }
}

async fn templates_page(
    ctx: &PageCtx,
    edit: Option<TemplateId>,
    form: Value,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let list = match template::list(core, &ctx.p).await {
        Ok(l) => l,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let current = match edit {
        Some(id) => match template::get(core, &ctx.p, id).await {
            Ok(t) => Some(t),
            Err(e) => return error_page(&ctx.state, &e),
        },
        None => None,
    };
    ctx.render_status(
        status,
        "contract_templates.html",
        context! {
            title => "Contract templates", templates => list, t => current, form => form,
            errors => errors, flash => flash_text(flash), variables => template::variables(),
            default_body => template::DEFAULT_BODY,
        },
    )
}

pub async fn templates(ctx: PageCtx, q: Params) -> Response {
    templates_page(
        &ctx,
        None,
        Value::UNDEFINED,
        StatusCode::OK,
        context! {},
        param(&q, "flash"),
    )
    .await
}

pub async fn template_show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<TemplateId>(&id) {
        Ok(id) => {
            templates_page(
                &ctx,
                Some(id),
                Value::UNDEFINED,
                StatusCode::OK,
                context! {},
                param(&q, "flash"),
            )
            .await
        }
        Err(_) => error_page(&ctx.state, &CoreError::not_found("contract template")),
    }
}

fn template_input(f: &HashMap<String, String>) -> TemplateInput {
    TemplateInput {
        name: Some(field(get(f, "name"))),
        title: opt_field(get(f, "title")),
        body: Some(field(get(f, "body"))),
        terms: Some(terms_of(f)),
        ..Default::default()
    }
}

async fn template_answer(
    ctx: &PageCtx,
    edit: Option<TemplateId>,
    f: &HashMap<String, String>,
    r: Result<TemplateId, CoreError>,
) -> Response {
    match r {
        Ok(id) => done(
            &format!("/settings/contract-templates/{id}"),
            "template_saved",
        ),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                templates_page(
                    ctx,
                    edit,
                    Value::from_serialize(f),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn template_create(ctx: PageCtx, PageForm(f): Form) -> Response {
    let r = template::create(&ctx.state.core, &ctx.p, &ctx.meta, template_input(&f)).await;
    template_answer(&ctx, None, &f, r.map(|t| t.id)).await
}

pub async fn template_save(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<TemplateId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("contract template"));
    };
    let mut input = template_input(&f);
    input.version = Some(version(&f));
    let r = template::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    template_answer(&ctx, Some(id), &f, r.map(|t| t.id)).await
}

pub async fn template_delete(ctx: PageCtx, Path(id): Path<String>, PageForm(f): Form) -> Response {
    let Ok(id) = path_id::<TemplateId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("contract template"));
    };
    match template::delete(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        id,
        get(&f, "version").parse().ok(),
    )
    .await
    {
        Ok(()) => done("/settings/contract-templates", "template_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
