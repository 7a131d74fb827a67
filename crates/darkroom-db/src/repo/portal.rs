//! Client portal sign-in links.

use darkroom_domain::StudioId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::portal_link;

pub async fn insert(c: &impl ConnectionTrait, m: portal_link::Model) -> DbResult<()> {
    let am: portal_link::ActiveModel = m.into();
    portal_link::Entity::insert(am).exec(c).await?;
    Ok(())
}

/// The link with this token hash, in any studio (the token is the proof).
pub async fn by_hash(c: &impl ConnectionTrait, hash: &str) -> DbResult<Option<portal_link::Model>> {
    Ok(portal_link::Entity::find()
        .filter(portal_link::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
    id: Uuid,
) -> DbResult<Option<portal_link::Model>> {
    Ok(portal_link::Entity::find_by_id(id)
        .filter(portal_link::Column::StudioId.eq(studio))
        .filter(portal_link::Column::ClientId.eq(client))
        .one(c)
        .await?)
}

/// A client's links, newest first.
pub async fn of_client(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
) -> DbResult<Vec<portal_link::Model>> {
    Ok(portal_link::Entity::find()
        .filter(portal_link::Column::StudioId.eq(studio))
        .filter(portal_link::Column::ClientId.eq(client))
        .order_by_desc(portal_link::Column::CreatedAt)
        .all(c)
        .await?)
}

/// Notes when a link was last used.
pub async fn opened(c: &impl ConnectionTrait, id: Uuid, at: i64) -> DbResult<()> {
    use sea_orm::sea_query::Expr;
    portal_link::Entity::update_many()
        .col_expr(portal_link::Column::LastOpenedAt, Expr::value(at))
        .filter(portal_link::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
