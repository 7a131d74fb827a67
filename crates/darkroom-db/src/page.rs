//! Keyset pagination. Lists are ordered by id (UUIDv7, so by creation time);
//! the next page starts after the last id seen. Offsets are never used, so a
//! page is stable while rows are added.

/// At most this many rows per page, whatever the client asks.
pub const MAX_LIMIT: u64 = 200;
/// Rows per page when the client does not say.
pub const DEFAULT_LIMIT: u64 = 50;

/// A page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest<K> {
    pub after: Option<K>,
    pub limit: u64,
}

impl<K> PageRequest<K> {
    pub fn first(limit: u64) -> Self {
        Self {
            after: None,
            limit: limit.clamp(1, MAX_LIMIT),
        }
    }

    /// The limit to query: one more than asked, to learn if there is a next page.
    pub fn probe_limit(&self) -> u64 {
        self.limit.clamp(1, MAX_LIMIT) + 1
    }
}

/// One page of rows and the key to continue after, if there is more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    /// Builds a page from rows fetched with [`PageRequest::probe_limit`].
    pub fn from_probe(mut rows: Vec<T>, req: &PageRequest<K>, key: impl Fn(&T) -> K) -> Self {
        let limit = usize::try_from(req.limit.clamp(1, MAX_LIMIT)).unwrap_or(usize::MAX);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&key)
        } else {
            None
        };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}
