//! Studios: the tenant roots.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::studio::{self, ActiveModel, Column, Entity, Model};

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

/// Writes `changes` if the stored version is still `expected`; bumps the
/// version. Returns whether a row was updated.
pub async fn update_versioned(
    c: &impl ConnectionTrait,
    id: Uuid,
    expected: i64,
    mut changes: studio::ActiveModel,
) -> DbResult<bool> {
    changes.version = sea_orm::Set(expected + 1);
    let res = Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(expected))
        .filter(Column::DeletedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}
