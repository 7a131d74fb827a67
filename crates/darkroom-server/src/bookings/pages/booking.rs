//! Booking pages: the form (from the calendar), a booking's page, moving it
//! and moving its status. A refusal shows what is in the way and the
//! nearest free times as buttons that book them.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::bookings::booking::{self, BookingView};
use darkroom_core::bookings::change::{self, BookingPatch, StatusChange};
use darkroom_core::bookings::holds::StaffPick;
use darkroom_core::bookings::new::{self, NewBooking};
use darkroom_core::bookings::{self as core_bookings, availability, resource};
use darkroom_domain::BookingId;
use darkroom_domain::booking::{BookingKind, BookingStatus};
use darkroom_domain::field::Ranged;
use minijinja::{Value, context};

use super::form::{BookingForm, form_field};
use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, field, opt_field, page_id, param};

/// What a refused form shows: the errors by form field, or the conflict.
fn refusal(e: &CoreError, zone: &str, locale: &str) -> Option<(Value, Value)> {
    if let Some(errs) = field_errors(e) {
        let mapped: serde_json::Map<String, serde_json::Value> = errs
            .into_iter()
            .map(|(k, v)| (form_field(&k).to_string(), v))
            .collect();
        return Some((Value::from_serialize(&mapped), Value::UNDEFINED));
    }
    if let CoreError::Conflict {
        code: "booking_conflict",
        message,
        current,
    } = e
    {
        let alts: Vec<serde_json::Value> = current
            .as_ref()
            .and_then(|c| c["alternatives"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|a| a["starts_at"].as_str())
            .filter_map(|s| darkroom_domain::Timestamp::parse_rfc3339(s).ok())
            .map(|t| serde_json::json!({ "value": t.to_rfc3339(), "label": t.date_time(zone, locale) }))
            .collect();
        let c = context! { message => message, alternatives => alts };
        return Some((Value::from_serialize(serde_json::Map::new()), c));
    }
    None
}

async fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    form: &BookingForm,
    errors: Value,
    conflict: Value,
) -> Response {
    let core = &ctx.state.core;
    let packages = darkroom_core::bookings::package::list(core, &ctx.p)
        .await
        .unwrap_or_default();
    let (branches, people, resources) = match (
        core_bookings::branches(core, &ctx.p).await,
        availability::people(core, &ctx.p).await,
        resource::list(core, &ctx.p, None, false).await,
    ) {
        (Ok(b), Ok(p), Ok(r)) => (b, p, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(&ctx.state, &e),
    };
    // Booked for a client (from their page or their project's): named.
    let client = match form.client_id.parse() {
        Ok(id) => darkroom_core::crm::client::get(core, &ctx.p, id)
            .await
            .ok()
            .map(|c| c.name),
        Err(_) => None,
    };
    let kinds: Vec<(&str, &str)> = BookingKind::ALL
        .iter()
        .map(|k| (k.name(), k.name()))
        .collect();
    ctx.render_status(
        status,
        "booking_form.html",
        context! {
            title => "New booking", form => form, errors => errors, conflict => conflict,
            branches => branches, people => people, resources => resources, kinds => kinds,
            packages => packages, client => client,
        },
    )
}

pub async fn new_form(ctx: PageCtx, q: Params) -> Response {
    let form = BookingForm {
        date: param(&q, "date").unwrap_or_default().to_string(),
        start: param(&q, "start").unwrap_or("10:00").to_string(),
        duration: "60".into(),
        branch_id: param(&q, "branch").unwrap_or_default().to_string(),
        kind: "session".into(),
        status: "scheduled".into(),
        // From a client's or a project's page: for that client.
        client_id: param(&q, "client_id").unwrap_or_default().to_string(),
        title: param(&q, "title").unwrap_or_default().to_string(),
        ..Default::default()
    };
    form_page(&ctx, StatusCode::OK, &form, context! {}, Value::UNDEFINED).await
}

fn new_booking(f: &BookingForm, zone: &str) -> Result<NewBooking, CoreError> {
    let (starts_at, ends_at) = f
        .range(zone)
        .map_err(|(field, m)| CoreError::invalid(field, m))?;
    let minutes = |raw: &str, name: &str| -> Result<Option<Ranged<0, 1440>>, CoreError> {
        BookingForm::minutes(raw, 0)
            .map(|m| Some(Ranged(m)))
            .map_err(|m| CoreError::invalid(name, m))
    };
    let picked = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect()
    };
    let staff = picked(&f.staff)
        .iter()
        .map(|s| {
            s.parse().map(|user_id| StaffPick {
                user_id,
                role: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| CoreError::invalid("staff", "pick people from the list"))?;
    let resource_ids = picked(&f.resources)
        .iter()
        .map(|s| s.parse())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| CoreError::invalid("resources", "pick rooms and gear from the list"))?;
    Ok(NewBooking {
        id: None,
        branch_id: f
            .branch_id
            .parse()
            .map_err(|_| CoreError::invalid("branch_id", "pick a branch"))?,
        client_id: match f.client_id.trim() {
            "" => None,
            c => Some(
                c.parse()
                    .map_err(|_| CoreError::invalid("client_id", "the client is not known here"))?,
            ),
        },
        session_type_id: None,
        kind: opt_field(&f.kind),
        status: opt_field(&f.status),
        title: field(&f.title),
        starts_at,
        ends_at,
        time_zone: opt_field(&f.time_zone),
        location: opt_field(&f.location),
        travel_minutes: minutes(&f.travel, "travel")?,
        buffer_before_minutes: minutes(&f.buffer_before, "buffer_before")?,
        buffer_after_minutes: minutes(&f.buffer_after, "buffer_after")?,
        notes: opt_field(&f.notes),
        staff: Some(staff),
        resource_ids: Some(resource_ids),
        package_id: match f.package_id.trim() {
            "" => None,
            id => {
                Some(id.parse().map_err(|_| {
                    CoreError::invalid("package_id", "pick a package from the list")
                })?)
            }
        },
    })
}

/// The zone the form's times are in: the one typed, else the branch's.
async fn zone_of(ctx: &PageCtx, f: &BookingForm) -> String {
    if !f.time_zone.trim().is_empty() {
        return f.time_zone.trim().to_string();
    }
    let branches = core_bookings::branches(&ctx.state.core, &ctx.p)
        .await
        .unwrap_or_default();
    branches
        .iter()
        .find(|b| b.id.to_string() == f.branch_id)
        .map(|b| b.time_zone.clone())
        .unwrap_or_else(|| ctx.nav.zone.clone())
}

pub async fn create(ctx: PageCtx, PageForm(pairs): PageForm<Vec<(String, String)>>) -> Response {
    let f = BookingForm::from_pairs(pairs);
    let zone = zone_of(&ctx, &f).await;
    let result = match new_booking(&f, &zone) {
        Ok(input) => new::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(b) => done(&format!("/bookings/{}", b.id), "booking_added"),
        Err(e) => match refusal(&e, &zone, &ctx.nav.locale) {
            Some((errors, conflict)) => {
                let status = if conflict.is_undefined() {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                form_page(&ctx, status, &f, errors, conflict).await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

async fn load(ctx: &PageCtx, id: &str) -> Result<BookingView, Response> {
    let id: BookingId = page_id(ctx, id).map_err(|r| *r)?;
    booking::get(&ctx.state.core, &ctx.p, id)
        .await
        .map_err(|e| error_page(&ctx.state, &e))
}

fn show_page(
    ctx: &PageCtx,
    status: StatusCode,
    b: &BookingView,
    errors: Value,
    conflict: Value,
    flash: Option<&str>,
) -> Response {
    let (date, start) = darkroom_domain::booking::calendar::local(b.starts_at, &b.time_zone);
    let minutes = b.ends_at.since(b.starts_at).as_secs() / 60;
    let next: Vec<&str> = BookingStatus::ALL
        .iter()
        .filter(|s| **s != BookingStatus::Cancelled && b.status.may_become(**s))
        .map(|s| s.name())
        .collect();
    ctx.render_status(
        status,
        "booking.html",
        context! {
            title => b.title.clone(), b => b, date => date.to_string(), start => start, duration => minutes,
            next => next, can_cancel => b.status.may_become(BookingStatus::Cancelled),
            errors => errors, conflict => conflict, flash => flash,
        },
    )
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    match load(&ctx, &id).await {
        Ok(b) => show_page(
            &ctx,
            StatusCode::OK,
            &b,
            context! {},
            Value::UNDEFINED,
            flash_text(param(&q, "flash")),
        ),
        Err(r) => r,
    }
}

pub async fn reschedule(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let b = match load(&ctx, &id).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let f = BookingForm::from_pairs(pairs);
    let result = match f.range(&b.time_zone) {
        Ok((starts_at, ends_at)) => {
            let patch = BookingPatch {
                version: f.version.parse().unwrap_or(0),
                starts_at: Some(starts_at),
                ends_at: Some(ends_at),
                ..Default::default()
            };
            change::update(&ctx.state.core, &ctx.p, &ctx.meta, b.id, patch).await
        }
        Err((field, m)) => Err(CoreError::invalid(field, m)),
    };
    match result {
        Ok(b) => done(&format!("/bookings/{}", b.id), "booking_moved"),
        Err(e) => match refusal(&e, &b.time_zone, &ctx.nav.locale) {
            Some((errors, conflict)) => {
                show_page(&ctx, StatusCode::CONFLICT, &b, errors, conflict, None)
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn set_status(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let b = match load(&ctx, &id).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let f = BookingForm::from_pairs(pairs);
    let change = StatusChange {
        version: f.version.parse().unwrap_or(0),
        status: field(&f.status),
        reason: opt_field(&f.reason),
    };
    match change::set_status(&ctx.state.core, &ctx.p, &ctx.meta, b.id, change).await {
        Ok(b) => {
            let flash = if b.status == BookingStatus::Cancelled {
                "booking_cancelled"
            } else {
                "booking_status"
            };
            done(&format!("/bookings/{}", b.id), flash)
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}
