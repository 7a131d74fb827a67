//! Galleries.

use darkroom_domain::StudioId;
use darkroom_domain::{GalleryId, GallerySetId, TypedId};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::gallery::{Column, Entity, Model};
use crate::entity::gallery_set;
use crate::page::{Page, PageRequest};

#[derive(Clone, Debug, Default)]
pub struct GalleryQuery {
    /// Only galleries of these branches (`None`: all).
    pub branches: Option<Vec<Uuid>>,
    /// Plus these galleries, whatever their branch (contextual grants).
    pub also: Vec<Uuid>,
    pub status: Option<String>,
    pub deleted: bool,
    pub search: Option<String>,
}

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: GalleryId,
    deleted: bool,
) -> DbResult<Option<Model>> {
    let mut q = Entity::find_by_id(id.uuid()).filter(Column::StudioId.eq(studio));
    if !deleted {
        q = q.filter(Column::DeletedAt.is_null());
    }
    Ok(q.one(c).await?)
}

/// A live gallery by exact name (case-insensitive), for the command line.
pub async fn find_by_name(
    c: &impl ConnectionTrait,
    studio: StudioId,
    name: &str,
) -> DbResult<Vec<Model>> {
    let rows = Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::DeletedAt.is_null())
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|g| g.name.eq_ignore_ascii_case(name))
        .collect())
}

pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    q: &GalleryQuery,
    page: &PageRequest<Uuid>,
) -> DbResult<Page<Model, Uuid>> {
    let mut cond = Condition::all().add(Column::StudioId.eq(studio));
    cond = if q.deleted {
        cond.add(Column::DeletedAt.is_not_null())
    } else {
        cond.add(Column::DeletedAt.is_null())
    };
    if let Some(b) = &q.branches {
        let mut any = Condition::any().add(Column::BranchId.is_in(b.clone()));
        if !q.also.is_empty() {
            any = any.add(Column::Id.is_in(q.also.clone()));
        }
        cond = cond.add(any);
    }
    if let Some(s) = &q.status {
        cond = cond.add(Column::Status.eq(s.clone()));
    }
    if let Some(s) = &q.search {
        cond = cond.add(super::contains_ci(Column::Name, s));
    }
    if let Some(after) = page.after {
        cond = cond.add(Column::Id.lt(after));
    }
    let rows = Entity::find()
        .filter(cond)
        .order_by_desc(Column::Id)
        .limit(page.probe_limit())
        .all(c)
        .await?;
    Ok(Page::from_probe(rows, page, |m| m.id))
}

// Sets ---------------------------------------------------------------------------

pub async fn find_set(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: GallerySetId,
) -> DbResult<Option<gallery_set::Model>> {
    Ok(gallery_set::Entity::find_by_id(id.uuid())
        .filter(gallery_set::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// A gallery's sets in their order.
pub async fn sets_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: GalleryId,
) -> DbResult<Vec<gallery_set::Model>> {
    Ok(gallery_set::Entity::find()
        .filter(gallery_set::Column::StudioId.eq(studio))
        .filter(gallery_set::Column::GalleryId.eq(gallery))
        .order_by_asc(gallery_set::Column::Position)
        .order_by_asc(gallery_set::Column::Id)
        .all(c)
        .await?)
}

/// Deletes a set; its photos stay in the gallery, in no set.
pub async fn delete_set(
    c: &impl ConnectionTrait,
    studio: StudioId,
    set: &gallery_set::Model,
) -> DbResult<()> {
    use crate::entity::photo;
    use sea_orm::sea_query::Expr;
    photo::Entity::update_many()
        .col_expr(photo::Column::SetId, Expr::value(Option::<Uuid>::None))
        .filter(photo::Column::StudioId.eq(studio))
        .filter(photo::Column::SetId.eq(set.id))
        .exec(c)
        .await?;
    gallery_set::Entity::delete_many()
        .filter(gallery_set::Column::StudioId.eq(studio))
        .filter(gallery_set::Column::Id.eq(set.id))
        .exec(c)
        .await?;
    Ok(())
}

/// A client's live galleries, newest first.
pub async fn of_client(
    c: &impl ConnectionTrait,
    studio: StudioId,
    client: Uuid,
) -> DbResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::StudioId.eq(studio))
        .filter(Column::ClientId.eq(client))
        .filter(Column::DeletedAt.is_null())
        .order_by_desc(Column::Id)
        .limit(100)
        .all(c)
        .await?)
}

/// Sets a gallery's selection limit to `to` where it is unset or still
/// `from` (the limit a package gave it, which staff have not changed);
/// a limit staff chose stays. Returns whether the gallery changed.
pub async fn follow_limit(
    c: &impl ConnectionTrait,
    studio: StudioId,
    gallery: Uuid,
    from: Option<i64>,
    to: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let mut unchanged = sea_orm::Condition::any().add(Column::SelectionLimit.is_null());
    if let Some(f) = from {
        unchanged = unchanged.add(Column::SelectionLimit.eq(f));
    }
    let mut q = Entity::update_many()
        .col_expr(Column::SelectionLimit, Expr::value(to))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(gallery))
        .filter(Column::StudioId.eq(studio))
        .filter(unchanged);
    q = match to {
        Some(t) => q.filter(
            sea_orm::Condition::any()
                .add(Column::SelectionLimit.is_null())
                .add(Column::SelectionLimit.ne(t)),
        ),
        None => q.filter(Column::SelectionLimit.is_not_null()),
    };
    Ok(q.exec(c).await?.rows_affected > 0)
}
