//! Taking a file in as a photo: probing it (format, size, EXIF), storing the original, and recording the photo and its first version.

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs;
use crate::photos::events::EditedVersionAdded;
use crate::photos::render::RenderVersion;
use crate::{Core, Principal};
use darkroom_db::entity::{photo, photo_version};
use darkroom_db::repo::{self};
use darkroom_db::sea_orm::Set;
use darkroom_domain::names::PhotoStatus;
use darkroom_domain::names::RenderStatus;
use darkroom_domain::{PhotoId, PhotoVersionId, TypedId};
use darkroom_imaging::meta::PhotoMeta;
use darkroom_media::Key;
use std::path::Path;

use super::*;

/// A file read and checked: what it is, its hash and its metadata.
pub(super) struct Probed {
    format: darkroom_imaging::Format,
    meta: PhotoMeta,
    hash: String,
    crc32: u32,
    size: u64,
}

pub(super) fn rejected(message: impl Into<String>) -> CoreError {
    let mut e = darkroom_domain::validate::FieldErrors::new();
    e.add("file", "rejected", message);
    CoreError::Validation(e)
}

pub(super) async fn probe_file(core: &Core, path: &Path) -> CoreResult<Probed> {
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

pub(super) fn upright(meta: &PhotoMeta) -> (i64, i64) {
    let (w, h) = (i64::from(meta.width), i64::from(meta.height));
    if meta.orientation >= 5 {
        (h, w)
    } else {
        (w, h)
    }
}

/// Sort key: the capture instant when the offset is known, else the local
/// wall time read as UTC (consistent within one camera's shoot).
pub(super) fn capture_at(meta: &PhotoMeta) -> Option<i64> {
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

pub(super) async fn ingest_inner(
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
    if let Some(dup) =
        repo::photo::find_duplicate(core.db().conn(), p.studio, resolved.place, &probed.hash)
            .await?
    {
        let cur =
            repo::photo::current_versions(core.db().conn(), p.studio, std::slice::from_ref(&dup))
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
pub(super) async fn record(
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
        repo::photo::find_duplicate(&tx, p.studio, resolved.place, &probed.hash).await?
    {
        let cur = repo::photo::current_versions(&tx, p.studio, std::slice::from_ref(&dup)).await?;
        return Ok(Ingested::Duplicate {
            photo: photo_view(&dup, cur.first()),
        });
    }
    let role = match dest {
        Destination::NewVersion { role, .. } => role,
        _ if probed.format.is_raw() => VersionRole::Raw,
        _ => VersionRole::Original,
    };
    let (number, photo_row) = match &resolved.photo {
        Some(existing) => next_version(&tx, p.studio, existing, probed, now).await?,
        None => {
            let row = photo_row(p, dest, name, probed, photo_id, now);
            (1, repo::photo::insert_photo(&tx, row).await?)
        }
    };
    let row = version_row(
        p,
        (photo_id, version_id),
        number,
        role,
        probed,
        original_key,
        now,
    );
    let version = repo::photo::insert_version(&tx, row).await?;
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

/// Makes `probed` the next version of an existing photo: its number, and
/// the photo row as it is now.
async fn next_version(
    tx: &darkroom_db::Tx,
    studio: StudioId,
    existing: &photo::Model,
    probed: &Probed,
    now: i64,
) -> CoreResult<(i64, photo::Model)> {
    let number = repo::photo::versions_of(tx, studio, PhotoId::from_uuid(existing.id))
        .await?
        .iter()
        .map(|v| v.number)
        .max()
        .unwrap_or(0)
        + 1;
    let (w, h) = upright(&probed.meta);
    let am = photo::ActiveModel {
        id: Set(existing.id),
        current_version: Set(number),
        status: Set(PhotoStatus::Processing),
        meta: Set(meta_json(probed)),
        width: Set(w),
        height: Set(h),
        updated_at: Set(now),
        version: Set(existing.version + 1),
        ..Default::default()
    };
    repo::photo::update_photo(tx, am).await?;
    let row = repo::photo::find_photo(tx, studio, PhotoId::from_uuid(existing.id))
        .await?
        .ok_or(CoreError::not_found("photo"))?;
    Ok((number, row))
}

fn meta_json(probed: &Probed) -> String {
    serde_json::to_string(&probed.meta).unwrap_or_else(|_| "{}".into())
}

/// A new photo's row, placed where `dest` says.
fn photo_row(
    p: &Principal,
    dest: Destination,
    name: &str,
    probed: &Probed,
    id: PhotoId,
    now: i64,
) -> photo::Model {
    let (gallery_id, batch_id) = match dest {
        Destination::Gallery(g) => (Some(g.uuid()), None),
        Destination::Staging(b) => (None, Some(b.uuid())),
        Destination::NewVersion { .. } => (None, None),
    };
    let (w, h) = upright(&probed.meta);
    photo::Model {
        id: id.uuid(),
        studio_id: p.studio.uuid(),
        gallery_id,
        batch_id,
        original_name: name.to_string(),
        status: PhotoStatus::Processing,
        current_version: 1,
        capture_at: capture_at(&probed.meta),
        capture_local: probed.meta.capture_local.clone(),
        capture_offset: probed.meta.capture_offset.clone(),
        meta: meta_json(probed),
        width: w,
        height: h,
        position: now,
        set_id: None,
        uploaded_by: Some(p.user.uuid()),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

/// A version's row, waiting to be rendered.
fn version_row(
    p: &Principal,
    (photo_id, id): (PhotoId, PhotoVersionId),
    number: i64,
    role: VersionRole,
    probed: &Probed,
    original_key: &Key,
    now: i64,
) -> photo_version::Model {
    photo_version::Model {
        id: id.uuid(),
        studio_id: p.studio.uuid(),
        photo_id: photo_id.uuid(),
        number,
        role,
        content_hash: probed.hash.clone(),
        size_bytes: i64::try_from(probed.size).unwrap_or(i64::MAX),
        crc32: Some(i64::from(probed.crc32)),
        format: probed.format,
        original_key: original_key.to_string(),
        thumb_key: None,
        preview_key: None,
        proof_key: None,
        medium_key: None,
        medium_proof_key: None,
        derivative_bytes: 0,
        thumb_width: 0,
        thumb_height: 0,
        preview_width: 0,
        preview_height: 0,
        medium_width: 0,
        medium_height: 0,
        render_status: RenderStatus::Pending,
        render_error: None,
        watermark_rev: 0,
        created_by: Some(p.user.uuid()),
        created_at: now,
        purged_at: None,
    }
}
