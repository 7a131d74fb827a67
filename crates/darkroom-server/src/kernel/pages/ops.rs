//! Operations: background jobs and outgoing email, with retry buttons.

use axum::extract::Path;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::kernel::jobs::{self, JobFilter};
use darkroom_core::kernel::mail::{self, EmailFilter};
use darkroom_domain::{EmailId, JobId};
use minijinja::context;

use crate::extract::path_id;
use crate::web::render::{PageCtx, PageForm, done, error_page, flash_text};
use crate::web::{Params, param};

pub async fn show(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let status = param(&q, "status").map(crate::web::field);
    let result = async {
        let counts = jobs::counts(core, &ctx.p).await?;
        let job_list = jobs::list(
            core,
            &ctx.p,
            &JobFilter {
                status: status.clone(),
                cursor: param(&q, "jobs_cursor")
                    .map(|c| darkroom_core::kernel::listing::IdCursor(c.to_string())),
                limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(25)),
            },
        )
        .await?;
        let emails = mail::list(
            core,
            &ctx.p,
            &EmailFilter {
                status: None,
                cursor: param(&q, "emails_cursor")
                    .map(|c| darkroom_core::kernel::listing::IdCursor(c.to_string())),
                limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(25)),
            },
        )
        .await?;
        Ok::<_, CoreError>((counts, job_list, emails))
    }
    .await;
    match result {
        Ok((counts, job_list, emails)) => ctx.render("operations.html", context! {
            title => "Operations", counts => counts, jobs => job_list, emails => emails, status => status,
            can_manage => ctx.can("job.manage"), flash => flash_text(param(&q, "flash")),
        }),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn retry_job(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = path_id::<JobId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("job"));
    };
    match jobs::retry(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(_) => done("/operations", "job_retried"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn resend_email(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = path_id::<EmailId>(&id) else {
        return error_page(&ctx.state, &CoreError::not_found("email"));
    };
    match mail::resend(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(_) => done("/operations", "email_resent"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
