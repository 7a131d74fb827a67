//! The availability page's calendar imports: reading a staff member's own
//! calendar for busy times, reading it again now, and stopping.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::bookings::busy_import::{self, NewCalendarImport};
use darkroom_domain::CalendarImportId;
use serde::Deserialize;

use super::availability::{back, page, whose};
use crate::web::page_id;
use crate::web::render::{PageCtx, PageForm, error_page, field_errors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    url: String,
}

pub async fn add(
    ctx: PageCtx,
    Path(who): Path<String>,
    PageForm(f): PageForm<ImportForm>,
) -> Response {
    let user = match whose(&ctx, Some(&who)) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let input = NewCalendarImport { url: f.url };
    match busy_import::add(&ctx.state.core, &ctx.p, &ctx.meta, user, input).await {
        Ok(_) => back(user, user == ctx.p.user, "calendar_import_added"),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let errors = minijinja::Value::from_serialize(&errors);
                page(
                    &ctx,
                    user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    None,
                    None,
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Empty {}

async fn one(
    ctx: &PageCtx,
    who: &str,
    id: &str,
) -> Result<(darkroom_domain::UserId, CalendarImportId), Response> {
    let user = whose(ctx, Some(who)).map_err(|r| *r)?;
    let id = page_id(ctx, id).map_err(|r| *r)?;
    Ok((user, id))
}

pub async fn refresh(
    ctx: PageCtx,
    Path((who, id)): Path<(String, String)>,
    PageForm(_f): PageForm<Empty>,
) -> Response {
    let (user, id) = match one(&ctx, &who, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match busy_import::refresh(&ctx.state.core, &ctx.p, user, id).await {
        Ok(v) if v.last_error.is_none() => back(user, user == ctx.p.user, "calendar_import_read"),
        Ok(_) => back(user, user == ctx.p.user, "calendar_import_failed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn remove(
    ctx: PageCtx,
    Path((who, id)): Path<(String, String)>,
    PageForm(_f): PageForm<Empty>,
) -> Response {
    let (user, id) = match one(&ctx, &who, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match busy_import::remove(&ctx.state.core, &ctx.p, &ctx.meta, user, id).await {
        Ok(()) => back(user, user == ctx.p.user, "calendar_import_removed"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
