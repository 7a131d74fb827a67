//! The job runner: jobs are typed per context ([`Job`], registered in the
//! context's list), enqueued here and run by workers.
//!
//! A job is enqueued in the same transaction as the write that causes it.
//! Workers run inside `darkroom serve` by default and alone with `darkroom
//! worker`. A claimed job is held by a lease that the worker keeps extending
//! while the handler runs; if the worker dies, the lease runs out and another
//! worker takes the job. Handlers are therefore written to be safe to run
//! again (see `mail::deliver`).

use darkroom_domain::names::JobStatus;
use std::sync::Arc;
use std::time::Duration;

use darkroom_db::email as outbox;
use darkroom_db::entity::job;
use darkroom_db::job::{self as queue, NewJob};
use darkroom_db::sea_orm::ConnectionTrait;
#[cfg(test)]
use darkroom_domain::EmailId;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::permission::Permission;
use darkroom_domain::{JobId, StudioId, Timestamp, TypedId};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::listing::{self, Listing};
use crate::kernel::mail::SendEmail;
use crate::kernel::registry::{BoxFuture, Job};
use crate::{Core, Meta, Principal};

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
pub async fn enqueue<J: Job>(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: Option<StudioId>,
    job: &J,
    run_at: Option<Timestamp>,
) -> CoreResult<JobId> {
    let id = JobId::new();
    let now = core.now();
    let mut payload = serde_json::to_value(job).map_err(|e| CoreError::Internal(e.into()))?;
    if let Some(o) = payload.as_object_mut() {
        o.insert("type".into(), serde_json::Value::String(J::NAME.into()));
    }
    queue::enqueue(
        c,
        NewJob {
            id: id.uuid(),
            studio_id: studio.map(|s| s.uuid()),
            kind: J::NAME.into(),
            payload: payload.to_string(),
            run_at: run_at.unwrap_or(now).as_micros(),
            max_attempts: core.settings().jobs.max_attempts,
        },
        now.as_micros(),
    )
    .await?;
    Ok(id)
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
    let runner = core.registry().runner(&row.kind);
    let payload = serde_json::from_str::<serde_json::Value>(&row.payload);
    let (runner, payload) = match (runner, payload) {
        (Some(r), Ok(p)) => (r, p),
        (None, _) | (_, Err(_)) => {
            let msg = format!(
                "this version of Darkroom cannot run a `{}` job; it was left as it is",
                row.kind
            );
            let now = core.now().as_micros();
            let _ = queue::fail(db.conn(), row.id, &worker, now, &msg, None).await;
            return;
        }
    };
    let heartbeat = keep_lease(&core, row.id, &worker);
    let last_attempt = row.attempts >= row.max_attempts;
    let outcome = runner(core.clone(), payload, last_attempt).await;
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

/// Extends a running job's lease every third of it, until the job ends (the
/// handle is aborted) or the lease is lost.
fn keep_lease(core: &Core, id: uuid::Uuid, worker: &str) -> tokio::task::JoinHandle<()> {
    let core = core.clone();
    let worker = worker.to_string();
    let lease = core.settings().jobs.lease;
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
}

/// Housekeeping every worker does now and then: what the contexts
/// registered as chores (expired sessions and uploads, expiry reminders, old
/// finished jobs).
async fn maintenance(core: &Core) {
    for (name, chore) in core.registry().chores() {
        if let Err(e) = chore(core.clone()).await {
            tracing::warn!(error = %e, chore = name, "maintenance");
        }
    }
}

/// The kernel's own chore: finished jobs older than a week go.
pub(crate) fn purge_old_jobs(core: Core) -> BoxFuture<'static, CoreResult<()>> {
    Box::pin(async move {
        let week_ago = core
            .now()
            .minus(Duration::from_secs(7 * 86_400))
            .as_micros();
        queue::purge_succeeded(core.db().conn(), week_ago).await?;
        Ok(())
    })
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty() && !h.contains(':'))
        .unwrap_or_else(|| "host".into())
}

/// A worker's name in job rows: host, process and a random part.
pub fn worker_name() -> String {
    format!(
        "{}:{}:{}",
        host_name(),
        std::process::id(),
        &crate::kernel::secret::new_token("")[..6]
    )
}

/// Whether the worker named `holder`, on this machine, is certainly gone:
/// its process no longer runs, or this process now has its number (a
/// restarted container is process 1 again) under another name.
fn gone_from_here(holder: &str, me: &str) -> bool {
    let (Some(mine), Some(theirs)) = (me.split(':').nth(1), holder.split(':').nth(1)) else {
        return false;
    };
    if holder == me || theirs.parse::<u32>().is_err() {
        return false;
    }
    if theirs == mine {
        return true;
    }
    // Where processes cannot be looked up, wait the lease out as before.
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !proc.join(theirs).exists()
}

/// A worker starting on a machine takes back at once the jobs that an
/// earlier worker of this machine held when it was killed, instead of
/// waiting out their leases. Workers on other machines are never judged.
pub async fn reclaim_dead_on_this_host(core: &Core, me: &str) -> CoreResult<u64> {
    let prefix = format!("{}:", host_name());
    let now = core.now().as_micros();
    let mut freed = 0;
    for holder in queue::holders_like(core.db().conn(), &prefix, now).await? {
        if gone_from_here(&holder, me) {
            let n = queue::expire_leases_of(core.db().conn(), &holder, now).await?;
            tracing::info!(
                holder,
                jobs = n,
                "took back the jobs of a worker of this machine that is gone"
            );
            freed += n;
        }
    }
    Ok(freed)
}

/// Runs jobs until `shutdown` is cancelled, then waits for the jobs in hand.
pub async fn run_worker(core: Core, worker: String, shutdown: CancellationToken) {
    let settings = core.settings().jobs.clone();
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut next_maintenance = std::time::Instant::now();
    tracing::info!(worker, concurrency = settings.concurrency, "worker started");
    if let Err(e) = reclaim_dead_on_this_host(&core, &worker).await {
        tracing::warn!(error = %e, "could not look for jobs held by dead workers of this machine");
    }
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

/// Runs every due job in this process until none is left (tests, CLI),
/// after the chores.
pub async fn drain(core: &Core) -> CoreResult<usize> {
    for (_, chore) in core.registry().chores() {
        chore(core.clone()).await?;
    }
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
    pub status: JobStatus,
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
    pub cursor: Option<crate::kernel::listing::IdCursor>,
    pub limit: Option<crate::kernel::listing::ListLimit>,
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
    if row.kind == SendEmail::NAME
        && let Ok(SendEmail { email_id }) = serde_json::from_str::<SendEmail>(&row.payload)
    {
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
    #[test]
    fn a_holder_is_gone_when_its_process_is_or_when_its_number_is_mine() {
        use super::gone_from_here;
        let me = format!("h:{}:abcdef", std::process::id());
        assert!(!gone_from_here(&me, &me), "never myself");
        let same_pid = format!("h:{}:zzzzzz", std::process::id());
        assert!(
            gone_from_here(&same_pid, &me),
            "my number under another name"
        );
        assert!(!gone_from_here("h:notanumber:x", &me));
        assert!(!gone_from_here("h:1:x", "garbage"));
        if std::path::Path::new("/proc/self").exists() {
            // The parent of this test process runs; a number past pid_max does not.
            let parent = std::os::unix::process::parent_id();
            assert!(!gone_from_here(&format!("h:{parent}:x"), &me));
            assert!(gone_from_here("h:4999999:x", &me));
        }
    }

    use super::*;

    #[cfg(feature = "testing")]
    #[tokio::test]
    async fn a_restarted_worker_takes_back_its_machines_dead_jobs_at_once() {
        let db = darkroom_db::testing::TestDb::create().await;
        let core = crate::testing::core_for(&db.url).await.unwrap();
        let c = core.db().conn();
        let now = core.now().as_micros();
        let hour = 3_600_000_000;
        let mut held = Vec::new();
        for holder in [
            format!("{}:4999999:dead01", host_name()),
            "another-machine:4999999:far001".to_string(),
        ] {
            let j = queue::enqueue(
                c,
                NewJob {
                    id: uuid::Uuid::now_v7(),
                    studio_id: None,
                    kind: "test".into(),
                    payload: "{}".into(),
                    run_at: now,
                    max_attempts: 3,
                },
                now,
            )
            .await
            .unwrap();
            let claimed = queue::claim(c, &holder, now, now + hour).await.unwrap();
            assert_eq!(claimed.map(|m| m.id), Some(j.id));
            held.push(j.id);
        }
        let me = worker_name();
        assert!(
            queue::claim(c, &me, now, now + hour)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(reclaim_dead_on_this_host(&core, &me).await.unwrap(), 1);
        let now = core.now().as_micros();
        let next = queue::claim(c, &me, now, now + hour).await.unwrap();
        assert_eq!(next.map(|m| m.id), Some(held[0]), "this machine's dead job");
        assert!(
            queue::claim(c, &me, now, now + hour)
                .await
                .unwrap()
                .is_none(),
            "another machine's worker is never judged from here"
        );
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert!(backoff(0) >= Duration::from_secs(10) && backoff(0) <= Duration::from_secs(13));
        assert!(backoff(3) >= Duration::from_secs(80));
        assert!(backoff(50) <= Duration::from_secs(4500));
    }

    #[test]
    fn old_payloads_with_their_type_tag_still_read() {
        let id = EmailId::new();
        let old = format!("{{\"type\":\"send_email\",\"email_id\":\"{id}\"}}");
        let j: SendEmail = serde_json::from_str(&old).unwrap();
        assert_eq!(j.email_id, id);
    }
}
