//! The front door and the dashboard.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use darkroom_core::kernel::audit::{self, AuditFilter};
use darkroom_core::studio::branch::{self, BranchFilterParams};
use darkroom_core::studio::staff::{self, StaffFilter};
use darkroom_core::{kernel::jobs, studio};
use darkroom_domain::people::StaffStatus;
use minijinja::context;

use crate::extract::MaybeSession;
use crate::state::AppState;
use crate::web::render::{PageCtx, flash_text};
use crate::web::{Params, param};

pub async fn root(State(s): State<AppState>, MaybeSession(p): MaybeSession) -> Response {
    if p.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    match darkroom_core::studio::setup::has_studio(&s.core).await {
        Ok(false) => Redirect::to("/setup").into_response(),
        _ => Redirect::to("/sign-in").into_response(),
    }
}

pub async fn dashboard(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let p = &ctx.p;
    let branches = branch::list(
        core,
        p,
        &BranchFilterParams {
            limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(200)),
            ..Default::default()
        },
    )
    .await
    .map(|l| l.items.len())
    .unwrap_or(0);
    let staff = if ctx.can("staff.view") {
        staff::list(core, p, &StaffFilter { limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(200)), ..Default::default() }).await.ok().map(|l| {
            let count = |st: StaffStatus| l.items.iter().filter(|m| m.status == st).count();
            context! { active => count(StaffStatus::Active), invited => count(StaffStatus::Invited), suspended => count(StaffStatus::Suspended) }
        })
    } else {
        None
    };
    let recent = if ctx.can("audit.view") {
        audit::list(
            core,
            p,
            &AuditFilter {
                limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(8)),
                ..Default::default()
            },
        )
        .await
        .ok()
        .map(|l| l.items)
    } else {
        None
    };
    let job_counts = if ctx.can("job.view") {
        jobs::counts(core, p).await.ok()
    } else {
        None
    };
    let failed_jobs = job_counts
        .as_ref()
        .and_then(|c| c.iter().find(|(s, _)| s == "failed").map(|(_, n)| *n))
        .unwrap_or(0);
    let studio = studio::get(core, p).await.ok();
    let email_ready = match studio::smtp_for(core, Some(p.studio)).await {
        Ok(s) => s.is_some(),
        Err(_) => false,
    };
    ctx.render(
        "dashboard.html",
        context! {
            title => "Dashboard",
            flash => flash_text(param(&q, "flash")),
            studio => studio,
            branches => branches,
            staff => staff,
            recent => recent,
            failed_jobs => failed_jobs,
            email_ready => email_ready,
        },
    )
}
