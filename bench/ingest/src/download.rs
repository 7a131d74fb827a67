//! Gallery ZIP downloads: a gallery of photos uploaded to a real `darkroom
//! serve`, downloaded as one ZIP over loopback, against nginx serving one file
//! of the same total size (the ceiling for sending those bytes) and Info-ZIP's
//! `zip -0` writing the same files to a pipe. Also the server's peak memory
//! before and after, which must not grow with the gallery.
//!
//! usage: download-bench <darkroom binary> <corpus dir> <work dir>

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

mod common;
use common::Live;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Downloads `url`, counting and discarding the bytes; returns (bytes, seconds).
async fn fetch(http: &reqwest::Client, url: &str, token: Option<&str>) -> (u64, f64) {
    let t = Instant::now();
    let mut req = http.get(url);
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    let r = req.send().await.unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    let mut n = 0u64;
    let mut body = r.bytes_stream();
    while let Some(chunk) = body.next().await {
        n += chunk.unwrap().len() as u64;
    }
    (n, t.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: download-bench <darkroom binary> <corpus dir> <work dir>");
        std::process::exit(2);
    }
    let (bin, corpus, work) = (
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    // nginx takes paths relative to its prefix: give it absolute ones.
    let work = std::fs::canonicalize(&work).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();

    // A studio, a gallery, the photos (renders are not needed for originals).
    let live = Live::start(
        &bin,
        &work.join("data"),
        "Download bench",
        Duration::from_secs(900),
        false,
    )
    .await;
    live.upload_all(&files).await;
    let (http, base, token, gallery) = (&live.http, &live.base, &live.token, &live.gallery);
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let hwm_before = live.peak_mb();

    // nginx serving one file of the same size.
    let www = work.join("www");
    std::fs::create_dir_all(&www).unwrap();
    {
        let mut out = std::fs::File::create(www.join("same-size.bin")).unwrap();
        for f in &files {
            std::io::copy(&mut std::fs::File::open(f).unwrap(), &mut out).unwrap();
        }
    }
    let nginx_port = free_port();
    let conf = work.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off; worker_processes 2; pid {w}/nginx.pid; error_log {w}/error.log;
events {{ worker_connections 256; }}
http {{ access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path {w}/tmp; proxy_temp_path {w}/tmp; fastcgi_temp_path {w}/tmp; uwsgi_temp_path {w}/tmp; scgi_temp_path {w}/tmp;
  server {{ listen 127.0.0.1:{nginx_port}; root {w}/www; }} }}",
            w = work.display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(work.join("tmp")).unwrap();
    let nginx_bin = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    let mut nginx = Command::new(&nginx_bin)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(&work)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", nginx_port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }

    // Warm the page cache for both, then measure each twice and keep the best.
    let zip_url = format!("{base}/galleries/{gallery}/download");
    let file_url = format!("http://127.0.0.1:{nginx_port}/same-size.bin");
    let _ = fetch(http, &file_url, None).await;
    let mut best_nginx = f64::MAX;
    let mut best_darkroom = f64::MAX;
    let mut zip_len = 0;
    for _ in 0..2 {
        let (n, s) = fetch(http, &file_url, None).await;
        assert_eq!(n, total);
        best_nginx = best_nginx.min(s);
        let (n, s) = fetch(http, &zip_url, Some(token)).await;
        zip_len = n;
        best_darkroom = best_darkroom.min(s);
    }
    let hwm_after = live.peak_mb();

    // Info-ZIP writing the same files, stored, to a pipe.
    let mut best_zip = f64::MAX;
    for _ in 0..2 {
        let t = Instant::now();
        let mut child = Command::new("zip")
            .args(["-0", "-q", "-j", "-"])
            .args(&files)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut buf = vec![0u8; 1 << 16];
        while out.read(&mut buf).unwrap() > 0 {}
        assert!(child.wait().unwrap().success());
        best_zip = best_zip.min(t.elapsed().as_secs_f64());
    }

    let rate = |s: f64| mb(total) / s;
    println!(
        "gallery    photos={} originals_mb={:.1} zip_mb={:.1}",
        files.len(),
        mb(total),
        mb(zip_len)
    );
    println!(
        "nginx      one file of the same size: {:.1} MB/s",
        rate(best_nginx)
    );
    println!(
        "darkroom   the gallery as a streamed ZIP: {:.1} MB/s",
        rate(best_darkroom)
    );
    println!(
        "zip -0     the same files to a pipe: {:.1} MB/s",
        rate(best_zip)
    );
    println!(
        "ratio      darkroom/nginx = {:.2} (target >= 0.70), darkroom/zip = {:.2} (target >= 2.0)",
        best_nginx / best_darkroom,
        best_zip / best_darkroom
    );
    println!(
        "memory     server peak RSS after the uploads {hwm_before:.1} MB, after two {:.0} MB ZIPs {hwm_after:.1} MB",
        mb(zip_len)
    );
    // TERM (not KILL), so the master stops its workers too.
    let _ = Command::new("kill")
        .args(["-TERM", &nginx.id().to_string()])
        .status();
    let _ = nginx.wait();
    drop(live);
    let _ = std::fs::remove_dir_all(&work);
}
