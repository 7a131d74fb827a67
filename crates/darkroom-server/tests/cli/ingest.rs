//! Photo ingest survives `kill -9` of the server: a 300-photo upload through
//! tus is killed at several points, the server restarted and the client run
//! again; every photo ends complete with its exact bytes, exactly once, and
//! `darkroom media check --repair` leaves no orphans.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use darkroom_db::testing::TestDb;
use darkroom_media::testing::S3Peer;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

const PHOTOS: u32 = 300;
const CHUNK: usize = 24 * 1024;

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The environment of a `darkroom` process on this database and data folder;
/// with `s3`, new studios' media goes to that S3 peer.
pub(crate) fn darkroom_env(
    cmd: &mut Command,
    db_url: &str,
    data_dir: &std::path::Path,
    s3: Option<&S3Peer>,
) {
    if let Some(peer) = s3 {
        cmd.env("DARKROOM_MEDIA__STORE", "s3")
            .env("DARKROOM_MEDIA__S3__ENDPOINT", peer.endpoint())
            .env("DARKROOM_MEDIA__S3__BUCKET", &peer.bucket)
            .env("DARKROOM_MEDIA__S3__ACCESS_KEY_ID", &peer.access_key)
            .env("DARKROOM_MEDIA__S3__SECRET_ACCESS_KEY", &peer.secret_key)
            .env("DARKROOM_MEDIA__S3__ALLOW_HTTP", "true");
    }
    cmd.env("DARKROOM_DATABASE_URL", db_url)
        .env("DARKROOM_DATA_DIR", data_dir)
        .env("DARKROOM_LOG", "warn")
        .env("DARKROOM_JOBS__POLL_MILLIS", "100")
        .env("DARKROOM_JOBS__LEASE_SECONDS", "3");
}

pub(crate) fn spawn_server(
    db_url: &str,
    data_dir: &std::path::Path,
    port: u16,
    s3: Option<&S3Peer>,
) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
    cmd.arg("serve")
        .env("DARKROOM_BIND", format!("127.0.0.1:{port}"))
        .env("DARKROOM_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    darkroom_env(&mut cmd, db_url, data_dir, s3);
    cmd.spawn().unwrap()
}

pub(crate) async fn wait_ready(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up at {base}");
}

/// A photo with noise in it, so it has some size: about 60 KB.
pub(crate) fn photo(seed: u32) -> Vec<u8> {
    let (w, h) = (240u32, 180u32);
    let mut state = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = (state >> 58) as u32;
            px.push((x + n + seed) as u8);
            px.push((y + n * 2) as u8);
            px.push((x + y + seed * 7) as u8);
        }
    }
    darkroom_jpeg::encode(&px, w, h, 92).unwrap()
}

/// Why one file did not finish this round.
#[derive(Debug)]
enum Stop {
    /// The server went away: run again later.
    Interrupted,
    /// The server refused the file: a bug in this test's setting.
    Refused(String),
}

/// A small tus client: creation, HEAD to find the offset, PATCH in chunks. It
/// remembers each file's upload URL the way a browser's storage would.
struct Client {
    http: reqwest::Client,
    token: String,
    gallery: String,
    urls: Mutex<HashMap<String, String>>,
}

fn io(_: reqwest::Error) -> Stop {
    Stop::Interrupted
}

impl Client {
    async fn upload(&self, base: &str, name: &str, bytes: &[u8]) -> Result<String, Stop> {
        let remembered = self.urls.lock().await.get(name).cloned();
        let (url, mut offset) = match remembered {
            Some(url) => {
                let r = self
                    .http
                    .head(format!("{base}{url}"))
                    .bearer_auth(&self.token)
                    .header("tus-resumable", "1.0.0")
                    .send()
                    .await
                    .map_err(io)?;
                match r.status().as_u16() {
                    200 => {
                        let off: usize = r.headers()["upload-offset"]
                            .to_str()
                            .unwrap()
                            .parse()
                            .unwrap();
                        (url, off)
                    }
                    404 | 410 => {
                        self.urls.lock().await.remove(name);
                        return Box::pin(self.upload(base, name, bytes)).await;
                    }
                    s if s >= 500 || s == 423 => return Err(Stop::Interrupted),
                    s => return Err(Stop::Refused(format!("HEAD {s}"))),
                }
            }
            None => {
                let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
                let r = self
                    .http
                    .post(format!("{base}/api/v1/uploads"))
                    .bearer_auth(&self.token)
                    .header("tus-resumable", "1.0.0")
                    .header("upload-length", bytes.len().to_string())
                    .header(
                        "upload-metadata",
                        format!("filename {},gallery {}", b64(name), b64(&self.gallery)),
                    )
                    .send()
                    .await
                    .map_err(io)?;
                match r.status().as_u16() {
                    201 => {}
                    s if s >= 500 => return Err(Stop::Interrupted),
                    s => {
                        let body = r.text().await.unwrap_or_default();
                        return Err(Stop::Refused(format!("POST {s}: {body}")));
                    }
                }
                let loc = r.headers()["location"].to_str().unwrap();
                let url = loc.strip_prefix(base).unwrap_or(loc).to_string();
                self.urls.lock().await.insert(name.into(), url.clone());
                (url, 0)
            }
        };
        if offset == bytes.len() {
            // Finished while we were away: ask how it ended.
            let r = self
                .http
                .get(format!("{base}{url}"))
                .bearer_auth(&self.token)
                .send()
                .await
                .map_err(io)?;
            let v: Value = r.json().await.map_err(io)?;
            return match v["status"].as_str() {
                Some("finished") => Ok("resumed-finished".into()),
                other => Err(Stop::Refused(format!("finished upload is {other:?}: {v}"))),
            };
        }
        loop {
            let end = (offset + CHUNK).min(bytes.len());
            let r = self
                .http
                .patch(format!("{base}{url}"))
                .bearer_auth(&self.token)
                .header("tus-resumable", "1.0.0")
                .header("upload-offset", offset.to_string())
                .header("content-type", "application/offset+octet-stream")
                .body(bytes[offset..end].to_vec())
                .send()
                .await
                .map_err(io)?;
            match r.status().as_u16() {
                204 => {}
                409 | 423 => return Err(Stop::Interrupted),
                s if s >= 500 => return Err(Stop::Interrupted),
                s => {
                    let body = r.text().await.unwrap_or_default();
                    return Err(Stop::Refused(format!("PATCH {s}: {body}")));
                }
            }
            offset = r.headers()["upload-offset"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            if let Some(result) = r.headers().get("darkroom-result") {
                return Ok(result.to_str().unwrap().to_string());
            }
            if offset >= bytes.len() {
                return Err(Stop::Refused("complete without a result".into()));
            }
        }
    }

    /// Sends every file not yet done, four at a time; returns the results of
    /// those that finished.
    async fn run(
        self: &Arc<Self>,
        base: &str,
        files: &Arc<BTreeMap<String, Vec<u8>>>,
        done: &mut HashMap<String, String>,
    ) -> Vec<String> {
        let todo: Vec<String> = files
            .keys()
            .filter(|k| !done.contains_key(*k))
            .cloned()
            .collect();
        let queue = Arc::new(Mutex::new(todo));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let (me, queue, files, base) =
                (self.clone(), queue.clone(), files.clone(), base.to_string());
            tasks.spawn(async move {
                let mut out = Vec::new();
                let mut refused = Vec::new();
                loop {
                    let Some(name) = queue.lock().await.pop() else {
                        break;
                    };
                    match me.upload(&base, &name, &files[&name]).await {
                        Ok(r) => out.push((name, r)),
                        Err(Stop::Interrupted) => break,
                        Err(Stop::Refused(why)) => refused.push(format!("{name}: {why}")),
                    }
                }
                (out, refused)
            });
        }
        let mut refused = Vec::new();
        while let Some(r) = tasks.join_next().await {
            let (out, bad) = r.unwrap();
            refused.extend(bad);
            for (name, result) in out {
                done.insert(name, result);
            }
        }
        refused
    }
}

/// A gallery (in a new branch) through the API of a running server.
pub(crate) async fn new_gallery(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
) -> String {
    let post = |path: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let prefix: String = name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect();
    let branch: Value = post(
        "/api/v1/branches",
        json!({ "name": format!("{name} branch"), "invoice_prefix": format!("{}-", prefix.to_uppercase()) }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let gallery: Value = post(
        "/api/v1/galleries",
        json!({ "name": name, "branch_id": branch["id"] }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    gallery["id"].as_str().expect("a gallery").to_string()
}

pub(crate) async fn owner_token(db_url: &str) -> String {
    darkroom_core::testing::owner_token(db_url, "Kill Ingest")
        .await
        .expect("a test studio")
}

fn media(
    db_url: &str,
    data_dir: &std::path::Path,
    s3: Option<&S3Peer>,
    args: &[&str],
) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_darkroom"));
    cmd.arg("media").args(args);
    darkroom_env(&mut cmd, db_url, data_dir, s3);
    // Everything the reconciler finds unreferenced may go: no upload is in
    // flight when the test runs it. (The server keeps the default grace: its
    // start-up check runs while clients are already sending.)
    cmd.env("DARKROOM_MEDIA__ORPHAN_GRACE_MINUTES", "0");
    run(&mut cmd)
}

/// Runs a command to its end: its exit code, and its stdout then stderr.
pub(crate) fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_photo_upload_survives_kill_9_of_the_server() {
    kill_test(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_photo_upload_into_s3_survives_kill_9_of_the_server() {
    let Some(peer) = S3Peer::start() else { return };
    kill_test(Some(&peer)).await;
}

async fn kill_test(s3: Option<&S3Peer>) {
    let test_db = TestDb::create().await;
    let token = owner_token(&test_db.url).await;
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let files: Arc<BTreeMap<String, Vec<u8>>> = Arc::new(
        (0..PHOTOS)
            .map(|i| (format!("IMG_{:04}.JPG", 1000 + i), photo(i)))
            .collect(),
    );

    // A gallery to upload into.
    let mut server = spawn_server(&test_db.url, data_dir.path(), port, s3);
    wait_ready(&http, &base).await;
    let gallery = new_gallery(&http, &base, &token, "Kill test wedding").await;
    let api = |m: reqwest::Method, path: &str, body: Value| {
        http.request(m, format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    let client = Arc::new(Client {
        http: http.clone(),
        token: token.clone(),
        gallery: gallery.clone(),
        urls: Mutex::new(HashMap::new()),
    });
    let mut done = HashMap::new();
    let mut rng = 0x5eed_u64;
    let mut next = |lo: u64, hi: u64| {
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + (rng >> 33) % (hi - lo)
    };
    let mut kills = Vec::new();
    for round in 0..5 {
        if round > 0 {
            server = spawn_server(&test_db.url, data_dir.path(), port, s3);
            wait_ready(&http, &base).await;
        }
        let before = done.len();
        let killer = {
            let ms = next(300, 1500);
            let pid = server.id();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                // SIGKILL: no chance to clean up.
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            })
        };
        let refused = client.run(&base, &files, &mut done).await;
        assert!(refused.is_empty(), "refused: {refused:?}");
        killer.await.unwrap();
        server.wait().unwrap();
        kills.push(done.len() - before);
    }

    // The last run goes to the end.
    let mut server = spawn_server(&test_db.url, data_dir.path(), port, s3);
    wait_ready(&http, &base).await;
    let refused = client.run(&base, &files, &mut done).await;
    assert!(refused.is_empty(), "refused: {refused:?}");
    assert_eq!(done.len(), files.len(), "every file was sent to the end");

    // A client that remembers nothing sends everything again: each is
    // recognised by its content, none is added twice.
    let forgetful = Arc::new(Client {
        http: http.clone(),
        token: token.clone(),
        gallery: gallery.clone(),
        urls: Mutex::new(HashMap::new()),
    });
    let mut again = HashMap::new();
    let refused = forgetful.run(&base, &files, &mut again).await;
    assert!(refused.is_empty(), "refused: {refused:?}");
    let results: HashSet<&str> = again.values().map(String::as_str).collect();
    assert_eq!(results, HashSet::from(["duplicate"]), "{again:?}");

    // Every photo is there once, complete, with the exact bytes, and rendered.
    let started = Instant::now();
    let photos = loop {
        let list: Value = api(
            reqwest::Method::GET,
            &format!("/api/v1/galleries/{gallery}/photos?limit=500"),
            Value::Null,
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let items = list["items"].as_array().unwrap().clone();
        if items.len() == files.len() && items.iter().all(|p| p["status"] != "processing") {
            break items;
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "{} photos, {} still processing",
            items.len(),
            items.iter().filter(|p| p["status"] == "processing").count()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut names = HashSet::new();
    for p in &photos {
        let name = p["original_name"].as_str().unwrap();
        assert!(
            names.insert(name.to_string()),
            "{name} is in the gallery twice"
        );
        assert_eq!(p["status"], "ready", "{p}");
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
            Sha256::digest(&files[name]),
            "{name} does not hold the bytes that were sent"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // The reconciler removes what the kills left behind, and then finds nothing.
    let (code, repaired) = media(&test_db.url, data_dir.path(), s3, &["check", "--repair"]);
    assert_eq!(code, 0, "{repaired}");
    let out = &repaired;
    assert!(!out.contains("missing from the store"), "{out}");
    let (code, out) = media(&test_db.url, data_dir.path(), s3, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("everything matches"), "{out}");
    let leftovers: Vec<_> = walk(&data_dir.path().join("uploads"))
        .into_iter()
        .filter(|p| !p.ends_with(".lock"))
        .collect();
    eprintln!(
        "kill test ({}): {} kills; photos finished per round {kills:?}; partial upload files left for the expiry sweep: {}\nthe reconciler said: {repaired}",
        if s3.is_some() { "S3" } else { "local disk" },
        kills.len(),
        leftovers.len()
    );
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}
