//! Standard tus clients against a running `darkroom serve`: tuspy (Python,
//! with the checksum extension) and tus-js-client (what browser upload
//! widgets use), each interrupting one upload and resuming it with a new
//! uploader on the same URL.

use std::process::Command;
use std::time::Duration;

use darkroom_db::testing::TestDb;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ingest::{free_port, new_gallery, owner_token, photo, spawn_server, wait_ready};
use crate::peers::{node_modules_with, python_with};

/// Runs `client` (a command ready for its arguments) against a fresh server
/// and checks that every file arrived whole, once.
async fn uploads_with(
    name: &str,
    client: impl FnOnce(&str, &str, &str, &[std::path::PathBuf]) -> Command,
) {
    let test_db = TestDb::create().await;
    let token = owner_token(&test_db.url).await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut server = spawn_server(&test_db.url, data_dir.path(), port, None);
    wait_ready(&http, &base).await;
    let gallery = new_gallery(&http, &base, &token, name).await;

    let files_dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..3u32 {
        let path = files_dir.path().join(format!("{name}-{i}.jpg"));
        std::fs::write(&path, photo(500 + i)).unwrap();
        files.push(path);
    }
    let out = client(&format!("{base}/api/v1/uploads"), &token, &gallery, &files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), files.len(), "{stdout}");

    let list: Value = http
        .get(format!("{base}/api/v1/galleries/{gallery}/photos"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), files.len(), "{list}");
    for f in &files {
        let fname = f.file_name().unwrap().to_str().unwrap();
        let p = items
            .iter()
            .find(|p| p["original_name"] == fname)
            .unwrap_or_else(|| panic!("{fname} is not in the gallery: {list}"));
        let got = http
            .get(format!("{base}{}", p["original_url"].as_str().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            Sha256::digest(&got),
            Sha256::digest(std::fs::read(f).unwrap()),
            "{fname} arrived changed"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

fn script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tuspy_uploads_interrupts_and_resumes_with_checksums() {
    let py = python_with("tusclient", "tuspy");
    uploads_with("tuspy", |endpoint, token, gallery, files| {
        let mut c = Command::new(&py);
        c.arg(script("tus_py.py"))
            .args([endpoint, token, gallery, "16384"])
            .args(files);
        c
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tus_js_client_uploads_interrupts_and_resumes() {
    let modules = node_modules_with("tus-js-client");
    uploads_with("tusjs", |endpoint, token, gallery, files| {
        let mut c = Command::new("node");
        c.arg(script("tus_js.mjs"))
            .env("TUS_JS_MODULES", &modules)
            .args([endpoint, token, gallery, "16384"])
            .args(files);
        c
    })
    .await;
}
