//! Records which body created each record with a client-supplied id, so a
//! replayed create is answered idempotently and a different body is refused.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::created_id::{ActiveModel, Entity, Model};

pub async fn find(c: &impl ConnectionTrait, id: Uuid) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(c).await?)
}

pub async fn insert(c: &impl ConnectionTrait, m: Model) -> DbResult<()> {
    ActiveModel::from(m).insert(c).await?;
    Ok(())
}
