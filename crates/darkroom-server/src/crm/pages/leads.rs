//! The lead pages: the pipeline board (drag a card, or pick its stage with
//! the keyboard), a lead with its tasks and conversion, the stages and the
//! embed snippet, and the report.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::lead::report;
use darkroom_core::crm::lead::stages::{self, StageInput};
use darkroom_core::crm::lead::tasks::{self, NewLeadTask, TaskDone};
use darkroom_core::crm::lead::{self, LeadInput};
use darkroom_domain::{LeadId, LeadTaskId, StageId, Timestamp};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, param};

pub const LOST_REASONS: &[&str] = &[
    "Price",
    "Date already taken",
    "Chose another studio",
    "No answer",
    "Plans changed",
];

pub async fn board(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let board = match lead::board(core, &ctx.p).await {
        Ok(b) => b,
        Err(e) => return error_page(&ctx.state, &e),
    };
    ctx.render(
        "leads.html",
        context! { title => "Leads", board => board, reasons => LOST_REASONS, flash => flash_text(param(&q, "flash")) },
    )
}

/// The quick-add form on the board, and the lead page's edit form.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct LeadForm {
    name: String,
    email: String,
    phone: String,
    event_type: String,
    event_date: String,
    venue: String,
    message: String,
    source: String,
    version: Option<i64>,
}

impl LeadForm {
    fn input(&self, adding: bool) -> LeadInput {
        LeadInput {
            version: if adding {
                None
            } else {
                Some(self.version.unwrap_or(0))
            },
            name: Some(field(&self.name)),
            email: Some(field(&self.email)),
            phone: Some(field(&self.phone)),
            event_type: Some(field(&self.event_type)),
            event_date: Some(field(&self.event_date)),
            venue: Some(field(&self.venue)),
            message: Some(field(&self.message)),
            source: Some(field(&self.source)),
            ..Default::default()
        }
    }
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<LeadForm>) -> Response {
    match lead::create(&ctx.state.core, &ctx.p, &ctx.meta, f.input(true)).await {
        Ok(l) => done(&format!("/leads/{}", l.id), "lead_added"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

async fn show_page(
    ctx: &PageCtx,
    id: LeadId,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let (l, stages, tasks) = match (
        lead::get(core, &ctx.p, id).await,
        stages::list(core, &ctx.p).await,
        tasks::list(core, &ctx.p, id).await,
    ) {
        (Ok(l), Ok(s), Ok(t)) => (l, s, t),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&ctx.state, &e),
    };
    let stage = stages.iter().find(|s| s.id == l.stage_id).cloned();
    let project = darkroom_core::projects::interface::of_lead(core, &ctx.p, id)
        .await
        .ok()
        .flatten();
    ctx.render_status(
        status,
        "lead.html",
        context! {
            title => l.name.clone(), l => l, stage => stage, stages => stages, tasks => tasks,
            project => project,
            reasons => LOST_REASONS, errors => errors, flash => flash_text(flash),
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<LeadId>(&id) {
        Ok(id) => show_page(&ctx, id, StatusCode::OK, context! {}, param(&q, "flash")).await,
        Err(_) => error_page(&ctx.state, &CoreError::not_found("lead")),
    }
}

fn refused(ctx: &PageCtx, e: CoreError) -> Result<Value, Box<Response>> {
    match field_errors(&e) {
        Some(errs) => Ok(Value::from_serialize(&errs)),
        None => Err(Box::new(error_page(&ctx.state, &e))),
    }
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<LeadForm>,
) -> Response {
    let Ok(id) = path_id::<LeadId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("lead"));
    };
    match lead::update(&ctx.state.core, &ctx.p, &ctx.meta, id, f.input(false)).await {
        Ok(l) => done(&format!("/leads/{}", l.id), "lead_saved"),
        Err(e) => match refused(&ctx, e) {
            Ok(errs) => show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await,
            Err(r) => *r,
        },
    }
}

/// A move to another stage, from the board or the lead's page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    stage_id: String,
    version: Option<i64>,
    lost_reason: String,
    /// Where to go back to: `board` or the lead's page.
    back: String,
}

pub async fn move_lead(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<MoveForm>,
) -> Response {
    let Ok(id) = path_id::<LeadId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("lead"));
    };
    if let Err(e) = lead::get(&ctx.state.core, &ctx.p, id).await {
        return error_page(&ctx.state, &e);
    }
    let Ok(stage) = f.stage_id.parse::<StageId>() else {
        return error_page(
            &ctx.state,
            &CoreError::invalid("stage_id", "choose a stage from the list"),
        );
    };
    let input = LeadInput {
        version: Some(f.version.unwrap_or(0)),
        stage_id: Some(stage),
        lost_reason: opt_field(&f.lost_reason),
        ..Default::default()
    };
    match lead::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await {
        Ok(_) if f.back == "board" => done("/leads", "lead_moved"),
        Ok(l) => done(&format!("/leads/{}", l.id), "lead_moved"),
        Err(e) => match refused(&ctx, e) {
            Ok(errs) => show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await,
            Err(r) => *r,
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn convert(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    let Ok(id) = path_id::<LeadId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("lead"));
    };
    match lead::convert(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        id,
        f.version.unwrap_or(0),
    )
    .await
    {
        Ok(l) => done(&format!("/leads/{}", l.id), "lead_converted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// A new task: its title and, optionally, the day it is due.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    title: String,
    due: String,
}

pub async fn add_task(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<TaskForm>,
) -> Response {
    let Ok(id) = path_id::<LeadId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("lead"));
    };
    let due = if f.due.trim().is_empty() {
        None
    } else {
        match Timestamp::parse_rfc3339(&format!("{}T09:00:00Z", f.due.trim())) {
            Ok(t) => Some(t),
            Err(_) => {
                let errs = context! { due => "write the day as YYYY-MM-DD" };
                return show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await;
            }
        }
    };
    let input = NewLeadTask {
        title: field(&f.title),
        due_at: due,
    };
    match tasks::add(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await {
        Ok(_) => done(&format!("/leads/{id}"), "lead_task_added"),
        Err(e) => match refused(&ctx, e) {
            Ok(errs) => show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await,
            Err(r) => *r,
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneForm {
    version: Option<i64>,
    done: String,
}

pub async fn task_done(
    ctx: PageCtx,
    Path((id, task)): Path<(String, String)>,
    PageForm(f): PageForm<DoneForm>,
) -> Response {
    let (Ok(id), Ok(task)) = (path_id::<LeadId>(&id), path_id::<LeadTaskId>(&task)) else {
        return error_page(&ctx.state, &CoreError::not_found("task"));
    };
    let input = TaskDone {
        version: f.version.unwrap_or(0),
        done: f.done != "false",
    };
    match tasks::set_done(&ctx.state.core, &ctx.p, &ctx.meta, id, task, input).await {
        Ok(_) => done(&format!("/leads/{id}"), "lead_task_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn report(ctx: PageCtx) -> Response {
    match report::report(&ctx.state.core, &ctx.p).await {
        Ok(r) => ctx.render(
            "leads_report.html",
            context! { title => "Lead report", r => r },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn stages_page(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let (stages, choices) = match (
        stages::list(core, &ctx.p).await,
        darkroom_core::crm::client::choices(core, &ctx.p).await,
    ) {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => return error_page(&ctx.state, &e),
    };
    let base = core.settings().public_url.to_string();
    ctx.render(
        "stages.html",
        context! {
            title => "Pipeline and inquiry form", stages => stages, branches => choices.branches,
            base => base.trim_end_matches('/'), flash => flash_text(param(&q, "flash")),
        },
    )
}

/// A stage added or changed on the stages page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    name: String,
    kind: String,
    position: String,
    version: Option<i64>,
}

pub async fn save_stage(ctx: PageCtx, id: Option<String>, f: StageForm) -> Response {
    let id = match id.map(|i| path_id::<StageId>(&i)) {
        Some(Ok(i)) => Some(i),
        Some(Err(_)) => return error_page(&ctx.state, &CoreError::not_found("stage")),
        None => None,
    };
    let input = StageInput {
        version: f.version,
        name: (!f.name.trim().is_empty() || id.is_none()).then(|| field(&f.name)),
        kind: (!f.kind.is_empty()).then(|| field(&f.kind)),
        position: f.position.trim().parse().ok(),
    };
    match stages::save(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await {
        Ok(_) => done("/leads/stages", "stage_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn add_stage(ctx: PageCtx, PageForm(f): PageForm<StageForm>) -> Response {
    save_stage(ctx, None, f).await
}

pub async fn change_stage(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<StageForm>,
) -> Response {
    save_stage(ctx, Some(id), f).await
}
