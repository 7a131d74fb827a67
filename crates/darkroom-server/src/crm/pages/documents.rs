//! A client page's documents: asking for one, adding one with its file,
//! replacing a file (a renewed certificate), removing one, and the
//! download. The page's forms send the file in the form itself (no script
//! needed); it goes through the same upload path as the API's tus uploads.

use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::response::Response;
use darkroom_core::CoreError;
use darkroom_core::crm::document::{self, DocumentInput};
use darkroom_domain::{ClientId, DocumentId};
use futures::TryStreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::clients::load;
use crate::security;
use crate::web::field;
use crate::web::render::{PageCtx, PageForm, done, error_page};

/// Document kinds as the form offers them.
pub const KINDS: &[(&str, &str)] = &[
    ("insurance", "Certificate of insurance"),
    ("w9", "W-9 / tax form"),
    ("contract", "Contract"),
    ("terms", "Terms"),
    ("branding", "Branding"),
    ("release", "Release"),
    ("other", "Other"),
];

/// The largest request a document form may send (the file and the fields).
pub const FORM_LIMIT: usize = 101 * 1024 * 1024;

/// A document form as posted: its fields, and the file saved on disk.
#[derive(Default)]
struct Posted {
    csrf: String,
    kind: String,
    title: String,
    expires_on: String,
    required: bool,
    client_visible: bool,
    version: Option<i64>,
    file: Option<(String, std::path::PathBuf)>,
}

impl Drop for Posted {
    fn drop(&mut self) {
        // A file the upload path did not take (a refused form) goes.
        if let Some((_, path)) = &self.file {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn unreadable(e: impl std::fmt::Display) -> CoreError {
    CoreError::invalid(
        "file",
        format!("the form could not be read ({e}); a document may be at most 100 MB"),
    )
}

/// Saves the file field to the uploads folder, up to the documents' limit.
async fn save_field(
    ctx: &PageCtx,
    field: axum::extract::multipart::Field<'_>,
) -> Result<Option<(String, std::path::PathBuf)>, CoreError> {
    let name = field.file_name().unwrap_or("").to_string();
    let dir = ctx.state.core.settings().media.uploads_dir.clone();
    let path = dir.join(format!("{}.part", uuid::Uuid::now_v7().simple()));
    let mut out = tokio::fs::File::create(&path).await.map_err(unreadable)?;
    let mut size: u64 = 0;
    let mut stream = field;
    let result = async {
        while let Some(chunk) = stream.try_next().await.map_err(unreadable)? {
            size += chunk.len() as u64;
            if size > document::MAX_FILE_BYTES {
                return Err(unreadable("the file is larger than 100 MB"));
            }
            out.write_all(&chunk).await.map_err(unreadable)?;
        }
        out.flush().await.map_err(unreadable)
    }
    .await;
    if result.is_err() || size == 0 {
        let _ = tokio::fs::remove_file(&path).await;
        return result.map(|_| None);
    }
    Ok(Some((name, path)))
}

async fn read(ctx: &PageCtx, req: Request) -> Result<Posted, Response> {
    let (parts, body) = req.into_parts();
    if !security::same_origin(&parts, &ctx.state) {
        return Err(security::csrf_rejected());
    }
    let mut multipart = Multipart::from_request(Request::from_parts(parts, body), &ctx.state)
        .await
        .map_err(|e| error_page(&ctx.state, &unreadable(e)))?;
    let mut p = Posted::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(error_page(&ctx.state, &unreadable(e))),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            p.file = save_field(ctx, field)
                .await
                .map_err(|e| error_page(&ctx.state, &e))?;
            continue;
        }
        let text = field.text().await.unwrap_or_default();
        match name.as_str() {
            "_csrf" => p.csrf = text,
            "kind" => p.kind = text,
            "title" => p.title = text,
            "expires_on" => p.expires_on = text,
            "required" => p.required = true,
            "client_visible" => p.client_visible = true,
            "version" => p.version = text.trim().parse().ok(),
            _ => {}
        }
    }
    if !security::session_csrf_ok(&ctx.state, &ctx.p, &p.csrf) {
        return Err(security::csrf_rejected());
    }
    Ok(p)
}

fn back(id: ClientId, notice: &str) -> Response {
    done(&format!("/clients/{id}#documents"), notice)
}

/// Adds a document: with a file it is on record, without one it is asked
/// for (and shows as missing).
pub async fn add(ctx: PageCtx, Path(id): Path<String>, req: Request) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut posted = match read(&ctx, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let input = DocumentInput {
        kind: Some(field(&posted.kind)),
        title: (!posted.title.trim().is_empty()).then(|| field(&posted.title)),
        expires_on: Some(field(&posted.expires_on)),
        required: Some(posted.required),
        client_visible: Some(posted.client_visible),
        ..Default::default()
    };
    let file = posted.file.take();
    let core = &ctx.state.core;
    let sent = file.as_ref().map(|(n, p)| (n.as_str(), p.as_path()));
    let r = document::save_with_file(core, &ctx.p, &ctx.meta, c.id, None, input, sent).await;
    if let Some((_, p)) = &file {
        let _ = tokio::fs::remove_file(p).await;
    }
    match r {
        Ok(_) => back(c.id, "document_added"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// Gives a document its (new) file and expiry day.
pub async fn replace(
    ctx: PageCtx,
    Path((id, doc)): Path<(String, String)>,
    req: Request,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(doc) = doc.parse::<DocumentId>() else {
        return error_page(&ctx.state, &CoreError::not_found("document"));
    };
    if let Err(e) = document::get(&ctx.state.core, &ctx.p, c.id, doc).await {
        return error_page(&ctx.state, &e);
    }
    let mut posted = match read(&ctx, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some((name, path)) = posted.file.take() else {
        let e = CoreError::invalid("file", "choose the document's file");
        return error_page(&ctx.state, &e);
    };
    let input = DocumentInput {
        version: posted.version,
        expires_on: Some(field(&posted.expires_on)),
        ..Default::default()
    };
    let core = &ctx.state.core;
    let sent = Some((name.as_str(), path.as_path()));
    let r = document::save_with_file(core, &ctx.p, &ctx.meta, c.id, Some(doc), input, sent).await;
    let _ = tokio::fs::remove_file(&path).await;
    match r {
        Ok(_) => back(c.id, "document_saved"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn remove(
    ctx: PageCtx,
    path: Path<(String, String)>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, path, f, true).await
}

pub async fn restore(
    ctx: PageCtx,
    path: Path<(String, String)>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    set_deleted(ctx, path, f, false).await
}

async fn set_deleted(
    ctx: PageCtx,
    Path((id, doc)): Path<(String, String)>,
    f: VersionForm,
    deleted: bool,
) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = match doc.parse::<DocumentId>() {
        Ok(d) => {
            document::set_deleted(
                &ctx.state.core,
                &ctx.p,
                &ctx.meta,
                c.id,
                d,
                f.version,
                deleted,
            )
            .await
        }
        Err(_) => Err(CoreError::not_found("document")),
    };
    match r {
        Ok(_) if deleted => back(c.id, "document_removed"),
        Ok(_) => back(c.id, "document_restored"),
        Err(e) => error_page(&ctx.state, &e),
    }
}

/// The document's file, as a download.
pub async fn download(ctx: PageCtx, Path((id, doc)): Path<(String, String)>) -> Response {
    let c = match load(&ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = match doc.parse::<DocumentId>() {
        Ok(d) => document::open(&ctx.state.core, &ctx.p, c.id, d).await,
        Err(_) => Err(CoreError::not_found("document")),
    };
    match r {
        Ok(b) => crate::web::bytes::document(b),
        Err(e) => error_page(&ctx.state, &e),
    }
}
