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

use darkroom_db::entity::{gallery, photo, photo_version};
use darkroom_db::repo::{self, photo::Order, photo::Place};
use darkroom_db::sea_orm::{ConnectionTrait, Set};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    BatchId, BranchId, GalleryId, GallerySetId, PhotoId, PhotoVersionId, StudioId, Timestamp,
    TypedId, UserId,
};
use darkroom_imaging::meta::PhotoMeta;
use darkroom_media::Key;
use serde::Serialize;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{Offset, PhotoLimit};
use crate::{Core, Meta, Principal};

mod ingest;
pub use ingest::*;

mod neighbours;
pub use neighbours::*;

mod staging;
pub use staging::*;

pub use darkroom_domain::names::VersionRole;

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
    pub role: VersionRole,
    pub format: darkroom_domain::names::ImageFormat,
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
        role: v.role,
        format: v.format,
        size_bytes: v.size_bytes,
        content_hash: v.content_hash.clone(),
        render_status: v.render_status,
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
    /// The role of the current version (none while it is being recorded).
    pub current_role: Option<VersionRole>,
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
    /// About twice the thumbnail, for dense screens; none until rendered.
    pub medium_url: Option<String>,
    pub preview_url: String,
    pub proof_url: String,
    pub original_url: String,
    pub thumb_width: i64,
    pub thumb_height: i64,
    /// The medium's width in pixels (0 without one).
    pub medium_width: i64,
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
        current_role: current.map(|c| c.role),
        original_name: p.original_name.clone(),
        status: p.status,
        capture_local: p.capture_local.clone(),
        capture_offset: p.capture_offset.clone(),
        width: p.width,
        height: p.height,
        current_version: p.current_version,
        meta: serde_json::from_str(&p.meta).unwrap_or_default(),
        thumb_url: url("thumb"),
        medium_url: current
            .filter(|c| c.medium_key.is_some())
            .map(|_| url("medium")),
        preview_url: url("preview"),
        proof_url: url("proof"),
        original_url: url("original"),
        thumb_width: current.map(|c| c.thumb_width).unwrap_or(0),
        thumb_height: current.map(|c| c.thumb_height).unwrap_or(0),
        medium_width: current.map_or(0, |c| c.medium_width),
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
            let ph = repo::photo::find_photo(c, p.studio, photo)
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
    let s = repo::studio::find(c, studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    let Some(quota) = crate::kernel::tenant::quota_of(core, &s) else {
        return Ok(());
    };
    let used = repo::photo::storage_used(c, studio).await?;
    let pending = if count_pending {
        repo::upload::pending_bytes(c, studio).await?
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
    let ph = repo::photo::find_photo(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("photo"))?;
    let g = match ph.gallery_id {
        Some(g) => repo::gallery::find(c, p.studio, GalleryId::from_uuid(g), true).await?,
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
    let versions =
        repo::photo::versions_of(core.db().conn(), p.studio, PhotoId::from_uuid(ph.id)).await?;
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
    let rows = repo::photo::list_in(c, studio, place, order, offset, limit).await?;
    let total = repo::photo::count_in(c, studio, place).await?;
    let current = repo::photo::current_versions(c, studio, &rows).await?;
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
            branch: g.as_ref().map(|g| BranchId::from_uuid(g.branch_id)),
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
    let versions =
        repo::photo::versions_of(core.db().conn(), p.studio, PhotoId::from_uuid(ph.id)).await?;
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
        branch: g.as_ref().map(|g| BranchId::from_uuid(g.branch_id)),
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
        for k in std::iter::once(&v.original_key)
            .chain(v.rendition_keys())
            .cloned()
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
