//! The public booking pages of a session type (`/book/sst_…`): free times
//! in the visitor's zone, a short form, and the client's private page to
//! move or cancel (`/book/manage/bk_…`). No account; every answer for a
//! type that is not public, or a token that is unknown, is the same 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use darkroom_core::CoreError;
use darkroom_core::bookings::public::{self, GuestBooking};
use darkroom_domain::booking::calendar;
use darkroom_domain::field::Zone;
use darkroom_domain::{SessionTypeId, Timestamp};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::extract::{ClientMeta, path_id};
use crate::state::AppState;
use crate::web::render::{
    PageForm, anon_csrf, done, error_page, field_errors, flash_text, render_public,
};
use crate::web::{Params, field, opt_field, param};

const DAYS_SHOWN: u64 = 21;

/// The visitor's zone: the `tz` asked for when it is a real one, else the place's.
fn zone_of(q: &std::collections::HashMap<String, String>, place: &str) -> String {
    param(q, "tz")
        .filter(|z| Zone::from(z.to_string()).check().is_ok())
        .unwrap_or(place)
        .to_string()
}

/// The days with free times, and the chosen day's times, in `zone`.
fn days_and_times(
    slots: &[Timestamp],
    zone: &str,
    day: Option<&str>,
) -> (Vec<Value>, String, Vec<Value>) {
    let mut days: Vec<String> = slots
        .iter()
        .map(|t| calendar::local(*t, zone).0.to_string())
        .collect();
    days.dedup();
    let chosen = day
        .filter(|d| days.iter().any(|x| x == d))
        .map(str::to_string)
        .or_else(|| days.first().cloned())
        .unwrap_or_default();
    let times = slots
        .iter()
        .filter(|t| calendar::local(**t, zone).0.to_string() == chosen)
        .map(|t| context! { value => t.to_rfc3339(), label => calendar::local(*t, zone).1 })
        .collect();
    let days = days
        .iter()
        .map(|d| {
            let label = d
                .parse::<jiff::civil::Date>()
                .map(|x| x.strftime("%a %-d %b").to_string())
                .unwrap_or_default();
            context! { iso => d.clone(), label => label }
        })
        .collect();
    (days, chosen, times)
}

fn zones() -> &'static [String] {
    Zone::names()
}

async fn slots_page(
    s: &AppState,
    id: SessionTypeId,
    q: &std::collections::HashMap<String, String>,
) -> Result<Value, CoreError> {
    let t = public::public_type(&s.core, id).await?;
    let now = s.core.now();
    let slots = public::public_slots(
        &s.core,
        id,
        now,
        now.plus(std::time::Duration::from_secs(DAYS_SHOWN * 86_400)),
    )
    .await?;
    let zone = zone_of(q, &t.zone);
    let (days, day, times) = days_and_times(&slots, &zone, param(q, "day"));
    Ok(context! {
        title => format!("Book: {}", t.name), t => t, studio => t.header.shown_name(), zone => zone,
        place_zone => t.zone.clone(), zones => zones(), days => days, day => day, times => times,
        flash => flash_text(param(q, "flash")),
    })
}

pub async fn show(State(s): State<AppState>, Path(id): Path<String>, q: Params) -> Response {
    let Ok(id) = path_id::<SessionTypeId>(&id) else {
        return error_page(&s, &CoreError::not_found("booking page"));
    };
    match slots_page(&s, id, &q).await {
        Ok(ctx) => render_public(&s, "book.html", ctx),
        Err(e) => error_page(&s, &e),
    }
}

/// The booking form as posted (`website` is a trap for robots: people
/// never see it).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GuestForm {
    start: String,
    tz: String,
    name: String,
    email: String,
    phone: String,
    notes: String,
    website: String,
}

fn details(
    s: &AppState,
    jar: CookieJar,
    status: StatusCode,
    t: &public::PublicType,
    f: &GuestForm,
    errors: Value,
) -> Response {
    let zone = if Zone::from(f.tz.clone()).check().is_ok() {
        f.tz.clone()
    } else {
        t.zone.clone()
    };
    let when = Timestamp::parse_rfc3339(&f.start)
        .map(|x| x.date_time(&zone, &t.header.locale))
        .unwrap_or_default();
    let (jar, csrf) = anon_csrf(s, jar);
    let mut res = render_public(
        s,
        "book_details.html",
        context! { title => format!("Book: {}", t.name), t => t, studio => t.header.shown_name(), when => when, form => f, errors => errors, csrf => csrf },
    );
    *res.status_mut() = status;
    axum::response::IntoResponse::into_response((jar, res))
}

pub async fn details_form(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    q: Params,
) -> Response {
    let Ok(id) = path_id::<SessionTypeId>(&id) else {
        return error_page(&s, &CoreError::not_found("booking page"));
    };
    match public::public_type(&s.core, id).await {
        Ok(t) => {
            let f = GuestForm {
                start: param(&q, "start").unwrap_or_default().into(),
                tz: param(&q, "tz").unwrap_or_default().into(),
                ..Default::default()
            };
            details(&s, jar, StatusCode::OK, &t, &f, context! {})
        }
        Err(e) => error_page(&s, &e),
    }
}

pub async fn book(
    State(s): State<AppState>,
    jar: CookieJar,
    ClientMeta(meta): ClientMeta,
    Path(id): Path<String>,
    PageForm(f): PageForm<GuestForm>,
) -> Response {
    let Ok(id) = path_id::<SessionTypeId>(&id) else {
        return error_page(&s, &CoreError::not_found("booking page"));
    };
    let t = match public::public_type(&s.core, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&s, &e),
    };
    if !f.website.is_empty() {
        // A robot filled the hidden field: answered like a refusal, nothing stored.
        return details(
            &s,
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            &t,
            &f,
            context! { name => "please try again" },
        );
    }
    let result = match Timestamp::parse_rfc3339(f.start.trim()) {
        Ok(starts_at) => {
            let input = GuestBooking {
                starts_at,
                name: field(&f.name),
                email: field(&f.email),
                phone: opt_field(&f.phone),
                notes: opt_field(&f.notes),
                time_zone: opt_field(&f.tz),
            };
            public::book(&s.core, &meta, id, input).await
        }
        Err(_) => Err(CoreError::invalid("start", "pick a time from the list")),
    };
    match result {
        Ok(b) => {
            let path = b
                .manage_url
                .find("/book/manage/")
                .map(|i| b.manage_url[i..].to_string())
                .unwrap_or_default();
            let notice = if b.requested { "requested" } else { "booked" };
            done(&format!("{path}?tz={}", urlencoded(&f.tz)), notice)
        }
        Err(e) => match field_errors(&e) {
            Some(errs) => details(
                &s,
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                &t,
                &f,
                Value::from_serialize(&errs),
            ),
            None if e.code() == "slot_taken" => done(
                &format!("/book/{id}?tz={}", urlencoded(&f.tz)),
                "slot_taken",
            ),
            None => error_page(&s, &e),
        },
    }
}

fn urlencoded(s: &str) -> String {
    s.replace('/', "%2F")
        .replace('+', "%2B")
        .replace(' ', "%20")
}

pub async fn manage(
    State(s): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
    q: Params,
) -> Response {
    let m = match public::managed(&s.core, &token).await {
        Ok(m) => m,
        Err(e) => return error_page(&s, &e),
    };
    let zone = zone_of(&q, &m.zone);
    let (slots, day, times) = match (m.can_change, m.type_id) {
        (true, Some(tid)) => {
            let now = s.core.now();
            match public::public_slots(
                &s.core,
                tid,
                now,
                now.plus(std::time::Duration::from_secs(DAYS_SHOWN * 86_400)),
            )
            .await
            {
                Ok(sl) => days_and_times(&sl, &zone, param(&q, "day")),
                Err(_) => (Vec::new(), String::new(), Vec::new()),
            }
        }
        _ => (Vec::new(), String::new(), Vec::new()),
    };
    let (jar, csrf) = anon_csrf(&s, jar);
    let res = render_public(
        &s,
        "book_manage.html",
        context! {
            title => m.title.clone(), m => m, studio => m.header.shown_name(), token => token, zone => zone,
            zones => zones(), days => slots, day => day, times => times, csrf => csrf,
            flash => flash_text(param(&q, "flash")),
        },
    );
    axum::response::IntoResponse::into_response((jar, res))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    start: String,
    tz: String,
}

pub async fn cancel(
    State(s): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Path(token): Path<String>,
    PageForm(_f): PageForm<MoveForm>,
) -> Response {
    match public::guest_cancel(&s.core, &meta, &token).await {
        Ok(()) => done(
            &format!("/book/manage/{token}"),
            "booking_cancelled_by_client",
        ),
        Err(e) => error_page(&s, &e),
    }
}

pub async fn reschedule(
    State(s): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Path(token): Path<String>,
    PageForm(f): PageForm<MoveForm>,
) -> Response {
    let start = match Timestamp::parse_rfc3339(f.start.trim()) {
        Ok(t) => t,
        Err(_) => {
            return error_page(
                &s,
                &CoreError::invalid("start", "pick a time from the list"),
            );
        }
    };
    match public::guest_move(&s.core, &meta, &token, start).await {
        Ok(()) => done(
            &format!("/book/manage/{token}?tz={}", urlencoded(&f.tz)),
            "booking_moved_by_client",
        ),
        Err(e) if e.code() == "slot_taken" => done(
            &format!("/book/manage/{token}?tz={}", urlencoded(&f.tz)),
            "slot_taken",
        ),
        Err(e) => error_page(&s, &e),
    }
}
