//! A studio's media moved between local disk and an S3-compatible service
//! (s3s-fs) with `darkroom media migrate`: every original re-read and its
//! hash checked, served from the new store, and moved back again.

use std::process::Command;
use std::time::Duration;

use darkroom_db::testing::TestDb;
use darkroom_media::testing::S3Peer;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ingest::{free_port, new_gallery, owner_token, photo, spawn_server, wait_ready};

fn with_env(cmd: &mut Command, db: &str, data: &std::path::Path, peer: &S3Peer) {
    cmd.env("DARKROOM_DATABASE_URL", db)
        .env("DARKROOM_DATA_DIR", data)
        .env("DARKROOM_LOG", "warn")
        .env("DARKROOM_MEDIA__S3__ENDPOINT", peer.endpoint())
        .env("DARKROOM_MEDIA__S3__BUCKET", &peer.bucket)
        .env("DARKROOM_MEDIA__S3__ACCESS_KEY_ID", &peer.access_key)
        .env("DARKROOM_MEDIA__S3__SECRET_ACCESS_KEY", &peer.secret_key)
        .env("DARKROOM_MEDIA__S3__ALLOW_HTTP", "true");
}

fn darkroom(db: &str, data: &std::path::Path, peer: &S3Peer, args: &[&str]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
    cmd.args(args);
    with_env(&mut cmd, db, data, peer);
    crate::ingest::run(&mut cmd)
}

fn files_under(dir: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                n += 1;
            }
        }
    }
    n
}

/// Checks every photo of `gallery` through a running server: present,
/// rendered, and its original byte for byte the file it came from.
async fn served_intact(
    test_db: &TestDb,
    data: &std::path::Path,
    peer: &S3Peer,
    token: &str,
    gallery: &str,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
        cmd.arg("serve")
            .env("DARKROOM_BIND", format!("127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        with_env(&mut cmd, &test_db.url, data, peer);
        cmd.spawn().unwrap()
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    wait_ready(&http, &base).await;
    let list: Value = http
        .get(format!("{base}/api/v1/galleries/{gallery}/photos"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), files.len(), "{list}");
    for p in items {
        assert_eq!(p["status"], "ready", "{p}");
        let name = p["original_name"].as_str().unwrap();
        let get = |k: &str| {
            http.get(format!("{base}{}", p[k].as_str().unwrap()))
                .bearer_auth(token)
                .send()
        };
        let orig = get("original_url").await.unwrap().bytes().await.unwrap();
        assert_eq!(
            Sha256::digest(&orig),
            Sha256::digest(&files[name]),
            "{name}"
        );
        for k in ["thumb_url", "preview_url", "proof_url"] {
            assert_eq!(get(k).await.unwrap().status(), 200, "{name} {k}");
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_migrates_to_s3_and_back_with_every_hash_checked() {
    let Some(peer) = S3Peer::start() else { return };
    let test_db = TestDb::create().await;
    let token = owner_token(&test_db.url).await;
    let data = tempfile::tempdir().unwrap();

    // A gallery, made through a server that is then stopped.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = spawn_server(&test_db.url, data.path(), port, None);
    wait_ready(&http, &base).await;
    let gallery = new_gallery(&http, &base, &token, "Migrated").await;
    server.kill().unwrap();
    server.wait().unwrap();

    // Photos imported from a folder onto local disk.
    let card = tempfile::tempdir().unwrap();
    let files: std::collections::BTreeMap<String, Vec<u8>> = (0..6u32)
        .map(|i| (format!("MIG_{i}.JPG"), photo(900 + i)))
        .collect();
    for (name, bytes) in &files {
        std::fs::write(card.path().join(name), bytes).unwrap();
    }
    let folder = card.path().display().to_string();
    let (code, out) = darkroom(
        &test_db.url,
        data.path(),
        &peer,
        &["ingest", &folder, "--gallery", &gallery],
    );
    assert_eq!(code, 0, "{out}");
    let local_media = data.path().join("media/s");
    let on_disk = files_under(&local_media);
    assert_eq!(
        on_disk,
        files.len() * 6,
        "original, thumbnail, medium, preview, proof, medium proof"
    );

    // To S3: everything copied and verified, then the local copies go.
    let (code, out) = darkroom(
        &test_db.url,
        data.path(),
        &peer,
        &["media", "migrate", "--to", "s3"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("moved {on_disk} file(s)"))
            && out.contains(&format!(
                "{} original(s) read back with matching SHA-256",
                files.len()
            )),
        "{out}"
    );
    assert_eq!(
        files_under(&local_media),
        0,
        "local copies are deleted after the switch"
    );
    let (code, out) = darkroom(&test_db.url, data.path(), &peer, &["media", "check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("everything matches"), "{out}");
    served_intact(&test_db, data.path(), &peer, &token, &gallery, &files).await;

    // Migrating to the store it already uses is a clear no.
    let (code, out) = darkroom(
        &test_db.url,
        data.path(),
        &peer,
        &["media", "migrate", "--to", "s3"],
    );
    assert_ne!(code, 0, "{out}");

    // And back to local disk.
    let (code, out) = darkroom(
        &test_db.url,
        data.path(),
        &peer,
        &["media", "migrate", "--to", "local"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(files_under(&local_media), on_disk);
    served_intact(&test_db, data.path(), &peer, &token, &gallery, &files).await;
}
