//! The staff calendar: a day, a week or a month of bookings, of a branch,
//! a person or a resource, in the viewer's zone; readable on a phone (the
//! days stack) and on a laptop (a week or month grid).

use axum::response::Response;
use darkroom_core::bookings::availability::{self, Person};
use darkroom_core::bookings::booking::{self, BookingFilter, BookingView};
use darkroom_core::bookings::resource::{self, ResourceView};
use darkroom_core::bookings::{self as core_bookings, BranchChoice};
use darkroom_domain::booking::calendar::{self, View};
use darkroom_domain::field::Text;
use jiff::civil::Date;
use minijinja::context;
use serde::Serialize;

use crate::web::render::{PageCtx, error_page, flash_text};
use crate::web::{Params, param};

/// One booking as a calendar line.
#[derive(Serialize)]
struct Item {
    id: String,
    title: String,
    status: &'static str,
    /// `10:00–11:00` in the viewer's zone (with the end's day when it differs).
    time: String,
    who: String,
}

/// One day of the page.
#[derive(Serialize)]
struct Day {
    iso: String,
    label: String,
    today: bool,
    items: Vec<Item>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn label(d: Date) -> String {
    let wd = WEEKDAYS[usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0)];
    let m = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
    format!("{wd} {} {m}", d.day())
}

fn item(b: &BookingView, zone: &str) -> Item {
    let (d0, t0) = calendar::local(b.starts_at, zone);
    let (d1, t1) = calendar::local(b.ends_at, zone);
    let time = if d0 == d1 {
        format!("{t0}–{t1}")
    } else {
        format!("{t0}–{} {t1}", label(d1))
    };
    let who: Vec<&str> = b.claims.iter().map(|c| c.name.as_str()).collect();
    Item {
        id: b.id.to_string(),
        title: b.title.clone(),
        status: b.status.name(),
        time,
        who: who.join(" · "),
    }
}

fn days_of(page: &calendar::Page, bookings: &[BookingView], zone: &str, today: Date) -> Vec<Day> {
    page.days
        .iter()
        .map(|d| Day {
            iso: d.to_string(),
            label: label(*d),
            today: *d == today,
            items: bookings
                .iter()
                .filter(|b| calendar::local(b.starts_at, zone).0 == *d)
                .map(|b| item(b, zone))
                .collect(),
        })
        .collect()
}

/// What the page's filters offer.
struct Choices {
    branches: Vec<BranchChoice>,
    people: Vec<Person>,
    resources: Vec<ResourceView>,
}

async fn choices(ctx: &PageCtx) -> Result<Choices, darkroom_core::CoreError> {
    let core = &ctx.state.core;
    Ok(Choices {
        branches: core_bookings::branches(core, &ctx.p).await?,
        people: availability::people(core, &ctx.p).await?,
        resources: resource::list(core, &ctx.p, None, false).await?,
    })
}

pub async fn show(ctx: PageCtx, q: Params) -> Response {
    let zone = ctx.nav.zone.clone();
    let view = View::parse(param(&q, "view"));
    let today = calendar::today(ctx.state.core.now(), &zone);
    let date = param(&q, "date")
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or(today);
    let page = calendar::page(view, date, &zone);
    let branch = param(&q, "branch").and_then(|b| b.parse().ok());
    let who = param(&q, "who").map(|w| Text::<40>::from(w.to_string()));
    let f = BookingFilter {
        from: Some(page.from),
        to: Some(page.to),
        branch_id: branch,
        holder: who,
        cancelled: Some(false),
    };
    let (bookings, choices) = match (
        booking::list(&ctx.state.core, &ctx.p, &f).await,
        choices(&ctx).await,
    ) {
        (Ok(b), Ok(c)) => (b, c),
        (Err(e), _) | (_, Err(e)) => return error_page(&ctx.state, &e),
    };
    let days = days_of(&page, &bookings, &zone, today);
    let keep = |k: &str| {
        param(&q, k)
            .map(|v| format!("&{k}={}", urlencode(v)))
            .unwrap_or_default()
    };
    let filters = format!("{}{}", keep("branch"), keep("who"));
    ctx.render(
        "calendar.html",
        context! {
            title => "Calendar", view => view.name(), date => date.to_string(), days => days,
            prev => page.prev.to_string(), next => page.next.to_string(), today => today.to_string(),
            filters => filters, branches => choices.branches, people => choices.people,
            resources => choices.resources, branch => param(&q, "branch"), who => param(&q, "who"),
            count => bookings.len(), zone => zone, flash => flash_text(param(&q, "flash")),
        },
    )
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
