//! The write path every change goes through: committing a transaction, and
//! the write epoch that read caches compare against (a change committed on
//! this node ends, at once, every cached read taken before it).

use std::sync::atomic::{AtomicU64, Ordering};

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
