//! Gallery pages: the list, creating one, and a gallery's photo grid with
//! the resumable uploader.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::kernel::listing::PhotoLimit;
use darkroom_core::photos::gallery::{self, GalleryFilter, GalleryPatch, NewGallery};
use darkroom_core::photos::photo;
use darkroom_core::studio::branch::{self, BranchFilterParams};
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BranchId, GalleryId, TypedId};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::web::render::{PageCtx, PageForm, done, error_page, field_errors, flash_text};
use crate::web::{Params, page_id, param};

/// Photos per page of the grid.
const PER_PAGE: i64 = 120;

pub async fn list(ctx: PageCtx, q: Params) -> Response {
    let deleted = param(&q, "deleted") == Some("true");
    let f = GalleryFilter {
        q: param(&q, "q").map(String::from),
        status: param(&q, "status").map(crate::web::field),
        deleted: Some(deleted),
        cursor: param(&q, "cursor")
            .map(|c| darkroom_core::kernel::listing::IdCursor(c.to_string())),
        limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(50)),
    };
    match gallery::list(&ctx.state.core, &ctx.p, &f).await {
        Ok(l) => ctx.render(
            "galleries.html",
            context! {
                title => if deleted { "Deleted galleries" } else { "Galleries" },
                list => l, q => f.q, status => f.status, deleted => deleted,
                statuses => gallery::STATUSES, flash => flash_text(param(&q, "flash")),
            },
        ),
        Err(e) => error_page(&ctx.state, &e),
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GalleryForm {
    name: String,
    branch_id: String,
}

async fn branches(ctx: &PageCtx) -> Result<Vec<(String, String)>, CoreError> {
    let l = branch::list(
        &ctx.state.core,
        &ctx.p,
        &BranchFilterParams {
            limit: Some(darkroom_core::kernel::listing::ListLimit::clamped(200)),
            ..Default::default()
        },
    )
    .await?;
    Ok(l.items
        .into_iter()
        .filter(|b| {
            ctx.state
                .core
                .can(&ctx.p, Permission::GalleryManage, Target::branch(b.id))
        })
        .map(|b| (b.id.to_string(), b.name))
        .collect())
}

async fn form_page(
    ctx: &PageCtx,
    status: StatusCode,
    form: &GalleryForm,
    errors: Value,
) -> Response {
    let options = match branches(ctx).await {
        Ok(b) => b,
        Err(e) => return error_page(&ctx.state, &e),
    };
    if options.is_empty() {
        return error_page(
            &ctx.state,
            &CoreError::forbidden(
                "you do not have the `gallery.manage` permission in any branch; ask the studio owner if you need it",
            ),
        );
    }
    ctx.render_status(
        status,
        "gallery_form.html",
        context! {
            title => "New gallery", form => form, errors => errors, branches => options,
        },
    )
}

pub async fn new_form(ctx: PageCtx) -> Response {
    let form = GalleryForm::default();
    form_page(&ctx, StatusCode::OK, &form, context! {}).await
}

pub async fn create(ctx: PageCtx, PageForm(f): PageForm<GalleryForm>) -> Response {
    let branch_id = match BranchId::parse(&f.branch_id) {
        Ok(b) => b,
        Err(_) => {
            let errors = context! { branch_id => "choose the branch the gallery belongs to" };
            return form_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &f, errors).await;
        }
    };
    let input = NewGallery {
        id: None,
        name: crate::web::field(&f.name),
        branch_id,
    };
    match gallery::create(&ctx.state.core, &ctx.p, &ctx.meta, input).await {
        Ok((g, _)) => done(&format!("/galleries/{}", g.id), "gallery_created"),
        Err(e) => match field_errors(&e) {
            Some(errs) => {
                form_page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Value::from_serialize(&errs),
                )
                .await
            }
            None => error_page(&ctx.state, &e),
        },
    }
}

/// A gallery id from a page path; a malformed one is the gallery's 404 page.
pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let core = &ctx.state.core;
    let g = match gallery::get(core, &ctx.p, id).await {
        Ok(g) => g,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let offset = match crate::web::offset_param(&q) {
        Ok(o) => o,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let photos =
        match photo::list_in_gallery(core, &ctx.p, id, offset, PhotoLimit::clamped(PER_PAGE)).await
        {
            Ok(p) => p,
            Err(e) => return error_page(&ctx.state, &e),
        };
    let target = Target::gallery(id, g.branch_id);
    let can_upload = g.deleted_at.is_none() && core.can(&ctx.p, Permission::PhotoUpload, target);
    let can_manage = core.can(&ctx.p, Permission::GalleryManage, target);
    let offset = offset.get();
    let prev = (offset > 0).then(|| offset.saturating_sub(PER_PAGE).max(0));
    let sets = match darkroom_core::production::arrange::list_sets(core, &ctx.p, id).await {
        Ok(s) => s,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let set_names: std::collections::BTreeMap<String, String> = sets
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let tasks = darkroom_core::production::editing::counts(core, &ctx.p, id)
        .await
        .unwrap_or_default();
    let open_tasks: i64 = tasks
        .iter()
        .filter(|(s, _)| s != "done")
        .map(|(_, n)| n)
        .sum();
    ctx.render(
        "gallery.html",
        context! {
            title => g.name.clone(), g => g, photos => photos, prev => prev, offset => offset,
            sets => sets, set_names => set_names, open_tasks => open_tasks,
            orders => [("capture", "Capture time"), ("name", "File name"), ("manual", "My own order (drag photos)")],
            can_upload => can_upload, can_manage => can_manage, statuses => gallery::STATUSES,
            chunk_bytes => ctx.state.config.media.upload_chunk_kb * 1024,
            max_bytes => core.settings().media.max_upload_bytes,
            flash => flash_text(param(&q, "flash")),
        },
    )
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct GalleryEdit {
    version: i64,
    name: String,
    status: String,
    sort_order: String,
}

pub async fn update(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<GalleryEdit>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let patch = GalleryPatch {
        version: f.version,
        name: Some(crate::web::field(&f.name)),
        status: Some(crate::web::field(&f.status)),
        sort_order: crate::web::opt_field(&f.sort_order),
        cover_photo_id: None,
    };
    match gallery::update(&ctx.state.core, &ctx.p, &ctx.meta, id, patch).await {
        Ok(_) => done(&format!("/galleries/{id}"), "gallery_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<serde_json::Value>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match gallery::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, false).await {
        Ok(_) => done("/galleries", "gallery_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn restore(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageForm(_f): PageForm<serde_json::Value>,
) -> Response {
    let id = match page_id::<GalleryId>(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match gallery::set_deleted(&ctx.state.core, &ctx.p, &ctx.meta, id, true).await {
        Ok(_) => done(&format!("/galleries/{id}"), "gallery_restored"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
