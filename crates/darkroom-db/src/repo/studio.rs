//! Studios: the tenant roots.

use darkroom_domain::{StudioId, TypedId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::DbResult;
use crate::entity::studio::{Column, Entity, Model};

pub async fn find(c: &impl ConnectionTrait, id: StudioId) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id.uuid())
        .filter(Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

pub async fn count(c: &impl ConnectionTrait) -> DbResult<u64> {
    Ok(Entity::find()
        .filter(Column::DeletedAt.is_null())
        .count(c)
        .await?)
}

pub async fn list_all(c: &impl ConnectionTrait) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}
