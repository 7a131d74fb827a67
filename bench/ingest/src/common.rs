//! What the upload and download benchmarks share: a studio and its token,
//! a `darkroom serve` process, tus uploads, and peak memory of a process.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine as _;
use darkroom_core::{Core, CoreSettings, Meta, auth, setup, token};
use darkroom_domain::time::SystemClock;

pub const CHUNK: usize = 8 * 1024 * 1024;

pub fn vm_hwm_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub async fn owner_token(db_url: &str) -> String {
    let db = darkroom_db::Db::connect(db_url, &Default::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let core = Core::new(
        db,
        Arc::new(SystemClock),
        CoreSettings::with_public_url("http://127.0.0.1:9".parse().unwrap()),
        None,
        darkroom_core::MediaStores::single(
            darkroom_media::open(&darkroom_media::StoreConfig::Memory).unwrap(),
        ),
    )
    .await
    .unwrap();
    let link = setup::new_studio_link(&core).await.unwrap();
    let session = setup::complete(
        &core,
        link.rsplit('/').next().unwrap(),
        setup::SetupInput {
            studio_name: "Upload Bench".into(),
            currency: "EUR".into(),
            time_zone: "Europe/Berlin".into(),
            locale: "en".into(),
            owner_name: "Owner".into(),
            email: "owner@bench.test".into(),
            password: "correct horse battery".into(),
        },
        &Meta::system(),
    )
    .await
    .unwrap();
    let p = auth::resolve_session(&core, &session.token)
        .await
        .unwrap()
        .unwrap();
    let scopes = core
        .permissions_anywhere(&p)
        .iter()
        .map(|x| x.name().to_string())
        .collect();
    token::create(
        &core,
        &p,
        &Meta::system(),
        token::NewToken {
            name: "bench".into(),
            scopes,
            expires_in_days: Some(1),
        },
    )
    .await
    .unwrap()
    .token
}

/// One file through tus: create, then PATCH in chunks read from disk.
pub async fn send(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    gallery: &str,
    path: &Path,
) -> String {
    let len = std::fs::metadata(path).unwrap().len();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let r = http
        .post(format!("{base}/api/v1/uploads"))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", len.to_string())
        .header(
            "upload-metadata",
            format!("filename {},gallery {}", b64(&name), b64(gallery)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let url = format!("{base}{}", r.headers()["location"].to_str().unwrap());
    let mut file = tokio::fs::File::open(path).await.unwrap();
    let mut offset = 0u64;
    loop {
        use tokio::io::AsyncReadExt;
        let want = CHUNK.min((len - offset) as usize);
        let mut buf = vec![0u8; want];
        file.read_exact(&mut buf).await.unwrap();
        let r = http
            .patch(&url)
            .bearer_auth(token)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", offset.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(buf)
            .send()
            .await
            .unwrap();
        if let Some(res) = r.headers().get("darkroom-result") {
            return res.to_str().unwrap().to_string();
        }
        let status = r.status();
        if !status.is_success() {
            return format!("refused ({status}): {}", r.text().await.unwrap_or_default());
        }
        offset += want as u64;
        if offset >= len {
            return "no result".into();
        }
    }
}

pub fn spawn(bin: &Path, data: &Path, db_url: &str, port: u16) -> Child {
    Command::new(bin)
        .arg("serve")
        .env("DARKROOM_DATA_DIR", data)
        .env("DARKROOM_DATABASE_URL", db_url)
        .env("DARKROOM_BIND", format!("127.0.0.1:{port}"))
        // Renders are the ingest benchmark's subject; here only the upload path runs.
        .env("DARKROOM_JOBS__RUN_IN_SERVE", "false")
        .env("DARKROOM_MEDIA__MAX_UPLOAD_MB", "8192")
        .env("DARKROOM_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}
