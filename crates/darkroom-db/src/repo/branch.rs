//! Branches of a studio.

use darkroom_domain::{BranchId, StudioId, TypedId};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::branch::{Column, Entity, Model};
use crate::page::{Page, PageRequest};

/// Which rows a list returns.
#[derive(Clone, Debug, Default)]
pub struct BranchQuery {
    /// `None`: every branch; `Some(list)`: only these (branch-scoped viewers).
    pub only: Option<Vec<Uuid>>,
    pub deleted: bool,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// A branch of `studio`, live or (with `deleted`) soft-deleted.
pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: BranchId,
    deleted: bool,
) -> DbResult<Option<Model>> {
    let mut q = Entity::find_by_id(id.uuid()).filter(Column::StudioId.eq(studio));
    q = if deleted {
        q
    } else {
        q.filter(Column::DeletedAt.is_null())
    };
    Ok(q.one(c).await?)
}

pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    query: &BranchQuery,
    page: &PageRequest<Uuid>,
) -> DbResult<Page<Model, Uuid>> {
    let mut cond = Condition::all().add(Column::StudioId.eq(studio));
    cond = if query.deleted {
        cond.add(Column::DeletedAt.is_not_null())
    } else {
        cond.add(Column::DeletedAt.is_null())
    };
    if let Some(only) = &query.only {
        cond = cond.add(Column::Id.is_in(only.clone()));
    }
    if let Some(s) = &query.search {
        cond = cond.add(crate::repo::contains_ci(Column::Name, s));
    }
    if let Some(after) = page.after {
        cond = cond.add(Column::Id.gt(after));
    }
    let rows = Entity::find()
        .filter(cond)
        .order_by_asc(Column::Id)
        .limit(page.probe_limit())
        .all(c)
        .await?;
    Ok(Page::from_probe(rows, page, |m| m.id))
}

pub async fn list_names(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<(Uuid, String)>> {
    let rows = Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::Name)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id, m.name)).collect())
}

/// A studio's live branches, by name.
pub async fn live(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::Name)
        .all(c)
        .await?)
}

/// A live branch of a live studio, by id alone (its public pages).
pub async fn find_public(c: &impl ConnectionTrait, id: BranchId) -> DbResult<Option<Model>> {
    let Some(b) = Entity::find_by_id(id.uuid())
        .filter(Column::DeletedAt.is_null())
        .one(c)
        .await?
    else {
        return Ok(None);
    };
    let live = crate::entity::studio::Entity::find_by_id(b.studio_id)
        .filter(crate::entity::studio::Column::DeletedAt.is_null())
        .one(c)
        .await?
        .is_some();
    Ok(live.then_some(b))
}
