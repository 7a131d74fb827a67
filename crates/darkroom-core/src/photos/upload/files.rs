//! Plain files through the resumable upload path: a client's documents
//! (insurance certificates, W-9s, contracts) arrive like photos, by tus,
//! and are kept as sent: their type is read from their bytes (HTML,
//! scripts and programs are refused), their SHA-256 is recorded, and they
//! go to the studio's media store under `s/{studio}/f/{upload}`, where a
//! document then refers to them. An upload serves one document.

use darkroom_db::entity::upload;
use darkroom_db::repo::upload as ups;
use darkroom_domain::names::UploadStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::{StudioId, TypedId, UploadId};
use darkroom_media::Key;
use serde::Serialize;
use sha2::Digest;
use tokio::io::AsyncReadExt;

use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::photo;
use crate::{Core, Principal};

/// The largest plain file taken (documents are scans and PDFs).
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// A stored file, as the upload's answer reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    pub upload_id: UploadId,
    pub content_type: String,
    pub sha256: String,
}

/// A finished file upload, for the document that takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub upload_id: UploadId,
    pub key: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
}

/// Where an upload's file is kept.
pub fn file_key(studio: StudioId, upload: UploadId) -> CoreResult<Key> {
    Key::new(format!(
        "s/{}/f/{}",
        studio.uuid().simple(),
        upload.uuid().simple()
    ))
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("{e}")))
}

/// Whether `p` may send a plain file of `length` bytes: files are for
/// clients' documents, so it takes managing clients (`gallery.manage`).
pub(super) fn may_upload(core: &Core, p: &Principal, length: u64) -> CoreResult<()> {
    if !core
        .permissions_anywhere(p)
        .contains(&Permission::GalleryManage)
    {
        return Err(CoreError::forbidden(
            "sending a document takes the `gallery.manage` permission; ask the studio owner if you need it",
        ));
    }
    if length > MAX_FILE_BYTES {
        return Err(CoreError::TooLarge {
            code: "file_too_large",
            message: format!(
                "the file is {length} bytes; a document may be at most {MAX_FILE_BYTES} bytes (100 MB)"
            ),
        });
    }
    Ok(())
}

/// Stores a fully received plain file and records the outcome on its
/// upload. A refused file is recorded as failed, with the reason.
pub(super) async fn store(
    core: &Core,
    p: &Principal,
    m: &upload::Model,
    name: &str,
    path: &std::path::Path,
) -> CoreResult<StoredFile> {
    let id = UploadId::from_uuid(m.id);
    let now = core.now().as_micros();
    let result = store_inner(core, p.studio, id, name, path).await;
    let _ = tokio::fs::remove_file(path).await;
    match &result {
        Ok(f) => ups::finish_file(core.db().conn(), id, &f.sha256, &f.content_type, now).await?,
        Err(e) => {
            ups::finish(
                core.db().conn(),
                id,
                UploadStatus::Failed,
                None,
                Some(&e.to_string()),
                now,
            )
            .await?
        }
    }
    result
}

async fn store_inner(
    core: &Core,
    studio: StudioId,
    id: UploadId,
    name: &str,
    path: &std::path::Path,
) -> CoreResult<StoredFile> {
    let (head, sha256) = read_and_hash(path).await?;
    let content_type =
        darkroom_domain::document::sniff(&head, name).map_err(|m| CoreError::invalid("file", m))?;
    let store = core.store_of(studio).await?;
    store
        .put_file(&file_key(studio, id)?, path, true)
        .await
        .map_err(photo::store_error)?;
    Ok(StoredFile {
        upload_id: id,
        content_type: content_type.to_string(),
        sha256,
    })
}

/// The file's first bytes (for its type) and its SHA-256, in hex.
async fn read_and_hash(path: &std::path::Path) -> CoreResult<(Vec<u8>, String)> {
    let io = |e: std::io::Error| CoreError::Internal(e.into());
    let mut f = tokio::fs::File::open(path).await.map_err(io)?;
    let mut hasher = sha2::Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).await.map_err(io)?;
        if n == 0 {
            break;
        }
        if head.len() < 16 {
            head.extend_from_slice(&buf[..n.min(16 - head.len())]);
        }
        hasher.update(&buf[..n]);
    }
    if head.is_empty() {
        return Err(CoreError::invalid(
            "file",
            "the file is empty; choose the document's file again",
        ));
    }
    Ok((head, hex::encode(hasher.finalize())))
}

/// The finished file upload `id` of `p`, for a document to take. Someone
/// else's upload answers like one that does not exist (`field` names it).
pub async fn uploaded_file(
    core: &Core,
    p: &Principal,
    field: &str,
    id: UploadId,
) -> CoreResult<FileRef> {
    let m = ups::find(core.db().conn(), p.studio, id)
        .await?
        .filter(|m| m.user_id == p.user.uuid())
        .ok_or_else(|| CoreError::missing(field, "upload", id))?;
    let meta: super::UploadMeta = serde_json::from_str(&m.metadata).unwrap_or_default();
    let (Some(sha256), Some(content_type), UploadStatus::Finished, true) =
        (m.sha256, m.content_type, m.status, meta.file)
    else {
        return Err(CoreError::conflict(
            "upload_not_a_file",
            format!(
                "upload `{id}` is not a finished document file; send the file with the upload metadata `file` set to `1` and wait until every byte has arrived"
            ),
        ));
    };
    Ok(FileRef {
        upload_id: id,
        key: file_key(p.studio, id)?.as_str().to_string(),
        name: meta.filename,
        size: m.length,
        sha256,
        content_type,
    })
}

/// Keeps a file already on this machine (a page's form upload) the way a
/// resumable upload keeps one: an upload is recorded for it, the file is
/// checked and stored, and its reference returned. The file is consumed.
pub async fn keep_file(
    core: &Core,
    p: &Principal,
    name: &str,
    path: &std::path::Path,
) -> CoreResult<FileRef> {
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?
        .len();
    let meta = super::UploadMeta {
        filename: name.to_string(),
        file: true,
        ..Default::default()
    };
    let st = super::create(core, p, size, meta).await?;
    let part = super::part_path(core, st.id);
    tokio::fs::rename(path, &part)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    let m = ups::find(core.db().conn(), p.studio, st.id)
        .await?
        .ok_or(CoreError::not_found("upload"))?;
    ups::set_received(
        core.db().conn(),
        st.id,
        i64::try_from(size).unwrap_or(i64::MAX),
        core.now().as_micros(),
        m.expires_at,
    )
    .await?;
    store(core, p, &m, name, &part).await?;
    uploaded_file(core, p, "file", st.id).await
}
