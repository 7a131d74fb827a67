//! Resumable uploads (tus).

use darkroom_domain::{StudioId, TypedId, UploadId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::upload::{ActiveModel, Column, Entity, Model};
use darkroom_domain::names::UploadStatus;

pub async fn insert(c: &impl ConnectionTrait, m: Model) -> DbResult<Model> {
    Ok(ActiveModel::from(m).insert(c).await?)
}

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: UploadId,
) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id.uuid())
        .filter(Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

pub async fn find_any(c: &impl ConnectionTrait, id: UploadId) -> DbResult<Option<Model>> {
    Ok(Entity::find_by_id(id.uuid()).one(c).await?)
}

/// Records how many bytes are durably received, and pushes expiry forward.
pub async fn set_received(
    c: &impl ConnectionTrait,
    id: UploadId,
    received: i64,
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    Entity::update_many()
        .col_expr(Column::Received, Expr::value(received))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn finish(
    c: &impl ConnectionTrait,
    id: UploadId,
    status: UploadStatus,
    photo: Option<Uuid>,
    error: Option<&str>,
    now: i64,
) -> DbResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::PhotoId, Expr::value(photo))
        .col_expr(Column::Error, Expr::value(error.map(str::to_string)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Uploads still receiving whose expiry passed.
pub async fn expired(c: &impl ConnectionTrait, now: i64) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::Status.eq(UploadStatus::Receiving))
        .filter(Column::ExpiresAt.lt(now))
        .all(c)
        .await?)
}

/// Every upload still receiving (for start-up recovery).
pub async fn receiving(c: &impl ConnectionTrait) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::Status.eq(UploadStatus::Receiving))
        .all(c)
        .await?)
}

/// Bytes promised by unfinished uploads of a studio (counted against its quota).
pub async fn pending_bytes(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<i64> {
    let rows = Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::Status.eq(UploadStatus::Receiving))
        .all(c)
        .await?;
    Ok(rows.iter().map(|u| u.length).sum())
}

/// Records a plain file's upload as finished, with its hash and type.
pub async fn finish_file(
    c: &impl ConnectionTrait,
    id: UploadId,
    sha256: &str,
    content_type: &str,
    now: i64,
) -> DbResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(UploadStatus::Finished))
        .col_expr(Column::Sha256, Expr::value(sha256.to_string()))
        .col_expr(Column::ContentType, Expr::value(content_type.to_string()))
        .col_expr(Column::Error, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
