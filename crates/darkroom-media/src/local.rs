//! Media on local disk. Writes go to a temporary file in the store, are
//! fsynced, renamed into place and the directory fsynced: a crash leaves the
//! old state or the new one, never half a file.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::{ByteStream, Durability, Key, MediaStore, StoreError, StoreResult};

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(root.join(".tmp"))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.root.join(key.as_str())
    }

    fn tmp(&self) -> PathBuf {
        use rand::Rng;
        let n: u64 = rand::rng().random();
        self.root.join(".tmp").join(format!("{n:016x}.part"))
    }

    async fn publish(&self, tmp: &Path, key: &Key, durable: bool) -> StoreResult<()> {
        let dest = self.path(key);
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(tmp, &dest).await?;
        if durable && let Some(parent) = dest.parent() {
            let parent = parent.to_path_buf();
            tokio::task::spawn_blocking(move || {
                std::fs::File::open(parent).and_then(|d| d.sync_all())
            })
            .await
            .map_err(|e| StoreError::Io(e.to_string()))??;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl MediaStore for LocalStore {
    fn describe(&self) -> String {
        format!("local:{}", self.root.display())
    }

    async fn put_file(&self, key: &Key, src: &Path, consume: bool) -> StoreResult<u64> {
        let tmp = self.tmp();
        // Same disk and allowed: rename instead of copying gigabytes.
        let moved = consume && tokio::fs::rename(src, &tmp).await.is_ok();
        if !moved && let Err(e) = tokio::fs::copy(src, &tmp).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        let t = tmp.clone();
        let size = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&t)?;
            f.sync_all()?;
            Ok(f.metadata()?.len())
        })
        .await
        .map_err(|e| StoreError::Io(e.to_string()))?;
        let size = match size {
            Ok(s) => s,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e.into());
            }
        };
        self.publish(&tmp, key, true).await?;
        Ok(size)
    }

    async fn put_bytes(&self, key: &Key, bytes: Bytes, durability: Durability) -> StoreResult<()> {
        let tmp = self.tmp();
        let write = async {
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(&bytes).await?;
            if durability == Durability::Durable {
                f.sync_all().await?;
            }
            Ok::<_, std::io::Error>(())
        };
        if let Err(e) = write.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        self.publish(&tmp, key, durability == Durability::Durable)
            .await
    }

    async fn get(&self, key: &Key) -> StoreResult<(u64, ByteStream)> {
        let f = tokio::fs::File::open(self.path(key))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => StoreError::NotFound(key.to_string()),
                _ => e.into(),
            })?;
        let size = f.metadata().await?.len();
        let stream = tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024)
            .map(|r| r.map_err(StoreError::from));
        Ok((size, stream.boxed()))
    }

    async fn head(&self, key: &Key) -> StoreResult<Option<u64>> {
        match tokio::fs::metadata(self.path(key)).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &Key) -> StoreResult<()> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<(String, u64)>> {
        let root = self.root.clone();
        let prefix = prefix.to_string();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                let rd = match std::fs::read_dir(&dir) {
                    Ok(rd) => rd,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(StoreError::from(e)),
                };
                for entry in rd {
                    let entry = entry?;
                    let path = entry.path();
                    let ft = entry.file_type()?;
                    if ft.is_dir() {
                        if path.file_name().is_some_and(|n| n == ".tmp") {
                            continue;
                        }
                        stack.push(path);
                    } else if ft.is_file() {
                        let rel = path
                            .strip_prefix(&root)
                            .map(|p| p.to_string_lossy().replace('\\', "/"))
                            .unwrap_or_default();
                        if rel.starts_with(&prefix) {
                            out.push((rel, entry.metadata()?.len()));
                        }
                    }
                }
            }
            out.sort();
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Io(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::new(dir.path()).unwrap();
        let k = Key::new("s/1/p/2/v1/original").unwrap();
        let src = dir.path().join("upload.part");
        std::fs::write(&src, vec![7u8; 300_000]).unwrap();
        assert_eq!(s.put_file(&k, &src, true).await.unwrap(), 300_000);
        assert!(!src.exists(), "consumed");
        assert_eq!(s.head(&k).await.unwrap(), Some(300_000));
        assert_eq!(s.get_bytes(&k).await.unwrap().len(), 300_000);
        let k2 = Key::new("s/1/p/2/v1/thumb.jpg").unwrap();
        s.put_bytes(&k2, Bytes::from_static(b"jpeg"), Durability::Atomic)
            .await
            .unwrap();
        let listed = s.list("s/1/").await.unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|(k, _)| !k.contains(".tmp")));
        s.delete(&k).await.unwrap();
        s.delete(&k).await.unwrap();
        assert_eq!(s.head(&k).await.unwrap(), None);
        assert!(matches!(s.get(&k).await, Err(StoreError::NotFound(_))));
        // Nothing is left in the temporary folder.
        assert_eq!(
            std::fs::read_dir(dir.path().join(".tmp")).unwrap().count(),
            0
        );
    }
}
