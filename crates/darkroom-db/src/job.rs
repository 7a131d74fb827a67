//! The durable job queue.
//!
//! A job is a row: enqueued in the same transaction as the write that causes
//! it, claimed by one worker with a lease, retried with back-off, and kept as
//! `failed` when it runs out of attempts so a person can see and retry it. A
//! worker killed mid-job leaves a running row whose lease expires; the next
//! claim takes it again, so no job is lost (handlers are idempotent).
//!
//! The claim is one statement on both engines: `UPDATE ... WHERE id = (SELECT
//! ... LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`. PostgreSQL skips rows
//! other workers hold; SQLite runs the statement atomically under its single
//! writer lock (sea-query leaves the lock clause out there).

use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::DbResult;
use crate::entity::job::{ActiveModel, Column, Entity, Model};
use crate::page::{Page, PageRequest};
use darkroom_domain::names::JobStatus;

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub id: Uuid,
    pub studio_id: Option<Uuid>,
    pub kind: String,
    pub payload: String,
    pub run_at: i64,
    pub max_attempts: i64,
}

pub async fn enqueue(c: &impl ConnectionTrait, j: NewJob, now: i64) -> DbResult<Model> {
    let m = Model {
        id: j.id,
        studio_id: j.studio_id,
        kind: j.kind,
        payload: j.payload,
        status: JobStatus::Queued,
        attempts: 0,
        max_attempts: j.max_attempts,
        run_at: j.run_at,
        locked_by: None,
        locked_until: None,
        last_error: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    Ok(ActiveModel::from(m).insert(c).await?)
}

fn claimable(now: i64) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(Column::Status.eq(JobStatus::Queued))
                .add(Column::RunAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(Column::Status.eq(JobStatus::Running))
                .add(Column::LockedUntil.lt(now)),
        )
}

/// Claims the next due job (or one whose worker's lease ran out) for
/// `worker` until `lease_until`, counting an attempt.
pub async fn claim(
    c: &impl ConnectionTrait,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> DbResult<Option<Model>> {
    let pick = Query::select()
        .column(Column::Id)
        .from(Entity)
        .cond_where(claimable(now))
        .order_by(Column::RunAt, sea_orm::Order::Asc)
        .order_by(Column::Id, sea_orm::Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .take();
    let stmt = Query::update()
        .table(Entity)
        .value(Column::Status, JobStatus::Running)
        .value(Column::LockedBy, worker)
        .value(Column::LockedUntil, lease_until)
        .value(Column::UpdatedAt, now)
        .value(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .and_where(Expr::col(Column::Id).in_subquery(pick))
        .returning_all()
        .take();
    let stmt = c.get_database_backend().build(&stmt);
    Ok(Entity::find().from_raw_sql(stmt).one(c).await?)
}

/// The workers whose names start with `prefix` (one machine's) holding
/// running jobs under a lease that has not run out.
pub async fn holders_like(
    c: &impl ConnectionTrait,
    prefix: &str,
    now: i64,
) -> DbResult<Vec<String>> {
    let rows = Entity::find()
        .filter(Column::Status.eq(JobStatus::Running))
        .filter(Column::LockedUntil.gte(now))
        .filter(Column::LockedBy.starts_with(prefix))
        .all(c)
        .await?;
    let mut names: Vec<String> = rows.into_iter().filter_map(|m| m.locked_by).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Ends the leases `worker` holds at once (it is known to be dead), so the
/// next claim takes its jobs without waiting them out.
pub async fn expire_leases_of(c: &impl ConnectionTrait, worker: &str, now: i64) -> DbResult<u64> {
    let res = Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(now - 1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Status.eq(JobStatus::Running))
        .filter(Column::LockedBy.eq(worker))
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

/// Pushes the lease of a long-running job forward.
pub async fn extend_lease(
    c: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    until: i64,
) -> DbResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(until))
        .filter(Column::Id.eq(id))
        .filter(Column::LockedBy.eq(worker))
        .filter(Column::Status.eq(JobStatus::Running))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks a job done, if `worker` still holds it.
pub async fn succeed(c: &impl ConnectionTrait, id: Uuid, worker: &str, now: i64) -> DbResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(JobStatus::Succeeded))
        .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::LockedBy.eq(worker))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records a failure: back to the queue at `retry_at`, or `failed` for good
/// when `retry_at` is `None`.
pub async fn fail(
    c: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    now: i64,
    error: &str,
    retry_at: Option<i64>,
) -> DbResult<bool> {
    let (status, run_at, finished) = match retry_at {
        Some(at) => (JobStatus::Queued, Expr::value(at), None),
        None => (JobStatus::Failed, Expr::col(Column::RunAt), Some(now)),
    };
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::RunAt, run_at)
        .col_expr(
            Column::LastError,
            Expr::value(error.chars().take(4000).collect::<String>()),
        )
        .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::FinishedAt, Expr::value(finished))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::LockedBy.eq(worker))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Puts a failed job back in the queue with fresh attempts.
pub async fn retry(
    c: &impl ConnectionTrait,
    studio: Option<Uuid>,
    id: Uuid,
    now: i64,
) -> DbResult<bool> {
    let mut q = Entity::update_many()
        .col_expr(Column::Status, Expr::value(JobStatus::Queued))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::RunAt, Expr::value(now))
        .col_expr(Column::FinishedAt, Expr::value(Option::<i64>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(JobStatus::Failed));
    if let Some(s) = studio {
        q = q.filter(Column::StudioId.eq(s));
    }
    Ok(q.exec(c).await?.rows_affected == 1)
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

/// Jobs of a studio (or all, for operators), newest first.
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

/// How many jobs are in each status.
pub async fn count_by_status(
    c: &impl ConnectionTrait,
    studio: Option<Uuid>,
) -> DbResult<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for st in [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
    ] {
        let mut q = Entity::find().filter(Column::Status.eq(st));
        if let Some(s) = studio {
            q = q.filter(Column::StudioId.eq(s));
        }
        out.push((st.to_string(), q.count(c).await?));
    }
    Ok(out)
}

/// When the earliest queued job is due, to sleep until then.
pub async fn next_due(c: &impl ConnectionTrait) -> DbResult<Option<i64>> {
    let row = Entity::find()
        .filter(Column::Status.eq(JobStatus::Queued))
        .order_by_asc(Column::RunAt)
        .limit(1)
        .one(c)
        .await?;
    Ok(row.map(|r| r.run_at))
}

/// Deletes succeeded jobs that finished before `before`.
pub async fn purge_succeeded(c: &impl ConnectionTrait, before: i64) -> DbResult<u64> {
    let res = Entity::delete_many()
        .filter(Column::Status.eq(JobStatus::Succeeded))
        .filter(Column::FinishedAt.lt(before))
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}
