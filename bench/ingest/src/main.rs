//! The ingest benchmark's Darkroom side.
//!
//! `ingest-bench gen <dir> <n12> <n24>` builds the corpus: 12 MP (4000x3000)
//! and 24 MP (6000x4000) JPEGs upscaled from the shared corpus photos, with
//! film-grain noise so they compress like camera files (10-20 MB at q92), and
//! the source's EXIF block copied in. `ingest-bench big <dir>` adds 45 MP files.
//!
//! `ingest-bench run <dir> <out> <workers>` runs the whole per-photo pipeline on
//! every file (read, SHA-256, sniff + EXIF, thumbnail, preview, watermarked
//! proof, all written out) on `workers` threads and prints photos/s and the
//! process's peak memory. `run.sh` runs the peers on the same files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use darkroom_imaging::pipeline::{self, RenderSettings, StageTimes};
use darkroom_imaging::pixels::{self, Limits};
use darkroom_imaging::watermark::{Position, Watermark};

fn corpus_sources() -> Vec<PathBuf> {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-samples/jpg");
    let mut v: Vec<PathBuf> = [
        "hdr/iphone_hdr_YES.jpg",
        "gps/DSCN0010.jpg",
        "gps/DSCN0012.jpg",
        "gps/DSCN0021.jpg",
        "orientation/landscape_1.jpg",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    v.retain(|p| p.exists());
    assert!(
        !v.is_empty(),
        "the shared corpus is missing at {}",
        root.display()
    );
    v
}

fn exif_segment(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if jpeg[i + 1] == 0xE1 && jpeg.get(i + 4..i + 10) == Some(b"Exif\0\0") {
            return jpeg.get(i..i + 2 + len).map(<[u8]>::to_vec);
        }
        if jpeg[i + 1] == 0xDA {
            break;
        }
        i += 2 + len;
    }
    None
}

fn make(src: &Path, w: u32, h: u32, seed: u32) -> Vec<u8> {
    let bytes = std::fs::read(src).unwrap();
    let d = pixels::decode(
        darkroom_imaging::Format::Jpeg,
        &bytes,
        Limits::default(),
        100_000,
    )
    .unwrap();
    let img = d.image;
    // Upscale with the Lanczos resizer (scale the long edge, then crop to w x h).
    let scale = (f64::from(w) / f64::from(img.width)).max(f64::from(h) / f64::from(img.height));
    let (sw, sh) = (
        (f64::from(img.width) * scale).ceil() as u32,
        (f64::from(img.height) * scale).ceil() as u32,
    );
    let big = upscale(&img, sw, sh);
    let mut out = vec![0u8; (w * h * 3) as usize];
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    for y in 0..h {
        for x in 0..w {
            let si = ((y * sw + x) * 3) as usize;
            let di = ((y * w + x) * 3) as usize;
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = i32::from((s & 0x1f) as u8) - 16;
            for c in 0..3 {
                out[di + c] = (i32::from(big[si + c]) + n).clamp(0, 255) as u8;
            }
        }
    }
    let jpg = darkroom_jpeg::encode(&out, w, h, 92).unwrap();
    match exif_segment(&bytes) {
        Some(app1) => {
            let mut v = jpg[..2].to_vec();
            v.extend(app1);
            v.extend(&jpg[2..]);
            v
        }
        None => jpg,
    }
}

fn upscale(img: &pixels::RgbImage, w: u32, h: u32) -> Vec<u8> {
    use fast_resize::resize_exact;
    resize_exact(img, w, h)
}

mod fast_resize {
    use darkroom_imaging::pixels::RgbImage;

    /// Bilinear upscale (the generator's quality does not matter, only its size and noise).
    pub fn resize_exact(img: &RgbImage, w: u32, h: u32) -> Vec<u8> {
        let mut out = vec![0u8; (w * h * 3) as usize];
        for y in 0..h {
            let fy = (f64::from(y) + 0.5) * f64::from(img.height) / f64::from(h) - 0.5;
            let y0 = fy.floor().clamp(0.0, f64::from(img.height - 1)) as u32;
            let y1 = (y0 + 1).min(img.height - 1);
            let ty = (fy - f64::from(y0)).clamp(0.0, 1.0);
            for x in 0..w {
                let fx = (f64::from(x) + 0.5) * f64::from(img.width) / f64::from(w) - 0.5;
                let x0 = fx.floor().clamp(0.0, f64::from(img.width - 1)) as u32;
                let x1 = (x0 + 1).min(img.width - 1);
                let tx = (fx - f64::from(x0)).clamp(0.0, 1.0);
                let (a, b, c, d) = (
                    img.pixel(x0, y0),
                    img.pixel(x1, y0),
                    img.pixel(x0, y1),
                    img.pixel(x1, y1),
                );
                let o = ((y * w + x) * 3) as usize;
                for k in 0..3 {
                    let top = f64::from(a[k]) * (1.0 - tx) + f64::from(b[k]) * tx;
                    let bot = f64::from(c[k]) * (1.0 - tx) + f64::from(d[k]) * tx;
                    out[o + k] = (top * (1.0 - ty) + bot * ty).round() as u8;
                }
            }
        }
        out
    }
}

fn gen_corpus(dir: &Path, sizes: &[(u32, u32, usize, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    let sources = corpus_sources();
    let mut jobs = Vec::new();
    for (w, h, n, tag) in sizes {
        for i in 0..*n {
            jobs.push((
                *w,
                *h,
                format!("{tag}-{i:03}.jpg"),
                sources[i % sources.len()].clone(),
                i as u32 + 1,
            ));
        }
    }
    let jobs = Arc::new(std::sync::Mutex::new(jobs));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let jobs = jobs.clone();
            let dir = dir.to_path_buf();
            std::thread::spawn(move || {
                loop {
                    let Some((w, h, name, src, seed)) = jobs.lock().unwrap().pop() else {
                        break;
                    };
                    let path = dir.join(&name);
                    if !path.exists() {
                        std::fs::write(&path, make(&src, w, h, seed)).unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Time per stage outside the renderer, summed over photos.
#[derive(Default)]
struct Times {
    read: Duration,
    hash: Duration,
    exif: Duration,
    render: StageTimes,
    write: Duration,
}

impl Times {
    fn add(&mut self, o: &Times) {
        self.read += o.read;
        self.hash += o.hash;
        self.exif += o.exif;
        self.render.add(&o.render);
        self.write += o.write;
    }

    fn rows(&self) -> Vec<(&'static str, Duration)> {
        let mut v = vec![
            ("read", self.read),
            ("hash", self.hash),
            ("EXIF", self.exif),
        ];
        v.extend(self.render.named());
        v.push(("write", self.write));
        v
    }
}

fn lap(slot: &mut Duration, start: &mut Instant) {
    let now = Instant::now();
    *slot += now - *start;
    *start = now;
}

/// The whole per-photo pipeline on one file.
fn process(path: &Path, out: &Path, settings: &RenderSettings, t: &mut Times) {
    let mut at = Instant::now();
    let bytes = std::fs::read(path).unwrap();
    lap(&mut t.read, &mut at);
    let hash = darkroom_imaging::sha256_hex(&bytes);
    lap(&mut t.hash, &mut at);
    let (format, meta) = pipeline::probe(&bytes, settings.limits).unwrap();
    lap(&mut t.exif, &mut at);
    let (d, stages) = pipeline::render_timed(format, &bytes, meta.orientation, settings).unwrap();
    t.render.add(&stages);
    at = Instant::now();
    let stem = path.file_stem().unwrap().to_string_lossy();
    let mut files = vec![
        ("thumb", &d.thumb),
        ("medium", &d.medium),
        ("preview", &d.preview),
        ("proof", &d.proof),
    ];
    if let Some(m) = &d.medium_proof {
        files.push(("medium-proof", m));
    }
    for (name, r) in files {
        std::fs::write(out.join(format!("{stem}.{name}.jpg")), &r.bytes).unwrap();
    }
    lap(&mut t.write, &mut at);
    std::hint::black_box((hash, meta));
}

fn jpegs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    files
}

/// Runs `each` on every file from `workers` threads; returns the seconds
/// taken and what the threads gave back.
fn on_workers<T: Send + 'static>(
    files: Vec<PathBuf>,
    workers: usize,
    each: impl Fn(&Path, &mut T) + Send + Sync + 'static,
    init: impl Fn() -> T + Send + Sync + 'static,
) -> (f64, Vec<T>) {
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let each = Arc::new(each);
    let init = Arc::new(init);
    let start = Instant::now();
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (files, next, each, init) =
                (files.clone(), next.clone(), each.clone(), init.clone());
            std::thread::spawn(move || {
                let mut acc = init();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(f) = files.get(i) else { break };
                    each(f, &mut acc);
                }
                acc
            })
        })
        .collect();
    let out = threads.into_iter().map(|t| t.join().unwrap()).collect();
    (start.elapsed().as_secs_f64(), out)
}

fn run(dir: &Path, out: &Path, workers: usize, stages: bool) {
    std::fs::create_dir_all(out).unwrap();
    let files = jpegs(dir);
    let n = files.len();
    let wm =
        Arc::new(Watermark::text("© Lumen Studio proof", Position::BottomRight, 0.6, 0.3).unwrap());
    let settings = Arc::new(RenderSettings {
        watermark: Some(wm),
        ..Default::default()
    });
    let out = out.to_path_buf();
    let (secs, per_worker) = on_workers(
        files,
        workers,
        move |f, t: &mut Times| process(f, &out, &settings, t),
        Times::default,
    );
    if stages {
        let mut all = Times::default();
        for t in &per_worker {
            all.add(t);
        }
        let rows = all.rows();
        let total: f64 = rows.iter().map(|(_, d)| d.as_secs_f64()).sum();
        println!("stage                 ms/photo   share");
        for (name, d) in rows {
            let s = d.as_secs_f64();
            println!(
                "{name:<20} {:>9.2} {:>6.1}%",
                s * 1000.0 / n as f64,
                100.0 * s / total
            );
        }
        println!(
            "{:<20} {:>9.2}   (thread time; {workers} workers share the wall clock)",
            "total",
            total * 1000.0 / n as f64
        );
    }
    println!(
        "darkroom photos={n} seconds={secs:.3} photos_per_s={:.3} peak_rss_mb={:.1}",
        n as f64 / secs,
        peak_rss_mb()
    );
}

/// The decode-only ceiling: reading each file and decoding it with
/// libjpeg-turbo at the DCT scale the pipeline uses, nothing else.
fn ceiling(dir: &Path, workers: usize) {
    let files = jpegs(dir);
    let n = files.len();
    let edge = RenderSettings::default().preview_edge;
    let (secs, _) = on_workers(
        files,
        workers,
        move |f, _: &mut ()| {
            let bytes = std::fs::read(f).unwrap();
            let h = darkroom_jpeg::header(&bytes).unwrap();
            let scale = darkroom_jpeg::scale_for(h.width, h.height, edge);
            std::hint::black_box(darkroom_jpeg::decode(&bytes, scale, u64::MAX).unwrap());
        },
        || (),
    );
    println!(
        "decode-ceiling photos={n} seconds={secs:.3} photos_per_s={:.3}",
        n as f64 / secs
    );
}

/// The server's allocator (see `darkroom-server/src/main.rs`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    // As the server does at start, and its render threads.
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    darkroom_imaging::memory::keep_freed_blocks();
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let n12: usize = args[3].parse().unwrap();
            let n24: usize = args[4].parse().unwrap();
            gen_corpus(
                Path::new(&args[2]),
                &[(4000, 3000, n12, "12mp"), (6000, 4000, n24, "24mp")],
            );
        }
        Some("big") => gen_corpus(Path::new(&args[2]), &[(8256, 5504, 2, "45mp")]),
        Some("small") => gen_corpus(
            Path::new(&args[2]),
            &[(1600, 1067, args[3].parse().unwrap(), "2mp")],
        ),
        Some("run") => run(
            Path::new(&args[2]),
            Path::new(&args[3]),
            args[4].parse().unwrap(),
            args.get(5).is_some_and(|a| a == "--stages"),
        ),
        Some("ceiling") => ceiling(Path::new(&args[2]), args[3].parse().unwrap()),
        _ => eprintln!(
            "usage: ingest-bench gen <dir> <n12> <n24> | big <dir> | small <dir> <n> | run <dir> <out> <workers> [--stages] | ceiling <dir> <workers>"
        ),
    }
}
