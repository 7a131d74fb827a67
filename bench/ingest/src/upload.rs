//! Upload throughput: photos sent over loopback to a real `darkroom serve`
//! with tus (8 MB chunks, three files at a time, as the browser uploader
//! does) against the raw rate of writing the same bytes to the same disk
//! (write + fsync per file, what a durable store must do at least once).
//! Then one large file, to show the server's memory does not grow with the
//! file size.
//!
//! usage: upload-bench <darkroom binary> <corpus dir> <work dir> [big MB]

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;
use common::{Live, send};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: upload-bench <darkroom binary> <corpus dir> <work dir> [big MB]");
        std::process::exit(2);
    }
    let (bin, corpus, work) = (
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    let big_mb: u64 = args.get(4).map_or(1024, |s| s.parse().unwrap());
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let mb = total as f64 / 1_048_576.0;

    // The disk's rate for the same bytes: write and fsync each file.
    let raw_dir = work.join("raw");
    std::fs::create_dir_all(&raw_dir).unwrap();
    let contents: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let t = Instant::now();
    for (i, c) in contents.iter().enumerate() {
        let mut f = std::fs::File::create(raw_dir.join(format!("{i}.jpg"))).unwrap();
        f.write_all(c).unwrap();
        f.sync_all().unwrap();
    }
    let raw_secs = t.elapsed().as_secs_f64();
    drop(contents);
    std::fs::remove_dir_all(&raw_dir).unwrap();
    let raw_rate = mb / raw_secs;

    // The server, on the same disk.
    let live = Live::start(
        &bin,
        &work.join("data"),
        "Bench",
        Duration::from_secs(600),
        false,
    )
    .await;
    let t = Instant::now();
    let created = live.upload_all(&files).await;
    let up_secs = t.elapsed().as_secs_f64();
    let up_rate = mb / up_secs;
    let hwm_photos = live.peak_mb();
    println!(
        "raw disk   bytes_mb={mb:.1} seconds={raw_secs:.3} mb_per_s={raw_rate:.1}  (write + fsync per file)"
    );
    println!(
        "darkroom   photos={created} seconds={up_secs:.3} mb_per_s={up_rate:.1}  (tus over loopback, 8 MB chunks, 3 at a time, each stored durably and recorded)"
    );
    println!(
        "ratio      upload/raw = {:.2} (target >= 0.80)",
        up_rate / raw_rate
    );

    // One large file: the server's peak memory must not follow its size.
    let big = work.join("big.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut block = vec![0u8; 1 << 20];
        for _ in 0..big_mb {
            for w in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&block).unwrap();
        }
    }
    let t = Instant::now();
    let res = send(&live.http, &live.base, &live.token, &live.gallery, &big).await;
    let big_secs = t.elapsed().as_secs_f64();
    let hwm_big = live.peak_mb();
    println!(
        "memory     server peak RSS after {created} photos: {hwm_photos:.1} MB; after a further {big_mb} MB file ({:.0} MB/s, {}): {hwm_big:.1} MB",
        big_mb as f64 / big_secs,
        res.split(':').next().unwrap_or("")
    );
    drop(live);
    let _ = std::fs::remove_dir_all(&work);
}
