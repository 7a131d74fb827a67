//! An S3-compatible peer for tests: s3s-fs (crates.io), a real S3 protocol
//! server (SigV4 checked) over a folder. `.ci/run` installs it with
//! `cargo install s3s-fs --version 0.14.1 --features binary --locked`.
//!
//! [`S3Peer::start`] returns `None` when the binary is not installed, unless
//! `DARKROOM_TEST_REQUIRE_PEERS` is set (as in CI), where a missing peer fails the
//! test instead of skipping it.

#![allow(clippy::expect_used, clippy::panic, clippy::zombie_processes)] // test support: failing loudly is the point

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::StoreConfig;

/// A running s3s-fs on 127.0.0.1 with one bucket; stopped when dropped.
pub struct S3Peer {
    child: Child,
    pub port: u16,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    _root: tempfile::TempDir,
}

fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DARKROOM_TEST_S3S_FS") {
        return Some(PathBuf::from(p));
    }
    let mut candidates = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("s3s-fs")));
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        candidates.push(PathBuf::from(home).join("bin/s3s-fs"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cargo/bin/s3s-fs"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

impl S3Peer {
    /// Starts a peer, or says why not (see the module notes).
    pub fn start() -> Option<S3Peer> {
        let Some(bin) = binary() else {
            assert!(
                std::env::var_os("DARKROOM_TEST_REQUIRE_PEERS").is_none(),
                "s3s-fs is not installed: cargo install s3s-fs --version 0.14.1 --features binary --locked"
            );
            eprintln!(
                "SKIPPED: s3s-fs is not installed (cargo install s3s-fs --version 0.14.1 --features binary --locked)"
            );
            return None;
        };
        let root = tempfile::tempdir().expect("temp dir");
        let bucket = "darkroom-test".to_string();
        std::fs::create_dir_all(root.path().join(&bucket)).expect("bucket folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let (access_key, secret_key) = (
            "darkroomtest".to_string(),
            "darkroom-test-secret".to_string(),
        );
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", &access_key, "--secret-key", &secret_key])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(S3Peer {
                    child,
                    port,
                    bucket,
                    access_key,
                    secret_key,
                    _root: root,
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("s3s-fs did not start listening on port {port}");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The store configuration that reaches this peer.
    pub fn config(&self) -> StoreConfig {
        StoreConfig::S3 {
            endpoint: Some(self.endpoint()),
            region: "us-east-1".into(),
            bucket: self.bucket.clone(),
            access_key_id: self.access_key.clone(),
            secret_access_key: self.secret_key.clone(),
            allow_http: true,
        }
    }
}

impl Drop for S3Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
