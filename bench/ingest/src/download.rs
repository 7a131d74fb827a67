//! Gallery ZIP downloads: a gallery of photos uploaded to a real `darkroom
//! serve`, downloaded as one ZIP over loopback, against nginx serving one file
//! of the same total size (the ceiling for sending those bytes) and Info-ZIP's
//! `zip -0` writing the same files to a pipe. Also the server's peak memory
//! before and after, which must not grow with the gallery.
//!
//! usage: download-bench <darkroom binary> <corpus dir> <work dir>

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

mod common;
use common::Live;

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
    let (bin, files, work) = common::bench_args("download-bench");

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
    let nginx = common::Nginx::serve(&work);

    // Warm the page cache for both, then measure each twice and keep the best.
    let zip_url = format!("{base}/galleries/{gallery}/download");
    let file_url = format!("{}/same-size.bin", nginx.base);
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
    drop(nginx);
    drop(live);
    let _ = std::fs::remove_dir_all(&work);
}
