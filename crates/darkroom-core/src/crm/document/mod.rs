//! A client's documents (seed 000's organisation documents, decision
//! 0030): insurance certificates, W-9s, contracts, terms, branding,
//! releases. A document is a file that came through the resumable upload
//! path (its type read from its bytes, its SHA-256 kept), or a request for
//! one still missing. Each has a last valid day, a required flag (the
//! client must keep one on file) and a client-visible flag (it shows on
//! the client's portal). Where it stands (missing, expired, expiring, on
//! file) is computed from its file and today's day where the client is;
//! reminders go out before it runs out ([`remind`]).

pub mod remind;

use darkroom_db::entity::{client, client_document};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::document::{DocumentKind, DocumentState};
use darkroom_domain::field::{DayOrBlank, DocumentKindName, Line, Text};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ClientId, DocumentId, Timestamp, TypedId, UploadId};
use serde::{Deserialize, Serialize};

use super::client::{authorize_for, record_about};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::photos::interface::{FileRef, uploaded_file};
use crate::{Core, Meta, Principal};

/// The largest file a document may hold (100 MB).
pub const MAX_FILE_BYTES: u64 = crate::photos::interface::MAX_FILE_BYTES;

/// The file a document holds.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentFile {
    /// The name it was sent with.
    pub name: String,
    /// Read from the bytes (`application/pdf`, `image/jpeg`...).
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, hex: proof of which file this is.
    pub sha256: String,
    pub uploaded_at: Timestamp,
}

/// A client's document.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: DocumentId,
    pub client_id: ClientId,
    pub kind: DocumentKind,
    pub title: String,
    pub description: Option<String>,
    /// The client must keep one on file.
    pub required: bool,
    /// Shown (and downloadable) on the client's portal.
    pub client_visible: bool,
    /// The last day it is valid, `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    /// Missing, expired, expiring (within 30 days) or on file, today
    /// where the client is.
    pub state: DocumentState,
    /// None while it is only asked for.
    pub file: Option<DocumentFile>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub(crate) fn view(m: client_document::Model, today: &str) -> DocumentView {
    let file = match (m.file_name, m.content_type, m.size, m.sha256, m.uploaded_at) {
        (Some(name), Some(content_type), Some(size), Some(sha256), Some(at))
            if m.file_key.is_some() =>
        {
            Some(DocumentFile {
                name,
                content_type,
                size,
                sha256,
                uploaded_at: Timestamp::from_micros(at),
            })
        }
        _ => None,
    };
    DocumentView {
        id: DocumentId::from_uuid(m.id),
        client_id: ClientId::from_uuid(m.client_id),
        kind: m.kind,
        title: m.title,
        description: m.description,
        required: m.required != 0,
        client_visible: m.client_visible != 0,
        state: DocumentState::of(file.is_some(), m.expires_on.as_deref(), today),
        expires_on: m.expires_on,
        file,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
        deleted_at: m.deleted_at.map(Timestamp::from_micros),
    }
}

/// A document as sent: `kind` is required when adding, `version` when
/// changing; only the fields sent change. Without `upload_id` a new
/// document is a request for the file (it shows as missing); with one, the
/// finished upload's file is the document's (a later `upload_id` replaces
/// it).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    pub id: Option<DocumentId>,
    pub version: Option<i64>,
    /// `insurance`, `w9`, `contract`, `terms`, `branding`, `release` or `other`.
    pub kind: Option<DocumentKindName>,
    /// Defaults to the kind's name (`Certificate of insurance`).
    pub title: Option<Line<200>>,
    pub description: Option<Text<2000>>,
    /// The client must keep one on file (default: no).
    pub required: Option<bool>,
    /// Show it on the client's portal and remind the client before it
    /// runs out (default: yes).
    pub client_visible: Option<bool>,
    /// The last day it is valid, `YYYY-MM-DD`; `""` for none.
    pub expires_on: Option<DayOrBlank>,
    /// A finished upload of yours sent with the metadata `file` = `1`.
    pub upload_id: Option<UploadId>,
}

crate::bodies!(DocumentInput, "a document":
    add NewDocument requires ["kind"] without ["version"];
    change DocumentChange requires ["version"] without ["id"]);

/// What people call a kind of document.
pub fn kind_title(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::Insurance => "Certificate of insurance",
        DocumentKind::W9 => "W-9",
        DocumentKind::Contract => "Contract",
        DocumentKind::Terms => "Terms",
        DocumentKind::Branding => "Branding",
        DocumentKind::Release => "Release",
        DocumentKind::Other => "Document",
    }
}

impl DocumentInput {
    fn apply(
        &self,
        adding: bool,
        am: &mut client_document::ActiveModel,
    ) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::new();
        let kind = match &self.kind {
            Some(k) => errs.check("kind", k.check()),
            None if adding => {
                errs.add(
                    "kind",
                    "required",
                    "say what the document is: insurance, w9, contract, terms, branding, release or other",
                );
                None
            }
            None => None,
        };
        if let Some(k) = kind {
            am.kind = Set(k);
        }
        match &self.title {
            Some(t) => {
                if let Some(t) = errs.check("title", t.check("the title")) {
                    am.title = Set(t);
                }
            }
            None if adding => {
                am.title = Set(kind_title(kind.unwrap_or(DocumentKind::Other)).into())
            }
            None => {}
        }
        if let Some(d) = &self.description
            && let Some(d) = errs.check("description", d.check("the description"))
        {
            am.description = Set(d);
        }
        if let Some(e) = &self.expires_on
            && let Some(e) = errs.check("expires_on", e.check())
        {
            am.expires_on = Set(Some(e).filter(|e| !e.is_empty()));
        }
        if let Some(r) = self.required {
            am.required = Set(i64::from(r));
        }
        if let Some(v) = self.client_visible {
            am.client_visible = Set(i64::from(v));
        }
        match (adding, self.version) {
            (true, Some(_)) => errs.add(
                "version",
                "not_allowed",
                "a new document has no version; leave it out",
            ),
            (false, None) => errs.add(
                "version",
                "required",
                "send the version you read, so a change made meanwhile is not lost",
            ),
            _ => {}
        }
        if !adding && self.id.is_some() {
            errs.add("id", "not_allowed", "`id` is for adding; leave it out");
        }
        errs.into_result()
    }
}

/// Sets the document's file from a finished upload.
fn take_file(am: &mut client_document::ActiveModel, f: FileRef, p: &Principal, now: i64) {
    am.upload_id = Set(Some(f.upload_id.uuid()));
    am.file_name = Set(Some(f.name));
    am.content_type = Set(Some(f.content_type));
    am.size = Set(Some(f.size));
    am.sha256 = Set(Some(f.sha256));
    am.file_key = Set(Some(f.key));
    am.uploaded_by = Set(Some(p.user.uuid()));
    am.uploaded_at = Set(Some(now));
    am.reminded_key = Set(None);
}

/// Today (`YYYY-MM-DD`) where the client is: its branch's zone, else the
/// studio's.
pub(crate) async fn today_of(core: &Core, c: &client::Model) -> CoreResult<String> {
    let studio = darkroom_domain::StudioId::from_uuid(c.studio_id);
    let zone = match c.branch_id {
        Some(b) => repo::branch::find(
            core.db().conn(),
            studio,
            darkroom_domain::BranchId::from_uuid(b),
            true,
        )
        .await?
        .map(|b| b.time_zone),
        None => None,
    };
    let zone = match zone {
        Some(z) => z,
        None => {
            crate::kernel::tenant::page_header(core, studio)
                .await?
                .time_zone
        }
    };
    Ok(darkroom_domain::booking::calendar::today(core.now(), &zone).to_string())
}

/// The client `id` (deleted ones too, when `any`), for `p` to see.
async fn client_of(
    core: &Core,
    p: &Principal,
    id: ClientId,
    any: bool,
) -> CoreResult<client::Model> {
    let c = core.db().conn();
    let m = if any {
        repo::client::find_any(c, p.studio, id).await?
    } else {
        repo::client::find(c, p.studio, id).await?
    };
    let m = m.ok_or(CoreError::not_found("client"))?;
    authorize_for(core, p)?;
    Ok(m)
}

/// A client's documents (the deleted ones with `deleted`).
pub async fn list(
    core: &Core,
    p: &Principal,
    client: ClientId,
    deleted: bool,
) -> CoreResult<Vec<DocumentView>> {
    let c = client_of(core, p, client, true).await?;
    let today = today_of(core, &c).await?;
    let rows =
        repo::document::of_client(core.db().conn(), p.studio, client.uuid(), deleted).await?;
    Ok(rows.into_iter().map(|m| view(m, &today)).collect())
}

async fn find(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: DocumentId,
) -> CoreResult<(client::Model, client_document::Model)> {
    let c = client_of(core, p, client, true).await?;
    let d = repo::document::find(core.db().conn(), p.studio, client.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("document"))?;
    Ok((c, d))
}

/// One document of a client, deleted or not.
pub async fn get(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: DocumentId,
) -> CoreResult<DocumentView> {
    let (c, d) = find(core, p, client, id).await?;
    Ok(view(d, &today_of(core, &c).await?))
}

/// A checked change: the client, the document as it is (none when
/// adding), the columns to write and today where the client is.
struct Prepared {
    current: Option<client_document::Model>,
    am: client_document::ActiveModel,
    id: DocumentId,
    today: String,
}

async fn prepare(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: Option<DocumentId>,
    input: &DocumentInput,
) -> CoreResult<Prepared> {
    let (c, current) = match id {
        Some(id) => {
            let (c, d) = find(core, p, client, id).await?;
            if d.deleted_at.is_some() {
                return Err(CoreError::not_found("document"));
            }
            (c, Some(d))
        }
        None => (client_of(core, p, client, false).await?, None),
    };
    let today = today_of(core, &c).await?;
    let id = id.unwrap_or_else(|| input.id.unwrap_or_default());
    let mut am = client_document::ActiveModel::default();
    if current.is_none() {
        am.id = Set(id.uuid());
        am.client_id = Set(client.uuid());
        am.required = Set(0);
        am.client_visible = Set(1);
    }
    input.apply(current.is_none(), &mut am)?;
    if let Some(d) = &current
        && input.version != Some(d.version)
    {
        return Err(CoreError::stale(view(d.clone(), &today)));
    }
    if let Some(u) = input.upload_id {
        let f = uploaded_file(core, p, "upload_id", u).await?;
        take_file(&mut am, f, p, core.now().as_micros());
    }
    Ok(Prepared {
        current,
        am,
        id,
        today,
    })
}

/// Adds a document to a client, or (with `id`) changes one.
pub async fn save(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    id: Option<DocumentId>,
    input: DocumentInput,
) -> CoreResult<DocumentView> {
    let Prepared {
        current,
        am,
        id,
        today,
    } = prepare(core, p, client, id, &input).await?;
    let tx = core.db().begin().await?;
    // An upload is one document's file (the unique index on `upload_id`
    // holds it even between two writes at once).
    if let Some(u) = input.upload_id
        && repo::document::by_upload(&tx, p.studio, u.uuid())
            .await?
            .is_some()
    {
        return Err(CoreError::conflict(
            "upload_taken",
            format!("upload `{u}` is already a document's file; send the file again for this one"),
        ));
    }
    let event = match &current {
        Some(d) => {
            let shown = |m| view(m, &today);
            write::update::<client_document::Entity, _>(
                core, &tx, p.studio, d.id, d.version, am, shown,
            )
            .await?;
            "client.document_changed"
        }
        None => {
            write::insert::<client_document::Entity>(core, &tx, p.studio, &id, am).await?;
            "client.document_added"
        }
    };
    let fresh = repo::document::find(&tx, p.studio, client.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("document"))?;
    let payload = serde_json::json!({
        "client_id": client.to_string(),
        "kind": fresh.kind.name(),
        "title": fresh.title,
        "sha256": fresh.sha256,
        "new_file": input.upload_id.map(|u| u.to_string()),
    });
    let shown_id = id.to_string();
    record_about(core, &tx, meta, p, "document", &shown_id, event, payload).await?;
    crate::commit(tx).await?;
    Ok(view(fresh, &today))
}

/// Deletes (`deleted`) or restores a document; its file stays.
pub async fn set_deleted(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    id: DocumentId,
    version: Option<i64>,
    deleted: bool,
) -> CoreResult<DocumentView> {
    let (c, d) = find(core, p, client, id).await?;
    // Deleting a deleted one, or restoring a live one, finds nothing.
    if d.deleted_at.is_some() == deleted {
        return Err(CoreError::not_found("document"));
    }
    let today = today_of(core, &c).await?;
    if version.is_some_and(|v| v != d.version) {
        return Err(CoreError::stale(view(d, &today)));
    }
    let am = client_document::ActiveModel {
        deleted_at: Set(deleted.then(|| core.now().as_micros())),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<client_document::Entity, _>(core, &tx, p.studio, d.id, d.version, am, |m| {
        view(m, &today)
    })
    .await?;
    let event = if deleted {
        "client.document_deleted"
    } else {
        "client.document_restored"
    };
    let payload = serde_json::json!({ "client_id": client.to_string(), "title": d.title });
    record_about(
        core,
        &tx,
        meta,
        p,
        "document",
        &id.to_string(),
        event,
        payload,
    )
    .await?;
    let fresh = repo::document::find(&tx, p.studio, client.uuid(), id.uuid())
        .await?
        .ok_or(CoreError::not_found("document"))?;
    crate::commit(tx).await?;
    Ok(view(fresh, &today))
}

/// A document's bytes, with what a download needs.
pub struct DocumentBytes {
    pub stream: darkroom_media::ByteStream,
    pub size: u64,
    pub content_type: String,
    pub name: String,
    pub sha256: String,
}

/// The file of a live document, for staff who may see the client.
pub async fn open(
    core: &Core,
    p: &Principal,
    client: ClientId,
    id: DocumentId,
) -> CoreResult<DocumentBytes> {
    let (_, d) = find(core, p, client, id).await?;
    if d.deleted_at.is_some() {
        return Err(CoreError::not_found("document"));
    }
    bytes_of(core, d).await
}

pub(crate) async fn bytes_of(core: &Core, d: client_document::Model) -> CoreResult<DocumentBytes> {
    let (Some(key), Some(name), Some(content_type), Some(sha256)) =
        (d.file_key, d.file_name, d.content_type, d.sha256)
    else {
        return Err(CoreError::not_found("document file"));
    };
    let studio = darkroom_domain::StudioId::from_uuid(d.studio_id);
    let key =
        darkroom_media::Key::new(key).map_err(|e| CoreError::Internal(anyhow::anyhow!("{e}")))?;
    let (size, stream) = core.store_of(studio).await?.get(&key).await.map_err(|e| {
        CoreError::Unavailable(format!(
            "the document's file cannot be read now ({e}); try again"
        ))
    })?;
    Ok(DocumentBytes {
        stream,
        size,
        content_type,
        name,
        sha256,
    })
}

/// How a client's documents stand, for its page's header.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct DocumentSummary {
    pub missing: u32,
    pub expired: u32,
    pub expiring: u32,
    pub on_file: u32,
}

/// Counts documents by state; a missing one counts when it is required.
pub fn summary(docs: &[DocumentView]) -> DocumentSummary {
    let mut s = DocumentSummary::default();
    for d in docs {
        match d.state {
            DocumentState::Missing if d.required => s.missing += 1,
            DocumentState::Missing => {}
            DocumentState::Expired => s.expired += 1,
            DocumentState::Expiring => s.expiring += 1,
            DocumentState::OnFile => s.on_file += 1,
        }
    }
    s
}

/// Adds (or, with `id`, changes) a document whose new file is already on
/// this machine (a page's form sent it): the file goes through the upload
/// path first (checked, hashed, stored), then the document takes it.
pub async fn save_with_file(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    client: ClientId,
    id: Option<DocumentId>,
    mut input: DocumentInput,
    file: Option<(&str, &std::path::Path)>,
) -> CoreResult<DocumentView> {
    client_of(core, p, client, false).await?;
    if let Some((name, path)) = file {
        let f = crate::photos::interface::keep_file(core, p, name, path).await?;
        input.upload_id = Some(f.upload_id);
    }
    save(core, p, meta, client, id, input).await
}
