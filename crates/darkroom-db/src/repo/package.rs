//! A studio's packages.

use darkroom_domain::{PackageId, StudioId, TypedId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::DbResult;
use crate::entity::package;

/// A package of the studio, live unless `deleted` (then live or not).
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: PackageId,
    deleted: bool,
) -> DbResult<Option<package::Model>> {
    let mut q = package::Entity::find_by_id(id.uuid()).filter(package::Column::StudioId.eq(studio));
    if !deleted {
        q = q.filter(package::Column::DeletedAt.is_null());
    }
    Ok(q.one(c).await?)
}

/// The studio's live packages by name.
pub async fn list(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<Vec<package::Model>> {
    Ok(package::Entity::find()
        .filter(package::Column::StudioId.eq(studio))
        .filter(package::Column::DeletedAt.is_null())
        .order_by_asc(package::Column::Name)
        .all(c)
        .await?)
}
