//! Receiving one request's bytes into an upload's part file: where it resumes, the checkpoints that make bytes durable, and the receive loop.

use crate::Core;
use crate::kernel::error::CoreError;
use bytes::Bytes;
use darkroom_db::entity::upload;
use darkroom_db::repo::upload as ups;
use darkroom_domain::{Timestamp, TypedId, UploadId};
use futures::{Stream, StreamExt};
use std::sync::atomic::Ordering;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::*;

/// The part file, positioned at `received`; bytes past the recorded offset
/// were never acknowledged and are dropped.
pub(super) async fn open_part(
    core: &Core,
    id: UploadId,
    received: u64,
) -> Result<tokio::fs::File, AppendError> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(part_path(core, id))
        .await
        .map_err(io)?;
    file.set_len(received).await.map_err(io)?;
    file.seek(std::io::SeekFrom::Start(received))
        .await
        .map_err(io)?;
    Ok(file)
}

/// Records `received` bytes as durable and pushes the upload's expiry on;
/// the new expiry.
pub(super) async fn checkpoint(
    core: &Core,
    m: &upload::Model,
    received: u64,
) -> Result<Timestamp, AppendError> {
    let now = core.now();
    let expires_at = now.plus(core.settings().media.upload_ttl);
    ups::set_received(
        core.db().conn(),
        UploadId::from_uuid(m.id),
        i64::try_from(received).unwrap_or(i64::MAX),
        now.as_micros(),
        expires_at.as_micros(),
    )
    .await
    .map_err(CoreError::from)?;
    Ok(expires_at)
}

/// One request's bytes on their way into the part file.
pub(super) struct Receiving<'a> {
    pub(super) core: &'a Core,
    pub(super) m: &'a upload::Model,
    pub(super) lock: &'a Lock,
    pub(super) length: u64,
    pub(super) written: u64,
    pub(super) hasher: Option<Hasher>,
}

impl Receiving<'_> {
    /// Writes the body until it ends, stops, is cancelled or goes idle; what
    /// arrived is kept. A body past the upload's length, or a failed write,
    /// is the returned failure.
    pub(super) async fn receive<S, E>(
        &mut self,
        file: &mut tokio::fs::File,
        mut body: S,
        cancel: &CancellationToken,
    ) -> Result<Option<AppendError>, AppendError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let id = self.m.id;
        let mut since_checkpoint = 0u64;
        loop {
            let next = tokio::select! {
                n = body.next() => n,
                _ = cancel.cancelled() => return Ok(None),
                // A client that stops sending keeps what arrived and resumes later.
                _ = tokio::time::sleep(IDLE) => {
                    tracing::debug!(upload = %id, "no data for {IDLE:?}; keeping what arrived");
                    return Ok(None);
                }
            };
            let chunk = match next {
                None => return Ok(None),
                Some(Ok(c)) => c,
                // The client went away mid-request: keep what arrived.
                Some(Err(e)) => {
                    tracing::debug!(upload = %id, error = %e, "request body ended early");
                    return Ok(None);
                }
            };
            if self.written + chunk.len() as u64 > self.length {
                return Ok(Some(AppendError::TooLong));
            }
            if let Err(e) = file.write_all(&chunk).await {
                return Ok(Some(io(e)));
            }
            if let Some(h) = self.hasher.as_mut() {
                h.update(&chunk);
            }
            self.written += chunk.len() as u64;
            since_checkpoint += chunk.len() as u64;
            self.lock.last_progress.store(now_ms(), Ordering::SeqCst);
            // With a checksum, nothing counts until the whole chunk is verified.
            if self.hasher.is_none() && since_checkpoint >= CHECKPOINT {
                file.sync_data().await.map_err(io)?;
                checkpoint(self.core, self.m, self.written).await?;
                since_checkpoint = 0;
            }
        }
    }
}
