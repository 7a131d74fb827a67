//! The project pages: the list of jobs, a new project for a client, and a
//! job's page with everything about it (details, people, status,
//! milestones, galleries and sessions).

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::bookings::booking::{self, BookingFilter};
use darkroom_core::photos::gallery::{self, GalleryFilter};
use darkroom_core::projects::links::{self, Linked};
use darkroom_core::projects::milestones::{self, MilestoneInput};
use darkroom_core::projects::{self, ProjectFilter, ProjectInput};
use darkroom_domain::names::Named;
use darkroom_domain::project::{ProjectKind, ProjectRole, ProjectStatus};
use darkroom_domain::{ClientId, MilestoneId, ProjectId, Timestamp, UserId};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, param};

fn names<E: Named>() -> Vec<(String, String)> {
    E::all()
        .iter()
        .map(|k| (k.name().to_string(), k.name().replace('_', " ")))
        .collect()
}

fn not_found() -> CoreError {
    CoreError::not_found("project")
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let status = param(&q, "status").map(field);
    let deleted = param(&q, "deleted") == Some("true");
    let f = ProjectFilter {
        status,
        deleted: Some(deleted),
        ..Default::default()
    };
    match projects::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(rows) => ctx.render(
            "projects.html",
            context! {
                title => if deleted { "Deleted projects" } else { "Projects" }, projects => rows,
                statuses => names::<ProjectStatus>(), status => param(&q, "status").unwrap_or(""),
                deleted => deleted, flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The details form of a project (new or existing). People come as one
/// checkbox each, named `<role>:<usr_…>`.
fn input_of(f: &HashMap<String, String>, adding: bool) -> ProjectInput {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let people = |role: ProjectRole| -> Option<Vec<UserId>> {
        let prefix = format!("{}:", role.name());
        Some(
            f.keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter_map(|u| u.parse().ok())
                .collect(),
        )
    };
    ProjectInput {
        version: if adding {
            None
        } else {
            Some(get("version").parse().unwrap_or(0))
        },
        client_id: get("client_id").parse().ok(),
        branch_id: get("branch_id").parse().ok(),
        name: (!get("name").trim().is_empty() || !adding).then(|| field(get("name"))),
        kind: Some(field(get("kind"))),
        starts_on: Some(field(get("starts_on"))),
        ends_on: Some(field(get("ends_on"))),
        start_time: Some(field(get("start_time"))),
        venue: Some(field(get("venue"))),
        requests: Some(field(get("requests"))),
        package_id: get("package_id").parse().ok(),
        // The package list's "None" takes the package off.
        no_package: (!adding && f.get("package_id").is_some_and(|v| v.is_empty())).then_some(true),
        photographer_ids: people(ProjectRole::Photographer),
        assistant_ids: people(ProjectRole::Assistant),
        editor_ids: people(ProjectRole::Editor),
        ..Default::default()
    }
}

async fn new_page(
    ctx: &PageCtx,
    client: Option<ClientId>,
    status: StatusCode,
    errors: Value,
    form: Value,
) -> Response {
    let core = &ctx.state.core;
    let card = match client {
        Some(c) => {
            match darkroom_core::crm::interface::client_card(core.db().conn(), ctx.p.studio, c)
                .await
            {
                Ok(card) => card,
                Err(e) => return error_page(&ctx.state, &e),
            }
        }
        None => None,
    };
    let choices = match darkroom_core::crm::client::choices(core, &ctx.p).await {
        Ok(c) => c,
        Err(e) => return error_page(&ctx.state, &e),
    };
    ctx.render_status(
        status,
        "project_new.html",
        context! {
            title => "New project", client => card, kinds => names::<ProjectKind>(),
            branches => choices.branches, staff => choices.staff, errors => errors, form => form,
        },
    )
}

pub async fn new_form(ctx: PageCtx, q: Params) -> Response {
    let client = param(&q, "client_id").and_then(|c| c.parse().ok());
    new_page(&ctx, client, StatusCode::OK, context! {}, context! {}).await
}

fn refused(ctx: &PageCtx, e: CoreError) -> Result<Value, Box<Response>> {
    match field_errors(&e) {
        Some(errs) => Ok(Value::from_serialize(&errs)),
        None => Err(Box::new(error_page(&ctx.state, &e))),
    }
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<HashMap<String, String>>) -> Response {
    let input = input_of(&f, true);
    let client = input.client_id;
    match projects::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok(v) => done(&format!("/projects/{}", v.id), "project_added"),
        Err(e) => match refused(&ctx, e) {
            Ok(errs) => {
                let form = Value::from_serialize(&f);
                new_page(&ctx, client, StatusCode::UNPROCESSABLE_ENTITY, errs, form).await
            }
            Err(r) => *r,
        },
    }
}

async fn show_page(
    ctx: &PageCtx,
    id: ProjectId,
    status: StatusCode,
    errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let d = match projects::detail(core, &ctx.p, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let choices = match darkroom_core::crm::client::choices(core, &ctx.p).await {
        Ok(c) => c,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let galleries = gallery::list(core, &ctx.p, &GalleryFilter::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    let galleries: Vec<_> = galleries
        .into_iter()
        .filter(|g| !d.galleries.iter().any(|x| x.id == g.id))
        .map(|g| (g.id.to_string(), g.name))
        .collect();
    let sessions = session_choices(ctx, &d).await;
    let packages: Vec<_> = darkroom_core::bookings::package::list(core, &ctx.p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|x| (x.id.to_string(), format!("{} ({})", x.name, x.price)))
        .collect();
    ctx.render_status(
        status,
        "project.html",
        context! {
            title => format!("{} · {}", d.project.number, d.project.name), d => d,
            kinds => names::<ProjectKind>(), statuses => names::<ProjectStatus>(),
            staff => choices.staff, branches => choices.branches, galleries => galleries,
            sessions => sessions, packages => packages, errors => errors, flash => flash_text(flash),
        },
    )
}

/// Sessions one may add: the client's bookings from a month before the
/// job's day (or today) to two months after, not yet in it.
async fn session_choices(ctx: &PageCtx, d: &projects::ProjectDetail) -> Vec<(String, String)> {
    let now = ctx.state.core.now();
    let around = d
        .project
        .starts_on
        .as_deref()
        .and_then(|s| Timestamp::parse_date_or_datetime(s).ok())
        .unwrap_or(now);
    let day = 24 * 60 * 60 * 1_000_000i64;
    // Two windows: one listing covers at most 62 days.
    let mut found = Vec::new();
    for (from, to) in [(-30, 30), (30, 60)] {
        let f = BookingFilter {
            from: Some(Timestamp::from_micros(around.as_micros() + from * day)),
            to: Some(Timestamp::from_micros(around.as_micros() + to * day)),
            branch_id: None,
            holder: None,
            cancelled: None,
        };
        found.extend(
            booking::list(&ctx.state.core, &ctx.p, &f)
                .await
                .unwrap_or_default(),
        );
    }
    // One booking across the windows' edge is listed by both.
    let mut seen = std::collections::HashSet::new();
    found.retain(|b| seen.insert(b.id));
    let zone = ctx.p.time_zone.clone();
    found
        .into_iter()
        .filter(|b| b.client_id == Some(d.project.client_id))
        .filter(|b| !d.sessions.iter().any(|x| x.id == b.id))
        .map(|b| {
            (
                b.id.to_string(),
                format!("{} — {}", b.starts_at.format_in_zone(&zone), b.title),
            )
        })
        .collect()
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match path_id::<ProjectId>(&id) {
        Ok(id) => show_page(&ctx, id, StatusCode::OK, context! {}, param(&q, "flash")).await,
        Err(_) => error_page(&ctx.state, &not_found()),
    }
}

/// Answers a refused change on the project's page, with the fields marked.
async fn or_marked(ctx: &PageCtx, id: ProjectId, r: Result<Response, CoreError>) -> Response {
    match r {
        Ok(res) => res,
        Err(e) => match refused(ctx, e) {
            Ok(errs) => show_page(ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await,
            Err(r) => *r,
        },
    }
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let mut input = input_of(&f, false);
    input.client_id = None;
    let r = projects::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    or_marked(
        &ctx,
        id,
        r.map(|v| done(&format!("/projects/{}", v.id), "project_saved")),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    version: Option<i64>,
}

pub async fn set_status(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = ProjectInput {
        version: Some(f.version.unwrap_or(0)),
        status: Some(field(&f.status)),
        ..Default::default()
    };
    let r = projects::update(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    or_marked(
        &ctx,
        id,
        r.map(|v| done(&format!("/projects/{}", v.id), "project_saved")),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f, true).await
}

pub async fn restore(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, id, f, false).await
}

async fn set_deleted(ctx: PageCtx, id: String, f: VersionForm, deleted: bool) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let core = &ctx.state.core;
    match projects::set_deleted(core, &ctx.p, &ctx.meta, id, f.version, deleted).await {
        Ok(_) if deleted => done("/projects", "project_deleted"),
        Ok(v) => done(&format!("/projects/{}", v.id), "project_restored"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    name: String,
    target_on: String,
    done_on: String,
    version: Option<i64>,
    /// `done` marks it reached today, `reopen` opens it again.
    action: String,
}

pub async fn add_milestone(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<MilestoneForm>,
) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let input = MilestoneInput {
        name: Some(field(&f.name)),
        target_on: Some(field(&f.target_on)),
        ..Default::default()
    };
    let r = milestones::create(&ctx.state.core, &ctx.p, &ctx.meta, id, input).await;
    or_marked(
        &ctx,
        id,
        r.map(|_| done(&format!("/projects/{id}#milestones"), "milestone_saved")),
    )
    .await
}

pub async fn change_milestone(
    ctx: PageCtx,
    Path((id, mid)): Path<(String, String)>,
    PageForm(f): PageForm<MilestoneForm>,
) -> Response {
    let (Ok(id), Ok(mid)) = (path_id::<ProjectId>(&id), path_id::<MilestoneId>(&mid)) else {
        return error_page(&ctx.state, &CoreError::not_found("milestone"));
    };
    let core = &ctx.state.core;
    if f.action == "remove" {
        return match milestones::remove(core, &ctx.p, &ctx.meta, id, mid).await {
            Ok(()) => done(&format!("/projects/{id}#milestones"), "milestone_saved"),
            Err(e) => error_page(&ctx.state, &e),
        };
    }
    let done_on = match f.action.as_str() {
        "done" if f.done_on.trim().is_empty() => Some(field(&today(&ctx))),
        "done" => Some(field(&f.done_on)),
        "reopen" => Some(field("")),
        _ => None,
    };
    let input = MilestoneInput {
        version: Some(f.version.unwrap_or(0)),
        target_on: (!f.target_on.is_empty()).then(|| field(&f.target_on)),
        done_on,
        ..Default::default()
    };
    let r = milestones::update(core, &ctx.p, &ctx.meta, id, mid, input).await;
    or_marked(
        &ctx,
        id,
        r.map(|_| done(&format!("/projects/{id}#milestones"), "milestone_saved")),
    )
    .await
}

/// Today where the viewer is.
fn today(ctx: &PageCtx) -> String {
    let now = ctx.state.core.now().format_in_zone(&ctx.p.time_zone);
    now.get(..10).unwrap_or_default().to_string()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    gallery_id: String,
    booking_id: String,
}

pub async fn link_gallery(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<LinkForm>,
) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let Ok(g) = f.gallery_id.parse() else {
        let errs = context! { gallery_id => "choose a gallery from the list" };
        return show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await;
    };
    let r = links::link(&ctx.state.core, &ctx.p, &ctx.meta, id, Linked::Gallery(g)).await;
    or_marked(
        &ctx,
        id,
        r.map(|()| done(&format!("/projects/{id}"), "project_linked")),
    )
    .await
}

pub async fn link_session(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<LinkForm>,
) -> Response {
    let Ok(id) = path_id::<ProjectId>(&id) else {
        return error_page(&ctx.state, &not_found());
    };
    let Ok(b) = f.booking_id.parse() else {
        let errs = context! { booking_id => "choose a session from the list" };
        return show_page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, errs, None).await;
    };
    let r = links::link(&ctx.state.core, &ctx.p, &ctx.meta, id, Linked::Session(b)).await;
    or_marked(
        &ctx,
        id,
        r.map(|()| done(&format!("/projects/{id}"), "project_linked")),
    )
    .await
}

pub async fn unlink_gallery(ctx: PageCtx, Path((id, gid)): Path<(String, String)>) -> Response {
    let (Ok(id), Ok(g)) = (path_id::<ProjectId>(&id), path_id(&gid)) else {
        return error_page(&ctx.state, &CoreError::not_found("gallery"));
    };
    unlink(ctx, id, Linked::Gallery(g)).await
}

pub async fn unlink_session(ctx: PageCtx, Path((id, bid)): Path<(String, String)>) -> Response {
    let (Ok(id), Ok(b)) = (path_id::<ProjectId>(&id), path_id(&bid)) else {
        return error_page(&ctx.state, &CoreError::not_found("booking"));
    };
    unlink(ctx, id, Linked::Session(b)).await
}

async fn unlink(ctx: PageCtx, id: ProjectId, target: Linked) -> Response {
    match links::unlink(&ctx.state.core, &ctx.p, &ctx.meta, id, target).await {
        Ok(()) => done(&format!("/projects/{id}"), "project_unlinked"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
