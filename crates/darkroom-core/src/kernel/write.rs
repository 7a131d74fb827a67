//! The write path every change goes through: a studio's versioned rows are
//! inserted and updated here ([`insert`], [`update`]), transactions commit
//! here, and
//! the write epoch that read caches compare against (a change committed on
//! this node ends, at once, every cached read taken before it).

use std::sync::atomic::{AtomicU64, Ordering};

use darkroom_db::repo::versioned::{self, Versioned};
use darkroom_db::sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, IntoActiveModel,
};
use darkroom_domain::StudioId;
use uuid::Uuid;

use crate::Core;
use crate::kernel::error::{CoreError, CoreResult};

static EPOCH: AtomicU64 = AtomicU64::new(0);

/// The current write epoch: take it before reading what will be cached.
pub fn epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// Marks a write (what a commit does), for tests of the caches.
#[cfg(test)]
pub(crate) fn bump() {
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

/// Commits a write transaction, mapping a failure (busy, lost connection)
/// to the core's error.
pub async fn commit(tx: darkroom_db::Tx) -> CoreResult<()> {
    let r = tx
        .commit()
        .await
        .map_err(|e| CoreError::from(darkroom_db::DbError::from(e)));
    // Whatever the outcome, cached reads from before it are not served again.
    EPOCH.fetch_add(1, Ordering::AcqRel);
    r
}

/// A new row of `studio`, the first write of the versioned path: the owner,
/// version 1 and the timestamps are set here. An id already taken (a
/// client-supplied id, say) is a conflict naming `shown`, the id as people
/// see it.
pub async fn insert<E>(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    shown: &impl std::fmt::Display,
    row: E::ActiveModel,
) -> CoreResult<E::Model>
where
    E: Versioned,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    versioned::insert::<E>(c, studio, core.now().as_micros(), row)
        .await
        .map_err(|e| crate::kernel::created::on_insert_error(e, shown))
}

/// One versioned change to a studio's row: written with the next version
/// and the current time as `updated_at` if the stored version is still
/// `expected`. Otherwise the answer is a conflict carrying the row as it is
/// now (through `view`, what the caller shows of it), or "not found" when
/// the row is gone. Every update of a versioned row goes through here; the
/// caches end when the transaction commits ([`commit`]).
pub async fn update<E, V>(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    key: Uuid,
    expected: i64,
    changes: E::ActiveModel,
    view: impl FnOnce(E::Model) -> V,
) -> CoreResult<()>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    V: serde::Serialize,
{
    match try_update::<E>(core, c, studio, key, expected, changes).await? {
        Ok(()) => Ok(()),
        Err(fresh) => Err(CoreError::stale(view(fresh))),
    }
}

/// [`update`], handing a stale caller the current row to answer with.
pub async fn try_update<E>(
    core: &Core,
    c: &impl ConnectionTrait,
    studio: StudioId,
    key: Uuid,
    expected: i64,
    changes: E::ActiveModel,
) -> CoreResult<Result<(), E::Model>>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let now = core.now().as_micros();
    if versioned::update::<E>(c, studio, key, expected, now, changes).await? {
        return Ok(Ok(()));
    }
    match versioned::find::<E>(c, studio, key).await? {
        Some(fresh) => Ok(Err(fresh)),
        None => Err(CoreError::not_found(E::WHAT)),
    }
}
