//! Client sharing: share links, the sessions they open, the client's marks
//! and notes on photos, and gallery activity.

use darkroom_domain::StudioId;
use darkroom_domain::{GalleryId, PhotoId, ShareLinkId, TypedId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{gallery, gallery_event, link_session, photo_note, proof_mark, share_link};

// Links -------------------------------------------------------------------------

pub async fn insert_link(
    c: &impl ConnectionTrait,
    m: share_link::Model,
) -> DbResult<share_link::Model> {
    Ok(share_link::ActiveModel::from(m).insert(c).await?)
}

/// A link of a studio.
pub async fn find_link(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ShareLinkId,
) -> DbResult<Option<share_link::Model>> {
    Ok(share_link::Entity::find_by_id(id.uuid())
        .filter(share_link::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// A link by id alone: for requests that prove themselves another way
/// (a session cookie bound to this link, a signed media URL).
pub async fn find_link_any(
    c: &impl ConnectionTrait,
    id: ShareLinkId,
) -> DbResult<Option<share_link::Model>> {
    Ok(share_link::Entity::find_by_id(id.uuid()).one(c).await?)
}

pub async fn find_link_by_token(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<share_link::Model>> {
    Ok(share_link::Entity::find()
        .filter(share_link::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

pub async fn links_of_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<share_link::Model>> {
    Ok(share_link::Entity::find()
        .filter(share_link::Column::StudioId.eq(studio))
        .filter(share_link::Column::GalleryId.eq(gallery))
        .order_by_desc(share_link::Column::Id)
        .all(c)
        .await?)
}

pub async fn update_link(
    c: &impl ConnectionTrait,
    changes: share_link::ActiveModel,
) -> DbResult<()> {
    changes.update(c).await?;
    Ok(())
}

pub async fn touch_link(c: &impl ConnectionTrait, id: ShareLinkId, now: i64) -> DbResult<()> {
    share_link::Entity::update_many()
        .col_expr(share_link::Column::LastActivityAt, Expr::value(now))
        .filter(share_link::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Adds one failed access-code attempt; returns the new count.
pub async fn add_failed_code(c: &impl ConnectionTrait, id: ShareLinkId) -> DbResult<i64> {
    share_link::Entity::update_many()
        .col_expr(
            share_link::Column::FailedCodes,
            Expr::col(share_link::Column::FailedCodes).add(1),
        )
        .filter(share_link::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(find_link_any(c, id).await?.map_or(0, |l| l.failed_codes))
}

/// Takes one download from the link's allowance, atomically: `false` when
/// the cap is already reached (the row is left as it was).
pub async fn take_link_download(c: &impl ConnectionTrait, id: ShareLinkId) -> DbResult<bool> {
    let res = share_link::Entity::update_many()
        .col_expr(
            share_link::Column::DownloadsUsed,
            Expr::col(share_link::Column::DownloadsUsed).add(1),
        )
        .filter(share_link::Column::Id.eq(id))
        .filter(
            share_link::Column::DownloadLimit
                .is_null()
                .or(Expr::col(share_link::Column::DownloadsUsed)
                    .lt(Expr::col(share_link::Column::DownloadLimit))),
        )
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The same for the gallery's own cap, across all its links.
pub async fn take_gallery_download(c: &impl ConnectionTrait, id: GalleryId) -> DbResult<bool> {
    let res = gallery::Entity::update_many()
        .col_expr(
            gallery::Column::DownloadsUsed,
            Expr::col(gallery::Column::DownloadsUsed).add(1),
        )
        .filter(gallery::Column::Id.eq(id))
        .filter(gallery::Column::DownloadLimit.is_null().or(
            Expr::col(gallery::Column::DownloadsUsed).lt(Expr::col(gallery::Column::DownloadLimit)),
        ))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

// Sessions ----------------------------------------------------------------------

pub async fn insert_session(c: &impl ConnectionTrait, m: link_session::Model) -> DbResult<()> {
    link_session::ActiveModel::from(m).insert(c).await?;
    Ok(())
}

pub async fn find_session(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<link_session::Model>> {
    Ok(link_session::Entity::find()
        .filter(link_session::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

// Marks -------------------------------------------------------------------------

pub async fn find_mark(
    c: &impl ConnectionTrait,
    link: ShareLinkId,
    photo: PhotoId,
) -> DbResult<Option<proof_mark::Model>> {
    Ok(proof_mark::Entity::find()
        .filter(proof_mark::Column::LinkId.eq(link))
        .filter(proof_mark::Column::PhotoId.eq(photo))
        .one(c)
        .await?)
}

pub async fn insert_mark(c: &impl ConnectionTrait, m: proof_mark::Model) -> DbResult<()> {
    proof_mark::ActiveModel::from(m).insert(c).await?;
    Ok(())
}

pub async fn update_mark(c: &impl ConnectionTrait, m: proof_mark::Model) -> DbResult<()> {
    let mut am = proof_mark::ActiveModel::from(m);
    am.favourite = Set(*am.favourite.as_ref());
    am.rating = Set(*am.rating.as_ref());
    am.marketing = Set(*am.marketing.as_ref());
    am.updated_at = Set(*am.updated_at.as_ref());
    am.update(c).await?;
    Ok(())
}

pub async fn marks_of_link(
    c: &impl ConnectionTrait,
    link: ShareLinkId,
) -> DbResult<Vec<proof_mark::Model>> {
    Ok(proof_mark::Entity::find()
        .filter(proof_mark::Column::LinkId.eq(link))
        .all(c)
        .await?)
}

pub async fn marks_of_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<proof_mark::Model>> {
    Ok(proof_mark::Entity::find()
        .filter(proof_mark::Column::StudioId.eq(studio))
        .filter(proof_mark::Column::GalleryId.eq(gallery))
        .all(c)
        .await?)
}

/// Every link's marks on one photo.
pub async fn marks_of_photo(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
    photo: PhotoId,
) -> DbResult<Vec<proof_mark::Model>> {
    Ok(proof_mark::Entity::find()
        .filter(proof_mark::Column::StudioId.eq(studio))
        .filter(proof_mark::Column::GalleryId.eq(gallery))
        .filter(proof_mark::Column::PhotoId.eq(photo))
        .all(c)
        .await?)
}

pub async fn count_favourites(c: &impl ConnectionTrait, link: ShareLinkId) -> DbResult<u64> {
    Ok(proof_mark::Entity::find()
        .filter(proof_mark::Column::LinkId.eq(link))
        .filter(proof_mark::Column::Favourite.eq(1))
        .count(c)
        .await?)
}

// Notes -------------------------------------------------------------------------

pub async fn insert_note(c: &impl ConnectionTrait, m: photo_note::Model) -> DbResult<()> {
    photo_note::ActiveModel::from(m).insert(c).await?;
    Ok(())
}

/// Notes of a gallery, newest first; with `link` only that link's, with
/// `photo` only that photo's.
pub async fn notes_of_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
    link: Option<Uuid>,
    photo: Option<Uuid>,
    limit: u64,
) -> DbResult<Vec<photo_note::Model>> {
    let mut q = photo_note::Entity::find()
        .filter(photo_note::Column::StudioId.eq(studio))
        .filter(photo_note::Column::GalleryId.eq(gallery));
    if let Some(l) = link {
        q = q.filter(photo_note::Column::LinkId.eq(l));
    }
    if let Some(p) = photo {
        q = q.filter(photo_note::Column::PhotoId.eq(p));
    }
    Ok(q.order_by_desc(photo_note::Column::CreatedAt)
        .order_by_desc(photo_note::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

// Activity ----------------------------------------------------------------------

pub async fn insert_event(c: &impl ConnectionTrait, m: gallery_event::Model) -> DbResult<()> {
    gallery_event::ActiveModel::from(m).insert(c).await?;
    Ok(())
}

pub async fn events_of_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
    limit: u64,
) -> DbResult<Vec<gallery_event::Model>> {
    Ok(gallery_event::Entity::find()
        .filter(gallery_event::Column::StudioId.eq(studio))
        .filter(gallery_event::Column::GalleryId.eq(gallery))
        .order_by_desc(gallery_event::Column::At)
        .order_by_desc(gallery_event::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// A studio's latest client events of `kinds`, newest first.
pub async fn recent_events(
    c: &impl ConnectionTrait,
    studio: StudioId,
    kinds: &[&str],
    limit: u64,
) -> DbResult<Vec<gallery_event::Model>> {
    Ok(gallery_event::Entity::find()
        .filter(gallery_event::Column::StudioId.eq(studio))
        .filter(gallery_event::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_desc(gallery_event::Column::At)
        .order_by_desc(gallery_event::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// (link, kind, count) over a gallery's whole history.
pub async fn event_counts(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<(Option<Uuid>, String, i64)>> {
    Ok(gallery_event::Entity::find()
        .select_only()
        .column(gallery_event::Column::LinkId)
        .column(gallery_event::Column::Kind)
        .column_as(gallery_event::Column::Id.count(), "n")
        .filter(gallery_event::Column::StudioId.eq(studio))
        .filter(gallery_event::Column::GalleryId.eq(gallery))
        .group_by(gallery_event::Column::LinkId)
        .group_by(gallery_event::Column::Kind)
        .into_tuple::<(Option<Uuid>, String, i64)>()
        .all(c)
        .await?)
}

// Expiry reminders --------------------------------------------------------------

/// Live galleries (any studio) expiring in `(now, before]` not yet reminded.
pub async fn galleries_expiring(
    c: &impl ConnectionTrait,
    now: i64,
    before: i64,
) -> DbResult<Vec<gallery::Model>> {
    Ok(gallery::Entity::find()
        .filter(gallery::Column::ExpiresAt.gt(now))
        .filter(gallery::Column::ExpiresAt.lte(before))
        .filter(gallery::Column::ExpiryRemindedAt.is_null())
        .filter(gallery::Column::DeletedAt.is_null())
        .filter(gallery::Column::Status.ne("archived"))
        .limit(500)
        .all(c)
        .await?)
}

/// Claims a gallery's reminder: `false` if another worker already did.
pub async fn claim_reminder(c: &impl ConnectionTrait, id: GalleryId, now: i64) -> DbResult<bool> {
    let res = gallery::Entity::update_many()
        .col_expr(gallery::Column::ExpiryRemindedAt, Expr::value(now))
        .filter(gallery::Column::Id.eq(id))
        .filter(gallery::Column::ExpiryRemindedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}
