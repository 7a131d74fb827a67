//! A studio's watermark image: checked as a PNG the renderer can use, stored, and proofs rendered again with it.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::studio::events::RenderSettingsChanged;
use crate::{Core, Meta, Principal};
use darkroom_db::repo;
use darkroom_domain::StudioId;
use darkroom_domain::TypedId;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;

use super::*;

/// Sets (or with `None`, removes) the studio's watermark image. Proofs are
/// rendered again with it.
pub async fn set_watermark_image(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    version: i64,
    png: Option<bytes::Bytes>,
) -> CoreResult<StudioView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    if let Some(b) = &png {
        check_watermark_png(b)?;
    }
    let store = core.store_of(p.studio).await?;
    let key = watermark_image_key(p.studio);
    if let Some(b) = png.clone() {
        store
            .put_bytes(&key, b, darkroom_media::Durability::Durable)
            .await
            .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    }
    let tx = core.db().begin().await?;
    let current = repo::studio::find(&tx, p.studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    if current.version != version {
        return Err(CoreError::stale(view(&current)?));
    }
    let mut settings = StudioSettings::parse(&current.settings)?;
    settings.render.watermark.has_image = png.is_some();
    settings.render.rev += 1;
    save_settings(core, &tx, p, &current, &settings).await?;
    core.publish(&tx, &RenderSettingsChanged { studio: p.studio })
        .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "studio.settings_changed",
            severity: Severity::Medium,
            target_type: "studio",
            target_id: p.studio.to_string(),
            payload: serde_json::json!({ "watermark_image": png.as_ref().map(|b| b.len()) }),
        },
    )
    .await?;
    let fresh = repo::studio::find(&tx, StudioId::from_uuid(current.id))
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    crate::commit(tx).await?;
    if png.is_none() {
        let _ = store.delete(&key).await;
    }
    core.wake_workers();
    view(&fresh)
}

/// A watermark image is a PNG of at most 4 MB that the renderer can use.
pub(super) fn check_watermark_png(b: &[u8]) -> CoreResult<()> {
    if b.len() > 4 * 1024 * 1024 {
        return Err(CoreError::invalid(
            "image",
            "the watermark image is larger than 4 MB; use a smaller PNG",
        ));
    }
    let center = darkroom_imaging::watermark::Position::Center;
    darkroom_imaging::watermark::Watermark::image(b, center, 1.0, 0.3)
        .map_err(|e| CoreError::invalid("image", e.to_string()))?;
    Ok(())
}
