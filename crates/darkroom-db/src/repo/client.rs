//! A studio's clients (the CRM's records): find, list, the search terms
//! they are found by, their contacts and addresses, and moving what points
//! at one client to another (a merge).

use std::collections::BTreeSet;

use darkroom_domain::{ClientId, StudioId, TypedId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{client, client_address, client_contact, client_term};

pub async fn find(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> DbResult<Option<client::Model>> {
    Ok(client::Entity::find_by_id(id.uuid())
        .filter(client::Column::StudioId.eq(studio))
        .filter(client::Column::DeletedAt.is_null())
        .one(c)
        .await?)
}

/// A client of `studio`, deleted or not (to restore it).
pub async fn find_any(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> DbResult<Option<client::Model>> {
    Ok(client::Entity::find_by_id(id.uuid())
        .filter(client::Column::StudioId.eq(studio))
        .one(c)
        .await?)
}

/// Which of a studio's clients to list.
#[derive(Clone, Debug, Default)]
pub struct Query<'a> {
    /// Only these clients (the candidates of a search).
    pub ids: Option<&'a [Uuid]>,
    /// A normalised tag the client must have.
    pub tag: Option<&'a str>,
    /// The deleted clients instead of the live ones.
    pub deleted: bool,
    /// Only clients of this branch (or of the whole studio when `false`
    /// is given as `scoped`).
    pub branch: Option<Uuid>,
    pub limit: u64,
}

/// A studio's clients by name, as `f` says.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    f: &Query<'_>,
) -> DbResult<Vec<client::Model>> {
    let mut q = client::Entity::find().filter(client::Column::StudioId.eq(studio));
    if let Some(ids) = f.ids {
        q = q.filter(client::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(t) = f.tag {
        // Tags are stored `|a|b|`; a tag holds no `|`, but may hold `%` or `_`.
        let pattern = format!("%|{}|%", super::like_escaped(t));
        q = q.filter(
            sea_orm::sea_query::Expr::col(client::Column::Tags)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    if let Some(b) = f.branch {
        q = q.filter(client::Column::BranchId.eq(b));
    }
    q = if f.deleted {
        q.filter(client::Column::DeletedAt.is_not_null())
            .filter(client::Column::MergedInto.is_null())
    } else {
        q.filter(client::Column::DeletedAt.is_null())
    };
    // A search's candidates are read by their ids and ranked by the caller;
    // ordering them by name here would walk the whole studio's name index.
    if f.ids.is_none() {
        q = q.order_by_asc(client::Column::Name);
    }
    Ok(q.limit(f.limit).all(c).await?)
}

/// Replaces the search terms of a client.
pub async fn set_terms(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ClientId,
    terms: &BTreeSet<String>,
) -> DbResult<()> {
    client_term::Entity::delete_many()
        .filter(client_term::Column::ClientId.eq(id.uuid()))
        .exec(c)
        .await?;
    let rows: Vec<client_term::ActiveModel> = terms
        .iter()
        .map(|t| client_term::ActiveModel {
            studio_id: Set(studio.uuid()),
            term: Set(t.clone()),
            client_id: Set(id.uuid()),
        })
        .collect();
    for chunk in rows.chunks(300) {
        client_term::Entity::insert_many(chunk.to_vec())
            .exec(c)
            .await?;
    }
    Ok(())
}

/// The clients holding one of `grams` at least `min_shared` times, most
/// shared first (at most `limit`).
pub async fn by_grams(
    c: &impl ConnectionTrait,
    studio: StudioId,
    grams: &[String],
    min_shared: usize,
    limit: u64,
) -> DbResult<Vec<Uuid>> {
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let shared = Expr::col(client_term::Column::Term).count();
    Ok(client_term::Entity::find()
        .select_only()
        .column(client_term::Column::ClientId)
        .filter(client_term::Column::StudioId.eq(studio))
        .filter(client_term::Column::Term.is_in(grams.iter().cloned()))
        .group_by(client_term::Column::ClientId)
        .having(shared.clone().gte(min_shared as i64))
        .order_by_desc(shared)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}

/// The clients with a term starting with `prefix` (at most `limit`).
pub async fn by_prefix(
    c: &impl ConnectionTrait,
    studio: StudioId,
    prefix: &str,
    limit: u64,
) -> DbResult<Vec<Uuid>> {
    let upper = format!("{prefix}\u{10FFFF}");
    Ok(client_term::Entity::find()
        .select_only()
        .column(client_term::Column::ClientId)
        .distinct()
        .filter(client_term::Column::StudioId.eq(studio))
        .filter(client_term::Column::Term.gte(prefix))
        .filter(client_term::Column::Term.lt(upper))
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}

/// The live clients with exactly one of `terms` (a duplicate's email or phone).
pub async fn by_terms(
    c: &impl ConnectionTrait,
    studio: StudioId,
    terms: &[String],
) -> DbResult<Vec<client::Model>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = client_term::Entity::find()
        .select_only()
        .column(client_term::Column::ClientId)
        .distinct()
        .filter(client_term::Column::StudioId.eq(studio))
        .filter(client_term::Column::Term.is_in(terms.iter().cloned()))
        .limit(20)
        .into_tuple()
        .all(c)
        .await?;
    Ok(client::Entity::find()
        .filter(client::Column::StudioId.eq(studio))
        .filter(client::Column::Id.is_in(ids))
        .filter(client::Column::DeletedAt.is_null())
        .order_by_asc(client::Column::CreatedAt)
        .all(c)
        .await?)
}

/// The tables whose rows point at a client. Merging moves them all; a
/// table that gains a `client_id` is named here.
pub const CLIENT_REFERENCES: &[&str] = &[
    "galleries",
    "bookings",
    "client_contacts",
    "client_addresses",
    "leads",
    "projects",
    "client_documents",
    "portal_links",
];

/// Points every row of `studio` at client `from` to client `to` instead;
/// returns the moved rows' ids per table (the evidence an undo needs).
pub async fn reassign(
    c: &impl ConnectionTrait,
    studio: StudioId,
    from: Uuid,
    to: Uuid,
) -> DbResult<Vec<(&'static str, Vec<Uuid>)>> {
    let mut moved = Vec::new();
    for table in CLIENT_REFERENCES {
        let ids = move_rows(c, table, studio, "client_id", from, to, None).await?;
        moved.push((*table, ids));
    }
    Ok(moved)
}

/// Points the rows `only` (or all) of `table` in `studio` with `col` =
/// `from` at `to`; returns their ids.
pub async fn move_rows(
    c: &impl ConnectionTrait,
    table: &'static str,
    studio: StudioId,
    col: &'static str,
    from: Uuid,
    to: Uuid,
    only: Option<&[Uuid]>,
) -> DbResult<Vec<Uuid>> {
    use sea_orm::sea_query::{Alias, Cond, Query as Q};
    let mut cond = Cond::all()
        .add(Expr::col(Alias::new("studio_id")).eq(studio.uuid()))
        .add(Expr::col(Alias::new(col)).eq(from));
    if let Some(ids) = only {
        cond = cond.add(Expr::col(Alias::new("id")).is_in(ids.iter().copied()));
    }
    let backend = c.get_database_backend();
    let select = Q::select()
        .column(Alias::new("id"))
        .from(Alias::new(table))
        .cond_where(cond.clone())
        .to_owned();
    let rows = c.query_all_raw(backend.build(&select)).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        ids.push(r.try_get::<Uuid>("", "id")?);
    }
    if !ids.is_empty() {
        let update = Q::update()
            .table(Alias::new(table))
            .value(Alias::new(col), to)
            .cond_where(cond)
            .to_owned();
        c.execute_raw(backend.build(&update)).await?;
    }
    Ok(ids)
}

/// A live client of `studio` with this email (compared without case).
pub async fn find_by_email(
    c: &impl ConnectionTrait,
    studio: StudioId,
    email: &str,
) -> DbResult<Option<client::Model>> {
    Ok(client::Entity::find()
        .filter(client::Column::StudioId.eq(studio))
        .filter(client::Column::DeletedAt.is_null())
        .filter(
            sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                sea_orm::sea_query::Expr::col(client::Column::Email),
            ))
            .eq(email.to_lowercase()),
        )
        .order_by_asc(client::Column::CreatedAt)
        .one(c)
        .await?)
}

/// The contacts of a client, the primary first.
pub async fn contacts(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> DbResult<Vec<client_contact::Model>> {
    Ok(client_contact::Entity::find()
        .filter(client_contact::Column::StudioId.eq(studio))
        .filter(client_contact::Column::ClientId.eq(id.uuid()))
        .order_by_desc(client_contact::Column::IsPrimary)
        .order_by_asc(client_contact::Column::Name)
        .all(c)
        .await?)
}

/// The addresses of a client, the primary first.
pub async fn addresses(
    c: &impl ConnectionTrait,
    studio: StudioId,
    id: ClientId,
) -> DbResult<Vec<client_address::Model>> {
    Ok(client_address::Entity::find()
        .filter(client_address::Column::StudioId.eq(studio))
        .filter(client_address::Column::ClientId.eq(id.uuid()))
        .order_by_desc(client_address::Column::IsPrimary)
        .order_by_asc(client_address::Column::CreatedAt)
        .all(c)
        .await?)
}

/// The contacts of the clients `ids`.
pub async fn contacts_of(
    c: &impl ConnectionTrait,
    studio: StudioId,
    ids: &[ClientId],
) -> DbResult<Vec<client_contact::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(client_contact::Entity::find()
        .filter(client_contact::Column::StudioId.eq(studio))
        .filter(client_contact::Column::ClientId.is_in(ids.iter().map(|i| i.uuid())))
        .all(c)
        .await?)
}

/// Every client id of a studio, deleted or not.
pub async fn ids(c: &impl ConnectionTrait, studio: StudioId) -> DbResult<Vec<Uuid>> {
    Ok(client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .filter(client::Column::StudioId.eq(studio))
        .into_tuple()
        .all(c)
        .await?)
}

/// The primary address of each of the clients `ids` that has one.
pub async fn primary_addresses(
    c: &impl ConnectionTrait,
    studio: StudioId,
    ids: &[ClientId],
) -> DbResult<Vec<client_address::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(client_address::Entity::find()
        .filter(client_address::Column::StudioId.eq(studio))
        .filter(client_address::Column::ClientId.is_in(ids.iter().map(|i| i.uuid())))
        .filter(client_address::Column::IsPrimary.eq(1))
        .all(c)
        .await?)
}
