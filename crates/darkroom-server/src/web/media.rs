//! Photo bytes for staff: thumbnails, previews, proofs and originals, behind
//! the same authorization as everything else (session or API token).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::photos::download::{self, Contents};
use darkroom_core::photos::media::{self, Rendition};
use darkroom_domain::{GalleryId, PhotoId};

use super::Params;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiAuth, ClientMeta, path_id};
use crate::state::AppState;

/// `filename*` (RFC 6266 / 8187) with an ASCII fallback.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `?v=3.2` or `?v=3`: the photo version number (the part before the dot).
fn version_param(q: &Params) -> Option<i64> {
    q.get("v")
        .and_then(|v| v.split('.').next())
        .and_then(|n| n.parse().ok())
}

pub async fn photo(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, rendition)): Path<(String, String)>,
    q: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id: PhotoId = path_id(&id)?;
    let Some(r) = Rendition::parse(&rendition) else {
        return Err(ApiError::of(Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such picture: use thumb, preview, proof or original",
        )));
    };
    let obj = media::open(&s.core, &p, id, r, version_param(&q)).await?;
    let etag = HeaderValue::from_str(&obj.etag).ok();
    let cache = HeaderValue::from_static("private, max-age=86400");
    if let (Some(tag), Some(sent)) = (&etag, headers.get(header::IF_NONE_MATCH))
        && sent
            .to_str()
            .map(|s| s.split(',').any(|t| t.trim() == obj.etag))
            .unwrap_or(false)
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, tag.clone());
        res.headers_mut().insert(header::CACHE_CONTROL, cache);
        return Ok(res);
    }
    let mut res = Response::new(Body::from_stream(obj.stream));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&obj.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(obj.size));
    if let Some(tag) = etag {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, cache);
    if let Some(name) = obj.download_name
        && let Ok(v) = HeaderValue::from_str(&content_disposition(&name))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// A whole gallery as one ZIP (`?contents=originals`, the default, or
/// `previews`), streamed as it is built, with its exact length.
pub async fn gallery_zip(
    State(s): State<AppState>,
    ApiAuth(p): ApiAuth,
    ClientMeta(m): ClientMeta,
    Path(id): Path<String>,
    q: Params,
) -> ApiResult<Response> {
    let id: GalleryId = path_id(&id)?;
    let contents = match q.get("contents").map(String::as_str) {
        None | Some("") => Contents::Originals,
        Some(c) => Contents::parse(c).ok_or_else(|| {
            ApiError::of(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                format!("query `contents`: `{c}` is not offered; use originals or previews"),
            ))
        })?,
    };
    let dl = download::gallery_zip(&s.core, &p, &m, id, contents).await?;
    let len = dl.plan.total_len();
    let mut res = Response::new(Body::from_stream(darkroom_zip::stream(dl.plan, dl.opener)));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&dl.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_are_safe_for_any_name() {
        assert_eq!(
            content_disposition("IMG_0001.JPG"),
            "attachment; filename=\"IMG_0001.JPG\"; filename*=UTF-8''IMG_0001.JPG"
        );
        let d = content_disposition("신부 \"1\"\r\n.jpg");
        assert!(d.is_ascii());
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.contains("filename*=UTF-8''%EC%8B%A0"));
        assert!(HeaderValue::from_str(&d).is_ok());
    }
}
