//! Responses that carry a photo's bytes or a ZIP, for staff and clients
//! alike: content type, exact length, validators, caching and the name to
//! save as.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use darkroom_core::photos::download::ZipDownload;
use darkroom_core::photos::media::MediaObject;

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

fn set_disposition(h: &mut HeaderMap, name: &str) {
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
}

/// A photo's bytes, or 304 when `request` already holds them (its
/// `If-None-Match` names the ETag). `attachment` saves originals under their
/// name instead of showing them.
pub fn media(
    obj: MediaObject,
    cache: &'static str,
    attachment: bool,
    request: &HeaderMap,
) -> Response {
    let etag = HeaderValue::from_str(&obj.etag).ok();
    let cache = HeaderValue::from_static(cache);
    let held = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| sent.split(',').any(|t| t.trim() == obj.etag));
    let mut res = if held {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut res = Response::new(match obj.whole {
            Some(b) => Body::from(b),
            None => Body::from_stream(obj.stream),
        });
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&obj.content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(obj.size));
        if attachment && let Some(name) = &obj.download_name {
            set_disposition(h, name);
        }
        res
    };
    let h = res.headers_mut();
    if let Some(tag) = etag {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, cache);
    res
}

/// A ZIP streamed as it is built, with its exact length, never cached.
pub fn zip(dl: ZipDownload) -> Response {
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
    set_disposition(h, &dl.filename);
    res
}

/// A client's document as a download: always saved, never shown in the
/// page (a sandboxing policy too, whatever the browser makes of it), its
/// SHA-256 as the ETag, never cached by anything shared.
pub fn document(d: darkroom_core::crm::document::DocumentBytes) -> Response {
    let mut res = Response::new(Body::from_stream(d.stream));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&d.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(d.size));
    set_disposition(h, &d.name);
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", d.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

/// A CSV file the server made (a report), as a download.
pub fn csv(name: &str, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    set_disposition(h, name);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// A PDF the server made (an invoice, a contract), as a download.
pub fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    let len = bytes.len();
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    set_disposition(h, name);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
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
