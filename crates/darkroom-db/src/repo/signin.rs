//! Sign-in state: browser sessions, API tokens, one-time link tokens and the
//! failed-attempt throttle. Only SHA-256 hashes of tokens are ever stored.

use darkroom_domain::UserId;
use darkroom_domain::{LoginId, SessionId, StudioId, TokenId, TypedId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::{api_token, auth_session, auth_throttle_row, one_time_token};

// Sessions ----------------------------------------------------------------------

pub async fn insert_session(
    c: &impl ConnectionTrait,
    m: auth_session::Model,
) -> DbResult<auth_session::Model> {
    Ok(auth_session::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_session_by_hash(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<auth_session::Model>> {
    Ok(auth_session::Entity::find()
        .filter(auth_session::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

pub async fn touch_session(c: &impl ConnectionTrait, id: SessionId, now: i64) -> DbResult<()> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::LastSeenAt, Expr::value(now))
        .filter(auth_session::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Moves a session to another studio, as that studio's person.
pub async fn set_session_studio(
    c: &impl ConnectionTrait,
    id: SessionId,
    studio: StudioId,
    user: UserId,
) -> DbResult<()> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::StudioId, Expr::value(studio))
        .col_expr(auth_session::Column::UserId, Expr::value(user))
        .filter(auth_session::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn delete_session(c: &impl ConnectionTrait, id: SessionId) -> DbResult<()> {
    auth_session::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Ends a person's sessions: in one studio, or everywhere with `None`.
/// `except` keeps the caller's own session (after a password change).
pub async fn delete_sessions_of_user(
    c: &impl ConnectionTrait,
    user: UserId,
    studio: Option<Uuid>,
    except: Option<Uuid>,
) -> DbResult<u64> {
    let mut q = auth_session::Entity::delete_many().filter(auth_session::Column::UserId.eq(user));
    if let Some(s) = studio {
        q = q.filter(auth_session::Column::StudioId.eq(s));
    }
    if let Some(keep) = except {
        q = q.filter(auth_session::Column::Id.ne(keep));
    }
    Ok(q.exec(c).await?.rows_affected)
}

/// Ends every session of a sign-in, in every studio; `except` keeps the
/// caller's own (after a password change).
pub async fn delete_sessions_of_login(
    c: &impl ConnectionTrait,
    login: LoginId,
    except: Option<Uuid>,
) -> DbResult<u64> {
    let users: Vec<Uuid> = crate::repo::person::users_of_login(c, login)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let mut q =
        auth_session::Entity::delete_many().filter(auth_session::Column::UserId.is_in(users));
    if let Some(keep) = except {
        q = q.filter(auth_session::Column::Id.ne(keep));
    }
    Ok(q.exec(c).await?.rows_affected)
}

pub async fn delete_expired_sessions(
    c: &impl ConnectionTrait,
    now: i64,
    idle_cutoff: i64,
) -> DbResult<u64> {
    let res = auth_session::Entity::delete_many()
        .filter(
            auth_session::Column::ExpiresAt
                .lte(now)
                .or(auth_session::Column::LastSeenAt.lte(idle_cutoff)),
        )
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

// API tokens ------------------------------------------------------------------------

pub async fn insert_token(
    c: &impl ConnectionTrait,
    m: api_token::Model,
) -> DbResult<api_token::Model> {
    Ok(api_token::ActiveModel::from(m).insert(c).await?)
}

pub async fn find_token_by_hash(
    c: &impl ConnectionTrait,
    hash: &str,
) -> DbResult<Option<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

pub async fn find_token(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    id: TokenId,
) -> DbResult<Option<api_token::Model>> {
    Ok(api_token::Entity::find_by_id(id.uuid())
        .filter(api_token::Column::StudioId.eq(studio))
        .filter(api_token::Column::UserId.eq(user))
        .one(c)
        .await?)
}

pub async fn tokens_of_user(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
) -> DbResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::StudioId.eq(studio))
        .filter(api_token::Column::UserId.eq(user))
        .order_by_desc(api_token::Column::Id)
        .all(c)
        .await?)
}

pub async fn revoke_token(c: &impl ConnectionTrait, id: TokenId, now: i64) -> DbResult<bool> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes every token a person holds in a studio (suspension, deletion).
pub async fn revoke_tokens_of_user(
    c: &impl ConnectionTrait,
    studio: StudioId,
    user: UserId,
    now: i64,
) -> DbResult<u64> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::StudioId.eq(studio))
        .filter(api_token::Column::UserId.eq(user))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

pub async fn touch_token(c: &impl ConnectionTrait, id: TokenId, now: i64) -> DbResult<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

// One-time link tokens --------------------------------------------------------------------

pub async fn insert_one_time(
    c: &impl ConnectionTrait,
    m: one_time_token::Model,
) -> DbResult<one_time_token::Model> {
    Ok(one_time_token::ActiveModel::from(m).insert(c).await?)
}

/// A usable token of `purpose`: not used, not revoked, not expired.
pub async fn find_one_time_usable(
    c: &impl ConnectionTrait,
    purpose: &str,
    hash: &str,
    now: i64,
) -> DbResult<Option<one_time_token::Model>> {
    Ok(one_time_token::Entity::find()
        .filter(one_time_token::Column::TokenHash.eq(hash))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::RevokedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(now))
        .one(c)
        .await?)
}

pub async fn find_one_time(
    c: &impl ConnectionTrait,
    id: Uuid,
) -> DbResult<Option<one_time_token::Model>> {
    Ok(one_time_token::Entity::find_by_id(id).one(c).await?)
}

/// Marks a token used; `false` if someone used it first.
pub async fn use_one_time(c: &impl ConnectionTrait, id: Uuid, now: i64) -> DbResult<bool> {
    let res = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::Id.eq(id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes unused tokens of `purpose` for a user (a new reset link replaces the old).
pub async fn revoke_one_time_for(
    c: &impl ConnectionTrait,
    purpose: &str,
    studio: Option<Uuid>,
    user: Option<Uuid>,
    now: i64,
) -> DbResult<u64> {
    let mut q = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::RevokedAt, Expr::value(now))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::RevokedAt.is_null());
    if let Some(s) = studio {
        q = q.filter(one_time_token::Column::StudioId.eq(s));
    }
    if let Some(u) = user {
        q = q.filter(one_time_token::Column::UserId.eq(u));
    }
    Ok(q.exec(c).await?.rows_affected)
}

/// Revokes unused tokens of `purpose` for a sign-in (password resets).
pub async fn revoke_one_time_for_login(
    c: &impl ConnectionTrait,
    purpose: &str,
    login: LoginId,
    now: i64,
) -> DbResult<u64> {
    Ok(one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::RevokedAt, Expr::value(now))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::LoginId.eq(login))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?
        .rows_affected)
}

/// Pending (unused, unrevoked, unexpired) tokens of a purpose in a studio.
pub async fn pending_one_time_of_studio(
    c: &impl ConnectionTrait,
    purpose: &str,
    studio: StudioId,
    now: i64,
) -> DbResult<Vec<one_time_token::Model>> {
    Ok(one_time_token::Entity::find()
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::StudioId.eq(studio))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::RevokedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(now))
        .order_by_desc(one_time_token::Column::Id)
        .all(c)
        .await?)
}

// Throttle --------------------------------------------------------------------------------

/// Failures recorded for `key` in the window that started after `window_start_min`.
pub async fn throttle_failures(
    c: &impl ConnectionTrait,
    key: &str,
    window_start_min: i64,
) -> DbResult<i64> {
    let row = auth_throttle_row::Entity::find_by_id(key.to_string())
        .one(c)
        .await?;
    Ok(row
        .filter(|r| r.window_start > window_start_min)
        .map(|r| r.failures)
        .unwrap_or(0))
}

/// Counts one failure for `key`, starting a new window if the old one ended.
pub async fn throttle_record_failure(
    c: &impl ConnectionTrait,
    key: &str,
    now: i64,
    window_start_min: i64,
) -> DbResult<()> {
    let existing = auth_throttle_row::Entity::find_by_id(key.to_string())
        .one(c)
        .await?;
    match existing {
        Some(r) if r.window_start > window_start_min => {
            auth_throttle_row::Entity::update_many()
                .col_expr(
                    auth_throttle_row::Column::Failures,
                    Expr::col(auth_throttle_row::Column::Failures).add(1),
                )
                .filter(auth_throttle_row::Column::Key.eq(key))
                .exec(c)
                .await?;
        }
        _ => {
            let row = auth_throttle_row::ActiveModel {
                key: Set(key.to_string()),
                window_start: Set(now),
                failures: Set(1),
            };
            auth_throttle_row::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(auth_throttle_row::Column::Key)
                        .update_columns([
                            auth_throttle_row::Column::WindowStart,
                            auth_throttle_row::Column::Failures,
                        ])
                        .to_owned(),
                )
                .exec(c)
                .await?;
        }
    }
    Ok(())
}

pub async fn throttle_clear(c: &impl ConnectionTrait, key: &str) -> DbResult<()> {
    auth_throttle_row::Entity::delete_by_id(key.to_string())
        .exec(c)
        .await?;
    Ok(())
}
