//! Photos and their versions.

use darkroom_domain::StudioId;
use darkroom_domain::{GalleryId, PhotoId, PhotoVersionId, TypedId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{photo, photo_version};

pub async fn insert_photo(c: &impl ConnectionTrait, m: photo::Model) -> DbResult<photo::Model> {
    Ok(photo::ActiveModel::from(m).insert(c).await?)
}

pub async fn insert_version(
    c: &impl ConnectionTrait,
    m: photo_version::Model,
) -> DbResult<photo_version::Model> {
    Ok(photo_version::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_photo(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: PhotoId,
) -> DbResult<Option<photo::Model>> {
    Ok(photo::Entity::find_by_id(id.uuid())
        .filter(photo::Column::StudioId.eq(studio))
        .filter(photo::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

pub async fn find_version(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: PhotoVersionId,
) -> DbResult<Option<photo_version::Model>> {
    Ok(photo_version::Entity::find_by_id(id.uuid())
        .filter(photo_version::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// Any version, whatever studio (for jobs, which carry only the version id).
pub async fn find_version_any(
    c: &impl ConnectionTrait,
    id: PhotoVersionId,
) -> DbResult<Option<photo_version::Model>> {
    Ok(photo_version::Entity::find_by_id(id.uuid()).one(c).await?)
}

pub async fn versions_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    photo: PhotoId,
) -> DbResult<Vec<photo_version::Model>> {
    Ok(photo_version::Entity::find()
        .filter(photo_version::Column::StudioId.eq(studio))
        .filter(photo_version::Column::PhotoId.eq(photo))
        .order_by_asc(photo_version::Column::Number)
        .all(c)
        .await?)
}

/// The current version of each photo (number == current_version).
pub async fn current_versions(
    c: &impl ConnectionTrait,
    studio: StudioId,
    photos: &[photo::Model],
) -> DbResult<Vec<photo_version::Model>> {
    if photos.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = photos.iter().map(|p| p.id).collect();
    let rows = photo_version::Entity::find()
        .filter(photo_version::Column::StudioId.eq(studio))
        .filter(photo_version::Column::PhotoId.is_in(ids))
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|v| {
            photos
                .iter()
                .any(|p| p.id == v.photo_id && p.current_version == v.number)
        })
        .collect())
}

/// Where photos are: a gallery, or a staging batch, or all of staging.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    Gallery(Uuid),
    /// One set of a gallery.
    Set {
        gallery: Uuid,
        set: Uuid,
    },
    Batch(Uuid),
    Staging,
}

fn place_cond(studio: StudioId, place: Place) -> Condition {
    let c = Condition::all()
        .add(photo::Column::StudioId.eq(studio))
        .add(photo::Column::DeletedAt.is_null());
    match place {
        Place::Gallery(g) => c.add(photo::Column::GalleryId.eq(g)),
        Place::Set { gallery, set } => c
            .add(photo::Column::GalleryId.eq(gallery))
            .add(photo::Column::SetId.eq(set)),
        Place::Batch(b) => c
            .add(photo::Column::GalleryId.is_null())
            .add(photo::Column::BatchId.eq(b)),
        Place::Staging => c.add(photo::Column::GalleryId.is_null()),
    }
}

/// How a gallery's photos are ordered (the domain's name for it).
pub use darkroom_domain::names::SortOrder as Order;

/// Photos of a place in `order` (ties by name, then id); `offset`/`limit` page.
pub async fn list_in(
    c: &impl ConnectionTrait,
    studio: StudioId,
    place: Place,
    order: Order,
    offset: u64,
    limit: u64,
) -> DbResult<Vec<photo::Model>> {
    let mut q = photo::Entity::find().filter(place_cond(studio, place));
    q = match order {
        Order::Capture => q
            .order_by_asc(Expr::col(photo::Column::CaptureAt).is_null())
            .order_by_asc(photo::Column::CaptureAt),
        Order::Name => q,
        Order::Manual => q.order_by_asc(photo::Column::Position),
    };
    Ok(q.order_by_asc(photo::Column::OriginalName)
        .order_by_asc(photo::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(c)
        .await?)
}

/// Puts photos of a gallery in a set (or in none), and returns how many moved.
pub async fn set_photos_set(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
    photos: &[Uuid],
    set: Option<Uuid>,
    now: i64,
) -> DbResult<u64> {
    let res = photo::Entity::update_many()
        .col_expr(photo::Column::SetId, Expr::value(set))
        .col_expr(photo::Column::UpdatedAt, Expr::value(now))
        .filter(photo::Column::StudioId.eq(studio))
        .filter(photo::Column::GalleryId.eq(gallery))
        .filter(photo::Column::Id.is_in(photos.iter().copied()))
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

/// Gives one photo of a gallery its manual position.
pub async fn set_position(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
    photo: PhotoId,
    position: i64,
) -> DbResult<()> {
    photo::Entity::update_many()
        .col_expr(photo::Column::Position, Expr::value(position))
        .filter(photo::Column::StudioId.eq(studio))
        .filter(photo::Column::GalleryId.eq(gallery))
        .filter(photo::Column::Id.eq(photo))
        .exec(c)
        .await?;
    Ok(())
}

/// The ids of a gallery's live photos (any order).
pub async fn ids_in_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<Uuid>> {
    Ok(photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .filter(place_cond(studio, Place::Gallery(gallery.uuid())))
        .into_tuple()
        .all(c)
        .await?)
}

pub async fn count_in(c: &impl ConnectionTrait, studio: StudioId, place: Place) -> DbResult<u64> {
    Ok(photo::Entity::find()
        .filter(place_cond(studio, place))
        .count(c)
        .await?)
}

/// Photos of `place` with this status (`processing`, `ready`, `failed`).
pub async fn count_status_in(
    c: &impl ConnectionTrait,
    studio: StudioId,
    place: Place,
    status: &str,
) -> DbResult<u64> {
    Ok(photo::Entity::find()
        .filter(place_cond(studio, place))
        .filter(photo::Column::Status.eq(status))
        .count(c)
        .await?)
}

/// A live photo of `place` whose current or earlier version has this content.
pub async fn find_duplicate(
    c: &impl ConnectionTrait,
    studio: StudioId,
    place: Place,
    hash: &str,
) -> DbResult<Option<photo::Model>> {
    let versions = photo_version::Entity::find()
        .filter(photo_version::Column::StudioId.eq(studio))
        .filter(photo_version::Column::ContentHash.eq(hash))
        .all(c)
        .await?;
    if versions.is_empty() {
        return Ok(None);
    }
    let ids: Vec<Uuid> = versions.iter().map(|v| v.photo_id).collect();
    Ok(photo::Entity::find()
        .filter(place_cond(studio, place))
        .filter(photo::Column::Id.is_in(ids))
        .one(c)
        .await?)
}

/// Staging batches: (batch, photo count, newest upload).
pub async fn staging_batches(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<(Option<Uuid>, i64, i64)>> {
    let rows: Vec<(Option<Uuid>, i64, Option<i64>)> = photo::Entity::find()
        .select_only()
        .column(photo::Column::BatchId)
        .column_as(photo::Column::Id.count(), "n")
        .column_as(photo::Column::CreatedAt.max(), "latest")
        .filter(place_cond(studio, Place::Staging))
        .group_by(photo::Column::BatchId)
        .into_tuple()
        .all(c)
        .await?;
    let mut out: Vec<(Option<Uuid>, i64, i64)> = rows
        .into_iter()
        .map(|(b, n, l)| (b, n, l.unwrap_or(0)))
        .collect();
    out.sort_by_key(|(_, _, latest)| std::cmp::Reverse(*latest));
    Ok(out)
}

/// Moves staged photos into a gallery; returns how many moved.
pub async fn assign_to_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    ids: &[Uuid],
    gallery: GalleryId,
    now: i64,
) -> DbResult<u64> {
    let res = photo::Entity::update_many()
        .col_expr(photo::Column::GalleryId, Expr::value(gallery))
        .col_expr(photo::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            photo::Column::Version,
            Expr::col(photo::Column::Version).add(1),
        )
        .filter(photo::Column::StudioId.eq(studio))
        .filter(photo::Column::Id.is_in(ids.to_vec()))
        .filter(photo::Column::GalleryId.is_null())
        .filter(photo::Column::DeletedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

pub async fn update_photo(c: &impl ConnectionTrait, changes: photo::ActiveModel) -> DbResult<()> {
    changes.update(c).await?;
    Ok(())
}

pub async fn update_version(
    c: &impl ConnectionTrait,
    changes: photo_version::ActiveModel,
) -> DbResult<()> {
    changes.update(c).await?;
    Ok(())
}

/// Bytes a studio stores: every unpurged original plus its derivatives.
pub async fn storage_used(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<i64> {
    let row: Option<(Option<i64>, Option<i64>)> = photo_version::Entity::find()
        .select_only()
        // SUM over BIGINT is NUMERIC on PostgreSQL; cast back so both
        // backends decode an i64.
        .column_as(
            Expr::col(photo_version::Column::SizeBytes)
                .sum()
                .cast_as("BIGINT"),
            "a",
        )
        .column_as(
            Expr::col(photo_version::Column::DerivativeBytes)
                .sum()
                .cast_as("BIGINT"),
            "b",
        )
        .filter(photo_version::Column::StudioId.eq(studio))
        .filter(photo_version::Column::PurgedAt.is_null())
        .into_tuple()
        .one(c)
        .await?;
    Ok(row
        .map(|(a, b)| a.unwrap_or(0) + b.unwrap_or(0))
        .unwrap_or(0))
}

/// Studios with versions marked as rendered before the current set of
/// renditions (`watermark_rev` below 0, set by a migration that adds one).
pub async fn studios_with_old_renditions(
    c: &impl ConnectionTrait,
    limit: u64,
) -> DbResult<Vec<StudioId>> {
    let ids: Vec<Uuid> = photo_version::Entity::find()
        .select_only()
        .column(photo_version::Column::StudioId)
        .distinct()
        .filter(photo_version::Column::WatermarkRev.lt(0))
        .filter(photo_version::Column::RenderStatus.eq("ready"))
        .filter(photo_version::Column::PurgedAt.is_null())
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?;
    Ok(ids.into_iter().map(StudioId::from_uuid).collect())
}

/// Versions whose proofs were rendered with an older watermark.
pub async fn stale_proofs(
    c: &impl ConnectionTrait,
    studio: StudioId,
    rev: i64,
    limit: u64,
) -> DbResult<Vec<photo_version::Model>> {
    Ok(photo_version::Entity::find()
        .filter(photo_version::Column::StudioId.eq(studio))
        .filter(photo_version::Column::WatermarkRev.lt(rev))
        .filter(photo_version::Column::RenderStatus.eq("ready"))
        .filter(photo_version::Column::PurgedAt.is_null())
        .limit(limit)
        .all(c)
        .await?)
}

/// Every version row, in pages, for the reconciler and migrations.
pub async fn all_versions(
    c: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> DbResult<Vec<photo_version::Model>> {
    let mut q = photo_version::Entity::find()
        .order_by_asc(photo_version::Column::Id)
        .limit(limit);
    if let Some(a) = after {
        q = q.filter(photo_version::Column::Id.gt(a));
    }
    Ok(q.all(c).await?)
}

pub async fn versions_of_studio(
    c: &impl ConnectionTrait,
    studio: StudioId,
    after: Option<Uuid>,
    limit: u64,
) -> DbResult<Vec<photo_version::Model>> {
    let mut q = photo_version::Entity::find()
        .filter(photo_version::Column::StudioId.eq(studio))
        .order_by_asc(photo_version::Column::Id)
        .limit(limit);
    if let Some(a) = after {
        q = q.filter(photo_version::Column::Id.gt(a));
    }
    Ok(q.all(c).await?)
}

/// Whether any version (purged or not) names `key` as one of its files.
pub async fn key_in_use(c: &impl ConnectionTrait, key: &str) -> DbResult<bool> {
    use photo_version::Column as V;
    Ok(photo_version::Entity::find()
        .filter(
            Condition::any()
                .add(V::OriginalKey.eq(key))
                .add(V::ThumbKey.eq(key))
                .add(V::PreviewKey.eq(key))
                .add(V::ProofKey.eq(key)),
        )
        .filter(V::PurgedAt.is_null())
        .count(c)
        .await?
        > 0)
}
