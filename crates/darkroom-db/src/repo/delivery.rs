//! Physical deliverables of galleries.

use darkroom_domain::GalleryId;
use darkroom_domain::StudioId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::deliverable;

pub async fn insert(
    c: &impl ConnectionTrait,
    m: deliverable::Model,
) -> DbResult<deliverable::Model> {
    Ok(deliverable::ActiveModel::from(m).insert(c).await?)
}

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: Uuid,
) -> DbResult<Option<deliverable::Model>> {
    Ok(deliverable::Entity::find_by_id(id)
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
