//! Short-lived read caches for what clients fetch most: who a link cookie
//! belongs to, a link's gallery, the gallery listing, and small pictures
//! (thumbnails). A 1,000-photo gallery page asks for a thousand thumbnails
//! at once; each would otherwise cost four or five database reads.
//!
//! Two rules keep them honest. Every committed write of this process
//! (revoking a link, archiving a gallery, deleting a photo, a heart) bumps
//! one epoch, and an entry read before the bump is never served after it:
//! on the node that made a change, the very next request sees it. Entries
//! also live at most [`TTL`], which bounds how long another node (or a
//! worker on another machine) may serve what it read before a change made
//! elsewhere. Decisions that depend on the time (a link's or gallery's
//! expiry, a session's) are taken again on every request from the cached
//! rows, never cached themselves.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry may be served.
pub const TTL: Duration = Duration::from_secs(2);

pub(crate) use crate::kernel::write::epoch;

/// The caches of `core` (kept with it as one of its extensions).
pub(crate) fn of(core: &crate::Core) -> std::sync::Arc<Caches> {
    core.extension::<Caches>()
}

/// A map whose entries expire after [`TTL`] or at the next write.
pub(crate) struct TtlMap<K, V> {
    inner: Mutex<HashMap<K, (u64, Instant, V)>>,
    cap: usize,
}

impl<K: Hash + Eq, V: Clone> TtlMap<K, V> {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            inner: Mutex::new(HashMap::new()),
            cap,
        }
    }

    pub(crate) fn get(&self, k: &K) -> Option<V> {
        let now = epoch();
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match m.get(k) {
            Some((e, at, v)) if *e == now && at.elapsed() < TTL => Some(v.clone()),
            _ => None,
        }
    }

    /// Stores `v`, read at epoch `read_at` (dropped if a write came since).
    pub(crate) fn put(&self, k: K, v: V, read_at: u64) {
        let now = epoch();
        if read_at != now {
            return;
        }
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= self.cap {
            m.retain(|_, (e, at, _)| *e == now && at.elapsed() < TTL);
            if m.len() >= self.cap {
                m.clear();
            }
        }
        m.insert(k, (read_at, Instant::now(), v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::write::bump;

    #[test]
    fn a_write_or_the_ttl_ends_an_entry() {
        let m: TtlMap<u32, &str> = TtlMap::new(2);
        let e = epoch();
        m.put(1, "a", e);
        assert_eq!(m.get(&1), Some("a"));
        bump();
        assert_eq!(m.get(&1), None, "a write since the read");
        // Read before a write, stored after it: never stored.
        let before = epoch();
        bump();
        m.put(2, "b", before);
        assert_eq!(m.get(&2), None);
        let e = epoch();
        for k in 0..10 {
            m.put(k, "c", e);
        }
        assert!(m.inner.lock().unwrap().len() <= 2, "bounded");
    }
}

/// A small picture kept whole (thumbnails, mostly).
#[derive(Debug)]
pub(crate) struct SmallMedia {
    pub bytes: bytes::Bytes,
    pub content_type: String,
    pub etag: String,
    pub download_name: Option<String>,
}

/// Pictures up to this size are kept whole.
pub(crate) const SMALL_MEDIA: u64 = 128 * 1024;

/// Each live photo of a gallery with its current version, for the media
/// route (one load answers a thousand thumbnails).
pub(crate) type GalleryIndex = HashMap<
    uuid::Uuid,
    (
        darkroom_db::entity::photo::Model,
        Option<darkroom_db::entity::photo_version::Model>,
    ),
>;

/// Small pictures by version, rendition and watermark revision (what they
/// are never changes), the oldest dropped past a byte budget.
pub(crate) struct Blobs {
    inner: Mutex<BlobState>,
    budget: usize,
}

/// The pictures, the order they came in, and their total size.
type BlobState = (
    HashMap<BlobKey, std::sync::Arc<SmallMedia>>,
    std::collections::VecDeque<BlobKey>,
    usize,
);

/// A version, a rendition, a watermark revision.
pub(crate) type BlobKey = (uuid::Uuid, u8, i64);

impl Blobs {
    fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new(Default::default()),
            budget,
        }
    }

    pub(crate) fn get(&self, k: &BlobKey) -> Option<std::sync::Arc<SmallMedia>> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        m.0.get(k).cloned()
    }

    pub(crate) fn put(&self, k: BlobKey, v: std::sync::Arc<SmallMedia>) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order, total) = &mut *m;
        if map.contains_key(&k) {
            return;
        }
        *total += v.bytes.len();
        map.insert(k, v);
        order.push_back(k);
        while *total > self.budget {
            let Some(old) = order.pop_front() else { break };
            if let Some(o) = map.remove(&old) {
                *total -= o.bytes.len();
            }
        }
    }
}

/// A gallery listing as JSON, and gzipped once for the browsers that ask
/// (the listing of a 1,000-photo gallery is some 700 KB; compressing it on
/// every request cost more than everything else the request does).
#[derive(Clone, Debug)]
pub struct Listing {
    pub json: bytes::Bytes,
    gzip: std::sync::Arc<std::sync::OnceLock<bytes::Bytes>>,
}

impl Listing {
    pub(crate) fn new(json: bytes::Bytes) -> Self {
        Self {
            json,
            gzip: Default::default(),
        }
    }

    /// The JSON gzipped (RFC 1952), made on the first call.
    pub fn gzip(&self) -> bytes::Bytes {
        self.gzip
            .get_or_init(|| {
                use std::io::Write;
                let mut e = flate2::write::GzEncoder::new(
                    Vec::with_capacity(self.json.len() / 4),
                    flate2::Compression::default(),
                );
                // Writing to a Vec cannot fail.
                let _ = e.write_all(&self.json);
                e.finish().unwrap_or_default().into()
            })
            .clone()
    }
}

/// One computation at a time per key; the others wait, then find it cached.
pub(crate) struct Flights<K = uuid::Uuid>(
    Mutex<HashMap<K, std::sync::Arc<tokio::sync::Mutex<()>>>>,
);

impl<K> Default for Flights<K> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq> Flights<K> {
    pub(crate) async fn enter(&self, k: K) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() > 10_000 {
                map.retain(|_, m| std::sync::Arc::strong_count(m) > 1);
            }
            map.entry(k).or_default().clone()
        };
        m.lock_owned().await
    }
}

/// The caches of one [`crate::Core`].
pub(crate) struct Caches {
    /// A session cookie's hash: its link, its expiry, the client then.
    pub sessions: TtlMap<String, (uuid::Uuid, i64, crate::sharing::share::Guest)>,
    /// A link id: the client (for signed media URLs).
    pub links: TtlMap<uuid::Uuid, std::sync::Arc<crate::sharing::share::Guest>>,
    /// A link id: its gallery listing as JSON.
    pub listings: TtlMap<uuid::Uuid, Listing>,
    /// A gallery id: its photos and their current versions.
    pub galleries: TtlMap<uuid::Uuid, std::sync::Arc<GalleryIndex>>,
    /// Small pictures, by version, rendition and watermark revision.
    pub blobs: Blobs,
    /// Listings and gallery indexes being computed.
    pub flights: Flights,
    /// Links (for signed media URLs) and link sessions being read: when an
    /// entry expires under load, one request reads it again and the others
    /// wait for it rather than all asking the database at once.
    pub link_flights: Flights,
    pub session_flights: Flights<String>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            sessions: TtlMap::new(10_000),
            links: TtlMap::new(10_000),
            listings: TtlMap::new(1_000),
            galleries: TtlMap::new(1_000),
            blobs: Blobs::new(64 * 1024 * 1024),
            flights: Flights::default(),
            link_flights: Flights::default(),
            session_flights: Flights::default(),
        }
    }
}
