//! Studios: the tenant roots.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::studio::{ActiveModel, Column, Entity, Model};

pub async fn insert(c: &impl ConnectionTrait, m: Model) -> DbResult<Model> {
    Ok(ActiveModel::from(m).insert(c).await?)
}

pub async fn find(c: &impl ConnectionTrait, id: Uuid) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id)
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
