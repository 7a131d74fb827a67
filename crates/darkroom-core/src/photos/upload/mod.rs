//! Resumable uploads (the tus 1.0 protocol's state; HTTP is in the server).
//!
//! An upload's bytes go to `<uploads dir>/<id>.part`. Every few megabytes
//! (and at the end of each request) the file is fsynced and only then is the
//! received offset recorded, so after a crash the recorded offset never
//! counts bytes that were not on disk; extra bytes past it are cut off on
//! the next request. One request at a time writes an upload; a second one
//! waits, and takes over from a holder that stopped sending (a client that
//! disconnected without the server noticing).

use darkroom_domain::names::UploadStatus;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use darkroom_db::entity::upload;
use darkroom_db::repo::upload as ups;
use darkroom_domain::{BatchId, GalleryId, PhotoId, Timestamp, TypedId, UploadId};
use futures::Stream;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use tokio_util::sync::CancellationToken;

use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::photo::{self, Destination, Ingested, VersionRole};
use crate::{Core, Principal};

mod housekeeping;
pub use housekeeping::*;

mod receive;
use receive::*;

mod files;
pub use files::{FileRef, MAX_FILE_BYTES, StoredFile, keep_file, uploaded_file};

/// Bytes written between durable checkpoints of the offset.
const CHECKPOINT: u64 = 8 * 1024 * 1024;

/// What the client said about the file (tus `Upload-Metadata`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadMeta {
    pub filename: String,
    pub gallery: Option<GalleryId>,
    pub batch: Option<BatchId>,
    pub photo: Option<PhotoId>,
    pub role: Option<String>,
    /// A plain file (a client's document), kept as sent: not a photo.
    #[serde(default)]
    pub file: bool,
}

impl UploadMeta {
    pub fn destination(&self) -> CoreResult<Destination> {
        match (self.photo, self.gallery) {
            (Some(p), _) => {
                let role = VersionRole::parse(self.role.as_deref().unwrap_or("edited"))
                    .map_err(|m| CoreError::invalid("role", m))?;
                Ok(Destination::NewVersion { photo: p, role })
            }
            (None, Some(g)) => Ok(Destination::Gallery(g)),
            (None, None) => Ok(Destination::Staging(self.batch.unwrap_or_default())),
        }
    }
}

/// An upload as the protocol reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadState {
    pub id: UploadId,
    pub length: u64,
    pub received: u64,
    pub expires_at: Timestamp,
    pub status: UploadStatus,
}

fn state(m: &upload::Model) -> UploadState {
    UploadState {
        id: UploadId::from_uuid(m.id),
        length: u64::try_from(m.length).unwrap_or(0),
        received: u64::try_from(m.received).unwrap_or(0),
        expires_at: Timestamp::from_micros(m.expires_at),
        status: m.status,
    }
}

fn part_path(core: &Core, id: UploadId) -> PathBuf {
    core.settings()
        .media
        .uploads_dir
        .join(format!("{}.part", id.uuid().simple()))
}

/// One writer at a time per upload.
struct Lock {
    gate: Arc<tokio::sync::Mutex<()>>,
    cancel: std::sync::Mutex<CancellationToken>,
    last_progress: AtomicI64,
}

fn locks() -> &'static std::sync::Mutex<HashMap<uuid::Uuid, Arc<Lock>>> {
    static LOCKS: std::sync::OnceLock<std::sync::Mutex<HashMap<uuid::Uuid, Arc<Lock>>>> =
        std::sync::OnceLock::new();
    LOCKS.get_or_init(Default::default)
}

fn lock_for(id: UploadId) -> Arc<Lock> {
    let mut map = locks().lock().unwrap_or_else(|e| e.into_inner());
    if map.len() > 10_000 {
        map.retain(|_, l| Arc::strong_count(l) > 1);
    }
    map.entry(id.uuid())
        .or_insert_with(|| {
            Arc::new(Lock {
                gate: Arc::new(tokio::sync::Mutex::new(())),
                cancel: std::sync::Mutex::new(CancellationToken::new()),
                last_progress: AtomicI64::new(0),
            })
        })
        .clone()
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
    )
    .unwrap_or(0)
}

/// Checks a new upload and records it; quota and permissions are checked now.
pub async fn create(
    core: &Core,
    p: &Principal,
    length: u64,
    meta: UploadMeta,
) -> CoreResult<UploadState> {
    let max = core.settings().media.max_upload_bytes;
    if length > max {
        return Err(CoreError::TooLarge {
            code: "file_too_large",
            message: format!("the file is {length} bytes; the most accepted is {max}"),
        });
    }
    if meta.file {
        files::may_upload(core, p, length)?;
    } else {
        photo::resolve(core, core.db().conn(), p, meta.destination()?).await?;
    }
    let tx = core.db().begin().await?;
    photo::check_quota(core, &tx, p.studio, length, true).await?;
    let id = UploadId::new();
    let now = core.now();
    let m = ups::insert(
        &tx,
        upload::Model {
            id: id.uuid(),
            studio_id: p.studio.uuid(),
            user_id: p.user.uuid(),
            length: i64::try_from(length).unwrap_or(i64::MAX),
            received: 0,
            metadata: serde_json::to_string(&meta).unwrap_or_else(|_| "{}".into()),
            status: UploadStatus::Receiving,
            expires_at: now.plus(core.settings().media.upload_ttl).as_micros(),
            created_at: now.as_micros(),
            updated_at: now.as_micros(),
            photo_id: None,
            error: None,
            sha256: None,
            content_type: None,
        },
    )
    .await?;
    tokio::fs::File::create(part_path(core, id))
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    crate::commit(tx).await?;
    Ok(state(&m))
}

/// An upload of the principal's own (anyone else's answers like a missing one).
async fn load(core: &Core, p: &Principal, id: UploadId) -> CoreResult<upload::Model> {
    ups::find(core.db().conn(), p.studio, id)
        .await?
        .filter(|m| m.user_id == p.user.uuid())
        .ok_or(CoreError::not_found("upload"))
}

/// The upload's state (tus `HEAD`). Only its uploader may see it.
pub async fn head(core: &Core, p: &Principal, id: UploadId) -> CoreResult<UploadState> {
    let m = load(core, p, id).await?;
    if m.user_id != p.user.uuid() {
        return Err(CoreError::not_found("upload"));
    }
    if m.status == UploadStatus::Terminated
        || (m.status == UploadStatus::Receiving && m.expires_at < core.now().as_micros())
    {
        return Err(CoreError::gone(
            "upload_gone",
            "this upload expired or was cancelled; start it again",
        ));
    }
    if m.status == UploadStatus::Receiving && m.received >= m.length {
        return finish_stranded(core, p, id).await;
    }
    Ok(state(&m))
}

/// An upload whose every byte arrived but that nobody is finishing: its
/// last request was cut off (a paused or closed page) after the bytes were
/// recorded and before finishing began. Asking about it finishes it, so the
/// client learns the outcome instead of sending the file again. A request
/// still at work on it holds the lock; then its state is answered as is.
async fn finish_stranded(core: &Core, p: &Principal, id: UploadId) -> CoreResult<UploadState> {
    let lock = lock_for(id);
    let Ok(guard) = lock.gate.clone().try_lock_owned() else {
        return Ok(state(&load(core, p, id).await?));
    };
    // Read again under the lock: the holder may just have finished it.
    let m = load(core, p, id).await?;
    if m.status != UploadStatus::Receiving || m.received < m.length {
        return Ok(state(&m));
    }
    tracing::info!(upload = %id, "finishing an upload whose last request was cut off");
    match finish_whole(core, p, &m, guard, state(&m)).await {
        Ok(Appended::Finished(st, _) | Appended::Stored(st, _) | Appended::Partial(st)) => Ok(st),
        // The outcome (a refused file) is recorded on the upload.
        Err(_) => Ok(state(&load(core, p, id).await?)),
    }
}

/// A checksum the client sent with a chunk (tus checksum extension).
#[derive(Clone, Debug)]
pub enum Checksum {
    Sha1(Vec<u8>),
    Sha256(Vec<u8>),
    Md5(Vec<u8>),
}

enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Md5(md5::Md5),
}

impl Hasher {
    fn for_checksum(c: &Checksum) -> Self {
        match c {
            Checksum::Sha1(_) => Hasher::Sha1(sha1::Sha1::new()),
            Checksum::Sha256(_) => Hasher::Sha256(sha2::Sha256::new()),
            Checksum::Md5(_) => Hasher::Md5(md5::Md5::new()),
        }
    }
    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
            Hasher::Md5(h) => h.update(b),
        }
    }
    fn matches(self, c: &Checksum) -> bool {
        match (self, c) {
            (Hasher::Sha1(h), Checksum::Sha1(want)) => h.finalize()[..] == want[..],
            (Hasher::Sha256(h), Checksum::Sha256(want)) => h.finalize()[..] == want[..],
            (Hasher::Md5(h), Checksum::Md5(want)) => h.finalize()[..] == want[..],
            _ => false,
        }
    }
}

/// What happened to a chunk.
#[derive(Debug)]
pub enum Appended {
    /// Bytes stored; more expected.
    Partial(UploadState),
    /// The last byte arrived and the photo was ingested.
    Finished(UploadState, Box<Ingested>),
    /// The last byte arrived and the file was stored as it is.
    Stored(UploadState, Box<StoredFile>),
}

/// Why a chunk was not applied, for the protocol's status codes.
#[derive(Debug)]
pub enum AppendError {
    /// The client's offset is not where the upload is (409).
    OffsetMismatch { expected: u64 },
    /// The chunk's checksum did not match (460); nothing of it was kept.
    ChecksumMismatch,
    /// More bytes than the declared length (413).
    TooLong,
    /// Another request holds the upload and is still sending (423).
    Locked,
    /// The file was received but refused (422), or anything else.
    Core(CoreError),
}

impl From<CoreError> for AppendError {
    fn from(e: CoreError) -> Self {
        AppendError::Core(e)
    }
}

/// How long a request may send nothing before it is ended.
const IDLE: Duration = Duration::from_secs(60);

/// Appends the body of a tus `PATCH` at `offset`.
pub async fn append<S, E>(
    core: &Core,
    p: &Principal,
    id: UploadId,
    offset: u64,
    body: S,
    checksum: Option<Checksum>,
) -> Result<Appended, AppendError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let lock = lock_for(id);
    let (guard, cancel) = take_turn(&lock).await?;
    // Read once, under the lock: the previous holder may have moved the offset.
    let m = load(core, p, id).await?;
    let received = check_open(core, &m, offset)?;
    let length = u64::try_from(m.length).unwrap_or(0);
    let mut file = open_part(core, id, received).await?;
    let mut r = Receiving {
        core,
        m: &m,
        lock: &lock,
        length,
        written: received,
        hasher: checksum.as_ref().map(Hasher::for_checksum),
    };
    let failure = r.receive(&mut file, body, &cancel).await?;
    let (written, hasher) = (r.written, r.hasher);
    let verified = match (hasher, &checksum) {
        (Some(h), Some(c)) => h.matches(c),
        _ => true,
    };
    let keep = if failure.is_some() && checksum.is_some() || !verified {
        received
    } else {
        written
    };
    if keep != written {
        file.set_len(keep).await.map_err(io)?;
    }
    file.sync_data().await.map_err(io)?;
    drop(file);
    let expires_at = checkpoint(core, &m, keep).await?;
    if !verified {
        return Err(AppendError::ChecksumMismatch);
    }
    if let Some(f) = failure {
        return Err(f);
    }
    let st = UploadState {
        received: keep,
        expires_at,
        ..state(&m)
    };
    if keep < length {
        drop(guard);
        return Ok(Appended::Partial(st));
    }
    finish_whole(core, p, &m, guard, st).await
}

fn io(e: std::io::Error) -> AppendError {
    AppendError::Core(photo::store_error(e.into()))
}

/// Waits for this request's turn at the upload. One request writes to an
/// upload at a time; a holder that has received nothing for 2 s is a stale
/// request (its client went away and came back on a new connection): it is
/// asked to stop, keeping what it received.
async fn take_turn(
    lock: &Lock,
) -> Result<(tokio::sync::OwnedMutexGuard<()>, CancellationToken), AppendError> {
    let started = std::time::Instant::now();
    let guard = loop {
        if let Ok(g) = lock.gate.clone().try_lock_owned() {
            break g;
        }
        if now_ms() - lock.last_progress.load(Ordering::SeqCst) > 2000
            && let Ok(c) = lock.cancel.lock()
        {
            c.cancel();
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err(AppendError::Locked);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let cancel = CancellationToken::new();
    if let Ok(mut c) = lock.cancel.lock() {
        *c = cancel.clone();
    }
    lock.last_progress.store(now_ms(), Ordering::SeqCst);
    Ok((guard, cancel))
}

/// The upload still takes data at `offset`: the bytes it has received.
fn check_open(core: &Core, m: &upload::Model, offset: u64) -> Result<u64, AppendError> {
    if m.status == UploadStatus::Terminated {
        return Err(CoreError::gone(
            "upload_gone",
            "this upload expired or was cancelled; start it again",
        )
        .into());
    }
    if m.status != UploadStatus::Receiving {
        return Err(CoreError::conflict(
            "upload_finished",
            format!("this upload is {} and takes no more data", m.status),
        )
        .into());
    }
    if m.expires_at < core.now().as_micros() {
        return Err(CoreError::gone("upload_gone", "this upload expired; start it again").into());
    }
    let received = u64::try_from(m.received).unwrap_or(0);
    if offset != received {
        return Err(AppendError::OffsetMismatch { expected: received });
    }
    Ok(received)
}

/// Ingests a whole upload. Finishing runs to its end even if the client goes
/// away meanwhile (a paused browser aborts its last request): every byte is
/// here, and an ingest cut off halfway would leave the upload stuck. The
/// upload stays locked (`guard`) until it is done.
async fn finish_whole(
    core: &Core,
    p: &Principal,
    m: &upload::Model,
    guard: tokio::sync::OwnedMutexGuard<()>,
    st: UploadState,
) -> Result<Appended, AppendError> {
    let (core2, p2, m2) = (core.clone(), p.clone(), m.clone());
    let task = tokio::spawn(async move {
        let r = finish(&core2, &p2, &m2).await;
        drop(guard);
        r
    });
    let outcome = task.await.unwrap_or_else(|e| {
        Err(CoreError::Internal(anyhow::anyhow!(
            "finishing the upload stopped: {e}"
        )))
    });
    let st = UploadState {
        status: UploadStatus::Finished,
        ..st
    };
    match outcome {
        Ok(Done::Photo(i)) => Ok(Appended::Finished(st, i)),
        Ok(Done::File(f)) => Ok(Appended::Stored(st, Box::new(f))),
        Err(e) => Err(AppendError::Core(e)),
    }
}

/// What a finished upload became.
enum Done {
    Photo(Box<Ingested>),
    File(StoredFile),
}

/// Ingests a fully received upload (or stores it, a plain file) and
/// records the outcome.
async fn finish(core: &Core, p: &Principal, m: &upload::Model) -> CoreResult<Done> {
    let meta: UploadMeta = serde_json::from_str(&m.metadata).unwrap_or_default();
    let id = UploadId::from_uuid(m.id);
    if meta.file {
        return files::store(core, p, m, &meta.filename, &part_path(core, id))
            .await
            .map(Done::File);
    }
    let dest = meta.destination()?;
    let result = photo::ingest_file(core, p, dest, &meta.filename, &part_path(core, id)).await;
    let now = core.now().as_micros();
    match &result {
        Ok(i) => {
            ups::finish(
                core.db().conn(),
                UploadId::from_uuid(m.id),
                UploadStatus::Finished,
                Some(i.photo().id.uuid()),
                None,
                now,
            )
            .await?
        }
        Err(e) => {
            ups::finish(
                core.db().conn(),
                UploadId::from_uuid(m.id),
                UploadStatus::Failed,
                None,
                Some(&e.to_string()),
                now,
            )
            .await?
        }
    }
    result.map(|i| Done::Photo(Box::new(i)))
}

/// The result of a finished upload (for a client that lost the response).
pub async fn outcome(
    core: &Core,
    p: &Principal,
    id: UploadId,
) -> CoreResult<(UploadStatus, Option<PhotoId>, Option<String>)> {
    let m = load(core, p, id).await?;
    Ok((m.status, m.photo_id.map(PhotoId::from_uuid), m.error))
}

/// Cancels an upload (tus termination) and deletes its bytes.
pub async fn terminate(core: &Core, p: &Principal, id: UploadId) -> CoreResult<()> {
    let m = load(core, p, id).await?;
    if m.status == UploadStatus::Terminated {
        return Err(CoreError::gone(
            "upload_gone",
            "this upload expired or was cancelled already",
        ));
    }
    let lock = lock_for(id);
    if let Ok(c) = lock.cancel.lock() {
        c.cancel();
    }
    let _guard = lock.gate.lock().await;
    if m.status == UploadStatus::Receiving {
        ups::finish(
            core.db().conn(),
            UploadId::from_uuid(m.id),
            UploadStatus::Terminated,
            None,
            None,
            core.now().as_micros(),
        )
        .await?;
    }
    let _ = tokio::fs::remove_file(part_path(core, id)).await;
    Ok(())
}
