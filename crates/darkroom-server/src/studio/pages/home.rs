//! The front door and the staff home: the studio's day.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use darkroom_core::kernel::listing::ListLimit;
use darkroom_core::kernel::mail::{self, EmailFilter};
use darkroom_core::photos::gallery::{self, GalleryFilter, GalleryView};
use darkroom_core::production::editing::{self, StatusList, TaskFilter, TaskView};
use darkroom_core::sharing::activity;
use darkroom_core::studio::branch::{self, BranchFilterParams};
use darkroom_core::studio::staff::{self, StaffFilter};
use darkroom_domain::Timestamp;
use darkroom_domain::editing::TaskStatus;
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

/// The studio's day: what needs someone now, what clients did lately, and
/// the galleries as cover cards; the set-up checklist for a new owner.
pub async fn dashboard(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let p = &ctx.p;
    let tasks = if ctx.can("gallery.view") {
        editing::list(
            core,
            p,
            &TaskFilter {
                status: Some(StatusList("open".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    let galleries = if ctx.can("gallery.view") {
        gallery::list(
            core,
            p,
            &GalleryFilter {
                status: Some(crate::web::field("active")),
                limit: Some(ListLimit::clamped(60)),
                ..Default::default()
            },
        )
        .await
        .map(|l| l.items)
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    let failed_emails = if ctx.can("job.view") {
        mail::list(
            core,
            p,
            &EmailFilter {
                status: Some(crate::web::field("failed")),
                limit: Some(ListLimit::clamped(100)),
                ..Default::default()
            },
        )
        .await
        .map(|l| l.items.len())
        .unwrap_or(0)
    } else {
        0
    };
    let now = core.now();
    let needs = needs_now(&tasks, &galleries, failed_emails, now, &ctx.nav.zone);
    let activity = activity::recent_in_studio(core, p, 8)
        .await
        .unwrap_or_default();
    let mut cards = Vec::new();
    for g in galleries.iter().take(8) {
        cards.push(Card {
            cover: cover_of(&ctx, g).await,
            g,
        });
    }
    let setup = if ctx.nav.is_owner {
        Some(setup_state(&ctx).await)
    } else {
        None
    };
    ctx.render(
        "dashboard.html",
        context! {
            title => "Today",
            flash => flash_text(param(&q, "flash")),
            needs => needs, activity => activity, galleries => cards,
            gallery_count => galleries.len(), setup => setup,
        },
    )
}

/// A gallery as a cover card.
#[derive(serde::Serialize)]
struct Card<'a> {
    g: &'a GalleryView,
    /// The studio's cover, else the gallery's first photo (as clients see it).
    cover: Option<darkroom_domain::PhotoId>,
}

async fn cover_of(ctx: &PageCtx, g: &GalleryView) -> Option<darkroom_domain::PhotoId> {
    if g.cover_photo_id.is_some() || g.photo_count == 0 {
        return g.cover_photo_id;
    }
    let first = darkroom_core::photos::photo::list_in_gallery(
        &ctx.state.core,
        &ctx.p,
        g.id,
        darkroom_core::kernel::listing::Offset::default(),
        darkroom_core::kernel::listing::PhotoLimit::clamped(1),
    )
    .await
    .ok()?;
    first.items.first().map(|p| p.id)
}

/// What needs someone now, most pressing first: each a sentence and where
/// to act on it.
fn needs_now(
    tasks: &[TaskView],
    galleries: &[GalleryView],
    failed_emails: usize,
    now: Timestamp,
    zone: &str,
) -> Vec<minijinja::Value> {
    let mut out = Vec::new();
    let queued = |source: &str| {
        tasks
            .iter()
            .filter(|t| t.source == source && t.status == TaskStatus::Queued)
            .count()
    };
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            format!("{n} {many}")
        }
    };
    let selections = queued("selection");
    if selections > 0 {
        out.push(context! { text => format!("{} to edit", plural(selections, "A submitted selection", "submitted selections")), href => "/editing?status=queued", tone => "act" });
    }
    let requests = queued("edit_request");
    if requests > 0 {
        out.push(context! { text => if requests == 1 { "An edit request from a client".to_string() } else { format!("{requests} edit requests from clients") }, href => "/editing?status=queued", tone => "act" });
    }
    let overdue = tasks.iter().filter(|t| t.overdue).count();
    if overdue > 0 {
        out.push(context! { text => format!("{} past {}", plural(overdue, "An editing task is", "editing tasks are"), if overdue == 1 { "its due date" } else { "their due dates" }), href => "/editing?status=open", tone => "late" });
    }
    let week = now.plus(std::time::Duration::from_secs(7 * 24 * 3600));
    for g in galleries {
        if let Some(e) = g.expires_at.filter(|e| *e > now && *e <= week) {
            out.push(context! { text => format!("{} closes on {}", g.name, e.long_date(zone, "en")), href => format!("/galleries/{}/sharing", g.id), tone => "soon" });
        }
    }
    if failed_emails > 0 {
        out.push(context! { text => format!("{} could not be sent", plural(failed_emails, "An email", "emails")), href => "/operations", tone => "late" });
    }
    out
}

/// The new owner's checklist: what is done.
async fn setup_state(ctx: &PageCtx) -> minijinja::Value {
    let core = &ctx.state.core;
    let p = &ctx.p;
    let branches = branch::list(
        core,
        p,
        &BranchFilterParams {
            limit: Some(ListLimit::clamped(2)),
            ..Default::default()
        },
    )
    .await
    .map(|l| l.items.len())
    .unwrap_or(0);
    let people = staff::list(
        core,
        p,
        &StaffFilter {
            limit: Some(ListLimit::clamped(2)),
            ..Default::default()
        },
    )
    .await
    .map(|l| {
        l.items
            .iter()
            .filter(|m| m.status != StaffStatus::Suspended)
            .count()
    })
    .unwrap_or(0);
    let email_ready = darkroom_core::kernel::tenant::can_email(core, p.studio)
        .await
        .unwrap_or(false);
    context! { branches => branches > 1, team => people > 1, email => email_ready }
}

/// `/design`: the design system's tokens and components, as pages use them.
pub async fn design(ctx: PageCtx) -> Response {
    ctx.render("design.html", context! { title => "Design system" })
}
