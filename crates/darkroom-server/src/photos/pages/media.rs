//! Photo bytes for staff: thumbnails, previews, proofs and originals, behind
//! the same authorization as everything else (session or API token).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use darkroom_core::photos::download::{self, Contents};
use darkroom_core::photos::media::{self, Rendition};
use darkroom_domain::{GalleryId, PhotoId};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiAuth, ClientMeta, path_id};
use crate::state::AppState;
use crate::web::{Params, bytes};

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
    Ok(bytes::media(obj, "private, max-age=86400", true, &headers))
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
    Ok(bytes::zip(
        download::gallery_zip(&s.core, &p, &m, id, contents).await?,
    ))
}
