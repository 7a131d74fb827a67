//! Physical deliverables of galleries.

use darkroom_domain::StudioId;
use darkroom_domain::{DeliverableId, GalleryId, TypedId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::DbResult;
use crate::entity::deliverable;

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: DeliverableId,
) -> DbResult<Option<deliverable::Model>> {
    Ok(deliverable::Entity::find_by_id(id.uuid())
        .filter(deliverable::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

pub async fn of_gallery(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<deliverable::Model>> {
    Ok(deliverable::Entity::find()
        .filter(deliverable::Column::StudioId.eq(studio))
        .filter(deliverable::Column::GalleryId.eq(gallery))
        .order_by_asc(deliverable::Column::Id)
        .all(c)
        .await?)
}
