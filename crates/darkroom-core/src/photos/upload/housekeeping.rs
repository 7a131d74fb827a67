//! Uploads' housekeeping: recovering after a restart, expiring abandoned uploads, and sweeping orphaned part files.

use crate::Core;
use crate::kernel::error::CoreResult;
use crate::photos::photo::{self};
use darkroom_db::repo::{self, upload as ups};
use darkroom_domain::names::UploadStatus;
use darkroom_domain::{StudioId, TypedId, UploadId, UserId};

use super::*;

/// At start-up: cut partial files back to their recorded offsets, finish
/// uploads whose last byte arrived just before a crash, and drop expired ones.
pub async fn recover(core: &Core) -> CoreResult<(usize, usize)> {
    let mut finished = 0;
    let mut expired = 0;
    let now = core.now().as_micros();
    for m in ups::receiving(core.db().conn()).await? {
        let id = UploadId::from_uuid(m.id);
        let path = part_path(core, id);
        if m.expires_at < now {
            let _ = tokio::fs::remove_file(&path).await;
            ups::finish(
                core.db().conn(),
                UploadId::from_uuid(m.id),
                UploadStatus::Terminated,
                None,
                Some("expired"),
                now,
            )
            .await?;
            expired += 1;
            continue;
        }
        let on_disk = tokio::fs::metadata(&path)
            .await
            .map(|md| md.len())
            .unwrap_or(0);
        let recorded = u64::try_from(m.received).unwrap_or(0);
        if on_disk > recorded {
            if let Ok(f) = tokio::fs::OpenOptions::new().write(true).open(&path).await {
                let _ = f.set_len(recorded).await;
            }
        } else if on_disk < recorded {
            ups::set_received(
                core.db().conn(),
                UploadId::from_uuid(m.id),
                i64::try_from(on_disk).unwrap_or(0),
                now,
                m.expires_at,
            )
            .await?;
        }
        if recorded == u64::try_from(m.length).unwrap_or(u64::MAX)
            && on_disk >= recorded
            && let Some(p) = photo::principal_of(
                core,
                StudioId::from_uuid(m.studio_id),
                UserId::from_uuid(m.user_id),
            )
            .await?
        {
            let _ = finish(core, &p, &m).await;
            finished += 1;
        }
    }
    Ok((finished, expired))
}

/// Maintenance: forget expired uploads and their bytes.
/// The chore form of [`expire`].
pub(crate) fn expire_chore(
    core: Core,
) -> crate::kernel::registry::BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move { expire(&core).await.map(|_| ()) })
}

pub async fn expire(core: &Core) -> CoreResult<usize> {
    let now = core.now().as_micros();
    let rows = ups::expired(core.db().conn(), now).await?;
    for m in &rows {
        let _ = tokio::fs::remove_file(part_path(core, UploadId::from_uuid(m.id))).await;
        ups::finish(
            core.db().conn(),
            UploadId::from_uuid(m.id),
            UploadStatus::Terminated,
            None,
            Some("expired"),
            now,
        )
        .await?;
    }
    Ok(rows.len())
}

/// Partial files with no upload still receiving (left by a crash): removed.
pub async fn sweep_orphans(core: &Core) -> CoreResult<usize> {
    let dir = core.settings().media.uploads_dir.clone();
    let mut removed = 0;
    let Ok(mut rd) = tokio::fs::read_dir(&dir).await else {
        return Ok(0);
    };
    while let Ok(Some(e)) = rd.next_entry().await {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".part") else {
            continue;
        };
        let Ok(uuid) = uuid::Uuid::parse_str(stem) else {
            continue;
        };
        let live = repo::upload::find_any(core.db().conn(), UploadId::from_uuid(uuid))
            .await?
            .is_some_and(|u| u.status == UploadStatus::Receiving);
        if !live {
            let _ = tokio::fs::remove_file(e.path()).await;
            removed += 1;
        }
    }
    Ok(removed)
}
