//! The same contract for every store: local disk, memory, and S3 (against
//! s3s-fs, a real S3 protocol server). What one store does, all do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use darkroom_media::testing::S3Peer;
use darkroom_media::{Durability, Key, SharedStore, StoreConfig, StoreError, open};
use futures::StreamExt;
use sha2::{Digest, Sha256};

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

/// Bytes that do not repeat, so a misplaced part would show.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

async fn read_all(store: &SharedStore, k: &Key) -> Vec<u8> {
    let (size, mut stream) = store.get(k).await.unwrap();
    let mut out = Vec::with_capacity(size as usize);
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(
        out.len() as u64,
        size,
        "the size announced is the size read"
    );
    out
}

async fn contract(store: SharedStore) {
    let dir = tempfile::tempdir().unwrap();

    // Small bytes, each durability.
    let a = key("s/01/p/01/v1/thumb.jpg");
    store
        .put_bytes(&a, Bytes::from_static(b"thumbnail"), Durability::Atomic)
        .await
        .unwrap();
    assert_eq!(store.head(&a).await.unwrap(), Some(9));
    assert_eq!(read_all(&store, &a).await, b"thumbnail");
    let b = key("s/01/p/01/v1/proof.jpg");
    store
        .put_bytes(&b, Bytes::from(pattern(70_000, 2)), Durability::Durable)
        .await
        .unwrap();
    assert_eq!(read_all(&store, &b).await, pattern(70_000, 2));

    // A file larger than two multipart parts (8 MB each), kept by the caller.
    let big = pattern(19 * 1024 * 1024 + 123, 3);
    let src = dir.path().join("big.bin");
    std::fs::write(&src, &big).unwrap();
    let c = key("s/01/p/02/v1/original");
    assert_eq!(
        store.put_file(&c, &src, false).await.unwrap(),
        big.len() as u64
    );
    assert!(src.exists(), "a non-consuming put leaves the source");
    let got = read_all(&store, &c).await;
    assert_eq!(
        Sha256::digest(&got),
        Sha256::digest(&big),
        "multipart bytes in order"
    );

    // A small file, consumed.
    let src2 = dir.path().join("small.bin");
    std::fs::write(&src2, pattern(1000, 4)).unwrap();
    let d = key("s/02/p/03/v1/original");
    assert_eq!(store.put_file(&d, &src2, true).await.unwrap(), 1000);
    assert_eq!(read_all(&store, &d).await, pattern(1000, 4));

    // Writing a key again replaces it whole.
    store
        .put_bytes(&a, Bytes::from_static(b"second"), Durability::Atomic)
        .await
        .unwrap();
    assert_eq!(read_all(&store, &a).await, b"second");

    // Listing by prefix: exactly what is under it, with sizes.
    let mut under = store.list("s/01/").await.unwrap();
    under.sort();
    assert_eq!(
        under,
        vec![
            ("s/01/p/01/v1/proof.jpg".to_string(), 70_000),
            ("s/01/p/01/v1/thumb.jpg".to_string(), 6),
            ("s/01/p/02/v1/original".to_string(), big.len() as u64),
        ]
    );
    assert_eq!(store.list("s/02/").await.unwrap().len(), 1);
    assert!(store.list("s/03/").await.unwrap().is_empty());

    // Missing keys: None on head, NotFound on get; delete is idempotent.
    let missing = key("s/09/p/09/v1/original");
    assert_eq!(store.head(&missing).await.unwrap(), None);
    assert!(matches!(
        store.get(&missing).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete(&a).await.unwrap();
    store.delete(&a).await.unwrap();
    assert_eq!(store.head(&a).await.unwrap(), None);
    assert_eq!(store.list("s/01/").await.unwrap().len(), 2);

    // A missing source file is an error, and stores nothing.
    let e = key("s/02/p/04/v1/original");
    assert!(
        store
            .put_file(&e, &dir.path().join("nope"), false)
            .await
            .is_err()
    );
    assert_eq!(store.head(&e).await.unwrap(), None);
}

#[tokio::test]
async fn local_disk_keeps_the_contract() {
    let root = tempfile::tempdir().unwrap();
    contract(
        open(&StoreConfig::Local {
            root: root.path().to_path_buf(),
        })
        .unwrap(),
    )
    .await;
    // Nothing half-written is left beside the objects.
    let mut stray = Vec::new();
    let mut stack = vec![root.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "part") {
                stray.push(e.path());
            }
        }
    }
    assert!(stray.is_empty(), "{stray:?}");
}

#[tokio::test]
async fn memory_keeps_the_contract() {
    contract(open(&StoreConfig::Memory).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_keeps_the_contract() {
    let Some(peer) = S3Peer::start() else { return };
    contract(open(&peer.config()).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_with_a_wrong_secret_is_refused() {
    let Some(peer) = S3Peer::start() else { return };
    let StoreConfig::S3 {
        endpoint,
        region,
        bucket,
        access_key_id,
        ..
    } = peer.config()
    else {
        unreachable!()
    };
    let store = open(&StoreConfig::S3 {
        endpoint,
        region,
        bucket,
        access_key_id,
        secret_access_key: "not-the-secret".into(),
        allow_http: true,
    })
    .unwrap();
    let err = store
        .put_bytes(
            &key("s/01/x"),
            Bytes::from_static(b"x"),
            Durability::Durable,
        )
        .await
        .unwrap_err();
    assert!(!matches!(err, StoreError::NotFound(_)), "{err}");
    assert_eq!(
        open(&peer.config())
            .unwrap()
            .head(&key("s/01/x"))
            .await
            .unwrap(),
        None,
        "nothing was stored"
    );
}
