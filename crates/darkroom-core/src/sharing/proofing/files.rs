//! The photo files a client receives: renditions for viewing (cached small ones), and downloads of one photo or the whole gallery within the link's cap.

use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::interface::{self as media, MediaObject, Rendition};
use crate::sharing::share::{self, Guest};
use darkroom_db::entity::photo;
use darkroom_db::repo;
use darkroom_db::repo::photo::Place;
use darkroom_domain::link::{self, DownloadFile, DownloadLevel, LinkAction};
use darkroom_domain::names::LinkPurpose;
use darkroom_domain::{GalleryId, PhotoId, ShareLinkId, TypedId};

use super::*;

/// What a signed media URL may name: the thumbnail, the proof and its
/// medium, and (on a link that shows clean photos only, checked in
/// [`media`]) the clean preview and medium.
/// Originals are never a media URL's: they go out as counted downloads.
pub(super) fn media_rendition(what: &str) -> Option<Rendition> {
    Rendition::parse(what).filter(|r| *r != Rendition::Original)
}

/// Bytes for the page: the thumbnail, and the proof or (on a delivery link)
/// the clean preview.
pub async fn media(
    core: &Core,
    g: &Guest,
    photo: PhotoId,
    what: &str,
    version: Option<i64>,
) -> CoreResult<MediaObject> {
    share::authorize(core, g, LinkAction::View)?;
    let Some(r) = media_rendition(what) else {
        return Err(CoreError::not_found("picture"));
    };
    if matches!(r, Rendition::Preview | Rendition::Medium) && view_what(g) != "preview" {
        return Err(CoreError::not_found("picture"));
    }
    let index = gallery_index(core, g).await?;
    let Some((p, current)) = index.get(&photo.uuid()) else {
        return Err(CoreError::not_found("photo"));
    };
    let current = match current {
        Some(v) if version.is_none_or(|n| n == v.number) && v.purged_at.is_none() => v,
        // An older version (or none rendered yet): the long way.
        _ => return media::open_for(core, g.studio, p, r, version).await,
    };
    // A version's renditions change only with its watermark revision.
    let blob_key = (current.id, r as u8, current.watermark_rev);
    if let Some(m) = crate::sharing::hot::of(core).blobs.get(&blob_key) {
        return Ok(small_object(&m));
    }
    let (_, content_type, etag, download_name) = media::locate(p, current, r)?;
    let obj = media::open_for(core, g.studio, p, r, version).await?;
    if obj.size > crate::sharing::hot::SMALL_MEDIA {
        return Ok(obj);
    }
    // Small (a thumbnail): kept whole for the next requests.
    use futures::TryStreamExt;
    let chunks: Vec<bytes::Bytes> = obj
        .stream
        .try_collect()
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let m = std::sync::Arc::new(crate::sharing::hot::SmallMedia {
        bytes: chunks.concat().into(),
        content_type,
        etag,
        download_name,
    });
    crate::sharing::hot::of(core).blobs.put(blob_key, m.clone());
    Ok(small_object(&m))
}

/// Every live photo of the guest's gallery, in `order`, a thousand rows a query.
pub(super) async fn all_photos(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    g: &Guest,
    order: repo::photo::Order,
) -> CoreResult<Vec<photo::Model>> {
    let mut rows: Vec<photo::Model> = Vec::new();
    loop {
        let page = repo::photo::list_in(
            c,
            g.studio,
            Place::Gallery(g.gallery.id),
            order,
            rows.len() as u64,
            1000,
        )
        .await?;
        let n = page.len();
        rows.extend(page);
        if n < 1000 {
            break;
        }
    }
    Ok(rows)
}

/// The gallery's photos and current versions, loaded once for all the
/// thumbnail requests of a page (see `crate::sharing::hot`).
pub(super) async fn gallery_index(
    core: &Core,
    g: &Guest,
) -> CoreResult<std::sync::Arc<crate::sharing::hot::GalleryIndex>> {
    let hot = crate::sharing::hot::of(core);
    if let Some(i) = hot.galleries.get(&g.gallery.id) {
        return Ok(i);
    }
    let _turn = hot.flights.enter(g.gallery.id).await;
    if let Some(i) = hot.galleries.get(&g.gallery.id) {
        return Ok(i);
    }
    let read_at = crate::sharing::hot::epoch();
    let c = core.db().conn();
    let rows = all_photos(c, g, repo::photo::Order::Capture).await?;
    let mut versions: std::collections::HashMap<_, _> = std::collections::HashMap::new();
    for v in repo::photo::current_versions(c, g.studio, &rows).await? {
        versions.entry(v.photo_id).or_insert(v);
    }
    let index: crate::sharing::hot::GalleryIndex = rows
        .into_iter()
        .map(|p| {
            let v = versions.remove(&p.id);
            (p.id, (p, v))
        })
        .collect();
    let index = std::sync::Arc::new(index);
    hot.galleries.put(g.gallery.id, index.clone(), read_at);
    Ok(index)
}

pub(super) fn small_object(m: &crate::sharing::hot::SmallMedia) -> MediaObject {
    let bytes = m.bytes.clone();
    MediaObject {
        size: bytes.len() as u64,
        stream: Box::pin(futures::stream::once(async move { Ok(bytes) })),
        content_type: m.content_type.clone(),
        etag: m.etag.clone(),
        download_name: m.download_name.clone(),
        whole: Some(m.bytes.clone()),
    }
}

/// Takes one download from the link's and the gallery's caps, atomically;
/// a clear 409 when either is used up.
pub(super) async fn take_download(
    core: &Core,
    g: &Guest,
    what: &str,
    photo: Option<uuid::Uuid>,
) -> CoreResult<()> {
    let tx = core.db().begin().await?;
    if !repo::share::take_link_download(&tx, ShareLinkId::from_uuid(g.link.id)).await? {
        return Err(CoreError::conflict(
            "download_limit",
            format!(
                "this link's {} downloads are used up; ask the studio for more",
                g.link.download_limit.unwrap_or(0)
            ),
        ));
    }
    if g.link.purpose != LinkPurpose::Delivery
        && !repo::share::take_gallery_download(&tx, GalleryId::from_uuid(g.gallery.id)).await?
    {
        return Err(CoreError::conflict(
            "download_limit",
            "this gallery's downloads are used up; ask the studio for more",
        ));
    }
    share::event(core, &tx, g, "download", photo, Some(what.into())).await?;
    crate::commit(tx).await?;
    metrics::counter!("darkroom_client_downloads_total").increment(1);
    Ok(())
}

/// The rendition a download at `level` serves through this link: the
/// watermarked proof unless the link grants clean files (the domain's
/// [`link::download_file`]).
pub(super) fn rendition_for(g: &Guest, level: DownloadLevel) -> Rendition {
    match link::download_file(&g.state(), level) {
        DownloadFile::Original => Rendition::Original,
        DownloadFile::Preview => Rendition::Preview,
        DownloadFile::Proof => Rendition::Proof,
    }
}
