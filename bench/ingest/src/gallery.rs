//! A 1,000-photo gallery as its client gets it: the listing
//! (`/c/{link}/gallery.json`: every photo with its signed thumbnail and view
//! URLs, the link's marks, sets) and the thumbnails (`/c/{link}/media/...`,
//! each checked against the link on every request), at 64 connections, the
//! listing both plain and gzipped as a browser takes it,
//! against nginx serving the very same bytes as static files. Then, when
//! Chromium and chromedriver are installed, the client page itself on a
//! 390 x 844 phone at 3x, at full speed and on a throttled network (fast
//! 3G): time to the cover and to the first screenful of thumbnails, whether
//! they are sharp at that density, the layout shift, and bytes transferred.
//!
//! usage: gallery-bench <darkroom binary> <corpus dir> <work dir>

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{Live, free_port};

const CONNECTIONS: usize = 64;
const SECONDS: u64 = 8;

struct Stats {
    requests: u64,
    bytes: u64,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    fn pct(&self, p: f64) -> f64 {
        let mut l = self.latencies_us.clone();
        l.sort_unstable();
        let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
        l[i] as f64 / 1000.0
    }
}

/// `CONNECTIONS` loops fetching `urls` round-robin for `secs`; every answer
/// must be 200 with a body.
async fn load(
    http: &reqwest::Client,
    urls: Arc<Vec<String>>,
    cookie: Option<String>,
    gzip: bool,
    secs: u64,
) -> Stats {
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..CONNECTIONS {
        let (http, urls, cookie) = (http.clone(), urls.clone(), cookie.clone());
        tasks.spawn(async move {
            let mut lat = Vec::new();
            let (mut n, mut bytes) = (0u64, 0u64);
            let mut i = w * 7919;
            while Instant::now() < until {
                let url = &urls[i % urls.len()];
                i += 1;
                let t = Instant::now();
                let mut req = http.get(url);
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                if gzip {
                    req = req.header("accept-encoding", "gzip");
                }
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let body = r.bytes().await.unwrap();
                assert!(!body.is_empty());
                lat.push(t.elapsed().as_micros() as u64);
                n += 1;
                bytes += body.len() as u64;
            }
            (n, bytes, lat)
        });
    }
    let mut s = Stats {
        requests: 0,
        bytes: 0,
        seconds: 0.0,
        latencies_us: Vec::new(),
    };
    while let Some(r) = tasks.join_next().await {
        let (n, b, l) = r.unwrap();
        s.requests += n;
        s.bytes += b;
        s.latencies_us.extend(l);
    }
    s.seconds = start.elapsed().as_secs_f64();
    s
}

fn line(name: &str, s: &Stats) {
    println!(
        "{name:<22} {:>8.0} req/s {:>8.1} MB/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        s.rps(),
        s.bytes as f64 / 1_048_576.0 / s.seconds,
        s.pct(0.50),
        s.pct(0.99)
    );
}

#[tokio::main]
async fn main() {
    let (bin, files, work) = common::bench_args("gallery-bench");

    // The gallery, uploaded and rendered by the server's own workers.
    let live = Live::start(
        &bin,
        &work.join("data"),
        "Gallery bench",
        Duration::from_secs(120),
        true,
    )
    .await;
    let t = Instant::now();
    live.upload_all(&files).await;
    let (http, base, token, gallery) = (&live.http, &live.base, &live.token, &live.gallery);
    loop {
        let mut ready = 0;
        let mut offset = Some(0u64);
        while let Some(o) = offset {
            let page: serde_json::Value = http
                .get(format!(
                    "{base}/api/v1/galleries/{gallery}/photos?offset={o}&limit=500"
                ))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ready += page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["status"] != "processing")
                .count();
            offset = page["next_offset"].as_u64();
        }
        if ready >= files.len() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    println!(
        "gallery                {} photos uploaded and rendered in {:.0} s",
        files.len(),
        t.elapsed().as_secs_f64()
    );

    // A client's link and its cookie.
    let created: serde_json::Value = http
        .post(format!("{base}/api/v1/galleries/{gallery}/links"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "label": "Bench client", "rights": ["favourite", "comment", "edits"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().unwrap().to_string();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let opened = no_redirect
        .get(format!("{base}/g/{}", url.rsplit('/').next().unwrap()))
        .send()
        .await
        .unwrap();
    let page_path = opened.headers()["location"].to_str().unwrap().to_string();
    let cookie = opened.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    // The same bytes for nginx: the listing and every thumbnail.
    let listing_url = format!("{base}{page_path}/gallery.json");
    let listing = http
        .get(&listing_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&listing).unwrap();
    let thumbs: Vec<String> = doc["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{base}{}", p["thumb_url"].as_str().unwrap()))
        .collect();
    let www = work.join("www");
    std::fs::create_dir_all(www.join("t")).unwrap();
    std::fs::write(www.join("gallery.json"), &listing).unwrap();
    // As a browser takes it: gzipped (the same compressed bytes for nginx).
    let gzipped = http
        .get(&listing_url)
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let gzipped = gzipped.bytes().await.unwrap();
    std::fs::write(www.join("gallery.json.gz"), &gzipped).unwrap();
    let mut thumb_bytes = 0;
    for (i, u) in thumbs.iter().enumerate() {
        let b = http.get(u).send().await.unwrap().bytes().await.unwrap();
        thumb_bytes += b.len();
        std::fs::write(www.join("t").join(format!("{i}.jpg")), &b).unwrap();
    }
    println!(
        "listing                {} photos, {:.0} KB of JSON ({:.0} KB gzipped); thumbnails {:.1} KB on average",
        thumbs.len(),
        listing.len() as f64 / 1024.0,
        gzipped.len() as f64 / 1024.0,
        thumb_bytes as f64 / 1024.0 / thumbs.len() as f64
    );
    let nginx = common::Nginx::serve(&work);
    let nginx_base = nginx.base.clone();

    let pool = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let one = |u: String| Arc::new(vec![u]);
    let static_thumbs = Arc::new(
        (0..thumbs.len())
            .map(|i| format!("{nginx_base}/t/{i}.jpg"))
            .collect::<Vec<_>>(),
    );
    let thumbs = Arc::new(thumbs);
    // Warm both (connections, page cache), then measure.
    let n_json = one(format!("{nginx_base}/gallery.json"));
    let n_gz = one(format!("{nginx_base}/gallery.json.gz"));
    let d_json = one(listing_url.clone());
    let c = Some(cookie.clone());
    load(&pool, d_json.clone(), c.clone(), false, 1).await;
    load(&pool, n_json.clone(), None, false, 1).await;
    let d_list = load(&pool, d_json.clone(), c.clone(), false, SECONDS).await;
    let n_list = load(&pool, n_json, None, false, SECONDS).await;
    let d_gz = load(&pool, d_json, c, true, SECONDS).await;
    let n_gz = load(&pool, n_gz, None, false, SECONDS).await;
    load(&pool, thumbs.clone(), None, false, 1).await;
    load(&pool, static_thumbs.clone(), None, false, 1).await;
    let d_thumb = load(&pool, thumbs.clone(), None, false, SECONDS).await;
    let n_thumb = load(&pool, static_thumbs.clone(), None, false, SECONDS).await;
    println!("--- {CONNECTIONS} connections, {SECONDS} s each");
    line("darkroom listing", &d_list);
    line("nginx same JSON", &n_list);
    line("darkroom listing gzip", &d_gz);
    line("nginx same gzip bytes", &n_gz);
    line("darkroom thumbnails", &d_thumb);
    line("nginx same files", &n_thumb);
    println!(
        "ratio                  listing {:.2} of nginx ({:.2} gzipped), thumbnails {:.2} (target >= 0.80 each)",
        d_list.rps() / n_list.rps(),
        d_gz.rps() / n_gz.rps(),
        d_thumb.rps() / n_thumb.rps()
    );
    println!(
        "p99                    listing {:.2} ms ({:.2} gzipped), thumbnails {:.2} ms (target < 10 ms; nginx {:.2}, {:.2} and {:.2} ms)",
        d_list.pct(0.99),
        d_gz.pct(0.99),
        d_thumb.pct(0.99),
        n_list.pct(0.99),
        n_gz.pct(0.99),
        n_thumb.pct(0.99)
    );
    println!(
        "memory                 server peak RSS {:.1} MB",
        live.peak_mb()
    );
    drop(nginx);

    page_in_chromium(&format!("{base}/g/{}", url.rsplit('/').next().unwrap())).await;
    drop(live);
    let _ = std::fs::remove_dir_all(&work);
}

/// Chromium's "Fast 3G" preset (DevTools): 1.6 Mbit/s down and 750 kbit/s
/// up at 90%, 150 ms round trips x 3.75.
const FAST_3G: (f64, u64, u64) = (562.5, 180_000, 84_375);

/// What the page script reports once the first screenful is in.
const MEASURE: &str = "const done = arguments[0];
 let cls = 0, lcp = 0;
 new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) cls += e.value; })
   .observe({ type: 'layout-shift', buffered: true });
 new PerformanceObserver(l => { for (const e of l.getEntries()) lcp = e.startTime; })
   .observe({ type: 'largest-contentful-paint', buffered: true });
 const hero = document.querySelector('.hero-img');
 const imgs = [...document.querySelectorAll('.grid img')].slice(0, 12);
 const nav = performance.getEntriesByType('navigation')[0];
 const end = i => (performance.getEntriesByName(i.currentSrc)[0] || {}).responseEnd || 0;
 const check = () => {
   const all = hero ? imgs.concat([hero]) : imgs;
   if (!all.every(i => i.complete && i.naturalWidth > 0)) return setTimeout(check, 20);
   const dpr = window.devicePixelRatio;
   // The file's own width: with a `w` srcset, naturalWidth is divided by
   // the density the browser chose, so read the chosen candidate's width.
   const fileWidth = i => {
     for (const c of (i.getAttribute('srcset') || '').split(',')) {
       const [u, w] = c.trim().split(/\\s+/);
       if (u && w && new URL(u, location.href).href === i.currentSrc) return parseInt(w, 10);
     }
     return i.naturalWidth;
   };
   // Sharp: the file has at least the pixels the screen draws it with.
   const sharp = imgs.filter(i => {
     const r = i.getBoundingClientRect();
     const fw = fileWidth(i), ratio = i.naturalWidth / i.naturalHeight;
     const drawn = Math.max(r.width, r.height * ratio);
     return fw >= drawn * dpr * 0.95;
   }).length;
   setTimeout(() => {
     const bytes = performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, nav.transferSize);
     done({
       cls, lcp, html_ms: nav.responseEnd, dom_ms: nav.domContentLoadedEventEnd,
       cover_ms: hero ? end(hero) : 0, screen_ms: Math.max(...imgs.map(end)),
       sharp, shown: imgs.length, kb: bytes / 1024,
       photos: document.querySelectorAll('.grid li[data-id]').length,
       html_kb: nav.encodedBodySize / 1024,
     });
   }, 300);
 };
 check();";

/// The client page on a 390 x 844 phone at 3x density, three cold loads at
/// full speed and three on a throttled network (fast 3G): when the cover and
/// the first screenful of thumbnails arrive, whether those thumbnails are
/// sharp at the screen's density, the layout shift meanwhile, and the bytes.
async fn page_in_chromium(link: &str) {
    let driver_bin =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&driver_bin).exists() || !std::path::Path::new(&chromium).exists() {
        println!(
            "page                   skipped: install chromium and chromium-driver to measure the page"
        );
        return;
    }
    let port = free_port();
    let mut driver = Command::new(&driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // fantoccini's TLS stack needs a process-wide provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    for throttled in [false, true] {
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(one_load(&chromium, port, link, throttled).await);
        }
        report(&runs, throttled);
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

async fn one_load(chromium: &str, port: u16, link: &str, throttled: bool) -> serde_json::Value {
    let profile = std::env::temp_dir().join(format!("gallery-bench-{}", uuid_like()));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-dev-shm-usage",
                     format!("--user-data-dir={}", profile.display())],
            "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0 } }
        }
    });
    let caps = caps.as_object().unwrap().clone().into_iter().collect();
    let c = fantoccini::ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    if throttled {
        // chromedriver's own command for Chromium's network emulation.
        let session = c.session_id().await.unwrap().unwrap();
        let (latency, down, up) = FAST_3G;
        let r = reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{port}/session/{session}/chromium/network_conditions"
            ))
            .json(&serde_json::json!({ "network_conditions": {
                "offline": false, "latency": latency,
                "download_throughput": down, "upload_throughput": up,
            }}))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "network emulation: {}",
            r.text().await.unwrap()
        );
    }
    c.goto(link).await.unwrap();
    let m = c.execute_async(MEASURE, vec![]).await.unwrap();
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    m
}

fn report(runs: &[serde_json::Value], throttled: bool) {
    let median = |k: &str| {
        let mut v: Vec<f64> = runs
            .iter()
            .map(|r| r[k].as_f64().unwrap_or(f64::NAN))
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let net = if throttled { "fast 3G" } else { "full speed" };
    println!(
        "page ({net:<10})      {} photos, {:.0} KB of HTML; median of 3 cold loads, 390x844 phone at 3x:",
        runs[0]["photos"],
        median("html_kb")
    );
    println!(
        "page ({net:<10})      HTML {:.0} ms, cover {:.0} ms (largest paint {:.0} ms), first 12 thumbnails {:.0} ms, {:.0} of {:.0} sharp at 3x, layout shift {:.4}, {:.0} KB transferred",
        median("html_ms"),
        median("cover_ms"),
        median("lcp"),
        median("screen_ms"),
        median("sharp"),
        median("shown"),
        median("cls"),
        median("kb"),
    );
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
