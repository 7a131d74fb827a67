//! A person's availability: weekly hours per branch, time off, and their
//! calendar feeds (their own, or anyone's with `booking.manage`).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::bookings::availability::{self, Hours, NewBlock, WeekHours};
use darkroom_core::bookings::busy_import;
use darkroom_core::bookings::feed::{self, NewFeed};
use darkroom_core::bookings::{self as core_bookings};
use darkroom_domain::booking::instant_in;
use darkroom_domain::{FeedId, UserId};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, opt_field, page_id, param};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) fn whose(ctx: &PageCtx, raw: Option<&str>) -> Result<UserId, Box<Response>> {
    match raw {
        None => Ok(ctx.p.user),
        Some(r) => page_id(ctx, r),
    }
}

pub(super) async fn page(
    ctx: &PageCtx,
    user: UserId,
    status: StatusCode,
    errors: Value,
    new_url: Option<String>,
    flash: Option<&str>,
) -> Response {
    let core = &ctx.state.core;
    let now = core.now();
    let year = std::time::Duration::from_secs(366 * 86_400);
    let loaded = async {
        Ok::<_, CoreError>((
            availability::hours(core, &ctx.p, user).await?,
            availability::blocks(core, &ctx.p, user, now, now.plus(year)).await?,
            core_bookings::branches(core, &ctx.p).await?,
            availability::people(core, &ctx.p).await?,
            feed::list(core, &ctx.p).await?,
            busy_import::list(core, &ctx.p, user).await?,
        ))
    };
    let (week, blocks, branches, people, feeds, imports) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(&ctx.state, &e),
    };
    // Busy times read from calendars show as their import, not one by one.
    let blocks: Vec<_> = blocks
        .into_iter()
        .filter(|b| b.kind != darkroom_domain::booking::BlockKind::External)
        .collect();
    let name = people
        .iter()
        .find(|p| p.id == user)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mine: Vec<_> = feeds
        .into_iter()
        .filter(|f| f.scope_id == user.to_string())
        .collect();
    // One row a weekday and branch: the first stretch of hours there.
    let rows: Vec<Value> = branches
        .iter()
        .flat_map(|b| {
            let week = &week;
            (1..=7).map(move |d| {
                let h = week.hours.iter().find(|h| h.weekday == d && h.branch_id == b.id);
                context! {
                    key => format!("{}-{d}", b.id), branch => b.id.to_string(), branch_name => b.name.clone(),
                    weekday => d, day => DAYS[usize::try_from(d - 1).unwrap_or(0)],
                    from => h.map(|h| h.from.0.clone()).unwrap_or_default(), to => h.map(|h| h.to.0.clone()).unwrap_or_default(),
                }
            })
        })
        .collect();
    ctx.render_status(
        status,
        "availability.html",
        context! {
            title => format!("Availability: {name}"), name => name, user => user.to_string(), own => user == ctx.p.user,
            rows => rows, blocks => blocks, feeds => mine, new_url => new_url, errors => errors,
            people => people, flash => flash, imports => imports,
        },
    )
}

pub async fn show(ctx: PageCtx, q: Params) -> Response {
    match whose(&ctx, param(&q, "who")) {
        Ok(u) => {
            page(
                &ctx,
                u,
                StatusCode::OK,
                context! {},
                None,
                flash_text(param(&q, "flash")),
            )
            .await
        }
        Err(r) => *r,
    }
}

pub(super) fn back(user: UserId, own: bool, flash: &str) -> Response {
    if own {
        done("/availability", flash)
    } else {
        done(&format!("/availability?who={user}"), flash)
    }
}

/// Hours as posted: `from-<branch>-<day>` and `to-<branch>-<day>` pairs.
pub async fn set_hours(
    ctx: PageCtx,
    Path(who): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let mut hours = Vec::new();
    for (k, from) in pairs
        .iter()
        .filter(|(k, v)| k.starts_with("from-") && !v.trim().is_empty())
    {
        let key = &k["from-".len()..];
        let to = pairs
            .iter()
            .find(|(k2, _)| k2 == &format!("to-{key}"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let Some((branch, day)) = key.rsplit_once('-') else {
            continue;
        };
        let (Ok(branch_id), Ok(weekday)) = (branch.parse(), day.parse()) else {
            continue;
        };
        hours.push(Hours {
            branch_id,
            weekday,
            from: from.as_str().into(),
            to: to.as_str().into(),
        });
    }
    match availability::set_hours(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        user,
        WeekHours { hours },
    )
    .await
    {
        Ok(_) => back(user, user == ctx.p.user, "hours_saved"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                page(
                    &ctx,
                    user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&errs),
                    None,
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BlockForm {
    from: String,
    to: String,
    reason: String,
}

pub async fn add_block(
    ctx: PageCtx,
    Path(who): Path<String>,
    PageForm(f): PageForm<BlockForm>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    // Whole days in the viewer's zone: from the first day's start to the end of the last.
    let zone = ctx.nav.zone.clone();
    let range = instant_in(&zone, &f.from, "00:00")
        .map_err(|m| CoreError::invalid("from", m))
        .and_then(|s| {
            let last: jiff::civil::Date =
                f.to.trim()
                    .parse()
                    .map_err(|_| CoreError::invalid("to", "give the last day as YYYY-MM-DD"))?;
            let end = instant_in(
                &zone,
                &last.tomorrow().map(|d| d.to_string()).unwrap_or_default(),
                "00:00",
            )
            .map_err(|m| CoreError::invalid("to", m))?;
            Ok((s, end))
        });
    let result = match range {
        Ok((starts_at, ends_at)) => {
            let input = NewBlock {
                id: None,
                kind: None,
                starts_at,
                ends_at,
                reason: opt_field(&f.reason),
            };
            availability::add_block(&ctx.state.core, &ctx.p, &ctx.meta, user, input)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => back(user, user == ctx.p.user, "time_off_added"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                let mapped: serde_json::Map<_, _> = errs
                    .into_iter()
                    .map(|(k, v)| (if k == "ends_at" { "to".into() } else { k }, v))
                    .collect();
                page(
                    &ctx,
                    user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Value::from_serialize(&mapped),
                    None,
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

pub async fn remove_block(
    ctx: PageCtx,
    Path((who, block)): Path<(String, String)>,
    PageForm(_f): PageForm<BlockForm>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let block = match page_id(&ctx, &block) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    match availability::remove_block(&ctx.state.core, &ctx.p, &ctx.meta, user, block).await {
        Ok(()) => back(user, user == ctx.p.user, "time_off_removed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn create_feed(
    ctx: PageCtx,
    Path(who): Path<String>,
    PageForm(_f): PageForm<BlockForm>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    // Someone who is not staff here answers like any missing page.
    if let Err(e) = availability::hours(&ctx.state.core, &ctx.p, user).await {
        return error_page(&ctx.state, &e);
    }
    let input = NewFeed {
        of: user.to_string().into(),
    };
    match feed::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        // The address is shown once, on this answer: never in a redirect's URL.
        Ok(f) => {
            page(
                &ctx,
                user,
                StatusCode::OK,
                context! {},
                f.url,
                flash_text(Some("feed_made")),
            )
            .await
        }
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn revoke_feed(
    ctx: PageCtx,
    Path((who, id)): Path<(String, String)>,
    PageForm(_f): PageForm<BlockForm>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let id: FeedId = match page_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    // The feed must be this person's: another's answers like a missing one.
    let theirs = match feed::list(&ctx.state.core, &ctx.p).await {
        Ok(l) => l
            .iter()
            .any(|f| f.id == id && f.scope_id == user.to_string()),
        Err(e) => return error_page(&ctx.state, &e),
    };
    if !theirs {
        return error_page(&ctx.state, &CoreError::not_found("calendar feed"));
    }
    match feed::revoke(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => back(user, user == ctx.p.user, "feed_revoked"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
