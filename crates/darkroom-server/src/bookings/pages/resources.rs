//! Rooms and gear (resources) and session types: the lists, adding one,
//! and changing a resource's status (maintenance or lost stops bookings).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::bookings::resource::{self, NewResource, ResourcePatch};
use darkroom_core::bookings::session_type::{self, NewSessionType};
use darkroom_core::bookings::{self as core_bookings};
use darkroom_domain::ResourceId;
use darkroom_domain::booking::{LocationKind, ResourceKind, ResourceStatus};
use darkroom_domain::field::Ranged;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, page_id, param};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResourceForm {
    branch_id: String,
    kind: String,
    name: String,
    serial_number: String,
    quantity: String,
    status: String,
    version: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TypeForm {
    branch_id: String,
    name: String,
    duration: String,
    buffer_after: String,
    increment: String,
    location_kind: String,
    public: String,
    requires_approval: String,
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|k| (name(*k), name(*k))).collect()
}

async fn page(
    ctx: &PageCtx,
    status: StatusCode,
    rf: &ResourceForm,
    tf: &TypeForm,
    errors: Value,
    type_errors: Value,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let (branches, items, types) = match (
        core_bookings::branches(core, &ctx.p).await,
        resource::list(core, &ctx.p, None, false).await,
        session_type::list(core, &ctx.p).await,
    ) {
        (Ok(b), Ok(r), Ok(t)) => (b, r, t),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&ctx.state, &e),
    };
    ctx.render_status(
        status,
        "resources.html",
        context! {
            title => "Rooms, gear and session types", items => items, types => types, branches => branches,
            kinds => names(ResourceKind::ALL, ResourceKind::name), statuses => names(ResourceStatus::ALL, ResourceStatus::name),
            locations => names(LocationKind::ALL, LocationKind::name),
            form => rf, tform => tf, errors => errors, type_errors => type_errors, flash => flash,
        },
    )
}

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let rf = ResourceForm {
        kind: "camera".into(),
        quantity: "1".into(),
        ..Default::default()
    };
    let tf = TypeForm {
        duration: "60".into(),
        increment: "30".into(),
        location_kind: "studio".into(),
        ..Default::default()
    };
    page(
        &ctx,
        StatusCode::OK,
        &rf,
        &tf,
        context! {},
        context! {},
        flash_text(param(&q, "flash")),
    )
    .await
}

fn quantity(raw: &str) -> Result<Option<Ranged<1, 1000>>, CoreError> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(|n| Some(Ranged(n)))
            .map_err(|_| CoreError::invalid("quantity", "give a whole number from 1 to 1000")),
    }
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<ResourceForm>) -> Response {
    let input = (|| -> Result<NewResource, CoreError> {
        Ok(NewResource {
            id: None,
            branch_id: f
                .branch_id
                .parse()
                .map_err(|_| CoreError::invalid("branch_id", "pick a branch"))?,
            kind: field(&f.kind),
            name: field(&f.name),
            serial_number: opt_field(&f.serial_number),
            quantity: quantity(&f.quantity)?,
            status: None,
            notes: None,
        })
    })();
    let result = match input {
        Ok(i) => resource::create(&ctx.state.core, &ctx.p, &ctx.meta, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done("/resources", "resource_added"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                let tf = TypeForm {
                    duration: "60".into(),
                    ..Default::default()
                };
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    &tf,
                    Value::from_serialize(&errs),
                    context! {},
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn set_status(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ResourceForm>,
) -> Response {
    let id: ResourceId = match page_id(&ctx, &id) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let patch = ResourcePatch {
        version: f.version.unwrap_or(0),
        status: Some(field(&f.status)),
        ..Default::default()
    };
    match resource::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done("/resources", "resource_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

fn minutes<const MIN: i64, const MAX: i64>(
    raw: &str,
    name: &str,
) -> Result<Option<Ranged<MIN, MAX>>, CoreError> {
    match raw.trim() {
        "" => Ok(None),
        s => s.parse().map(|n| Some(Ranged(n))).map_err(|_| {
            CoreError::invalid(
                name,
                format!("give a whole number of minutes from {MIN} to {MAX}"),
            )
        }),
    }
}

pub async fn create_type(ctx: PageCtx, PageForm(f): PageForm<TypeForm>) -> Response {
    let input = (|| -> Result<NewSessionType, CoreError> {
        Ok(NewSessionType {
            id: None,
            branch_id: f
                .branch_id
                .parse()
                .map_err(|_| CoreError::invalid("branch_id", "pick a branch"))?,
            name: field(&f.name),
            slug: None,
            kind: None,
            description: None,
            duration_minutes: minutes(&f.duration, "duration")?.unwrap_or(Ranged(0)),
            buffer_before_minutes: None,
            buffer_after_minutes: minutes(&f.buffer_after, "buffer_after")?,
            min_notice_minutes: None,
            horizon_days: None,
            increment_minutes: minutes(&f.increment, "increment")?,
            location_kind: opt_field(&f.location_kind),
            capacity: None,
            public: Some(f.public == "on"),
            requires_approval: Some(f.requires_approval == "on"),
            staff_ids: None,
            resource_ids: None,
        })
    })();
    let result = match input {
        Ok(i) => session_type::create(&ctx.state.core, &ctx.p, &ctx.meta, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done("/resources", "session_type_added"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                let mapped: serde_json::Map<String, serde_json::Value> = errs
                    .into_iter()
                    .map(|(k, v)| (k.replace("_minutes", ""), v))
                    .collect();
                let rf = ResourceForm {
                    kind: "camera".into(),
                    quantity: "1".into(),
                    ..Default::default()
                };
                page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &rf,
                    &f,
                    context! {},
                    Value::from_serialize(&mapped),
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}
