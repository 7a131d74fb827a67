//! The render jobs: a version's thumbnail, preview and watermarked proof, and
//! re-rendering a studio's photos when its render settings change.

use darkroom_domain::names::PhotoStatus;
use darkroom_domain::names::RenderStatus;
use std::sync::Arc;

use bytes::Bytes;
use darkroom_db::entity::{photo, photo_version};
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::{PhotoId, PhotoVersionId, StudioId, TypedId};
use darkroom_imaging::pipeline::{Derivatives, RenderSettings};
use darkroom_imaging::watermark::{Position, Watermark};
use darkroom_media::{Durability, Key, SharedStore};

use crate::Core;
use crate::kernel::jobs::{self, JobError};
use crate::kernel::registry::{BoxFuture, Job};
use crate::kernel::tenant::{RenderConfig, StudioSettings};

/// The studio's watermark, prepared once per settings revision.
async fn watermark(
    core: &Core,
    studio: StudioId,
    store: &SharedStore,
    name: &str,
    cfg: &RenderConfig,
) -> Result<Option<Arc<Watermark>>, JobError> {
    if !cfg.watermark.enabled {
        return Ok(None);
    }
    let cache_key = (studio.uuid(), cfg.rev);
    if let Ok(c) = core.watermark_cache().lock()
        && let Some(w) = c.get(&cache_key)
    {
        return Ok(Some(w.clone()));
    }
    let position = Position::parse(&cfg.watermark.position).unwrap_or(Position::BottomRight);
    let opacity = f32::from(cfg.watermark.opacity) / 100.0;
    let scale = f32::from(cfg.watermark.scale) / 100.0;
    let wm = if cfg.watermark.has_image {
        let png = store
            .get_bytes(&crate::kernel::tenant::watermark_image_key(studio))
            .await
            .map_err(JobError::retry)?;
        Watermark::image(&png, position, opacity, scale).map_err(JobError::fatal)?
    } else {
        let text = cfg
            .watermark
            .text
            .clone()
            .unwrap_or_else(|| format!("© {name}"));
        Watermark::text(&text, position, opacity, scale).map_err(JobError::fatal)?
    };
    let wm = Arc::new(wm);
    if let Ok(mut c) = core.watermark_cache().lock() {
        c.retain(|(s, _), _| *s != studio.uuid());
        c.insert(cache_key, wm.clone());
    }
    Ok(Some(wm))
}

fn key_of(raw: &str) -> Result<Key, JobError> {
    Key::new(raw.to_string()).map_err(JobError::fatal)
}

async fn set_failed(
    core: &Core,
    v: &photo_version::Model,
    status: RenderStatus,
    error: &str,
) -> Result<(), JobError> {
    let db = core.db().conn();
    repo::photo::update_version(
        db,
        photo_version::ActiveModel {
            id: Set(v.id),
            render_status: Set(status),
            render_error: Set(Some(error.chars().take(500).collect())),
            ..Default::default()
        },
    )
    .await
    .map_err(JobError::retry)?;
    if let Some(ph) = repo::photo::find_photo(
        db,
        StudioId::from_uuid(v.studio_id),
        PhotoId::from_uuid(v.photo_id),
    )
    .await
    .map_err(JobError::retry)?
        && ph.current_version == v.number
    {
        repo::photo::update_photo(
            db,
            photo::ActiveModel {
                id: Set(ph.id),
                status: Set(PhotoStatus::Failed),
                ..Default::default()
            },
        )
        .await
        .map_err(JobError::retry)?;
    }
    Ok(())
}

/// Renders one version's derivatives. Safe to run again: it overwrites them.
/// Renders a photo version's thumbnail, medium, preview and proof.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenderVersion {
    pub version: PhotoVersionId,
}

impl Job for RenderVersion {
    const NAME: &'static str = "render_version";
    fn run(self, core: Core, _last: bool) -> BoxFuture<'static, Result<(), JobError>> {
        Box::pin(async move { render_version(&core, self.version).await })
    }
}

/// Queues renders of a studio's photos made with older render settings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RerenderStudio {
    pub studio: StudioId,
}

impl Job for RerenderStudio {
    const NAME: &'static str = "rerender_studio";
    fn run(self, core: Core, _last: bool) -> BoxFuture<'static, Result<(), JobError>> {
        Box::pin(async move { rerender_studio(&core, self.studio).await })
    }
}

/// When the studio's render settings change, its photos are rendered again.
pub(crate) fn on_render_settings_changed<'a>(
    core: &'a Core,
    tx: &'a darkroom_db::Tx,
    e: &'a crate::studio::events::RenderSettingsChanged,
) -> BoxFuture<'a, crate::CoreResult<()>> {
    Box::pin(async move {
        jobs::enqueue(
            core,
            tx,
            Some(e.studio),
            &RerenderStudio { studio: e.studio },
            None,
        )
        .await?;
        Ok(())
    })
}

/// Chore: studios whose photos were rendered before a rendition was added
/// (the medium) have them rendered again, a studio's batch at a time.
pub(crate) fn complete_renditions_chore(
    core: Core,
) -> crate::kernel::registry::BoxFuture<'static, crate::CoreResult<()>> {
    Box::pin(async move {
        let studios = repo::photo::studios_with_old_renditions(core.db().conn(), 100).await?;
        if studios.is_empty() {
            return Ok(());
        }
        let tx = core.db().begin().await?;
        for studio in studios {
            jobs::enqueue(&core, &tx, Some(studio), &RerenderStudio { studio }, None).await?;
        }
        crate::commit(tx).await?;
        core.wake_workers();
        Ok(())
    })
}

pub(crate) async fn render_version(core: &Core, id: PhotoVersionId) -> Result<(), JobError> {
    let db = core.db().conn();
    let Some(v) = repo::photo::find_version_any(db, id)
        .await
        .map_err(JobError::retry)?
    else {
        return Ok(());
    };
    if v.purged_at.is_some() {
        return Ok(());
    }
    let studio = StudioId::from_uuid(v.studio_id);
    let Some(s) = repo::studio::find(db, StudioId::from_uuid(v.studio_id))
        .await
        .map_err(JobError::retry)?
    else {
        return Ok(());
    };
    let settings = StudioSettings::parse(&s.settings).map_err(JobError::fatal)?;
    let cfg = settings.render.clone();
    let store = core
        .store_named(s.media_store.as_deref())
        .map_err(JobError::retry)?;
    let Some(ph) = repo::photo::find_photo(
        db,
        StudioId::from_uuid(v.studio_id),
        PhotoId::from_uuid(v.photo_id),
    )
    .await
    .map_err(JobError::retry)?
    else {
        return Ok(());
    };
    let format = v.format;
    let meta: darkroom_imaging::meta::PhotoMeta =
        serde_json::from_str(&ph.meta).unwrap_or_default();
    let original = match store.get_bytes(&key_of(&v.original_key)?).await {
        Ok(b) => b,
        Err(darkroom_media::StoreError::NotFound(_)) => {
            return set_failed(
                core,
                &v,
                RenderStatus::Failed,
                "the original file is missing from the media store",
            )
            .await;
        }
        Err(e) => return Err(JobError::retry(e)),
    };
    let wm = watermark(core, studio, &store, &s.name, &cfg).await?;
    let rs = RenderSettings {
        thumb_edge: cfg.thumb_edge,
        // Twice the thumbnail: a tile drawn at its size on a 2x screen.
        medium_edge: cfg.thumb_edge.saturating_mul(2).max(800),
        preview_edge: cfg.preview_edge,
        thumb_quality: cfg.thumb_quality,
        preview_quality: cfg.preview_quality,
        proof_quality: cfg.proof_quality,
        watermark: wm,
        limits: darkroom_imaging::pixels::Limits {
            max_pixels: core.settings().media.max_pixels,
            ..Default::default()
        },
    };
    let orientation = meta.orientation;
    let rendered = core
        .cpu(move || darkroom_imaging::pipeline::render(format, &original, orientation, &rs))
        .await
        .map_err(JobError::retry)?;
    let d = match rendered {
        Ok(d) => d,
        Err(darkroom_imaging::ImageError::Unsupported(m)) => {
            return set_failed(core, &v, RenderStatus::Unsupported, &m).await;
        }
        Err(e) => return set_failed(core, &v, RenderStatus::Failed, &e.to_string()).await,
    };
    keep_rendered(core, &store, &v, &ph, d, cfg.rev).await?;
    metrics::counter!("darkroom_photos_rendered_total").increment(1);
    Ok(())
}

/// Stores a version's renditions and records them; the photo is ready once
/// its current version is.
async fn keep_rendered(
    core: &Core,
    store: &SharedStore,
    v: &photo_version::Model,
    ph: &photo::Model,
    d: Derivatives,
    rev: i64,
) -> Result<(), JobError> {
    let studio = StudioId::from_uuid(v.studio_id);
    let (p, vid) = (
        PhotoId::from_uuid(v.photo_id),
        PhotoVersionId::from_uuid(v.id),
    );
    let key = |name: &str| crate::photos::photo::key(studio, p, vid, name).map_err(JobError::fatal);
    let (thumb, medium, preview, proof) = (
        key("thumb.jpg")?,
        key("medium.jpg")?,
        key("preview.jpg")?,
        key("proof.jpg")?,
    );
    let medium_proof = match &d.medium_proof {
        Some(_) => Some(key("medium-proof.jpg")?),
        None => None,
    };
    let (medium_w, medium_h) = (d.medium.width, d.medium.height);
    let (thumb_w, thumb_h) = (d.thumb.width, d.thumb.height);
    let (preview_w, preview_h) = (d.preview.width, d.preview.height);
    let mut files = vec![
        (&thumb, d.thumb.bytes),
        (&medium, d.medium.bytes),
        (&preview, d.preview.bytes),
        (&proof, d.proof.bytes),
    ];
    if let (Some(k), Some(m)) = (&medium_proof, d.medium_proof) {
        files.push((k, m.bytes));
    }
    let total = store_files(store, files).await?;
    let tx = core.db().begin().await.map_err(JobError::retry)?;
    repo::photo::update_version(
        &tx,
        photo_version::ActiveModel {
            id: Set(v.id),
            thumb_key: Set(Some(thumb.to_string())),
            medium_key: Set(Some(medium.to_string())),
            preview_key: Set(Some(preview.to_string())),
            proof_key: Set(Some(proof.to_string())),
            medium_proof_key: Set(medium_proof.map(|k| k.to_string())),
            derivative_bytes: Set(total as i64),
            thumb_width: Set(i64::from(thumb_w)),
            thumb_height: Set(i64::from(thumb_h)),
            medium_width: Set(i64::from(medium_w)),
            medium_height: Set(i64::from(medium_h)),
            preview_width: Set(i64::from(preview_w)),
            preview_height: Set(i64::from(preview_h)),
            render_status: Set(RenderStatus::Ready),
            render_error: Set(None),
            watermark_rev: Set(rev),
            ..Default::default()
        },
    )
    .await
    .map_err(JobError::retry)?;
    if ph.current_version == v.number && ph.status != PhotoStatus::Ready {
        repo::photo::update_photo(
            &tx,
            photo::ActiveModel {
                id: Set(ph.id),
                status: Set(PhotoStatus::Ready),
                ..Default::default()
            },
        )
        .await
        .map_err(JobError::retry)?;
    }
    crate::commit(tx).await.map_err(JobError::retry)?;
    Ok(())
}

/// Writes rendered files; the bytes written in all.
async fn store_files(
    store: &SharedStore,
    files: Vec<(&darkroom_media::Key, Vec<u8>)>,
) -> Result<usize, JobError> {
    let total = files.iter().map(|(_, b)| b.len()).sum();
    for (k, bytes) in files {
        // Derivatives can always be rendered again: atomic, not fsynced.
        store
            .put_bytes(k, Bytes::from(bytes), Durability::Atomic)
            .await
            .map_err(JobError::retry)?;
    }
    Ok(total)
}

/// Queues a render of every version made with older settings, a batch at a time.
pub(crate) async fn rerender_studio(core: &Core, studio: StudioId) -> Result<(), JobError> {
    let db = core.db().conn();
    let Some(s) = repo::studio::find(db, studio)
        .await
        .map_err(JobError::retry)?
    else {
        return Ok(());
    };
    let rev = StudioSettings::parse(&s.settings)
        .map_err(JobError::fatal)?
        .render
        .rev;
    let stale = repo::photo::stale_proofs(db, studio, rev, 500)
        .await
        .map_err(JobError::retry)?;
    if stale.is_empty() {
        return Ok(());
    }
    let tx = core.db().begin().await.map_err(JobError::retry)?;
    for v in &stale {
        // Marked so the next batch does not pick it again.
        repo::photo::update_version(
            &tx,
            photo_version::ActiveModel {
                id: Set(v.id),
                watermark_rev: Set(rev),
                ..Default::default()
            },
        )
        .await
        .map_err(JobError::retry)?;
        jobs::enqueue(
            core,
            &tx,
            Some(studio),
            &RenderVersion {
                version: PhotoVersionId::from_uuid(v.id),
            },
            None,
        )
        .await
        .map_err(JobError::retry)?;
    }
    if stale.len() == 500 {
        jobs::enqueue(core, &tx, Some(studio), &RerenderStudio { studio }, None)
            .await
            .map_err(JobError::retry)?;
    }
    crate::commit(tx).await.map_err(JobError::retry)?;
    core.wake_workers();
    Ok(())
}
