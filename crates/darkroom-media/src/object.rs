//! Media in an `object_store` backend: S3-compatible services, or memory.
//! Large files go up as multipart uploads, read from disk in parts, so
//! memory stays flat whatever the file size.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as OsPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

use crate::{ByteStream, Durability, Key, MediaStore, StoreError, StoreResult};

const PART: usize = 8 * 1024 * 1024;

#[derive(Debug)]
pub struct ObjectStoreMedia {
    inner: Arc<dyn ObjectStore>,
    name: String,
}

impl ObjectStoreMedia {
    pub fn new(inner: Arc<dyn ObjectStore>, name: String) -> Self {
        Self { inner, name }
    }
}

fn path(key: &Key) -> OsPath {
    OsPath::from(key.as_str())
}

fn map(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { path, .. } => StoreError::NotFound(path),
        other => StoreError::Io(other.to_string()),
    }
}

#[async_trait::async_trait]
impl MediaStore for ObjectStoreMedia {
    fn describe(&self) -> String {
        self.name.clone()
    }

    async fn put_file(&self, key: &Key, src: &Path, consume: bool) -> StoreResult<u64> {
        let mut f = tokio::fs::File::open(src).await?;
        let size = f.metadata().await?.len();
        if size as usize <= PART {
            let mut buf = Vec::with_capacity(size as usize);
            f.read_to_end(&mut buf).await?;
            self.inner
                .put(&path(key), PutPayload::from(buf))
                .await
                .map_err(map)?;
        } else {
            let upload = self.inner.put_multipart(&path(key)).await.map_err(map)?;
            let mut w = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut buf = vec![0u8; PART];
            loop {
                let n = f.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                w.wait_for_capacity(2).await.map_err(map)?;
                w.write(&buf[..n]);
            }
            w.finish().await.map_err(map)?;
        }
        if consume {
            let _ = tokio::fs::remove_file(src).await;
        }
        Ok(size)
    }

    async fn put_bytes(&self, key: &Key, bytes: Bytes, _durability: Durability) -> StoreResult<()> {
        self.inner
            .put(&path(key), PutPayload::from(bytes))
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn get(&self, key: &Key) -> StoreResult<(u64, ByteStream)> {
        let r = self.inner.get(&path(key)).await.map_err(map)?;
        let size = r.meta.size;
        Ok((size, r.into_stream().map_err(map).boxed()))
    }

    async fn head(&self, key: &Key) -> StoreResult<Option<u64>> {
        match self.inner.head(&path(key)).await {
            Ok(m) => Ok(Some(m.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(map(e)),
        }
    }

    async fn delete(&self, key: &Key) -> StoreResult<()> {
        match self.inner.delete(&path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map(e)),
        }
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<(String, u64)>> {
        let p = prefix.trim_end_matches('/');
        let prefix_path = if p.is_empty() {
            None
        } else {
            Some(OsPath::from(p))
        };
        let metas: Vec<object_store::ObjectMeta> = self
            .inner
            .list(prefix_path.as_ref())
            .try_collect()
            .await
            .map_err(map)?;
        let mut out: Vec<(String, u64)> = metas
            .into_iter()
            .map(|m| (m.location.to_string(), m.size))
            .filter(|(k, _)| k.starts_with(prefix))
            .collect();
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_round_trips_small_and_multipart() {
        let s = crate::open(&crate::StoreConfig::Memory).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        let data: Vec<u8> = (0..(PART * 2 + 123)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&big, &data).unwrap();
        let k = Key::new("s/1/big").unwrap();
        assert_eq!(
            s.put_file(&k, &big, false).await.unwrap(),
            data.len() as u64
        );
        assert_eq!(s.get_bytes(&k).await.unwrap().as_ref(), &data[..]);
        assert_eq!(s.head(&k).await.unwrap(), Some(data.len() as u64));
        s.put_bytes(
            &Key::new("s/1/small").unwrap(),
            Bytes::from_static(b"x"),
            Durability::Atomic,
        )
        .await
        .unwrap();
        assert_eq!(s.list("s/1/").await.unwrap().len(), 2);
        s.delete(&k).await.unwrap();
        assert_eq!(s.head(&k).await.unwrap(), None);
    }
}
