//! The tus 1.0 resumable-upload protocol: core, creation,
//! creation-with-upload, termination, expiration and checksum (460 on a
//! mismatch). Any standard tus client can upload photos here.
//!
//! `Upload-Metadata` keys: `filename`, and one of `gallery` (`gal_...`),
//! `batch` (`bat_...`, the staging area; new batch when absent), or `photo`
//! (`pho_...`, a new version) with `role` (`raw`, `original`, `edited`,
//! `final`). When the last byte arrives the photo is ingested and the
//! response carries `Darkroom-Result` (`created`, `duplicate`, `versioned`)
//! and `Darkroom-Photo-Id`; a file that is not an acceptable photo gets 422
//! with the reason.
//!
//! With the key `file` = `1` the upload is a plain file for a client's
//! document (a PDF, a scan, an Office file; at most 100 MB): it is stored
//! as sent, and the last response carries `Darkroom-Result: stored`, the
//! `Darkroom-Upload-Id` a document then takes, and `Darkroom-Content-Type`
//! (read from the bytes; HTML, scripts and programs are refused with 422).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use darkroom_core::photos::upload::{
    self, AppendError, Appended, Checksum, UploadMeta, UploadState,
};
use darkroom_domain::{BatchId, GalleryId, PhotoId, TypedId, UploadId};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiAuth, path_id};
use crate::state::AppState;

const VERSION: &str = "1.0.0";
const EXTENSIONS: &str = "creation,creation-with-upload,termination,expiration,checksum";
const ALGORITHMS: &str = "sha1,sha256,md5";

fn tus_headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(VERSION));
    h.insert("cache-control", HeaderValue::from_static("no-store"));
}

fn with_status(status: StatusCode) -> Response {
    let mut r = status.into_response();
    tus_headers(&mut r);
    r
}

fn problem(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    let mut r = ApiError::of(Problem::new(status, code, detail)).into_response();
    tus_headers(&mut r);
    r
}

fn core_problem(e: darkroom_core::CoreError) -> Response {
    let mut r = ApiError::from(e).into_response();
    tus_headers(&mut r);
    r
}

/// For an answer given without reading the request's body: the connection
/// cannot carry another request, so say so (clients then open a new one).
fn closing(mut r: Response, headers: &HeaderMap) -> Response {
    let has_body = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v != "0")
        || headers.contains_key("transfer-encoding");
    if has_body {
        r.headers_mut()
            .insert("connection", HeaderValue::from_static("close"));
    }
    r
}

/// The tus protocol version a request speaks: checked before anything
/// else (sign-in included), as the protocol asks; 412 unless it is 1.0.0.
pub struct TusResumable;

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TusResumable {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Response> {
        check_version(&parts.headers)
            .map(|()| TusResumable)
            .map_err(|r| closing(*r, &parts.headers))
    }
}

/// The protocol version header's schema: exactly `1.0.0`.
pub struct TusVersion;

impl utoipa::PartialSchema for TusVersion {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some([VERSION]))
            .into()
    }
}
impl utoipa::ToSchema for TusVersion {}

/// Whether `v` is a version number (`1.0.0`).
fn is_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Nothing unless the client speaks tus 1.0.0: a missing or malformed
/// `Tus-Resumable` is a bad request (400), another version 412, as the
/// protocol requires.
fn check_version(headers: &HeaderMap) -> Result<(), Box<Response>> {
    match headers.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(VERSION) => Ok(()),
        Some(v) if is_version(v) => {
            let mut r = problem(
                StatusCode::PRECONDITION_FAILED,
                "tus_version",
                format!("this server speaks tus 1.0.0, not {v}; send `Tus-Resumable: 1.0.0`"),
            );
            r.headers_mut()
                .insert("tus-version", HeaderValue::from_static(VERSION));
            Err(Box::new(r))
        }
        _ => {
            let mut r = problem(
                StatusCode::BAD_REQUEST,
                "tus_version",
                "send `Tus-Resumable: 1.0.0` with every tus request; this server speaks tus 1.0.0",
            );
            r.headers_mut()
                .insert("tus-version", HeaderValue::from_static(VERSION));
            Err(Box::new(r))
        }
    }
}

fn offset_response(status: StatusCode, st: &UploadState) -> Response {
    let mut r = with_status(status);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&st.received.to_string()) {
        h.insert("upload-offset", v);
    }
    if let Ok(v) = HeaderValue::from_str(&st.expires_at.http_date()) {
        h.insert("upload-expires", v);
    }
    r
}

/// Parses `Upload-Metadata`: comma-separated `key base64value` pairs.
fn parse_metadata(raw: &str) -> Result<UploadMeta, String> {
    let mut m = UploadMeta::default();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once(' ').unwrap_or((pair, ""));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v.trim())
            .map_err(|_| format!("Upload-Metadata: the value of `{k}` is not base64"))?;
        let value = String::from_utf8(bytes)
            .map_err(|_| format!("Upload-Metadata: the value of `{k}` is not UTF-8"))?;
        let bad = |e: darkroom_domain::IdError| format!("Upload-Metadata `{k}`: {e}");
        match k {
            "filename" | "name" => m.filename = value,
            "gallery" => m.gallery = Some(GalleryId::parse(&value).map_err(bad)?),
            "batch" => m.batch = Some(BatchId::parse(&value).map_err(bad)?),
            "photo" => m.photo = Some(PhotoId::parse(&value).map_err(bad)?),
            "role" => m.role = Some(value),
            // A plain file for a client's document, kept as sent.
            "file" => m.file = matches!(value.as_str(), "1" | "true" | "yes"),
            // Clients add their own keys (filetype, relativePath...): ignored.
            _ => {}
        }
    }
    if m.filename.chars().count() > 1000 {
        return Err("Upload-Metadata `filename` is longer than 1000 characters".into());
    }
    Ok(m)
}

fn parse_checksum(headers: &HeaderMap) -> Result<Option<Checksum>, Box<Response>> {
    let Some(raw) = headers.get("upload-checksum").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let (algo, b64) = raw.trim().split_once(' ').ok_or_else(|| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            "bad_checksum",
            "Upload-Checksum must be `<algorithm> <base64 digest>`",
        ))
    })?;
    let digest = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| {
            Box::new(problem(
                StatusCode::BAD_REQUEST,
                "bad_checksum",
                "the Upload-Checksum digest is not base64",
            ))
        })?;
    match algo {
        "sha1" => Ok(Some(Checksum::Sha1(digest))),
        "sha256" => Ok(Some(Checksum::Sha256(digest))),
        "md5" => Ok(Some(Checksum::Md5(digest))),
        other => Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "bad_checksum",
            format!("checksum algorithm `{other}` is not supported; use one of {ALGORITHMS}"),
        ))),
    }
}

fn is_offset_stream(headers: &HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or("").trim())
        == Some("application/offset+octet-stream")
}

fn appended(result: Result<Appended, AppendError>) -> Response {
    match result {
        Ok(Appended::Partial(st)) => offset_response(StatusCode::NO_CONTENT, &st),
        Ok(Appended::Finished(st, ingested)) => {
            let mut r = offset_response(StatusCode::NO_CONTENT, &st);
            let (result, id) = match ingested.as_ref() {
                darkroom_core::photos::photo::Ingested::Created { photo } => ("created", photo.id),
                darkroom_core::photos::photo::Ingested::Duplicate { photo } => {
                    ("duplicate", photo.id)
                }
                darkroom_core::photos::photo::Ingested::Versioned { photo } => {
                    ("versioned", photo.id)
                }
            };
            r.headers_mut()
                .insert("darkroom-result", HeaderValue::from_static(result));
            if let Ok(v) = HeaderValue::from_str(&id.to_string()) {
                r.headers_mut().insert("darkroom-photo-id", v);
            }
            r
        }
        Ok(Appended::Stored(st, file)) => {
            let mut r = offset_response(StatusCode::NO_CONTENT, &st);
            let h = r.headers_mut();
            h.insert("darkroom-result", HeaderValue::from_static("stored"));
            if let Ok(v) = HeaderValue::from_str(&file.upload_id.to_string()) {
                h.insert("darkroom-upload-id", v);
            }
            if let Ok(v) = HeaderValue::from_str(&file.content_type) {
                h.insert("darkroom-content-type", v);
            }
            r
        }
        Err(AppendError::OffsetMismatch { expected }) => {
            let mut r = problem(
                StatusCode::CONFLICT,
                "offset_mismatch",
                format!(
                    "the upload is at offset {expected}; send from there (HEAD tells the offset)"
                ),
            );
            if let Ok(v) = HeaderValue::from_str(&expected.to_string()) {
                r.headers_mut().insert("upload-offset", v);
            }
            r
        }
        Err(AppendError::ChecksumMismatch) => {
            let mut r = ApiError::of(Problem::new(
                StatusCode::BAD_REQUEST,
                "checksum_mismatch",
                "the chunk does not match its Upload-Checksum; it was discarded, send it again",
            ))
            .into_response();
            *r.status_mut() = StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST);
            tus_headers(&mut r);
            r
        }
        Err(AppendError::TooLong) => problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload_too_long",
            "the data runs past the Upload-Length declared at creation",
        ),
        Err(AppendError::Locked) => problem(
            StatusCode::LOCKED,
            "upload_locked",
            "another request is still sending to this upload; retry in a moment",
        ),
        Err(AppendError::Core(e)) => core_problem(e),
    }
}

/// What this server supports.
#[utoipa::path(options, path = "/api/v1/uploads", tag = "photos", security(()),
    responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Max-Size and Tus-Checksum-Algorithm headers")))]
async fn upload_options(State(s): State<AppState>) -> Response {
    let mut r = with_status(StatusCode::NO_CONTENT);
    let h = r.headers_mut();
    h.insert("tus-version", HeaderValue::from_static(VERSION));
    h.insert("tus-extension", HeaderValue::from_static(EXTENSIONS));
    h.insert(
        "tus-checksum-algorithm",
        HeaderValue::from_static(ALGORITHMS),
    );
    if let Ok(v) = HeaderValue::from_str(&s.core.settings().media.max_upload_bytes.to_string()) {
        h.insert("tus-max-size", v);
    }
    r
}

/// Start an upload (tus creation; a body makes it creation-with-upload).
#[utoipa::path(post, path = "/api/v1/uploads", tag = "photos",
    params(("Tus-Resumable" = TusVersion, Header), ("Upload-Length" = u64, Header), ("Upload-Metadata" = Option<String>, Header)),
    responses((status = 201, description = "Location of the new upload"), (status = 400, body = Problem, description = "`Tus-Resumable` or another tus header is missing or malformed"), (status = 412, body = Problem, description = "`Tus-Resumable` names another version"), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn create_upload(
    _: TusResumable,
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (length, meta) = match creation_headers(&headers) {
        Ok(x) => x,
        Err(r) => return closing(*r, &headers),
    };
    let st = match upload::create(&s.core, &p, length, meta).await {
        Ok(st) => st,
        Err(e) => return closing(core_problem(e), &headers),
    };
    let location = format!("/api/v1/uploads/{}", st.id);
    let with_data = is_offset_stream(&headers)
        && headers.get("content-length").and_then(|v| v.to_str().ok()) != Some("0");
    let mut r = if with_data {
        let checksum = match parse_checksum(&headers) {
            Ok(c) => c,
            Err(r) => return closing(*r, &headers),
        };
        created(appended(
            upload::append(&s.core, &p, st.id, 0, body.into_data_stream(), checksum).await,
        ))
    } else if length == 0 {
        // An empty file finishes at once (and is refused as a photo).
        let none = futures::stream::empty::<Result<bytes::Bytes, std::io::Error>>();
        created(appended(
            upload::append(&s.core, &p, st.id, 0, none, None).await,
        ))
    } else {
        offset_response(StatusCode::CREATED, &st)
    };
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert("location", v);
    }
    r
}

/// A creation's `Upload-Length` and `Upload-Metadata`, or the 400 saying
/// what is wrong with them.
fn creation_headers(headers: &HeaderMap) -> Result<(u64, UploadMeta), Box<Response>> {
    if headers.contains_key("upload-defer-length") {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "defer_length",
            "Upload-Defer-Length is not supported; send Upload-Length",
        )));
    }
    let Some(length) = headers
        .get("upload-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    else {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "upload_length",
            "send the file's size in bytes as Upload-Length",
        )));
    };
    let meta = headers
        .get("upload-metadata")
        .and_then(|v| v.to_str().ok())
        .map(parse_metadata)
        .transpose()
        .map_err(|m| Box::new(problem(StatusCode::BAD_REQUEST, "upload_metadata", m)))?;
    Ok((length, meta.unwrap_or_default()))
}

/// A creation that also took the data answers 201, not 204.
fn created(mut r: Response) -> Response {
    if r.status() == StatusCode::NO_CONTENT {
        *r.status_mut() = StatusCode::CREATED;
    }
    r
}

/// How much of an upload arrived (tus HEAD).
#[utoipa::path(head, path = "/api/v1/uploads/{upload_id}", tag = "photos",
    params(("Tus-Resumable" = TusVersion, Header), ("upload_id" = darkroom_domain::UploadId, Path, description = "`upl_...`")),
    responses((status = 200, description = "Upload-Offset and Upload-Length"), (status = 404), (status = 410), (status = 400, body = Problem, description = "`Tus-Resumable` or another tus header is missing or malformed"), (status = 412, body = Problem, description = "`Tus-Resumable` names another version")))]
async fn head_upload(
    _: TusResumable,
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = path_id::<UploadId>(&id) else {
        return with_status(StatusCode::NOT_FOUND);
    };
    let st = match upload::head(&s.core, &p, id).await {
        Ok(st) => st,
        Err(darkroom_core::CoreError::Gone { .. }) => return with_status(StatusCode::GONE),
        Err(e) => return with_status(crate::error::problem_of(&e).status()),
    };
    let mut r = offset_response(StatusCode::OK, &st);
    if let Ok(v) = HeaderValue::from_str(&st.length.to_string()) {
        r.headers_mut().insert("upload-length", v);
    }
    r
}

/// The headers a PATCH must carry: its offset and an optional checksum.
fn read_patch_headers(headers: &HeaderMap) -> Result<(u64, Option<Checksum>), Box<Response>> {
    if !is_offset_stream(headers) {
        return Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "send the bytes with `Content-Type: application/offset+octet-stream`",
        )));
    }
    let Some(offset) = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    else {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            "upload_offset",
            "send the offset the bytes start at as Upload-Offset",
        )));
    };
    Ok((offset, parse_checksum(headers)?))
}

/// Send bytes from `Upload-Offset` (tus PATCH).
#[utoipa::path(patch, path = "/api/v1/uploads/{upload_id}", tag = "photos",
    params(("Tus-Resumable" = TusVersion, Header), ("upload_id" = darkroom_domain::UploadId, Path, description = "`upl_...`"), ("Upload-Offset" = u64, Header), ("Upload-Checksum" = Option<String>, Header)),
    request_body(content_type = "application/offset+octet-stream", content = Vec<u8>),
    responses((status = 204, description = "New Upload-Offset; Darkroom-Result when finished"), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem, description = "Cancelled or expired: start again"),
        (status = 400, body = Problem, description = "`Tus-Resumable` or another tus header is missing or malformed"), (status = 412, body = Problem, description = "`Tus-Resumable` names another version"), (status = 415, body = Problem), (status = 422, body = Problem), (status = 460, body = Problem)))]
async fn patch_upload(
    _: TusResumable,
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    let Ok(id) = path_id::<UploadId>(&id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "not_found",
            "upload not found: check the id, or it may have been deleted",
        );
    };
    let headers_read = read_patch_headers(&headers);
    let (offset, checksum) = match headers_read {
        Ok(read) => read,
        Err(r) => {
            // Unknown (or another studio's) uploads are 404 whatever the
            // request says.
            let r = match upload::outcome(&s.core, &p, id).await {
                Err(e) => core_problem(e),
                Ok(_) => *r,
            };
            return closing(r, &headers);
        }
    };
    let r =
        appended(upload::append(&s.core, &p, id, offset, body.into_data_stream(), checksum).await);
    // An offset mismatch or a lock is answered before the body is read.
    if matches!(
        r.status(),
        StatusCode::CONFLICT | StatusCode::LOCKED | StatusCode::GONE
    ) {
        return closing(r, &headers);
    }
    r
}

/// Cancel an upload and discard its bytes (tus termination).
#[utoipa::path(delete, path = "/api/v1/uploads/{upload_id}", tag = "photos",
    params(("Tus-Resumable" = TusVersion, Header), ("upload_id" = darkroom_domain::UploadId, Path, description = "`upl_...`")),
    responses((status = 204), (status = 404, body = Problem), (status = 410, body = Problem, description = "Cancelled already, or expired"), (status = 400, body = Problem, description = "`Tus-Resumable` or another tus header is missing or malformed"), (status = 412, body = Problem, description = "`Tus-Resumable` names another version")))]
async fn delete_upload(
    _: TusResumable,
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = path_id::<UploadId>(&id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "not_found",
            "upload not found: check the id, or it may have been deleted",
        );
    };
    if let Err(e) = upload::outcome(&s.core, &p, id).await {
        return core_problem(e);
    }
    match upload::terminate(&s.core, &p, id).await {
        Ok(()) => with_status(StatusCode::NO_CONTENT),
        Err(e) => core_problem(e),
    }
}

/// A finished upload's result, for a client that lost the last response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UploadResult {
    /// `receiving`, `finished`, `failed` or `terminated`.
    pub status: darkroom_domain::names::UploadStatus,
    pub photo_id: Option<String>,
    pub error: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/uploads/{upload_id}", tag = "photos",
    params(("upload_id" = darkroom_domain::UploadId, Path, description = "`upl_...`")),
    responses((status = 200, body = UploadResult), (status = 404, body = Problem)))]
async fn get_upload(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<UploadResult>> {
    let (status, photo, error) = upload::outcome(&s.core, &p, path_id(&id)?).await?;
    Ok(Json(UploadResult {
        status,
        photo_id: photo.map(|p| p.to_string()),
        error,
    }))
}

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(upload_options, create_upload))
        .routes(routes!(
            head_upload,
            patch_upload,
            delete_upload,
            get_upload
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let at = |s: i64| darkroom_domain::Timestamp::from_micros(s * 1_000_000 + 999_999);
        assert_eq!(at(0).http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            at(1_764_000_000).http_date(),
            "Mon, 24 Nov 2025 16:00:00 GMT"
        );
    }

    #[test]
    fn metadata_parses_and_ignores_unknown_keys() {
        let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let g = GalleryId::new();
        let m = parse_metadata(&format!(
            "filename {},gallery {},filetype {}",
            b("IMG 1.jpg"),
            b(&g.to_string()),
            b("image/jpeg")
        ))
        .unwrap();
        assert_eq!(m.filename, "IMG 1.jpg");
        assert_eq!(m.gallery, Some(g));
        assert!(parse_metadata("gallery !!!").is_err());
        assert!(parse_metadata(&format!("gallery {}", b("usr_123"))).is_err());
    }
}
