//! People: sign-ins (`logins`), each studio's person (`users`, bound to a
//! login once they accept) and their staff accounts (`memberships`).

use darkroom_domain::{LoginId, StudioId, TypedId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{login, membership, user};
use crate::page::{Page, PageRequest};

pub async fn insert_user(c: &impl ConnectionTrait, m: user::Model) -> DbResult<user::Model> {
    Ok(user::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_user(c: &impl ConnectionTrait, id: UserId) -> DbResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id.uuid()).one(c).await?)
}

/// The sign-in with this normalised (lower-case) email.
pub async fn find_login_by_email(
    c: &impl ConnectionTrait,
    email: &str,
) -> DbResult<Option<login::Model>> {
    Ok(login::Entity::find()
        .filter(login::Column::Email.eq(email))
        .one(c)
        .await?)
}

pub async fn find_login(c: &impl ConnectionTrait, id: LoginId) -> DbResult<Option<login::Model>> {
    Ok(login::Entity::find_by_id(id.uuid()).one(c).await?)
}

pub async fn insert_login(c: &impl ConnectionTrait, m: login::Model) -> DbResult<login::Model> {
    Ok(login::ActiveModel::from(m).insert(c).await?)
}

/// Binds a studio's person to the sign-in they proved they hold.
pub async fn bind_login(
    c: &impl ConnectionTrait,
    user: UserId,
    login: LoginId,
    now: i64,
) -> DbResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LoginId, Expr::value(login))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user))
        .exec(c)
        .await?;
    Ok(())
}

/// The studio's person with this email (invited, active, suspended or deleted).
pub async fn find_user_in_studio_by_email(
    c: &impl ConnectionTrait,
    studio: StudioId,
    email: &str,
) -> DbResult<Option<(membership::Model, user::Model)>> {
    let users = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .all(c)
        .await?;
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let m = membership::Entity::find()
        .filter(membership::Column::StudioId.eq(studio))
        .filter(membership::Column::UserId.is_in(ids))
        .order_by_asc(membership::Column::Id)
        .one(c)
        .await?;
    Ok(m.and_then(|m| {
        let u = users.into_iter().find(|u| u.id == m.user_id)?;
        Some((m, u))
    }))
}

/// Every person, in every studio, bound to a sign-in.
pub async fn users_of_login(
    c: &impl ConnectionTrait,
    login: LoginId,
) -> DbResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::LoginId.eq(login))
        .order_by_asc(user::Column::Id)
        .all(c)
        .await?)
}

/// Every live staff account reached through a sign-in, oldest first.
pub async fn memberships_of_login(
    c: &impl ConnectionTrait,
    login: LoginId,
) -> DbResult<Vec<membership::Model>> {
    let ids: Vec<Uuid> = users_of_login(c, login)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.is_in(ids))
        .filter(membership::Column::DeletedAt.is_null())
        .order_by_asc(membership::Column::Id)
        .all(c)
        .await?)
}

pub async fn set_password(
    c: &impl ConnectionTrait,
    login: LoginId,
    hash: &str,
    now: i64,
) -> DbResult<()> {
    login::Entity::update_many()
        .col_expr(login::Column::PasswordHash, Expr::value(hash))
        .col_expr(login::Column::PasswordChangedAt, Expr::value(now))
        .col_expr(login::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            login::Column::Version,
            Expr::col(login::Column::Version).add(1),
        )
        .filter(login::Column::Id.eq(login))
        .exec(c)
        .await?;
    Ok(())
}

/// Which staff accounts a list returns.
#[derive(Clone, Debug, Default)]
pub struct StaffQuery {
    pub deleted: bool,
    pub status: Option<String>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// The staff account of `user` in `studio`.
pub async fn find_membership(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    deleted: bool,
) -> DbResult<Option<membership::Model>> {
    let mut q = membership::Entity::find()
        .filter(membership::Column::StudioId.eq(studio))
        .filter(membership::Column::UserId.eq(user));
    if !deleted {
        q = q.filter(membership::Column::DeletedAt.is_null());
    }
    Ok(q.one(c).await?)
}

/// Staff of a studio with their sign-in email, ordered by user id.
pub async fn list_memberships(
    c: &impl ConnectionTrait,
    studio: StudioId,
    query: &StaffQuery,
    page: &PageRequest<Uuid>,
) -> DbResult<Page<(membership::Model, String), Uuid>> {
    let mut cond = Condition::all().add(membership::Column::StudioId.eq(studio));
    cond = if query.deleted {
        cond.add(membership::Column::DeletedAt.is_not_null())
    } else {
        cond.add(membership::Column::DeletedAt.is_null())
    };
    if let Some(s) = &query.status {
        cond = cond.add(membership::Column::Status.eq(s.clone()));
    }
    if let Some(s) = &query.search {
        cond = cond.add(super::contains_ci(membership::Column::Name, s));
    }
    if let Some(after) = page.after {
        cond = cond.add(membership::Column::UserId.gt(after));
    }
    let rows = membership::Entity::find()
        .filter(cond)
        .order_by_asc(membership::Column::UserId)
        .limit(page.probe_limit())
        .all(c)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(c)
        .await?;
    let with_email = rows
        .into_iter()
        .map(|m| {
            let email = users
                .iter()
                .find(|u| u.id == m.user_id)
                .map(|u| u.email.clone())
                .unwrap_or_default();
            (m, email)
        })
        .collect();
    Ok(Page::from_probe(with_email, page, |(m, _)| m.user_id))
}

/// The users with a live staff account in `studio`, with their names.
pub async fn staff_names(
    c: &impl ConnectionTrait,
    studio: StudioId,
) -> DbResult<Vec<(UserId, String)>> {
    let rows: Vec<(Uuid, String)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .column(membership::Column::Name)
        .filter(membership::Column::StudioId.eq(studio))
        .filter(membership::Column::DeletedAt.is_null())
        .order_by_asc(membership::Column::Name)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(u, n)| (UserId::from_uuid(u), n))
        .collect())
}
