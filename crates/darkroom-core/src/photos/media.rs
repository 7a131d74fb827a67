//! Serving photo bytes to staff, checking the media store against the
//! database (the reconciler), and moving a studio's media between stores.

use darkroom_db::entity::photo_version;
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::names::RenderStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::{GalleryId, PhotoId, PhotoVersionId, StudioId, TypedId};
use darkroom_media::{ByteStream, Key, SharedStore};
use futures::TryStreamExt;
use sha2::Digest;

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::jobs;
use crate::photos::render::RenderVersion;
use crate::{Core, Principal};

/// Which picture of a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendition {
    /// ~400 px.
    Thumb,
    /// ~800 px, clean: grid tiles on dense screens.
    Medium,
    /// ~800 px from the proof (watermarked when the studio has a watermark).
    MediumProof,
    Preview,
    Proof,
    Original,
}

impl Rendition {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "thumb" => Some(Self::Thumb),
            "medium" => Some(Self::Medium),
            "medium-proof" => Some(Self::MediumProof),
            "preview" => Some(Self::Preview),
            "proof" => Some(Self::Proof),
            "original" => Some(Self::Original),
            _ => None,
        }
    }
}

/// Bytes to send, with what the response needs.
pub struct MediaObject {
    pub stream: ByteStream,
    pub size: u64,
    pub content_type: String,
    /// Changes whenever the bytes do.
    pub etag: String,
    /// For originals: the name to save as.
    pub download_name: Option<String>,
    /// The same bytes as `stream`, when they are already in memory.
    pub whole: Option<bytes::Bytes>,
}

/// Opens a rendition of a photo's current version (or version `number`), if
/// the principal may see the photo's gallery.
pub async fn open(
    core: &Core,
    p: &Principal,
    photo: PhotoId,
    rendition: Rendition,
    number: Option<i64>,
) -> CoreResult<MediaObject> {
    let ph = repo::photo::find_photo(core.db().conn(), p.studio, photo)
        .await?
        .ok_or(CoreError::not_found("photo"))?;
    let g = match ph.gallery_id {
        Some(g) => {
            repo::gallery::find(core.db().conn(), p.studio, GalleryId::from_uuid(g), true).await?
        }
        None => None,
    };
    crate::photos::photo::authorize_on(core, p, Permission::GalleryView, g.as_ref())?;
    open_for(core, p.studio, &ph, rendition, number).await
}

/// Opens a rendition of a photo already authorized by the caller (staff
/// through [`open`], clients through their link).
pub(crate) async fn open_for(
    core: &Core,
    studio: StudioId,
    ph: &darkroom_db::entity::photo::Model,
    rendition: Rendition,
    number: Option<i64>,
) -> CoreResult<MediaObject> {
    let versions =
        repo::photo::versions_of(core.db().conn(), studio, PhotoId::from_uuid(ph.id)).await?;
    let n = number.unwrap_or(ph.current_version);
    let v = versions
        .iter()
        .find(|v| v.number == n)
        .ok_or(CoreError::not_found("photo version"))?;
    if v.purged_at.is_some() {
        return Err(CoreError::not_found("photo version"));
    }
    let (key, content_type, etag, download_name) = locate(ph, v, rendition)?;
    let store = core.store_of(studio).await?;
    let key = Key::new(key).map_err(|e| CoreError::Internal(e.into()))?;
    let (size, stream) = store.get(&key).await.map_err(|e| match e {
        darkroom_media::StoreError::NotFound(_) => CoreError::not_found("picture"),
        other => CoreError::Unavailable(other.to_string()),
    })?;
    Ok(MediaObject {
        stream,
        size,
        content_type,
        etag,
        download_name,
        whole: None,
    })
}

/// Where a rendition of a version is stored, its media type, its ETag and
/// (for originals) the name to save it as.
pub(crate) fn locate(
    ph: &darkroom_db::entity::photo::Model,
    v: &darkroom_db::entity::photo_version::Model,
    rendition: Rendition,
) -> CoreResult<(String, String, String, Option<String>)> {
    let (key, content_type) = match rendition {
        Rendition::Thumb => (v.thumb_key.clone(), "image/jpeg".to_string()),
        // Versions rendered before mediums existed: the thumbnail until
        // the worker renders them again.
        Rendition::Medium => (
            v.medium_key.clone().or_else(|| v.thumb_key.clone()),
            "image/jpeg".to_string(),
        ),
        // Without a watermark the proof is the clean picture.
        Rendition::MediumProof => (
            v.medium_proof_key
                .clone()
                .or_else(|| v.medium_key.clone())
                .or_else(|| v.thumb_key.clone()),
            "image/jpeg".to_string(),
        ),
        Rendition::Preview => (v.preview_key.clone(), "image/jpeg".to_string()),
        Rendition::Proof => (v.proof_key.clone(), "image/jpeg".to_string()),
        Rendition::Original => (
            Some(v.original_key.clone()),
            v.format.media_type().to_string(),
        ),
    };
    let key = key.ok_or_else(|| {
        CoreError::Unavailable("this picture is still being rendered; try again in a moment".into())
    })?;
    let etag = format!(
        "\"{}-{}-{}\"",
        &v.content_hash[..16.min(v.content_hash.len())],
        v.watermark_rev,
        match rendition {
            Rendition::Thumb => "t",
            Rendition::Medium if v.medium_key.is_some() => "m",
            Rendition::MediumProof if v.medium_proof_key.is_some() => "mw",
            Rendition::MediumProof if v.medium_key.is_some() => "m",
            Rendition::Medium | Rendition::MediumProof => "t",
            Rendition::Preview => "p",
            Rendition::Proof => "w",
            Rendition::Original => "o",
        }
    );
    let download_name = (rendition == Rendition::Original).then(|| ph.original_name.clone());
    Ok((key, content_type, etag, download_name))
}

/// What `darkroom media check` found (and, with repair, fixed).
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub versions_checked: u64,
    pub objects_checked: u64,
    /// Rows whose original file is missing (the photo is marked failed).
    pub missing_originals: Vec<String>,
    /// Rows with missing derivatives (queued for rendering again).
    pub missing_derivatives: u64,
    /// Files no row points at (deleted when older than the grace period).
    pub orphans: Vec<String>,
    pub orphans_deleted: u64,
    pub stale_uploads_removed: usize,
}

/// Whether an unreferenced file is older than `grace` (it may otherwise
/// belong to an ingest still writing its row).
fn uuid_age_ok(key: &str, now_ms: u64, grace: std::time::Duration) -> bool {
    // Keys end in `<version uuid>/<name>`; a UUIDv7 carries its creation time.
    let Some(seg) = key.rsplit('/').nth(1) else {
        return true;
    };
    let Ok(u) = uuid::Uuid::parse_str(seg) else {
        return true;
    };
    let Some(ts) = u.get_timestamp() else {
        return true;
    };
    let (secs, nanos) = ts.to_unix();
    let made_ms = secs * 1000 + u64::from(nanos / 1_000_000);
    u128::from(now_ms.saturating_sub(made_ms)) >= grace.as_millis()
}

/// Compares every store with the database. With `repair`, marks photos whose
/// original is gone, queues renders for missing derivatives and deletes
/// unreferenced files past the grace period.
pub async fn check(
    core: &Core,
    repair: bool,
    mut progress: impl FnMut(u64),
) -> CoreResult<CheckReport> {
    let mut report = CheckReport::default();
    let db = core.db().conn();
    let mut referenced = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let batch = repo::photo::all_versions(db, after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for v in &batch {
            report.versions_checked += 1;
            progress(report.versions_checked);
            if v.purged_at.is_some() {
                continue;
            }
            referenced.insert(v.original_key.clone());
            referenced.extend(v.rendition_keys().cloned());
            check_version(core, v, repair, &mut report).await?;
        }
    }
    check_orphans(core, &referenced, repair, &mut report).await?;
    if repair {
        report.stale_uploads_removed = crate::photos::upload::sweep_orphans(core).await?;
        core.wake_workers();
    }
    Ok(report)
}

/// Whether the store holds `key`.
async fn exists(store: &SharedStore, key: &str) -> CoreResult<bool> {
    let key = Key::new(key.to_string()).map_err(|e| CoreError::Internal(e.into()))?;
    Ok(store
        .head(&key)
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?
        .is_some())
}

/// One version's files: a missing original marks the version (repair), a
/// missing rendition renders it again (repair).
async fn check_version(
    core: &Core,
    v: &photo_version::Model,
    repair: bool,
    report: &mut CheckReport,
) -> CoreResult<()> {
    let db = core.db().conn();
    let studio = repo::studio::find(db, StudioId::from_uuid(v.studio_id)).await?;
    let store = core.store_named(studio.as_ref().and_then(|s| s.media_store.as_deref()))?;
    if !exists(&store, &v.original_key).await? {
        report.missing_originals.push(v.original_key.clone());
        if repair && v.render_status != RenderStatus::Missing {
            let am = photo_version::ActiveModel {
                id: Set(v.id),
                render_status: Set(RenderStatus::Missing),
                render_error: Set(Some(
                    "the original file is missing from the media store".into(),
                )),
                ..Default::default()
            };
            repo::photo::update_version(db, am).await?;
        }
        return Ok(());
    }
    if v.render_status != RenderStatus::Ready {
        return Ok(());
    }
    let mut missing = false;
    for k in v.rendition_keys() {
        missing |= !exists(&store, k).await?;
    }
    if missing {
        report.missing_derivatives += 1;
        if repair {
            let tx = core.db().begin().await?;
            let job = RenderVersion {
                version: PhotoVersionId::from_uuid(v.id),
            };
            jobs::enqueue(
                core,
                &tx,
                Some(StudioId::from_uuid(v.studio_id)),
                &job,
                None,
            )
            .await?;
            crate::commit(tx).await?;
        }
    }
    Ok(())
}

/// Files in the stores that no version refers to; deleted (repair) once
/// past the grace period and still unreferenced.
async fn check_orphans(
    core: &Core,
    referenced: &std::collections::HashSet<String>,
    repair: bool,
    report: &mut CheckReport,
) -> CoreResult<()> {
    let db = core.db().conn();
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
    )
    .unwrap_or(0);
    for store in core.stores().stores.values() {
        for (k, _) in store
            .list("s/")
            .await
            .map_err(|e| CoreError::Unavailable(e.to_string()))?
        {
            report.objects_checked += 1;
            // Plain files (`s/{studio}/f/...`) are clients' documents,
            // referenced from the CRM's table, not from photo versions.
            if referenced.contains(&k)
                || k.ends_with("/watermark.png")
                || k.split('/').nth(2) == Some("f")
            {
                continue;
            }
            report.orphans.push(k.clone());
            // Asked again just before deleting: a row may have been written
            // since the listing (the grace period covers the rest).
            if repair
                && uuid_age_ok(&k, now_ms, core.settings().media.orphan_grace)
                && !repo::photo::key_in_use(db, &k).await?
                && let Ok(key) = Key::new(k)
            {
                store
                    .delete(&key)
                    .await
                    .map_err(|e| CoreError::Unavailable(e.to_string()))?;
                report.orphans_deleted += 1;
            }
        }
    }
    Ok(())
}

/// What a migration moved.
#[derive(Clone, Debug, Default)]
pub struct MigrateReport {
    pub objects: u64,
    pub bytes: u64,
    pub originals_verified: u64,
}

async fn copy_object(
    from: &SharedStore,
    to: &SharedStore,
    key: &Key,
    tmp_dir: &std::path::Path,
) -> CoreResult<(u64, String)> {
    let (_, mut stream) = from
        .get(key)
        .await
        .map_err(|e| CoreError::Unavailable(format!("{key}: {e}")))?;
    let tmp = tmp_dir.join(format!("{}.copy", uuid::Uuid::now_v7().simple()));
    let mut f = tokio::fs::File::create(&tmp)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    let mut hasher = sha2::Sha256::new();
    let mut n = 0u64;
    use tokio::io::AsyncWriteExt;
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?
    {
        hasher.update(&chunk);
        n += chunk.len() as u64;
        f.write_all(&chunk)
            .await
            .map_err(|e| CoreError::Internal(e.into()))?;
    }
    f.sync_all()
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    drop(f);
    to.put_file(key, &tmp, true)
        .await
        .map_err(crate::photos::photo::store_error)?;
    let _ = tokio::fs::remove_file(&tmp).await;
    Ok((n, hex::encode(hasher.finalize())))
}

async fn hash_in(store: &SharedStore, key: &Key) -> CoreResult<String> {
    let (_, mut s) = store
        .get(key)
        .await
        .map_err(|e| CoreError::Unavailable(format!("{key}: {e}")))?;
    let mut h = sha2::Sha256::new();
    while let Some(c) = s
        .try_next()
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?
    {
        h.update(&c);
    }
    Ok(hex::encode(h.finalize()))
}

/// Moves a studio's media to the store named `to`: copies every file,
/// re-reads every original from the new store and checks its SHA-256, then
/// switches the studio over, and only then deletes the old copies.
pub async fn migrate_studio(
    core: &Core,
    studio: StudioId,
    to: &str,
    mut progress: impl FnMut(u64, u64),
) -> CoreResult<MigrateReport> {
    let s = repo::studio::find(core.db().conn(), studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    let from_name = s
        .media_store
        .clone()
        .unwrap_or_else(|| core.stores().default.clone());
    if from_name == to {
        return Err(CoreError::conflict(
            "same_store",
            format!("the studio's media is already in `{to}`"),
        ));
    }
    let from = core.store_named(Some(&from_name))?;
    let target = core.store_named(Some(to))?;
    let prefix = format!("s/{}/", studio.uuid().simple());
    let objects = from
        .list(&prefix)
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let total = objects.len() as u64;
    let tmp_dir = core.settings().media.uploads_dir.clone();
    let mut report = MigrateReport::default();
    for (k, _) in &objects {
        let key = Key::new(k.clone()).map_err(|e| CoreError::Internal(e.into()))?;
        let (n, _) = copy_object(&from, &target, &key, &tmp_dir).await?;
        report.objects += 1;
        report.bytes += n;
        progress(report.objects, total);
    }
    // Every original must read back from the new store with its recorded hash.
    let mut after = None;
    loop {
        let batch = repo::photo::versions_of_studio(core.db().conn(), studio, after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for v in batch.iter().filter(|v| v.purged_at.is_none()) {
            let key =
                Key::new(v.original_key.clone()).map_err(|e| CoreError::Internal(e.into()))?;
            let got = hash_in(&target, &key).await?;
            if got != v.content_hash {
                return Err(CoreError::conflict(
                    "hash_mismatch",
                    format!(
                        "{} reads back from `{to}` with SHA-256 {got}, not {}; nothing was switched or deleted",
                        v.original_key, v.content_hash
                    ),
                ));
            }
            report.originals_verified += 1;
        }
    }
    let tx = core.db().begin().await?;
    let am = darkroom_db::entity::studio::ActiveModel {
        id: Set(s.id),
        media_store: Set(Some(to.to_string())),
        ..Default::default()
    };
    use darkroom_db::sea_orm::ActiveModelTrait;
    am.update(&tx).await.map_err(darkroom_db::DbError::from)?;
    crate::commit(tx).await?;
    for (k, _) in &objects {
        if let Ok(key) = Key::new(k.clone()) {
            let _ = from.delete(&key).await;
        }
    }
    Ok(report)
}
