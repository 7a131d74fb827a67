//! What each context adds to the core, declared in one list of its own
//! (`register` in the context's `mod.rs`): its background jobs, what it does
//! when another context's event happens, and its housekeeping. The kernel
//! runs them without knowing any context; `crate::registry` collects the
//! lists.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use darkroom_db::Tx;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::kernel::ctx::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::jobs::JobError;

/// A boxed future borrowing for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A typed background job, one per file with its name (as crates.io's
/// worker does): enqueued in the same transaction as its cause, run by a
/// worker, safe to run again.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored with the job (`kind`).
    const NAME: &'static str;
    /// Does the work; `last_attempt` is true when no retry will follow.
    fn run(self, core: Core, last_attempt: bool) -> BoxFuture<'static, Result<(), JobError>>;
}

type JobRunner = fn(Core, serde_json::Value, bool) -> BoxFuture<'static, Result<(), JobError>>;
type Subscriber = Box<
    dyn for<'a> Fn(&'a Core, &'a Tx, &'a (dyn Any + Send + Sync)) -> BoxFuture<'a, CoreResult<()>>
        + Send
        + Sync,
>;
type Chore = fn(Core) -> BoxFuture<'static, CoreResult<()>>;

/// Everything the contexts registered.
#[derive(Default)]
pub struct Registry {
    jobs: HashMap<&'static str, JobRunner>,
    subscribers: HashMap<TypeId, Vec<(&'static str, Subscriber)>>,
    chores: Vec<(&'static str, Chore)>,
}

fn run_job<J: Job>(
    core: Core,
    payload: serde_json::Value,
    last: bool,
) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move {
        let job: J = serde_json::from_value(payload).map_err(|e| {
            JobError::fatal(format!("this version of Darkroom cannot read the job: {e}"))
        })?;
        job.run(core, last).await
    })
}

impl Registry {
    /// A job kind the workers run.
    pub fn job<J: Job>(&mut self) -> &mut Self {
        self.jobs.insert(J::NAME, run_job::<J>);
        self
    }

    /// What to do, inside the publisher's transaction, when an event of
    /// type `E` is published (see [`Core::publish`]).
    pub fn on<E: Any + Send + Sync>(
        &mut self,
        name: &'static str,
        f: for<'a> fn(&'a Core, &'a Tx, &'a E) -> BoxFuture<'a, CoreResult<()>>,
    ) -> &mut Self {
        let erased: Subscriber = Box::new(move |core, tx, any| match any.downcast_ref::<E>() {
            Some(e) => f(core, tx, e),
            None => Box::pin(async { Ok(()) }),
        });
        self.subscribers
            .entry(TypeId::of::<E>())
            .or_default()
            .push((name, erased));
        self
    }

    /// Housekeeping every worker does now and then (and `jobs::drain`).
    pub fn chore(&mut self, name: &'static str, f: Chore) -> &mut Self {
        self.chores.push((name, f));
        self
    }

    pub(crate) fn runner(&self, kind: &str) -> Option<JobRunner> {
        self.jobs.get(kind).copied()
    }

    pub(crate) fn chores(&self) -> &[(&'static str, Chore)] {
        &self.chores
    }

    /// The job kinds, for listings and tests.
    pub fn job_names(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.jobs.keys().copied().collect();
        v.sort_unstable();
        v
    }
}

impl Core {
    /// Tells every context that subscribed to `E` what happened, inside the
    /// caller's transaction: their writes commit or roll back with it.
    pub async fn publish<E: Any + Send + Sync>(&self, tx: &Tx, event: &E) -> CoreResult<()> {
        let Some(subs) = self.registry().subscribers.get(&TypeId::of::<E>()) else {
            return Ok(());
        };
        for (_, f) in subs {
            f(self, tx, event).await?;
        }
        Ok(())
    }
}
