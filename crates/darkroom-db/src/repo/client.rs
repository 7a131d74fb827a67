//! A studio's clients (the CRM's records): insert, find, and list with a
//! search, a tag and the deleted ones.

use darkroom_domain::{ClientId, StudioId, TypedId};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::DbResult;
use crate::entity::client;

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
    /// Part of the name or email, or digits of the phone number.
    pub search: Option<&'a str>,
    /// A normalised tag the client must have.
    pub tag: Option<&'a str>,
    /// The deleted clients instead of the live ones.
    pub deleted: bool,
    pub limit: u64,
}

/// A studio's clients by name, as `f` says.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: StudioId,
    f: &Query<'_>,
) -> DbResult<Vec<client::Model>> {
    let (search, deleted, limit) = (f.search, f.deleted, f.limit);
    let mut q = client::Entity::find().filter(client::Column::StudioId.eq(studio));
    if let Some(t) = f.tag {
        // Tags are stored `|a|b|`; a tag holds no `|`, but may hold `%` or `_`.
        let pattern = format!("%|{}|%", super::like_escaped(t));
        q = q.filter(
            sea_orm::sea_query::Expr::col(client::Column::Tags)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    q = if deleted {
        q.filter(client::Column::DeletedAt.is_not_null())
    } else {
        q.filter(client::Column::DeletedAt.is_null())
    };
    if let Some(s) = search {
        let mut any = sea_orm::Condition::any()
            .add(super::contains_ci(client::Column::Name, s))
            .add(super::contains_ci(client::Column::Email, s));
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 {
            // Phone numbers are kept as typed; compare their digits.
            let stripped = [" ", "-", "(", ")", ".", "+"].iter().fold(
                sea_orm::sea_query::Expr::col(client::Column::Phone),
                |e: sea_orm::sea_query::SimpleExpr, ch| {
                    sea_orm::sea_query::Func::cust("REPLACE")
                        .arg(e)
                        .arg(*ch)
                        .arg("")
                        .into()
                },
            );
            any = any.add(sea_orm::sea_query::Expr::expr(stripped).like(format!("%{digits}%")));
        }
        q = q.filter(any);
    }
    Ok(q.order_by_asc(client::Column::Name)
        .limit(limit)
        .all(c)
        .await?)
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
