//! Access control rows: roles, role assignments and contextual grants.

use darkroom_domain::UserId;
use darkroom_domain::{AssignmentId, GrantId, RoleId, StudioId, TypedId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::DbResult;
use crate::entity::{permission_grant, role, role_assignment};

pub async fn find_role(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: RoleId,
) -> DbResult<Option<role::Model>> {
    Ok(role::Entity::find_by_id(id.uuid())
        .filter(role::Column::StudioId.eq(studio))
        .filter(role::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

pub async fn find_builtin_role(
    c: &impl ConnectionTrait,
    studio: StudioId,
    key: &str,
) -> DbResult<Option<role::Model>> {
    Ok(role::Entity::find()
        .filter(role::Column::StudioId.eq(studio))
        .filter(role::Column::BuiltinKey.eq(key))
        .filter(role::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// Live roles of a studio: built-in first, then by name.
pub async fn list_roles(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<Vec<role::Model>> {
    let mut rows = role::Entity::find()
        .filter(role::Column::StudioId.eq(studio))
        .filter(role::Column::DeletedAt.is_null())
        .order_by_asc(role::Column::Id)
        .all(c)
        .await?;
    rows.sort_by_key(|r| r.builtin_key.is_none());
    Ok(rows)
}

pub async fn insert_assignment(
    c: &impl ConnectionTrait,
    m: role_assignment::Model,
) -> DbResult<role_assignment::Model> {
    Ok(role_assignment::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_assignment(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: AssignmentId,
) -> DbResult<Option<role_assignment::Model>> {
    Ok(role_assignment::Entity::find_by_id(id.uuid())
        .filter(role_assignment::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

pub async fn assignments_of_user(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
) -> DbResult<Vec<role_assignment::Model>> {
    Ok(role_assignment::Entity::find()
        .filter(role_assignment::Column::StudioId.eq(studio))
        .filter(role_assignment::Column::UserId.eq(user))
        .order_by_asc(role_assignment::Column::Id)
        .all(c)
        .await?)
}

pub async fn assignments_of_studio(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<role_assignment::Model>> {
    Ok(role_assignment::Entity::find()
        .filter(role_assignment::Column::StudioId.eq(studio))
        .order_by_asc(role_assignment::Column::Id)
        .all(c)
        .await?)
}

pub async fn count_assignments_of_role(
    c: &impl ConnectionTrait,
    studio: StudioId,
    role: RoleId,
) -> DbResult<u64> {
    Ok(role_assignment::Entity::find()
        .filter(role_assignment::Column::StudioId.eq(studio))
        .filter(role_assignment::Column::RoleId.eq(role))
        .count(c)
        .await?)
}

pub async fn delete_assignment(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: AssignmentId,
) -> DbResult<bool> {
    let res = role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::Id.eq(id))
        .filter(role_assignment::Column::StudioId.eq(studio))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn insert_grant(
    c: &impl ConnectionTrait,
    m: permission_grant::Model,
) -> DbResult<permission_grant::Model> {
    Ok(permission_grant::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_grant(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: GrantId,
) -> DbResult<Option<permission_grant::Model>> {
    Ok(permission_grant::Entity::find_by_id(id.uuid())
        .filter(permission_grant::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

pub async fn grants_of_user(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
) -> DbResult<Vec<permission_grant::Model>> {
    Ok(permission_grant::Entity::find()
        .filter(permission_grant::Column::StudioId.eq(studio))
        .filter(permission_grant::Column::UserId.eq(user))
        .order_by_asc(permission_grant::Column::Id)
        .all(c)
        .await?)
}

pub async fn grants_of_studio(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<permission_grant::Model>> {
    Ok(permission_grant::Entity::find()
        .filter(permission_grant::Column::StudioId.eq(studio))
        .order_by_asc(permission_grant::Column::Id)
        .all(c)
        .await?)
}

pub async fn delete_grant(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: GrantId,
) -> DbResult<bool> {
    let res = permission_grant::Entity::delete_many()
        .filter(permission_grant::Column::Id.eq(id))
        .filter(permission_grant::Column::StudioId.eq(studio))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}
