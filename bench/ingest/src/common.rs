//! What the upload and download benchmarks share: a studio and its token,
//! a `darkroom serve` process, tus uploads, and peak memory of a process.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;

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
    darkroom_core::testing::owner_token(db_url, "Upload Bench")
        .await
        .expect("a bench studio")
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

/// `darkroom serve`; with `render`, its workers render thumbnails too.
pub fn spawn(bin: &Path, data: &Path, db_url: &str, port: u16, render: bool) -> Child {
    Command::new(bin)
        .arg("serve")
        .env("DARKROOM_DATA_DIR", data)
        .env("DARKROOM_DATABASE_URL", db_url)
        .env("DARKROOM_BIND", format!("127.0.0.1:{port}"))
        // Renders are the ingest benchmark's subject; the upload and download
        // benchmarks run only the upload path.
        .env(
            "DARKROOM_JOBS__RUN_IN_SERVE",
            if render { "true" } else { "false" },
        )
        .env("DARKROOM_MEDIA__MAX_UPLOAD_MB", "8192")
        .env("DARKROOM_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// A running `darkroom serve` on its own SQLite database under `data`, with
/// a studio, a branch, one gallery and the owner's API token. The server is
/// stopped when this is dropped.
pub struct Live {
    pub server: Child,
    pub base: String,
    pub token: String,
    pub gallery: String,
    pub http: reqwest::Client,
}

impl Live {
    pub async fn start(
        bin: &Path,
        data: &Path,
        gallery: &str,
        timeout: std::time::Duration,
        render: bool,
    ) -> Live {
        std::fs::create_dir_all(data).unwrap();
        let db_url = format!("sqlite://{}?mode=rwc", data.join("darkroom.db").display());
        let token = owner_token(&db_url).await;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let server = spawn(bin, data, &db_url, port, render);
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap();
        for _ in 0..400 {
            if http.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let post = |path: &str, body: serde_json::Value| {
            http.post(format!("{base}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
        };
        let branch: serde_json::Value = post(
            "/api/v1/branches",
            serde_json::json!({"name": "Bench", "invoice_prefix": "BEN-"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let created: serde_json::Value = post(
            "/api/v1/galleries",
            serde_json::json!({"name": gallery, "branch_id": branch["id"]}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let gallery = created["id"].as_str().expect("a gallery").to_string();
        Live {
            server,
            base,
            token,
            gallery,
            http,
        }
    }

    /// Uploads `files` into the gallery three at a time (as the browser's
    /// uploader does); asserts each became a new photo; returns how many.
    pub async fn upload_all(&self, files: &[std::path::PathBuf]) -> usize {
        let queue = std::sync::Arc::new(tokio::sync::Mutex::new(files.to_vec()));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let (queue, http, base, token, gallery) = (
                queue.clone(),
                self.http.clone(),
                self.base.clone(),
                self.token.clone(),
                self.gallery.clone(),
            );
            tasks.spawn(async move {
                let mut n = 0;
                loop {
                    let Some(f) = queue.lock().await.pop() else {
                        break;
                    };
                    let r = send(&http, &base, &token, &gallery, &f).await;
                    assert_eq!(r, "created", "{} did not end as a new photo", f.display());
                    n += 1;
                }
                n
            });
        }
        let mut created = 0;
        while let Some(n) = tasks.join_next().await {
            created += n.unwrap();
        }
        created
    }

    /// Peak resident memory of the server so far, in MB.
    pub fn peak_mb(&self) -> f64 {
        vm_hwm_mb(self.server.id())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A port free on loopback now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `<bench> <darkroom binary> <corpus dir> <work dir>`: the binary, the
/// corpus's JPEGs in name order, and the work folder, emptied and absolute
/// (nginx takes paths relative to its prefix).
pub fn bench_args(
    usage: &str,
) -> (
    std::path::PathBuf,
    Vec<std::path::PathBuf>,
    std::path::PathBuf,
) {
    use std::path::PathBuf;
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: {usage} <darkroom binary> <corpus dir> <work dir>");
        std::process::exit(2);
    }
    let (bin, corpus, work) = (
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let work = std::fs::canonicalize(&work).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    (bin, files, work)
}

/// nginx serving `work/www` on loopback (the peer of the download and
/// gallery benchmarks), stopped with TERM (so its workers stop too) on drop.
pub struct Nginx {
    child: Child,
    pub base: String,
}

impl Nginx {
    pub fn serve(work: &Path) -> Nginx {
        let port = free_port();
        let conf = work.join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off; worker_processes 2; pid {w}/nginx.pid; error_log {w}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  types {{ application/json json; image/jpeg jpg; }}
  client_body_temp_path {w}/tmp; proxy_temp_path {w}/tmp; fastcgi_temp_path {w}/tmp; uwsgi_temp_path {w}/tmp; scgi_temp_path {w}/tmp;
  server {{ listen 127.0.0.1:{port}; root {w}/www; }} }}",
                w = work.display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(work.join("tmp")).unwrap();
        let bin = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(work)
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        Nginx {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
