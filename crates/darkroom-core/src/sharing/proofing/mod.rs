//! What a client does in a shared gallery: look, choose favourites against
//! the package's maximum, rate, comment, ask for edits, consent to marketing
//! use, submit the selection (which locks it and tells the studio), and
//! download in the sizes the link allows, counted atomically against the
//! link's and the gallery's caps. Every function starts from a [`Guest`]
//! and asks [`share::authorize`].
//!
//! Client-facing views carry only what a client may see: no staff emails,
//! internal notes, storage keys, other links' marks, or camera metadata
//! (location included).

use darkroom_db::entity::{photo, photo_version, proof_mark};
use darkroom_db::repo;
use darkroom_domain::GalleryId;
use darkroom_domain::link::{DownloadLevel, LinkAction, LinkRights};
use darkroom_domain::names::LinkPurpose;
use darkroom_domain::names::NoteKind;
use darkroom_domain::names::{PhotoStatus, VersionRole};
use darkroom_domain::{GallerySetId, NoteId, PhotoId, ShareLinkId, Timestamp, TypedId};
use serde::Serialize;

use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};
use crate::photos::interface::{self as media, MediaObject, Rendition};
use crate::photos::interface::{self as download, ZipDownload};
pub use crate::sharing::hot::Listing;
use crate::sharing::share::{self, Guest};

mod files;
pub use files::*;

mod choices;
pub use choices::*;

/// The proofing state of a link's selection.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SelectionView {
    /// Photos chosen.
    pub count: u64,
    /// How many the package includes (`None`: no maximum).
    pub limit: Option<i64>,
    /// Whether choosing beyond the package is allowed (billed as extras).
    pub allow_extras: bool,
    /// Chosen beyond the package.
    pub extras: u64,
    pub deadline: Option<Timestamp>,
    pub submitted_at: Option<Timestamp>,
}

/// One photo as a client sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientPhoto {
    pub id: PhotoId,
    pub name: String,
    /// The thumbnail's size: its aspect ratio reserves the space in the grid.
    pub width: i64,
    pub height: i64,
    pub thumb_url: String,
    /// About twice the thumbnail (watermarked unless the link shows clean
    /// photos), for dense screens; none until the photo has one.
    pub medium_url: Option<String>,
    /// The medium's width in pixels (0 without one).
    pub medium_width: i64,
    /// Watermarked proof while proofing, clean preview on a delivery link.
    pub view_url: String,
    /// The width of what `view_url` shows, in pixels (0 until rendered).
    pub view_width: i64,
    /// The set (section) it is in, if any.
    pub set_id: Option<GallerySetId>,
    /// The studio has uploaded an edited version (what is shown now).
    pub edited: bool,
    pub favourite: bool,
    /// 0 (none) to 5.
    pub rating: i64,
    /// Approved for the studio's marketing.
    pub marketing: bool,
}

/// What the link allows, for the page to show the right buttons.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientRights {
    pub favourite: bool,
    pub comment: bool,
    pub edits: bool,
    /// `none`, `proof`, `web` or `original`.
    pub download: DownloadLevel,
    /// Downloads left through this link (`None`: no cap).
    pub downloads_left: Option<i64>,
}

/// A set (section) of the gallery, in order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientSet {
    pub id: GallerySetId,
    pub name: String,
    pub photo_count: usize,
}

/// A shared gallery as its client sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientGallery {
    pub studio_name: String,
    pub accent_colour: String,
    /// The studio's locale (`en-IN`, `ko-KR`): how dates and words are written.
    pub locale: String,
    /// The studio's IANA time zone, for the days shown.
    pub time_zone: String,
    pub gallery_name: String,
    /// Who the link is for.
    pub label: String,
    pub expires_at: Option<Timestamp>,
    /// A delivery link: the final files to download, no proofing.
    pub delivery: bool,
    /// The cover photo (the studio's choice, else the first).
    pub cover_photo_id: Option<PhotoId>,
    pub rights: ClientRights,
    pub selection: SelectionView,
    /// Sets with photos, in order; photos in no set come after them.
    pub sets: Vec<ClientSet>,
    /// In the gallery's order.
    pub photos: Vec<ClientPhoto>,
}

/// A photo as its client sees it, with the link's own marks.
fn client_photo(
    core: &Core,
    g: &Guest,
    p: &photo::Model,
    v: Option<&photo_version::Model>,
    m: Option<&proof_mark::Model>,
) -> ClientPhoto {
    let id = PhotoId::from_uuid(p.id);
    // Changes whenever the bytes do, so browsers may cache by URL.
    let rev = format!("{}.{}", p.current_version, v.map_or(0, |v| v.watermark_rev));
    let url = |what: &str| share::media_url(core, g.link_id(), &id.to_string(), what, &rev);
    ClientPhoto {
        id,
        name: p.original_name.clone(),
        width: v.map_or(p.width, |v| v.thumb_width).max(1),
        height: v.map_or(p.height, |v| v.thumb_height).max(1),
        thumb_url: url("thumb"),
        medium_url: v
            .filter(|v| v.medium_key.is_some())
            .map(|_| url(medium_what(g))),
        medium_width: v.map_or(0, |v| v.medium_width),
        view_url: url(view_what(g)),
        view_width: v.map_or(0, |v| v.preview_width),
        set_id: p.set_id.map(GallerySetId::from_uuid),
        edited: v.is_some_and(|v| matches!(v.role, VersionRole::Edited | VersionRole::Final)),
        favourite: m.is_some_and(|m| m.favourite != 0),
        rating: m.map_or(0, |m| m.rating),
        marketing: m.is_some_and(|m| m.marketing != 0),
    }
}

async fn selection(core: &Core, g: &Guest) -> CoreResult<SelectionView> {
    selection_in(core.db().conn(), g).await
}

async fn selection_in(
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    g: &Guest,
) -> CoreResult<SelectionView> {
    let count = repo::share::count_favourites(c, ShareLinkId::from_uuid(g.link.id)).await?;
    let limit = g.gallery.selection_limit;
    Ok(SelectionView {
        count,
        limit,
        allow_extras: g.gallery.allow_extras != 0,
        extras: limit.map_or(0, |l| count.saturating_sub(u64::try_from(l).unwrap_or(0))),
        deadline: g.gallery.selection_deadline.map(Timestamp::from_micros),
        submitted_at: g.link.submitted_at.map(Timestamp::from_micros),
    })
}

/// The medium a guest's grid uses: clean only where photos are shown clean.
fn medium_what(g: &Guest) -> &'static str {
    if g.state().clean_files() {
        "medium"
    } else {
        "medium-proof"
    }
}

fn view_what(g: &Guest) -> &'static str {
    if g.state().clean_files() {
        "preview"
    } else {
        "proof"
    }
}

/// Records that the client opened the gallery's page (the page's own
/// requests for its JSON, media and the like are not views).
pub async fn record_view(core: &Core, g: &Guest) -> CoreResult<()> {
    share::authorize(core, g, LinkAction::View)?;
    let tx = core.db().begin().await?;
    share::event(core, &tx, g, "view", None, None).await?;
    crate::commit(tx).await
}

/// The gallery as JSON (what `gallery.json` sends), kept for a moment per
/// link: a page of a thousand photos asks for it, and for little else.
pub async fn gallery_json(core: &Core, g: &Guest) -> CoreResult<Listing> {
    share::authorize(core, g, LinkAction::View)?;
    let hot = crate::sharing::hot::of(core);
    if let Some(b) = hot.listings.get(&g.link.id) {
        return Ok(b);
    }
    let _turn = hot.flights.enter(g.link.id).await;
    if let Some(b) = hot.listings.get(&g.link.id) {
        return Ok(b);
    }
    let read_at = crate::sharing::hot::epoch();
    let v = gallery(core, g).await?;
    let b = Listing::new(
        serde_json::to_vec(&v)
            .map_err(|e| CoreError::Internal(e.into()))?
            .into(),
    );
    hot.listings.put(g.link.id, b.clone(), read_at);
    Ok(b)
}

/// Downloads this link may still make: its own cap and, for a proofing
/// link, the gallery's; `None` when neither is capped.
fn downloads_left(g: &Guest, delivery: bool) -> Option<i64> {
    let limit_left = |limit: Option<i64>, used: i64| limit.map(|l| (l - used).max(0));
    let link_left = limit_left(g.link.download_limit, g.link.downloads_used);
    // A delivery link has its own cap; the gallery's applies to proofing links.
    match (
        link_left,
        limit_left(g.gallery.download_limit, g.gallery.downloads_used).filter(|_| !delivery),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Rows by their photo (the first of each), so a 1,000-photo listing is not
/// a million comparisons.
fn by_photo<T>(
    rows: &[T],
    photo: impl Fn(&T) -> uuid::Uuid,
) -> std::collections::HashMap<uuid::Uuid, &T> {
    let mut m = std::collections::HashMap::with_capacity(rows.len());
    for r in rows {
        m.entry(photo(r)).or_insert(r);
    }
    m
}

/// The whole gallery, as the client page and its JSON show it.
pub async fn gallery(core: &Core, g: &Guest) -> CoreResult<ClientGallery> {
    share::authorize(core, g, LinkAction::View)?;
    let c = core.db().conn();
    let rows = all_photos(c, g, crate::photos::interface::order_of(&g.gallery)).await?;
    let versions = repo::photo::current_versions(c, g.studio, &rows).await?;
    let marks = repo::share::marks_of_link(c, ShareLinkId::from_uuid(g.link.id)).await?;
    let version_of = by_photo(&versions, |v| v.photo_id);
    let mark_of = by_photo(&marks, |m| m.photo_id);
    let photos: Vec<ClientPhoto> = rows
        .iter()
        .filter(|p| p.status == PhotoStatus::Ready)
        .map(|p| {
            client_photo(
                core,
                g,
                p,
                version_of.get(&p.id).copied(),
                mark_of.get(&p.id).copied(),
            )
        })
        .collect();
    let sets = repo::gallery::sets_of(c, g.studio, GalleryId::from_uuid(g.gallery.id))
        .await?
        .into_iter()
        .map(|s| ClientSet {
            id: GallerySetId::from_uuid(s.id),
            name: s.name,
            photo_count: photos
                .iter()
                .filter(|p| p.set_id.map(|i| i.uuid()) == Some(s.id))
                .count(),
        })
        .filter(|s| s.photo_count > 0)
        .collect();
    let cover_photo_id = g
        .gallery
        .cover_photo_id
        .map(PhotoId::from_uuid)
        .filter(|c| photos.iter().any(|p| p.id == *c))
        .or_else(|| photos.first().map(|p| p.id));
    let studio = crate::kernel::tenant::page_header(core, g.studio).await?;
    let delivery = g.link.purpose == LinkPurpose::Delivery;
    let rights = LinkRights::parse(&g.link.rights).unwrap_or_default();
    let left = downloads_left(g, delivery);
    let expiries = if delivery {
        vec![g.link.expires_at]
    } else {
        vec![g.link.expires_at, g.gallery.expires_at]
    };
    Ok(ClientGallery {
        studio_name: studio.shown_name(),
        accent_colour: studio.branding.accent_colour,
        locale: studio.locale,
        time_zone: studio.time_zone,
        gallery_name: g.gallery.name.clone(),
        label: g.link.label.clone(),
        expires_at: expiries
            .into_iter()
            .flatten()
            .min()
            .map(Timestamp::from_micros),
        delivery,
        cover_photo_id,
        rights: ClientRights {
            favourite: rights.favourite,
            comment: rights.comment,
            edits: rights.edits,
            download: g.link.download,
            downloads_left: left,
        },
        selection: selection(core, g).await?,
        sets,
        photos,
    })
}

/// A photo of the guest's gallery (404 for any other, or a deleted one).
async fn photo_of(core: &Core, g: &Guest, id: PhotoId) -> CoreResult<photo::Model> {
    repo::photo::find_photo(core.db().conn(), g.studio, id)
        .await?
        .filter(|p| p.gallery_id == Some(g.gallery.id) && p.deleted_at.is_none())
        .ok_or(CoreError::not_found("photo"))
}

/// A note as its author sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientNote {
    pub id: NoteId,
    /// `comment` or `edit_request`.
    pub kind: NoteKind,
    pub body: String,
    pub created_at: Timestamp,
}

/// One photo, with the link's own notes on it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientPhotoDetail {
    #[serde(flatten)]
    pub photo: ClientPhoto,
    /// When the camera took it (local time, as recorded).
    pub taken: Option<String>,
    pub notes: Vec<ClientNote>,
}

pub async fn photo(core: &Core, g: &Guest, id: PhotoId) -> CoreResult<ClientPhotoDetail> {
    share::authorize(core, g, LinkAction::View)?;
    let c = core.db().conn();
    let p = photo_of(core, g, id).await?;
    let versions = repo::photo::current_versions(c, g.studio, std::slice::from_ref(&p)).await?;
    let m = repo::share::find_mark(
        c,
        ShareLinkId::from_uuid(g.link.id),
        PhotoId::from_uuid(p.id),
    )
    .await?;
    let notes = repo::share::notes_of_gallery(
        c,
        g.studio,
        GalleryId::from_uuid(g.gallery.id),
        Some(g.link.id),
        Some(p.id),
        500,
    )
    .await?
    .into_iter()
    .map(|n| ClientNote {
        id: NoteId::from_uuid(n.id),
        kind: n.kind,
        body: n.body,
        created_at: Timestamp::from_micros(n.created_at),
    })
    .collect();
    Ok(ClientPhotoDetail {
        photo: client_photo(core, g, &p, versions.first(), m.as_ref()),
        taken: p.capture_local.clone(),
        notes,
    })
}

/// One photo as a file, in `level` size.
pub async fn download_photo(
    core: &Core,
    g: &Guest,
    photo: PhotoId,
    level: DownloadLevel,
) -> CoreResult<MediaObject> {
    share::authorize(core, g, LinkAction::Download(level))?;
    let p = photo_of(core, g, photo).await?;
    take_download(core, g, level.name(), Some(p.id)).await?;
    let mut obj = media::open_for(core, g.studio, &p, rendition_for(g, level), None).await?;
    if obj.download_name.is_none() {
        let stem = p
            .original_name
            .rsplit_once('.')
            .map_or(p.original_name.as_str(), |(s, _)| s);
        obj.download_name = Some(format!("{stem}.jpg"));
    }
    Ok(obj)
}

/// The whole gallery (or one of its sets) as a ZIP, in `level` size.
pub async fn download_zip(
    core: &Core,
    g: &Guest,
    level: DownloadLevel,
    set: Option<GallerySetId>,
) -> CoreResult<ZipDownload> {
    share::authorize(core, g, LinkAction::Download(level))?;
    let set = match set {
        None => None,
        Some(id) => Some(
            repo::gallery::find_set(core.db().conn(), g.studio, id)
                .await?
                .filter(|s| s.gallery_id == g.gallery.id)
                .ok_or(CoreError::not_found("set"))?,
        ),
    };
    let contents = match rendition_for(g, level) {
        Rendition::Original => download::Contents::Originals,
        Rendition::Preview => download::Contents::Previews,
        _ => download::Contents::Proofs,
    };
    // Build the plan first: an empty gallery costs no download.
    let dl = download::zip_of(core, g.studio, &g.gallery, set.as_ref(), contents).await?;
    let what = match &set {
        Some(s) => format!("zip:{}:{}", level.name(), s.name),
        None => format!("zip:{}", level.name()),
    };
    take_download(core, g, &what, None).await?;
    Ok(dl)
}
