//! The email outbox.
//!
//! An email is written in the same transaction as its cause, then sent by a
//! job. Its status moves `pending -> sending -> sent`. `sending` is committed
//! before the SMTP conversation starts, so if the worker dies mid-send the
//! row says so: it becomes `uncertain` instead of being sent again, and a
//! person decides whether to resend. That is how no email goes out twice.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::email::{ActiveModel, Column, Entity, Model};
use crate::page::{Page, PageRequest};
use darkroom_domain::names::EmailStatus;

pub async fn insert(c: &impl ConnectionTrait, m: Model) -> DbResult<Model> {
    Ok(ActiveModel::from(m).insert(c).await?)
}

pub async fn find(
    c: &impl ConnectionTrait,
    studio: Option<Uuid>,
    id: Uuid,
) -> DbResult<Option<Model>> {
    let mut q = Entity::find_by_id(id);
    if let Some(s) = studio {
        q = q.filter(Column::StudioId.eq(s));
    }
    Ok(q.one(c).await?)
}

/// The outcome of trying to start a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BeginSend {
    /// This caller now owns the send.
    Started(Box<Model>),
    /// Already sent, failed for good or marked uncertain: nothing to do.
    Finished,
    /// A previous attempt began and never finished: it is now `uncertain`.
    Interrupted,
    Missing,
}

/// Moves a pending email to `sending` (committed by the caller before any
/// SMTP traffic). An email found already `sending` was interrupted.
pub async fn begin_send(c: &impl ConnectionTrait, id: Uuid, now: i64) -> DbResult<BeginSend> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(EmailStatus::Sending))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(EmailStatus::Pending))
        .exec(c)
        .await?;
    let Some(row) = Entity::find_by_id(id).one(c).await? else {
        return Ok(BeginSend::Missing);
    };
    if res.rows_affected == 1 {
        return Ok(BeginSend::Started(Box::new(row)));
    }
    if row.status == EmailStatus::Sending {
        set_status(c, id, EmailStatus::Uncertain, now, Some("sending was interrupted (the worker stopped mid-send); it may or may not have been delivered")).await?;
        return Ok(BeginSend::Interrupted);
    }
    Ok(BeginSend::Finished)
}

pub async fn mark_sent(c: &impl ConnectionTrait, id: Uuid, now: i64) -> DbResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(EmailStatus::Sent))
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Records an error. `retry`: back to `pending` for the job's next attempt
/// (the server refused before accepting, so nothing was delivered).
pub async fn mark_error(
    c: &impl ConnectionTrait,
    id: Uuid,
    now: i64,
    error: &str,
    retry: bool,
) -> DbResult<()> {
    set_status(
        c,
        id,
        if retry {
            EmailStatus::Pending
        } else {
            EmailStatus::Failed
        },
        now,
        Some(error),
    )
    .await
}

async fn set_status(
    c: &impl ConnectionTrait,
    id: Uuid,
    status: EmailStatus,
    now: i64,
    error: Option<&str>,
) -> DbResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(
            Column::LastError,
            Expr::value(error.map(|e| e.chars().take(2000).collect::<String>())),
        )
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Puts a failed or uncertain email back to `pending` (a person chose to resend).
pub async fn requeue(
    c: &impl ConnectionTrait,
    studio: Option<Uuid>,
    id: Uuid,
    now: i64,
) -> DbResult<bool> {
    let mut q = Entity::update_many()
        .col_expr(Column::Status, Expr::value(EmailStatus::Pending))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.is_in([EmailStatus::Failed, EmailStatus::Uncertain]));
    if let Some(s) = studio {
        q = q.filter(Column::StudioId.eq(s));
    }
    Ok(q.exec(c).await?.rows_affected == 1)
}

/// A studio's emails, newest first.
pub async fn list(
    c: &impl ConnectionTrait,
    studio: Option<Uuid>,
    status: Option<&str>,
    page: &PageRequest<Uuid>,
) -> DbResult<Page<Model, Uuid>> {
    let mut cond = Condition::all();
    if let Some(s) = studio {
        cond = cond.add(Column::StudioId.eq(s));
    }
    if let Some(st) = status {
        cond = cond.add(Column::Status.eq(st));
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
