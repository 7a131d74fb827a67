//! The render threads. CPU-bound work (decoding, resizing, encoding) runs on
//! a fixed set of `render_threads` threads, never on the async executor.
//! Fixed threads keep their allocator arena warm: the buffers one photo
//! freed are there for the next (see `darkroom_imaging::memory`), where each
//! photo used to land on whichever blocking-pool thread was free and fault
//! fresh pages in. Once the threads have been idle a few seconds, the memory
//! they kept goes back to the kernel.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send>;

/// How long the threads wait with nothing to do before handing their kept
/// memory back.
const IDLE: Duration = Duration::from_secs(5);

struct State {
    /// Jobs running now.
    running: AtomicUsize,
    /// Some job ran since memory was last handed back.
    used: AtomicBool,
}

/// The threads; they end when the pool is dropped.
pub(crate) struct CpuPool {
    jobs: Sender<Job>,
}

impl CpuPool {
    pub(crate) fn new(threads: usize) -> anyhow::Result<Self> {
        darkroom_imaging::memory::keep_freed_blocks();
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let state = Arc::new(State {
            running: AtomicUsize::new(0),
            used: AtomicBool::new(false),
        });
        for i in 0..threads.max(1) {
            let (rx, state) = (rx.clone(), state.clone());
            std::thread::Builder::new()
                .name(format!("darkroom-render-{i}"))
                .spawn(move || work(&rx, &state))
                .map_err(|e| anyhow::anyhow!("cannot start a render thread: {e}"))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `f` on a render thread and waits for its result.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> crate::CoreResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The caller may have gone; its result is then dropped.
                let _ = tx.send(f());
            }))
            .map_err(|_| crate::CoreError::Internal(anyhow::anyhow!("the render threads ended")))?;
        rx.await.map_err(|_| {
            crate::CoreError::Internal(anyhow::anyhow!(
                "the work failed on a render thread (it panicked)"
            ))
        })
    }
}

fn work(rx: &Mutex<Receiver<Job>>, state: &State) {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv_timeout(IDLE),
            Err(_) => return,
        };
        match next {
            Ok(job) => {
                state.running.fetch_add(1, Ordering::SeqCst);
                // A panic fails this job only (its caller sees the error).
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                state.used.store(true, Ordering::SeqCst);
                state.running.fetch_sub(1, Ordering::SeqCst);
            }
            Err(RecvTimeoutError::Timeout) => {
                if state.running.load(Ordering::SeqCst) == 0
                    && state.used.swap(false, Ordering::SeqCst)
                {
                    darkroom_imaging::memory::release_freed_blocks();
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = CpuPool::new(2).unwrap();
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let failed = pool.run(|| -> u8 { panic!("a bad photo") }).await;
        assert!(failed.is_err());
        // Both threads still work.
        let (a, b) = tokio::join!(pool.run(|| 1), pool.run(|| 2));
        assert_eq!((a.unwrap(), b.unwrap()), (1, 2));
    }
}
