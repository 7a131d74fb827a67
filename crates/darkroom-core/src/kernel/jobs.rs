//! Typed jobs and the worker that runs them.
//!
//! A job is enqueued in the same transaction as the write that causes it.
//! Workers run inside `darkroom serve` by default and alone with `darkroom
//! worker`. A claimed job is held by a lease that the worker keeps extending
//! while the handler runs; if the worker dies, the lease runs out and another
//! worker takes the job. Handlers are therefore written to be safe to run
//! again (see `mail::deliver`).

use std::sync::Arc;
use std::time::Duration;

use darkroom_db::entity::job;
use darkroom_db::job::{self as queue, NewJob};
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_db::{email as outbox, repo};
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{
    EmailId, JobId, PasswordResetId, PhotoVersionId, StudioId, Timestamp, TypedId,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::audit::{self, Event, Who};
use crate::error::{CoreError, CoreResult};
use crate::listing::{self, Listing};
use crate::{Core, Meta, Principal};

/// Every kind of background work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Job {
    /// Send one email from the outbox.
    SendEmail { email_id: EmailId },
    /// Look up an address and, if it has an account, email a reset link.
    /// `request` becomes the link's id, so running the job twice sends one email.
    PasswordResetRequest {
        email: String,
        ip: String,
        request: PasswordResetId,
    },
    /// Render a photo version's thumbnail, preview and proof.
    RenderVersion { version: PhotoVersionId },
    /// Queue renders of a studio's photos made with older render settings.
    RerenderStudio { studio: StudioId },
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::SendEmail { .. } => "send_email",
            Job::PasswordResetRequest { .. } => "password_reset_request",
            Job::RenderVersion { .. } => "render_version",
            Job::RerenderStudio { .. } => "rerender_studio",
        }
    }
}

/// Why a handler did not finish.
#[derive(Debug)]
pub struct JobError {
    pub message: String,
    /// Worth another attempt later.
    pub retry: bool,
}

impl JobError {
    pub fn retry(e: impl std::fmt::Display) -> Self {
        Self {
            message: e.to_string(),
            retry: true,
        }
    }
    pub fn retry_msg(m: String) -> Self {
        Self {
            message: m,
            retry: true,
        }
    }
    pub fn fatal(e: impl std::fmt::Display) -> Self {
        Self {
            message: e.to_string(),
            retry: false,
        }
    }
}

/// Enqueues `job` inside the caller's transaction, due now or at `run_at`.
pub async fn enqueue(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: Option<StudioId>,
    job: &Job,
    run_at: Option<Timestamp>,
) -> CoreResult<JobId> {
    let id = JobId::new();
    let now = core.now();
    queue::enqueue(
        c,
        NewJob {
            id: id.uuid(),
            studio_id: studio.map(|s| s.uuid()),
            kind: job.kind().into(),
            payload: serde_json::to_string(job).map_err(|e| CoreError::Internal(e.into()))?,
            run_at: run_at.unwrap_or(now).as_micros(),
            max_attempts: core.settings().jobs.max_attempts,
        },
        now.as_micros(),
    )
    .await?;
    Ok(id)
}

async fn handle(core: &Core, job: &Job, last_attempt: bool) -> Result<(), JobError> {
    match job {
        Job::SendEmail { email_id } => crate::mail::deliver(core, *email_id, last_attempt).await,
        Job::PasswordResetRequest { email, ip, request } => {
            crate::auth::run_reset_request(core, email, ip, *request)
                .await
                .map_err(JobError::retry)
        }
        Job::RenderVersion { version } => crate::render::render_version(core, *version).await,
        Job::RerenderStudio { studio } => crate::render::rerender_studio(core, *studio).await,
    }
}

/// Delay before attempt `n + 1`: 10 s doubling per attempt, at most an hour, with jitter.
fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 12)).unwrap_or(12);
    let base = 10u64.saturating_mul(1u64 << exp).min(3600);
    let jitter = rand::rng().random_range(0..=base / 4);
    Duration::from_secs(base + jitter)
}

/// Runs one claimed job, keeping its lease alive, then records the outcome.
async fn run_one(core: Core, row: job::Model, worker: String) {
    let started = std::time::Instant::now();
    let kind = row.kind.clone();
    let db = core.db().clone();
    let lease = core.settings().jobs.lease;
    if row.attempts > row.max_attempts {
        let msg = format!(
            "stopped after {} attempts: the worker died while running it each time",
            row.max_attempts
        );
        let _ = queue::fail(
            db.conn(),
            row.id,
            &worker,
            core.now().as_micros(),
            &msg,
            None,
        )
        .await;
        return;
    }
    let job: Job = match serde_json::from_str(&row.payload) {
        Ok(j) => j,
        Err(e) => {
            let msg = format!("this version of Darkroom cannot read the job: {e}");
            let _ = queue::fail(
                db.conn(),
                row.id,
                &worker,
                core.now().as_micros(),
                &msg,
                None,
            )
            .await;
            return;
        }
    };
    let heartbeat = {
        let core = core.clone();
        let worker = worker.clone();
        let id = row.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                let until = core.now().plus(lease).as_micros();
                if !matches!(
                    queue::extend_lease(core.db().conn(), id, &worker, until).await,
                    Ok(true)
                ) {
                    break;
                }
            }
        })
    };
    let last_attempt = row.attempts >= row.max_attempts;
    let outcome = handle(&core, &job, last_attempt).await;
    heartbeat.abort();
    let now = core.now();
    let result = match &outcome {
        Ok(()) => queue::succeed(db.conn(), row.id, &worker, now.as_micros()).await,
        Err(e) => {
            let retry_at =
                (e.retry && !last_attempt).then(|| now.plus(backoff(row.attempts)).as_micros());
            tracing::warn!(job = %JobId::from_uuid(row.id), kind, attempt = row.attempts, error = %e.message, "job failed");
            queue::fail(
                db.conn(),
                row.id,
                &worker,
                now.as_micros(),
                &e.message,
                retry_at,
            )
            .await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "could not record a job's outcome; its lease will expire and it will run again");
    }
    let status = if outcome.is_ok() {
        "succeeded"
    } else {
        "failed"
    };
    metrics::counter!("darkroom_jobs_total", "kind" => kind.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("darkroom_job_seconds", "kind" => kind)
        .record(started.elapsed().as_secs_f64());
}

/// Housekeeping every worker does now and then: expired sessions and old
/// finished jobs are removed.
async fn maintenance(core: &Core) {
    let now = core.now();
    let idle_cutoff = now.minus(core.settings().session_idle).as_micros();
    if let Err(e) =
        repo::signin::delete_expired_sessions(core.db().conn(), now.as_micros(), idle_cutoff).await
    {
        tracing::warn!(error = %e, "maintenance: expired sessions");
    }
    if let Err(e) = crate::upload::expire(core).await {
        tracing::warn!(error = %e, "maintenance: expired uploads");
    }
    if let Err(e) = crate::share::remind_expiring(core).await {
        tracing::warn!(error = %e, "maintenance: gallery expiry reminders");
    }
    let week_ago = now.minus(Duration::from_secs(7 * 86_400)).as_micros();
    if let Err(e) = queue::purge_succeeded(core.db().conn(), week_ago).await {
        tracing::warn!(error = %e, "maintenance: old jobs");
    }
}

/// A worker's name in job rows: host, process and a random part.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        &crate::secret::new_token("")[..6]
    )
}

/// Runs jobs until `shutdown` is cancelled, then waits for the jobs in hand.
pub async fn run_worker(core: Core, worker: String, shutdown: CancellationToken) {
    let settings = core.settings().jobs.clone();
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut next_maintenance = std::time::Instant::now();
    tracing::info!(worker, concurrency = settings.concurrency, "worker started");
    loop {
        while tasks.try_join_next().is_some() {}
        if std::time::Instant::now() >= next_maintenance {
            maintenance(&core).await;
            next_maintenance = std::time::Instant::now() + Duration::from_secs(3600);
        }
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = shutdown.cancelled() => break,
        };
        let now = core.now();
        match queue::claim(
            core.db().conn(),
            &worker,
            now.as_micros(),
            now.plus(settings.lease).as_micros(),
        )
        .await
        {
            Ok(Some(row)) => {
                let core = core.clone();
                let worker = worker.clone();
                tasks.spawn(async move {
                    run_one(core, row, worker).await;
                    drop(permit);
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::select! {
                    _ = core.wake().notified() => {}
                    _ = tokio::time::sleep(settings.poll) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
            Err(e) => {
                drop(permit);
                tracing::warn!(error = %e, "could not claim a job; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(settings.poll) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        }
    }
    tracing::info!(
        worker,
        in_flight = tasks.len(),
        "worker stopping; finishing jobs in hand"
    );
    while tasks.join_next().await.is_some() {}
}

/// Runs every due job in this process until none is left (tests, CLI).
pub async fn drain(core: &Core) -> CoreResult<usize> {
    crate::share::remind_expiring(core).await?;
    let worker = worker_name();
    let mut n = 0;
    loop {
        let now = core.now();
        let Some(row) = queue::claim(
            core.db().conn(),
            &worker,
            now.as_micros(),
            now.plus(core.settings().jobs.lease).as_micros(),
        )
        .await?
        else {
            return Ok(n);
        };
        run_one(core.clone(), row, worker.clone()).await;
        n += 1;
    }
}

/// A job as listed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: JobId,
    pub kind: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

pub fn view(m: job::Model) -> JobView {
    JobView {
        id: JobId::from_uuid(m.id),
        kind: m.kind,
        status: m.status,
        attempts: m.attempts,
        max_attempts: m.max_attempts,
        run_at: Timestamp::from_micros(m.run_at),
        last_error: m.last_error,
        created_at: Timestamp::from_micros(m.created_at),
        finished_at: m.finished_at.map(Timestamp::from_micros),
    }
}

/// List filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    /// Only this status.
    pub status: Option<darkroom_domain::field::JobStatusName>,
    pub cursor: Option<crate::listing::IdCursor>,
    pub limit: Option<crate::listing::ListLimit>,
}

/// The studio's jobs, newest first.
pub async fn list(core: &Core, p: &Principal, f: &JobFilter) -> CoreResult<Listing<JobView>> {
    core.authorize(p, Permission::JobView, Target::STUDIO)?;
    let status = match &f.status {
        Some(s) => Some(s.check().map_err(|m| CoreError::invalid("status", m))?),
        None => None,
    };
    let status = status.map(|s| s.name());
    let page = listing::by_id(f.cursor.as_deref(), f.limit)?;
    let rows = queue::list(core.db().conn(), Some(p.studio.uuid()), status, &page).await?;
    Ok(Listing {
        next_cursor: rows.next.map(listing::encode_id),
        items: rows.items.into_iter().map(view).collect(),
    })
}

/// Counts per status, for the operations page.
pub async fn counts(core: &Core, p: &Principal) -> CoreResult<Vec<(String, u64)>> {
    core.authorize(p, Permission::JobView, Target::STUDIO)?;
    Ok(queue::count_by_status(core.db().conn(), Some(p.studio.uuid())).await?)
}

/// Puts a failed job back in the queue.
pub async fn retry(core: &Core, p: &Principal, meta: &Meta, id: JobId) -> CoreResult<JobView> {
    let tx = core.db().begin().await?;
    let row = queue::find(&tx, Some(p.studio.uuid()), id.uuid())
        .await?
        .ok_or(CoreError::not_found("job"))?;
    core.authorize(p, Permission::JobManage, Target::STUDIO)?;
    if !queue::retry(
        &tx,
        Some(p.studio.uuid()),
        id.uuid(),
        core.now().as_micros(),
    )
    .await?
    {
        return Err(CoreError::conflict(
            "invalid_state",
            format!(
                "only failed jobs can be retried; this one is {}",
                row.status
            ),
        ));
    }
    if let Ok(Job::SendEmail { email_id }) = serde_json::from_str::<Job>(&row.payload) {
        outbox::requeue(
            &tx,
            Some(p.studio.uuid()),
            email_id.uuid(),
            core.now().as_micros(),
        )
        .await?;
    }
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "job.retried",
            severity: Severity::Low,
            target_type: "job",
            target_id: id.to_string(),
            payload: serde_json::json!({ "kind": row.kind, "last_error": row.last_error }),
        },
    )
    .await?;
    let fresh = queue::find(&tx, Some(p.studio.uuid()), id.uuid())
        .await?
        .ok_or(CoreError::not_found("job"))?;
    crate::commit(tx).await?;
    core.wake_workers();
    Ok(view(fresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert!(backoff(0) >= Duration::from_secs(10) && backoff(0) <= Duration::from_secs(13));
        assert!(backoff(3) >= Duration::from_secs(80));
        assert!(backoff(50) <= Duration::from_secs(4500));
    }

    #[test]
    fn jobs_serialise_with_a_type_tag() {
        let j = Job::SendEmail {
            email_id: EmailId::new(),
        };
        let s = serde_json::to_string(&j).unwrap();
        assert!(s.starts_with("{\"type\":\"send_email\""), "{s}");
        assert_eq!(serde_json::from_str::<Job>(&s).unwrap(), j);
    }
}
