//! Where photo bytes live: local disk (the default, inside the data folder),
//! any S3-compatible service, or memory (tests). Keys are made by the
//! server, never from file names. Every read and write streams; a write
//! returns only once the bytes are durable (fsync then rename on disk, a
//! completed multipart upload on S3), so the database never points at bytes
//! that are not there.

mod local;
mod object;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;

pub use local::LocalStore;
pub use object::ObjectStoreMedia;

/// A stream of an object's bytes.
pub type ByteStream = BoxStream<'static, Result<Bytes, StoreError>>;

/// Media store failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("no object at `{0}`")]
    NotFound(String),
    #[error("the media store is full ({0}); free space or raise the limit, then retry")]
    Full(String),
    #[error("invalid media key `{0}`")]
    InvalidKey(String),
    #[error("media store: {0}")]
    Io(String),
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound(e.to_string()),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                StoreError::Full(e.to_string())
            }
            _ => StoreError::Io(e.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A server-made object key: lowercase letters, digits, `/`, `.`, `_` and `-`,
/// no empty or dot segments.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

impl Key {
    pub fn new(s: impl Into<String>) -> StoreResult<Self> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 512
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/._-".contains(&b))
            && s.split('/')
                .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
        if ok {
            Ok(Key(s))
        } else {
            Err(StoreError::InvalidKey(s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.0)
    }
}

/// How hard a write must try to survive a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Fsync (disk) or a completed upload (S3) before returning: originals.
    Durable,
    /// Atomic (never half-visible) but may be lost in a power cut: derivatives,
    /// which are rendered again if missing.
    Atomic,
}

/// A media store.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync + fmt::Debug {
    /// For logs and messages: `local:/srv/darkroom/media`, `s3:bucket`.
    fn describe(&self) -> String;
    /// Stores a file's bytes under `key`, durably. With `consume`, the store
    /// may move the file instead of copying it (same disk).
    async fn put_file(&self, key: &Key, src: &Path, consume: bool) -> StoreResult<u64>;
    async fn put_bytes(&self, key: &Key, bytes: Bytes, durability: Durability) -> StoreResult<()>;
    /// The object's size and a stream of its bytes.
    async fn get(&self, key: &Key) -> StoreResult<(u64, ByteStream)>;
    async fn get_bytes(&self, key: &Key) -> StoreResult<Bytes> {
        use futures::TryStreamExt;
        let (size, stream) = self.get(key).await?;
        let mut buf = bytes::BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut s = stream;
        while let Some(chunk) = s.try_next().await? {
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }
    /// The object's size, if it exists.
    async fn head(&self, key: &Key) -> StoreResult<Option<u64>>;
    /// Removes an object; a missing one is not an error.
    async fn delete(&self, key: &Key) -> StoreResult<()>;
    /// Every object under a prefix, with its size.
    async fn list(&self, prefix: &str) -> StoreResult<Vec<(String, u64)>>;
}

pub type SharedStore = Arc<dyn MediaStore>;

/// Where a store is, from configuration.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreConfig {
    Local {
        root: std::path::PathBuf,
    },
    S3 {
        endpoint: Option<String>,
        region: String,
        bucket: String,
        access_key_id: String,
        secret_access_key: String,
        allow_http: bool,
    },
    Memory,
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreConfig::Local { root } => write!(f, "Local({})", root.display()),
            StoreConfig::S3 {
                endpoint,
                bucket,
                region,
                ..
            } => write!(
                f,
                "S3(bucket={bucket}, region={region}, endpoint={endpoint:?}, keys=****)"
            ),
            StoreConfig::Memory => f.write_str("Memory"),
        }
    }
}

/// Opens the store a configuration names.
pub fn open(config: &StoreConfig) -> StoreResult<SharedStore> {
    Ok(match config {
        StoreConfig::Local { root } => Arc::new(LocalStore::new(root)?),
        StoreConfig::S3 {
            endpoint,
            region,
            bucket,
            access_key_id,
            secret_access_key,
            allow_http,
        } => {
            let mut b = object_store::aws::AmazonS3Builder::new()
                .with_region(region)
                .with_bucket_name(bucket)
                .with_access_key_id(access_key_id)
                .with_secret_access_key(secret_access_key)
                .with_allow_http(*allow_http);
            if let Some(e) = endpoint {
                b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
            }
            let s3 = b
                .build()
                .map_err(|e| StoreError::Io(format!("S3 configuration: {e}")))?;
            Arc::new(ObjectStoreMedia::new(Arc::new(s3), format!("s3:{bucket}")))
        }
        StoreConfig::Memory => Arc::new(ObjectStoreMedia::new(
            Arc::new(object_store::memory::InMemory::new()),
            "memory".into(),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(Key::new("s/0193/p/0194/v1/original").is_ok());
        for bad in [
            "", "/abs", "a//b", "a/../b", "A/b", "a/b c", "a/./b", "x\0y",
        ] {
            assert!(Key::new(bad).is_err(), "{bad:?}");
        }
    }
}
