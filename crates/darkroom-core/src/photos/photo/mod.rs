//! Photos: ingest (hash, type from bytes, EXIF, durable storage, then the
//! database row), listing, versions, staging, deletion and purging.
//!
//! Ingest is two-phase: the bytes are durable in the media store before the
//! row that points at them is committed. A crash in between leaves bytes
//! without a row, which the reconciler (`darkroom media check`) removes; a
//! row never points at missing bytes. A file whose content a gallery already
//! holds is not stored again.

use darkroom_domain::names::GalleryStatus;
use darkroom_domain::names::PhotoStatus;
use darkroom_domain::names::RenderStatus;
use std::path::Path;

use darkroom_db::entity::{gallery, photo, photo_version};
use darkroom_db::repo::{self, photo::Order, photo::Place};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BatchId, GalleryId, GallerySetId, PhotoId, PhotoVersionId, StudioId, Timestamp, TypedId, UserId,
};
use darkroom_imaging::meta::PhotoMeta;
use darkroom_media::Key;
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs;
use crate::kernel::listing::{Offset, PhotoLimit};
use crate::photos::events::EditedVersionAdded;
use crate::photos::render::RenderVersion;
use crate::{Core, Meta, Principal};

/// What a stored file is, for a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VersionRole {
    Raw,
    Original,
    Edited,
    Final,
}

impl VersionRole {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "raw" => Ok(Self::Raw),
            "original" => Ok(Self::Original),
            "edited" => Ok(Self::Edited),
            "final" => Ok(Self::Final),
            _ => Err(format!(
                "`{s}` is not a version role; use raw, original, edited or final"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Original => "original",
            Self::Edited => "edited",
            Self::Final => "final",
        }
    }
}

/// Where an uploaded file goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    Gallery(GalleryId),
    /// The staging area, in this batch.
    Staging(BatchId),
    /// A new version of an existing photo.
    NewVersion {
        photo: PhotoId,
        role: VersionRole,
    },
}

/// Keys of a version's objects: `s/<studio>/p/<photo>/<version>/<name>`.
pub fn key(
    studio: StudioId,
    photo: PhotoId,
    version: PhotoVersionId,
    name: &str,
) -> CoreResult<Key> {
    Key::new(format!(
        "s/{}/p/{}/{}/{name}",
        studio.uuid().simple(),
        photo.uuid().simple(),
        version.uuid().simple()
    ))
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("{e}")))
}

/// One version of a photo, as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub id: PhotoVersionId,
    pub number: i64,
    /// `raw`, `original`, `edited` or `final`.
    pub role: String,
    pub format: String,
    pub size_bytes: i64,
    /// SHA-256 of the file.
    pub content_hash: String,
    /// `pending`, `ready`, `failed` or `unsupported` (stored, but no previews).
    pub render_status: RenderStatus,
    pub render_error: Option<String>,
    pub created_at: Timestamp,
    /// Set once the file's bytes were purged.
    pub purged_at: Option<Timestamp>,
}

fn version_view(v: &photo_version::Model) -> VersionView {
    VersionView {
        id: PhotoVersionId::from_uuid(v.id),
        number: v.number,
        role: v.role.clone(),
        format: v.format.clone(),
        size_bytes: v.size_bytes,
        content_hash: v.content_hash.clone(),
        render_status: v.render_status.clone(),
        render_error: v.render_error.clone(),
        created_at: Timestamp::from_micros(v.created_at),
        purged_at: v.purged_at.map(Timestamp::from_micros),
    }
}

/// A photo as listed and shown to staff.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: PhotoId,
    pub gallery_id: Option<GalleryId>,
    pub batch_id: Option<BatchId>,
    /// The set (section) of the gallery it is in, if any.
    pub set_id: Option<GallerySetId>,
    /// The role of the current version: `original`, `raw`, `edited` or `final`.
    pub current_role: String,
    /// The name the file arrived with (metadata only; never used as a path).
    pub original_name: String,
    /// `processing`, `ready` or `failed`.
    pub status: PhotoStatus,
    /// Capture time as the camera recorded it, and its UTC offset if known.
    pub capture_local: Option<String>,
    pub capture_offset: Option<String>,
    /// Upright size of the current version.
    pub width: i64,
    pub height: i64,
    pub current_version: i64,
    #[schema(value_type = Object)]
    pub meta: PhotoMeta,
    /// Where the pictures are (staff session or token required).
    pub thumb_url: String,
    pub preview_url: String,
    pub proof_url: String,
    pub original_url: String,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub render_error: Option<String>,
    pub created_at: Timestamp,
}

fn photo_view(p: &photo::Model, current: Option<&photo_version::Model>) -> PhotoView {
    let id = PhotoId::from_uuid(p.id);
    let v = p.current_version;
    // The query changes whenever the bytes do, so browsers may cache them.
    let rev = current.map(|c| c.watermark_rev).unwrap_or(0);
    let url = |r: &str| format!("/media/photos/{id}/{r}?v={v}.{rev}");
    PhotoView {
        id,
        gallery_id: p.gallery_id.map(GalleryId::from_uuid),
        batch_id: p.batch_id.map(BatchId::from_uuid),
        set_id: p.set_id.map(GallerySetId::from_uuid),
        current_role: current.map(|c| c.role.clone()).unwrap_or_default(),
        original_name: p.original_name.clone(),
        status: p.status.clone(),
        capture_local: p.capture_local.clone(),
        capture_offset: p.capture_offset.clone(),
        width: p.width,
        height: p.height,
        current_version: p.current_version,
        meta: serde_json::from_str(&p.meta).unwrap_or_default(),
        thumb_url: url("thumb"),
        preview_url: url("preview"),
        proof_url: url("proof"),
        original_url: url("original"),
        thumb_width: current.map(|c| c.thumb_width).unwrap_or(0),
        thumb_height: current.map(|c| c.thumb_height).unwrap_or(0),
        render_error: current.and_then(|c| c.render_error.clone()),
        created_at: Timestamp::from_micros(p.created_at),
    }
}

/// A photo with its versions.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoDetail {
    #[serde(flatten)]
    pub photo: PhotoView,
    pub versions: Vec<VersionView>,
}

/// The outcome of ingesting one file.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Ingested {
    /// A new photo.
    Created { photo: PhotoView },
    /// The gallery (or staging area) already holds this exact file.
    Duplicate { photo: PhotoView },
    /// A new version of an existing photo.
    Versioned { photo: PhotoView },
}

impl Ingested {
    pub fn photo(&self) -> &PhotoView {
        match self {
            Ingested::Created { photo }
            | Ingested::Duplicate { photo }
            | Ingested::Versioned { photo } => photo,
        }
    }
}

/// What a destination resolves to, after authorization.
pub(crate) struct Resolved {
    pub place: Place,
    pub photo: Option<photo::Model>,
}

/// Resolves a destination and checks the principal may upload there.
pub(crate) async fn resolve(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    dest: Destination,
) -> CoreResult<Resolved> {
    match dest {
        Destination::Gallery(g) => {
            let gal = crate::photos::gallery::load(c, p, g, false).await?;
            core.authorize(
                p,
                Permission::PhotoUpload,
                crate::photos::gallery::target(&gal),
            )?;
            if gal.status == GalleryStatus::Archived {
                return Err(CoreError::conflict(
                    "gallery_archived",
                    "this gallery is archived; reopen it before uploading",
                ));
            }
            Ok(Resolved {
                place: Place::Gallery(gal.id),
                photo: None,
            })
        }
        Destination::Staging(b) => {
            core.authorize(p, Permission::PhotoUpload, Target::STUDIO)?;
            Ok(Resolved {
                place: Place::Batch(b.uuid()),
                photo: None,
            })
        }
        Destination::NewVersion { photo, .. } => {
            let ph = repo::photo::find_photo(c, p.studio.uuid(), photo.uuid())
                .await?
                .ok_or(CoreError::not_found("photo"))?;
            let gal = match ph.gallery_id {
                Some(g) => {
                    Some(crate::photos::gallery::load(c, p, GalleryId::from_uuid(g), false).await?)
                }
                None => None,
            };
            match &gal {
                Some(g) => core.authorize(
                    p,
                    Permission::PhotoUpload,
                    crate::photos::gallery::target(g),
                )?,
                None => core.authorize(p, Permission::PhotoUpload, Target::STUDIO)?,
            }
            let place = match ph.gallery_id {
                Some(g) => Place::Gallery(g),
                None => Place::Staging,
            };
            Ok(Resolved {
                place,
                photo: Some(ph),
            })
        }
    }
}

/// Refuses `extra` more bytes if they would exceed the studio's quota.
pub(crate) async fn check_quota(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    extra: u64,
    count_pending: bool,
) -> CoreResult<()> {
    let s = repo::studio::find(c, studio.uuid())
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    let Some(quota) = crate::kernel::tenant::quota_of(core, &s) else {
        return Ok(());
    };
    let used = repo::photo::storage_used(c, studio.uuid()).await?;
    let pending = if count_pending {
        repo::upload::pending_bytes(c, studio.uuid()).await?
    } else {
        0
    };
    let extra = i64::try_from(extra).unwrap_or(i64::MAX);
    if used.saturating_add(pending).saturating_add(extra) > quota {
        let gb = |b: i64| format!("{:.2} GB", b as f64 / 1e9);
        return Err(CoreError::TooLarge {
            code: "quota_exceeded",
            message: format!(
                "this file ({}) would exceed the studio's storage quota: {} of {} used{}; delete photos or purge old versions, or ask for a larger plan",
                gb(extra),
                gb(used),
                gb(quota),
                if pending > 0 {
                    format!(", {} more in uploads under way", gb(pending))
                } else {
                    String::new()
                }
            ),
        });
    }
    Ok(())
}

/// A file read and checked: what it is, its hash and its metadata.
struct Probed {
    format: darkroom_imaging::Format,
    meta: PhotoMeta,
    hash: String,
    crc32: u32,
    size: u64,
}

fn rejected(message: impl Into<String>) -> CoreError {
    let mut e = darkroom_domain::validate::FieldErrors::new();
    e.add("file", "rejected", message);
    CoreError::Validation(e)
}

async fn probe_file(core: &Core, path: &Path) -> CoreResult<Probed> {
    let max = core.settings().media.max_upload_bytes;
    let limits = darkroom_imaging::pixels::Limits {
        max_pixels: core.settings().media.max_pixels,
        ..Default::default()
    };
    let path = path.to_path_buf();
    core.cpu(move || -> CoreResult<Probed> {
        use std::io::Read;
        let mut f = std::fs::File::open(&path).map_err(|e| CoreError::Internal(e.into()))?;
        let size = f
            .metadata()
            .map_err(|e| CoreError::Internal(e.into()))?
            .len();
        if size > max {
            return Err(CoreError::TooLarge {
                code: "file_too_large",
                message: format!("the file is {size} bytes; the most accepted is {max}"),
            });
        }
        // Sniff first, from a little: a 2 GB non-image is refused without reading it all.
        let mut head = vec![0u8; 4096.min(size as usize)];
        f.read_exact(&mut head)
            .map_err(|e| CoreError::Internal(e.into()))?;
        darkroom_imaging::sniff(&head).map_err(|e| rejected(e.to_string()))?;
        let mut bytes = head;
        f.read_to_end(&mut bytes)
            .map_err(|e| CoreError::Internal(e.into()))?;
        let hash = darkroom_imaging::sha256_hex(&bytes);
        let crc32 = crc32fast::hash(&bytes);
        let (format, meta) = darkroom_imaging::pipeline::probe(&bytes, limits)
            .map_err(|e| rejected(e.to_string()))?;
        Ok(Probed {
            format,
            meta,
            hash,
            crc32,
            size,
        })
    })
    .await?
}

fn upright(meta: &PhotoMeta) -> (i64, i64) {
    let (w, h) = (i64::from(meta.width), i64::from(meta.height));
    if meta.orientation >= 5 {
        (h, w)
    } else {
        (w, h)
    }
}

/// Sort key: the capture instant when the offset is known, else the local
/// wall time read as UTC (consistent within one camera's shoot).
fn capture_at(meta: &PhotoMeta) -> Option<i64> {
    meta.capture_utc_micros.or_else(|| {
        let l = meta.capture_local.as_deref()?;
        darkroom_domain::Timestamp::parse_rfc3339(&format!("{}Z", &l[..l.len().min(26)]))
            .ok()
            .map(|t| t.as_micros())
    })
}

/// Ingests a complete file: checks it, stores it durably, then records it.
/// The file is consumed. `original_name` is kept as metadata only.
pub async fn ingest_file(
    core: &Core,
    p: &Principal,
    dest: Destination,
    original_name: &str,
    path: &Path,
) -> CoreResult<Ingested> {
    let result = ingest_inner(core, p, dest, original_name, path, true).await;
    let _ = tokio::fs::remove_file(path).await;
    result
}

/// Ingests a file and leaves it where it is (imports from a folder).
pub async fn import_file(
    core: &Core,
    p: &Principal,
    dest: Destination,
    original_name: &str,
    path: &Path,
) -> CoreResult<Ingested> {
    ingest_inner(core, p, dest, original_name, path, false).await
}

async fn ingest_inner(
    core: &Core,
    p: &Principal,
    dest: Destination,
    original_name: &str,
    path: &Path,
    consume: bool,
) -> CoreResult<Ingested> {
    let name = clean_name(original_name);
    resolve(core, core.db().conn(), p, dest).await?;
    let probed = probe_file(core, path).await?;
    let resolved = resolve(core, core.db().conn(), p, dest).await?;
    if let Some(dup) = repo::photo::find_duplicate(
        core.db().conn(),
        p.studio.uuid(),
        resolved.place,
        &probed.hash,
    )
    .await?
    {
        let cur = repo::photo::current_versions(
            core.db().conn(),
            p.studio.uuid(),
            std::slice::from_ref(&dup),
        )
        .await?;
        return Ok(Ingested::Duplicate {
            photo: photo_view(&dup, cur.first()),
        });
    }
    check_quota(core, core.db().conn(), p.studio, probed.size, false).await?;

    let photo_id = match &resolved.photo {
        Some(ph) => PhotoId::from_uuid(ph.id),
        None => PhotoId::new(),
    };
    let version_id = PhotoVersionId::new();
    let original_key = key(p.studio, photo_id, version_id, "original")?;
    let store = core.store_of(p.studio).await?;
    // Phase one: the bytes are durable before any row points at them.
    store
        .put_file(&original_key, path, consume)
        .await
        .map_err(store_error)?;

    let recorded = record(
        core,
        p,
        dest,
        &resolved,
        &name,
        &probed,
        photo_id,
        version_id,
        &original_key,
    )
    .await;
    if recorded.is_err() {
        let _ = store.delete(&original_key).await;
    }
    let outcome = recorded?;
    core.wake_workers();
    metrics::counter!("darkroom_photos_ingested_total", "format" => probed.format.name())
        .increment(1);
    Ok(outcome)
}

pub(crate) fn store_error(e: darkroom_media::StoreError) -> CoreError {
    match e {
        darkroom_media::StoreError::Full(m) => CoreError::TooLarge {
            code: "storage_full",
            message: format!(
                "the media store is full ({m}); nothing was stored. Free space and upload again"
            ),
        },
        other => CoreError::Unavailable(format!(
            "the media store could not be written ({other}); nothing was stored, try again"
        )),
    }
}

#[allow(clippy::too_many_arguments)]
async fn record(
    core: &Core,
    p: &Principal,
    dest: Destination,
    resolved: &Resolved,
    name: &str,
    probed: &Probed,
    photo_id: PhotoId,
    version_id: PhotoVersionId,
    original_key: &Key,
) -> CoreResult<Ingested> {
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    // Someone else may have stored the same file meanwhile.
    if let Some(dup) =
        repo::photo::find_duplicate(&tx, p.studio.uuid(), resolved.place, &probed.hash).await?
    {
        let cur =
            repo::photo::current_versions(&tx, p.studio.uuid(), std::slice::from_ref(&dup)).await?;
        return Ok(Ingested::Duplicate {
            photo: photo_view(&dup, cur.first()),
        });
    }
    let (w, h) = upright(&probed.meta);
    let meta_json = serde_json::to_string(&probed.meta).unwrap_or_else(|_| "{}".into());
    let role = match dest {
        Destination::NewVersion { role, .. } => role,
        _ if probed.format.is_raw() => VersionRole::Raw,
        _ => VersionRole::Original,
    };
    let (number, photo_row) = match &resolved.photo {
        Some(existing) => {
            let number = repo::photo::versions_of(&tx, p.studio.uuid(), existing.id)
                .await?
                .iter()
                .map(|v| v.number)
                .max()
                .unwrap_or(0)
                + 1;
            let am = photo::ActiveModel {
                id: Set(existing.id),
                current_version: Set(number),
                status: Set(PhotoStatus::Processing),
                meta: Set(meta_json),
                width: Set(w),
                height: Set(h),
                updated_at: Set(now),
                version: Set(existing.version + 1),
                ..Default::default()
            };
            repo::photo::update_photo(&tx, am).await?;
            (
                number,
                repo::photo::find_photo(&tx, p.studio.uuid(), existing.id)
                    .await?
                    .ok_or(CoreError::not_found("photo"))?,
            )
        }
        None => {
            let (gallery_id, batch_id) = match dest {
                Destination::Gallery(g) => (Some(g.uuid()), None),
                Destination::Staging(b) => (None, Some(b.uuid())),
                Destination::NewVersion { .. } => (None, None),
            };
            let row = repo::photo::insert_photo(
                &tx,
                photo::Model {
                    id: photo_id.uuid(),
                    studio_id: p.studio.uuid(),
                    gallery_id,
                    batch_id,
                    original_name: name.to_string(),
                    status: PhotoStatus::Processing,
                    current_version: 1,
                    capture_at: capture_at(&probed.meta),
                    capture_local: probed.meta.capture_local.clone(),
                    capture_offset: probed.meta.capture_offset.clone(),
                    meta: meta_json,
                    width: w,
                    height: h,
                    position: now,
                    set_id: None,
                    uploaded_by: Some(p.user.uuid()),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await?;
            (1, row)
        }
    };
    let version = repo::photo::insert_version(
        &tx,
        photo_version::Model {
            id: version_id.uuid(),
            studio_id: p.studio.uuid(),
            photo_id: photo_id.uuid(),
            number,
            role: role.name().into(),
            content_hash: probed.hash.clone(),
            size_bytes: i64::try_from(probed.size).unwrap_or(i64::MAX),
            crc32: Some(i64::from(probed.crc32)),
            format: probed.format.name().into(),
            original_key: original_key.to_string(),
            thumb_key: None,
            preview_key: None,
            proof_key: None,
            derivative_bytes: 0,
            thumb_width: 0,
            thumb_height: 0,
            preview_width: 0,
            preview_height: 0,
            render_status: RenderStatus::Pending,
            render_error: None,
            watermark_rev: 0,
            created_by: Some(p.user.uuid()),
            created_at: now,
            purged_at: None,
        },
    )
    .await?;
    if matches!(role, VersionRole::Edited | VersionRole::Final) {
        let e = EditedVersionAdded {
            by: p.clone(),
            photo: photo_id,
            number,
            at: now,
        };
        core.publish(&tx, &e).await?;
    }
    jobs::enqueue(
        core,
        &tx,
        Some(p.studio),
        &RenderVersion {
            version: version_id,
        },
        None,
    )
    .await?;
    crate::commit(tx).await?;
    let view = photo_view(&photo_row, Some(&version));
    Ok(match resolved.photo {
        Some(_) => Ingested::Versioned { photo: view },
        None => Ingested::Created { photo: view },
    })
}

/// A name for people: the last path segment, without control or
/// text-direction characters, at most 200 characters.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let out: String = trimmed.chars().take(200).collect();
    if out.is_empty() { "photo".into() } else { out }
}

async fn photo_and_gallery(
    core: &Core,
    c: &impl ConnectionTrait,
    p: &Principal,
    id: PhotoId,
) -> CoreResult<(photo::Model, Option<gallery::Model>)> {
    let ph = repo::photo::find_photo(c, p.studio.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("photo"))?;
    let g = match ph.gallery_id {
        Some(g) => repo::gallery::find(c, p.studio.uuid(), g, true).await?,
        None => None,
    };
    let _ = core;
    Ok((ph, g))
}

/// Checks `perm` on the photo's gallery (or, in staging, studio-wide).
pub(crate) fn authorize_on(
    core: &Core,
    p: &Principal,
    perm: Permission,
    g: Option<&gallery::Model>,
) -> CoreResult<()> {
    match g {
        Some(g) => core.authorize(p, perm, crate::photos::gallery::target(g)),
        None => core.authorize(p, perm, Target::STUDIO),
    }
}

/// One photo with its versions.
pub async fn get(core: &Core, p: &Principal, id: PhotoId) -> CoreResult<PhotoDetail> {
    let (ph, g) = photo_and_gallery(core, core.db().conn(), p, id).await?;
    authorize_on(core, p, Permission::GalleryView, g.as_ref())?;
    let versions = repo::photo::versions_of(core.db().conn(), p.studio.uuid(), ph.id).await?;
    let current = versions.iter().find(|v| v.number == ph.current_version);
    Ok(PhotoDetail {
        photo: photo_view(&ph, current),
        versions: versions.iter().map(version_view).collect(),
    })
}

/// A page of photos.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoPage {
    pub items: Vec<PhotoView>,
    pub total: u64,
    /// Pass as `offset` for the next page; absent on the last.
    pub next_offset: Option<u64>,
}

/// Photos of a place in `order`.
pub(crate) async fn page_of(
    core: &Core,
    studio: StudioId,
    place: Place,
    order: Order,
    offset: Offset,
    limit: PhotoLimit,
) -> CoreResult<PhotoPage> {
    let (offset, limit) = (offset.count(), limit.count());
    let c = core.db().conn();
    let rows = repo::photo::list_in(c, studio.uuid(), place, order, offset, limit).await?;
    let total = repo::photo::count_in(c, studio.uuid(), place).await?;
    let current = repo::photo::current_versions(c, studio.uuid(), &rows).await?;
    let items: Vec<PhotoView> = rows
        .iter()
        .map(|r| photo_view(r, current.iter().find(|v| v.photo_id == r.id)))
        .collect();
    let next = offset + items.len() as u64;
    Ok(PhotoPage {
        next_offset: (next < total).then_some(next),
        total,
        items,
    })
}

pub async fn list_in_gallery(
    core: &Core,
    p: &Principal,
    gallery: GalleryId,
    offset: Offset,
    limit: PhotoLimit,
) -> CoreResult<PhotoPage> {
    let g = crate::photos::gallery::load(core.db().conn(), p, gallery, false).await?;
    core.authorize(
        p,
        Permission::GalleryView,
        crate::photos::gallery::target(&g),
    )?;
    page_of(
        core,
        p.studio,
        Place::Gallery(g.id),
        crate::photos::gallery::order_of(&g),
        offset,
        limit,
    )
    .await
}

/// A batch in the staging area.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub id: Option<BatchId>,
    pub photos: i64,
    pub last_upload: Timestamp,
}

pub async fn staging(core: &Core, p: &Principal) -> CoreResult<Vec<BatchView>> {
    core.authorize(p, Permission::GalleryView, Target::STUDIO)?;
    let rows = repo::photo::staging_batches(core.db().conn(), p.studio.uuid()).await?;
    Ok(rows
        .into_iter()
        .map(|(b, n, latest)| BatchView {
            id: b.map(BatchId::from_uuid),
            photos: n,
            last_upload: Timestamp::from_micros(latest),
        })
        .collect())
}

pub async fn list_batch(
    core: &Core,
    p: &Principal,
    batch: Option<BatchId>,
    offset: Offset,
    limit: PhotoLimit,
) -> CoreResult<PhotoPage> {
    core.authorize(p, Permission::GalleryView, Target::STUDIO)?;
    let place = match batch {
        Some(b) => Place::Batch(b.uuid()),
        None => Place::Staging,
    };
    page_of(core, p.studio, place, Order::Capture, offset, limit).await
}

/// Files staged photos into a gallery.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignPhotos {
    pub gallery_id: GalleryId,
    /// Staged photos to file into it (others are skipped).
    #[schema(min_items = 1, max_items = 5000)]
    pub photo_ids: Vec<PhotoId>,
}

pub async fn assign(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: AssignPhotos,
) -> CoreResult<u64> {
    if input.photo_ids.is_empty() || input.photo_ids.len() > 5000 {
        return Err(CoreError::invalid(
            "photo_ids",
            "choose between 1 and 5000 photos",
        ));
    }
    let tx = core.db().begin().await?;
    let g = crate::photos::gallery::load(&tx, p, input.gallery_id, false).await?;
    core.authorize(
        p,
        Permission::GalleryManage,
        crate::photos::gallery::target(&g),
    )?;
    let ids: Vec<uuid::Uuid> = input.photo_ids.iter().map(|i| i.uuid()).collect();
    let moved =
        repo::photo::assign_to_gallery(&tx, p.studio.uuid(), &ids, g.id, core.now().as_micros())
            .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: Some(darkroom_domain::BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: "photo.assigned",
            severity: Severity::Low,
            target_type: "gallery",
            target_id: input.gallery_id.to_string(),
            payload: serde_json::json!({ "photos": moved }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(moved)
}

/// Deletes a photo (its files stay until purged).
pub async fn delete(core: &Core, p: &Principal, meta: &Meta, id: PhotoId) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    let (ph, g) = photo_and_gallery(core, &tx, p, id).await?;
    authorize_on(core, p, Permission::PhotoDelete, g.as_ref())?;
    let now = core.now().as_micros();
    repo::photo::update_photo(
        &tx,
        photo::ActiveModel {
            id: Set(ph.id),
            deleted_at: Set(Some(now)),
            updated_at: Set(now),
            version: Set(ph.version + 1),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: g
                .as_ref()
                .map(|g| darkroom_domain::BranchId::from_uuid(g.branch_id)),
            who: Who::of(p),
            event_type: "photo.deleted",
            severity: Severity::High,
            target_type: "photo",
            target_id: id.to_string(),
            payload: serde_json::json!({ "name": ph.original_name }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(())
}

/// Removes the bytes of every replaced version of a photo (not the current one).
pub async fn purge_replaced(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: PhotoId,
) -> CoreResult<Purged> {
    let (ph, g) = photo_and_gallery(core, core.db().conn(), p, id).await?;
    authorize_on(core, p, Permission::PhotoDelete, g.as_ref())?;
    let store = core.store_of(p.studio).await?;
    let versions = repo::photo::versions_of(core.db().conn(), p.studio.uuid(), ph.id).await?;
    let purged: Vec<_> = versions
        .into_iter()
        .filter(|v| v.number != ph.current_version && v.purged_at.is_none())
        .collect();
    let freed: i64 = purged
        .iter()
        .map(|v| v.size_bytes + v.derivative_bytes)
        .sum();
    // The rows stop pointing at the files first; a file left behind by a
    // failed delete is an orphan the reconciler removes, never a dangling row.
    let tx = core.db().begin().await?;
    let now = core.now().as_micros();
    for v in &purged {
        repo::photo::update_version(
            &tx,
            photo_version::ActiveModel {
                id: Set(v.id),
                purged_at: Set(Some(now)),
                ..Default::default()
            },
        )
        .await?;
    }
    audit::record(core, &tx, meta, Event {
        studio: Some(p.studio),
        branch: g.as_ref().map(|g| darkroom_domain::BranchId::from_uuid(g.branch_id)),
        who: Who::of(p),
        event_type: "photo.versions_purged",
        severity: Severity::High,
        target_type: "photo",
        target_id: id.to_string(),
        payload: serde_json::json!({ "versions": purged.iter().map(|v| v.number).collect::<Vec<_>>(), "bytes": freed }),
    })
    .await?;
    crate::commit(tx).await?;
    for v in &purged {
        for k in [
            Some(v.original_key.clone()),
            v.thumb_key.clone(),
            v.preview_key.clone(),
            v.proof_key.clone(),
        ]
        .into_iter()
        .flatten()
        {
            if let Ok(key) = Key::new(k)
                && let Err(e) = store.delete(&key).await
            {
                tracing::warn!(key = %key, error = %e, "purged file not deleted; the reconciler will remove it");
            }
        }
    }
    Ok(Purged {
        versions_purged: purged.len() as u64,
        bytes_freed: u64::try_from(freed).unwrap_or(0),
    })
}

/// What a purge removed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Purged {
    pub versions_purged: u64,
    pub bytes_freed: u64,
}

/// The user who uploaded, as a principal, for finishing an upload after a restart.
pub(crate) async fn principal_of(
    core: &Core,
    studio: StudioId,
    user: UserId,
) -> CoreResult<Option<Principal>> {
    crate::kernel::principal::load(core.db().conn(), studio, user, crate::Via::System, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_for_display_only() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\IMG_0001.JPG"), "IMG_0001.JPG");
        assert_eq!(clean_name("evil\u{202E}gpj.exe"), "evilgpj.exe");
        assert_eq!(clean_name("a\r\nb\0c.jpg"), "abc.jpg");
        assert_eq!(clean_name(""), "photo");
        assert_eq!(clean_name("..."), "photo");
        assert_eq!(clean_name(&"x".repeat(300)).chars().count(), 200);
    }
}
