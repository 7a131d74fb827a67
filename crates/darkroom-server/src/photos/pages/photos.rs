//! The staff photo page (preview, metadata, versions) and the staging area
//! (uploads without a gallery, filed into galleries later).

use axum::extract::Path;
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::kernel::listing::PhotoLimit;
use darkroom_core::photos::gallery;
use darkroom_core::photos::photo::{self, AssignPhotos};
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{BatchId, GalleryId, PhotoId, TypedId};
use darkroom_imaging::meta::PhotoMeta;
use minijinja::context;

use crate::extract::path_id;
use crate::web::render::{PageCtx, done, error_page, flash_text};
use crate::web::{Params, param};

const PER_PAGE: i64 = 120;

fn photo_id(ctx: &PageCtx, raw: &str) -> Result<PhotoId, Box<Response>> {
    path_id::<PhotoId>(raw)
        .map_err(|_| Box::new(error_page(&ctx.state, &CoreError::not_found("photo"))))
}

/// The metadata as people read it (`1/250 s`, `f/2.8`).
fn exif_rows(m: &PhotoMeta) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(t) = &m.capture_local {
        let t = t.replacen('T', " ", 1);
        rows.push((
            "Taken",
            match &m.capture_offset {
                Some(o) => format!("{t} (UTC{o})"),
                None => t,
            },
        ));
    }
    let camera = [m.make.clone(), m.model.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !camera.is_empty() {
        rows.push(("Camera", camera));
    }
    if let Some(l) = &m.lens {
        rows.push(("Lens", l.clone()));
    }
    if let Some(v) = m.focal_length_mm {
        rows.push(("Focal length", format!("{v} mm")));
    }
    if let Some(v) = m.aperture {
        rows.push(("Aperture", format!("f/{v}")));
    }
    if let Some(v) = &m.shutter {
        rows.push(("Shutter", format!("{v} s")));
    }
    if let Some(v) = m.iso {
        rows.push(("ISO", v.to_string()));
    }
    rows.push(("Pixels", format!("{} × {}", m.width, m.height)));
    if let Some(g) = &m.gps {
        rows.push((
            "GPS (staff only)",
            format!("{:.6}, {:.6}", g.latitude, g.longitude),
        ));
    }
    if let Some(v) = &m.colour_profile {
        rows.push(("Colour profile", v.clone()));
    }
    if let Some(e) = &m.exif_error {
        rows.push(("EXIF problem", e.clone()));
    }
    rows
}

pub async fn show(ctx: PageCtx, Path(id): Path<String>, q: Params) -> Response {
    let id = match photo_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let core = &ctx.state.core;
    let d = match photo::get(core, &ctx.p, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let g = match d.photo.gallery_id {
        Some(gid) => gallery::get(core, &ctx.p, gid).await.ok(),
        None => None,
    };
    let target = match &g {
        Some(g) => Target::gallery(g.id, g.branch_id),
        None => Target::STUDIO,
    };
    let around = match &g {
        Some(g) => photo::neighbours(core, &ctx.p, g.id, id).await.ok(),
        None => None,
    };
    let feedback = match &g {
        Some(g) => darkroom_core::sharing::activity::of_photo(core, &ctx.p, g.id, id)
            .await
            .ok(),
        None => None,
    };
    ctx.render(
        "photo.html",
        context! {
            title => d.photo.original_name.clone(), d => d, g => g, exif => exif_rows(&d.photo.meta),
            around => around, feedback => feedback, orientation => d.photo.meta.orientation,
            can_upload => core.can(&ctx.p, Permission::PhotoUpload, target),
            can_delete => core.can(&ctx.p, Permission::PhotoDelete, target),
            roles => ["raw", "original", "edited", "final"],
            chunk_bytes => ctx.state.config.media.upload_chunk_kb * 1024,
            max_bytes => core.settings().media.max_upload_bytes,
            flash => flash_text(param(&q, "flash")),
        },
    )
}

pub async fn delete(
    ctx: PageCtx,
    Path(id): Path<String>,
    crate::web::render::PageForm(_f): crate::web::render::PageForm<serde_json::Value>,
) -> Response {
    let id = match photo_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = match photo::get(&ctx.state.core, &ctx.p, id).await {
        Ok(d) => match d.photo.gallery_id {
            Some(g) => format!("/galleries/{g}"),
            None => "/staging".into(),
        },
        Err(e) => return error_page(&ctx.state, &e),
    };
    match photo::delete(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(()) => done(&back, "photo_deleted"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn purge(
    ctx: PageCtx,
    Path(id): Path<String>,
    crate::web::render::PageForm(_f): crate::web::render::PageForm<serde_json::Value>,
) -> Response {
    let id = match photo_id(&ctx, &id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match photo::purge_replaced(&ctx.state.core, &ctx.p, &ctx.meta, id).await {
        Ok(_) => done(&format!("/photos/{id}"), "versions_purged"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

pub async fn staging(ctx: PageCtx, q: Params) -> Response {
    let core = &ctx.state.core;
    let batches = match photo::staging(core, &ctx.p).await {
        Ok(b) => b,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let batch = match param(&q, "batch") {
        Some(b) => match BatchId::parse(b) {
            Ok(b) => Some(b),
            Err(_) => return error_page(&ctx.state, &CoreError::not_found("batch")),
        },
        None => batches.first().and_then(|b| b.id),
    };
    let offset = match crate::web::offset_param(&q) {
        Ok(o) => o,
        Err(e) => return error_page(&ctx.state, &e),
    };
    let photos = if batches.is_empty() {
        None
    } else {
        match photo::list_batch(core, &ctx.p, batch, offset, PhotoLimit::clamped(PER_PAGE)).await {
            Ok(p) => Some(p),
            Err(e) => return error_page(&ctx.state, &e),
        }
    };
    let galleries = match gallery::uploadable(core, &ctx.p).await {
        Ok(g) => g
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect::<Vec<_>>(),
        Err(e) => return error_page(&ctx.state, &e),
    };
    let offset = offset.get();
    let prev = (offset > 0).then(|| offset.saturating_sub(PER_PAGE).max(0));
    ctx.render(
        "staging.html",
        context! {
            title => "Staging", batches => batches, batch => batch.map(|b| b.to_string()),
            photos => photos, galleries => galleries, offset => offset, prev => prev,
            can_upload => core.can(&ctx.p, Permission::PhotoUpload, Target::STUDIO),
            chunk_bytes => ctx.state.config.media.upload_chunk_kb * 1024,
            max_bytes => core.settings().media.max_upload_bytes,
            flash => flash_text(param(&q, "flash")),
        },
    )
}

/// The assign form: a gallery and the ticked photos (`photo` repeated).
pub async fn assign(
    ctx: PageCtx,
    crate::web::render::PageForm(pairs): crate::web::render::PageForm<Vec<(String, String)>>,
) -> Response {
    let mut gallery = None;
    let mut ids = Vec::new();
    let mut back = "/staging".to_string();
    for (k, v) in &pairs {
        match k.as_str() {
            "gallery_id" => gallery = GalleryId::parse(v).ok(),
            "photo" => {
                if let Ok(id) = PhotoId::parse(v) {
                    ids.push(id)
                }
            }
            "batch" if BatchId::parse(v).is_ok() => back = format!("/staging?batch={v}"),
            _ => {}
        }
    }
    let Some(gallery_id) = gallery else {
        return error_page(
            &ctx.state,
            &CoreError::invalid("gallery_id", "choose the gallery to file the photos in"),
        );
    };
    if ids.is_empty() {
        return error_page(
            &ctx.state,
            &CoreError::invalid("photo_ids", "tick the photos to file first"),
        );
    }
    match photo::assign(
        &ctx.state.core,
        &ctx.p,
        &ctx.meta,
        AssignPhotos {
            gallery_id,
            photo_ids: ids,
        },
    )
    .await
    {
        Ok(_) => done(&back, "photos_assigned"),
        Err(e) => error_page(&ctx.state, &e),
    }
}
