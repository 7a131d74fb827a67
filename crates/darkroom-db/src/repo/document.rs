//! Clients' documents.

use darkroom_domain::StudioId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::client_document::{Column, Entity, Model};

/// A document of a client (deleted ones too).
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
    id: Uuid,
) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id)
        .filter(Column::StudioId.eq(studio))
        .filter(Column::ClientId.eq(client))
        .one(c)
        .await?)
}

/// A client's documents, the live ones or the deleted ones, by title.
pub async fn of_client(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
    deleted: bool,
) -> DbResult<Vec<Model>> {
    let q = Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::ClientId.eq(client));
    let q = if deleted {
        q.filter(Column::DeletedAt.is_not_null())
    } else {
        q.filter(Column::DeletedAt.is_null())
    };
    Ok(q.order_by_asc(Column::Title)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}

/// Live documents with a file whose last valid day is between `from` and
/// `to` (`YYYY-MM-DD`, inclusive), in every studio: the reminders' rounds.
pub async fn expiring(
    c: &impl ConnectionTrait,
    from: &str,
    to: &str,
    limit: u64,
) -> DbResult<Vec<Model>> {
    use sea_orm::QuerySelect;
    Ok(Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::FileKey.is_not_null())
        .filter(Column::ExpiresOn.gte(from))
        .filter(Column::ExpiresOn.lte(to))
        .order_by_asc(Column::ExpiresOn)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// Claims the reminder `key` of a document: true for the one caller that
/// wrote it (another worker, or an earlier round, sees false).
pub async fn claim_reminder(c: &impl ConnectionTrait, id: Uuid, key: &str) -> DbResult<bool> {
    let r = Entity::update_many()
        .col_expr(Column::RemindedKey, Expr::value(key.to_string()))
        .filter(Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(Column::RemindedKey.is_null())
                .add(Column::RemindedKey.ne(key)),
        )
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The document whose file came through `upload`.
pub async fn by_upload(
    c: &impl ConnectionTrait,
    studio: StudioId,
    upload: Uuid,
) -> DbResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::UploadId.eq(upload))
        .one(c)
        .await?)
}
