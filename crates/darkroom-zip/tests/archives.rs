//! Archives as real extractors read them: Info-ZIP's `unzip` and Python's
//! `zipfile` (both in the CI image), including ZIP64 past 4 GiB and past
//! 65,535 entries, and the failures a download must not hide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Seek, SeekFrom, Write};
use std::process::Command;

use bytes::Bytes;
use darkroom_zip::{DosTime, EntrySpec, Opener, Plan, Source, safe_names, stream};
use futures::{StreamExt, stream as fstream};

fn crc(b: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(b);
    h.finalize()
}

/// An opener over in-memory contents, sent in `chunk`-byte pieces.
fn from_memory(contents: Vec<Vec<u8>>, chunk: usize) -> Opener {
    Box::new(move |i| {
        let data = contents[i].clone();
        Box::pin(async move {
            let pieces: Vec<std::io::Result<Bytes>> = data
                .chunks(chunk.max(1))
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Ok(fstream::iter(pieces).boxed() as Source)
        })
    })
}

async fn collect(plan: Plan, open: Opener) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut s = Box::pin(stream(plan, open));
    while let Some(chunk) = s.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

fn python(script: &str, path: &std::path::Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn a_small_archive_extracts_byte_for_byte() {
    let raw = [
        "IMG_0001.JPG",
        "../../etc/passwd",
        "IMG_0001.jpg",
        "写真 (1).jpg",
        "empty",
    ];
    let names = safe_names(&raw);
    let contents: Vec<Vec<u8>> = vec![
        (0..70_000u32).map(|i| (i * 7) as u8).collect(),
        b"root:x:0:0".to_vec(),
        vec![1, 2, 3],
        "こんにちは".repeat(100).into_bytes(),
        Vec::new(),
    ];
    let specs: Vec<EntrySpec> = names
        .iter()
        .zip(&contents)
        .enumerate()
        .map(|(i, (n, c))| EntrySpec {
            name: n.clone(),
            size: c.len() as u64,
            modified: DosTime::new(2026, 11, 25, 14, 30, 12),
            // Half with the CRC known in advance, half computed on the way.
            crc32: (i % 2 == 0).then(|| crc(c)),
        })
        .collect();
    let plan = Plan::new(specs).unwrap();
    let total = plan.total_len();
    let zip = collect(plan, from_memory(contents.clone(), 4096))
        .await
        .unwrap();
    assert_eq!(
        zip.len() as u64,
        total,
        "the length announced is the length sent"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gallery.zip");
    std::fs::write(&path, &zip).unwrap();
    let t = Command::new("unzip").arg("-t").arg(&path).output().unwrap();
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stdout));
    let listing = python(
        "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, i.file_size, i.date_time, i.compress_type)",
        &path,
    );
    let want: Vec<String> = names
        .iter()
        .zip(&contents)
        .map(|(n, c)| format!("{n} {} (2026, 11, 25, 14, 30, 12) 0", c.len()))
        .collect();
    assert_eq!(listing.lines().collect::<Vec<_>>(), want);
    let out = dir.path().join("x");
    let x = Command::new("unzip")
        .args(["-q", "-d"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
    for (n, c) in names.iter().zip(&contents) {
        assert_eq!(&std::fs::read(out.join(n)).unwrap(), c, "{n}");
    }
    assert!(
        !dir.path().join("etc").exists(),
        "nothing escapes the folder"
    );
}

#[tokio::test]
async fn bad_sources_end_the_stream_with_an_error() {
    let spec = |crc32| {
        vec![EntrySpec {
            name: "a.jpg".into(),
            size: 10,
            modified: DosTime::default(),
            crc32,
        }]
    };
    // Shorter than declared.
    let err = collect(
        Plan::new(spec(None)).unwrap(),
        from_memory(vec![vec![0; 9]], 4),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("ended after 9 of 10 bytes"),
        "{err}"
    );
    // Longer than declared.
    let err = collect(
        Plan::new(spec(None)).unwrap(),
        from_memory(vec![vec![0; 11]], 4),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("more than its declared 10 bytes"),
        "{err}"
    );
    // Bytes that changed since their CRC was recorded.
    let err = collect(
        Plan::new(spec(Some(crc(&[1; 10])))).unwrap(),
        from_memory(vec![vec![0; 10]], 4),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("its bytes changed"), "{err}");
    // A source that cannot be opened.
    let failing: Opener = Box::new(|_| {
        Box::pin(async { Err(std::io::Error::new(std::io::ErrorKind::NotFound, "gone")) })
    });
    let err = collect(Plan::new(spec(None)).unwrap(), failing)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a.jpg") && err.to_string().contains("gone"));
    // Unsafe or duplicate names are refused when planning.
    for names in [vec!["../x"], vec!["a.jpg", "A.jpg"]] {
        let specs = names
            .into_iter()
            .map(|n| EntrySpec {
                name: n.into(),
                size: 1,
                modified: DosTime::default(),
                crc32: None,
            })
            .collect();
        assert!(Plan::new(specs).is_err());
    }
    assert!(Plan::new(Vec::new()).is_err());
}

#[tokio::test]
async fn more_than_65535_entries_use_zip64_end_records() {
    let n = 70_000usize;
    let names: Vec<String> = (0..n).map(|i| format!("p{i}.jpg")).collect();
    let contents: Vec<Vec<u8>> = (0..n).map(|i| vec![(i % 251) as u8]).collect();
    let specs = names
        .iter()
        .zip(&contents)
        .map(|(name, c)| EntrySpec {
            name: name.clone(),
            size: 1,
            modified: DosTime::default(),
            crc32: Some(crc(c)),
        })
        .collect();
    let plan = Plan::new(specs).unwrap();
    let total = plan.total_len();
    let zip = collect(plan, from_memory(contents, 1)).await.unwrap();
    assert_eq!(zip.len() as u64, total);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.zip");
    std::fs::write(&path, &zip).unwrap();
    let out = python(
        "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(len(z.infolist()), z.read('p69999.jpg')[0], z.testzip())",
        &path,
    );
    assert_eq!(out.trim(), format!("70000 {} None", 69_999 % 251));
}

/// A 4 GiB + 1 entry of zeros, then a small one: the second entry's offset
/// and the first's sizes only fit in ZIP64 fields. The zeros are written as
/// a hole in a sparse file, so the test needs no 4 GiB of disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_past_4_gib_use_zip64_fields() {
    const MIB: usize = 1 << 20;
    let big = 4 * 1024 * MIB as u64 + 1;
    let zero = Bytes::from(vec![0u8; MIB]);
    let zero_ptr = zero.as_ptr() as usize;
    let tail = b"after the big one".to_vec();
    let specs = vec![
        EntrySpec {
            name: "huge.bin".into(),
            size: big,
            modified: DosTime::default(),
            crc32: None,
        },
        EntrySpec {
            name: "small.txt".into(),
            size: tail.len() as u64,
            modified: DosTime::default(),
            crc32: Some(crc(&tail)),
        },
    ];
    let plan = Plan::new(specs).unwrap();
    let total = plan.total_len();
    let tail2 = tail.clone();
    let open: Opener = Box::new(move |i| {
        let zero = zero.clone();
        let tail = tail2.clone();
        Box::pin(async move {
            if i == 0 {
                let full = (big / MIB as u64) as usize;
                let pieces = std::iter::repeat_n(zero, full)
                    .chain(std::iter::once(Bytes::from_static(&[0])))
                    .map(Ok);
                Ok(fstream::iter(pieces).boxed() as Source)
            } else {
                Ok(fstream::iter([Ok(Bytes::from(tail))]).boxed() as Source)
            }
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.zip");
    let mut f = std::fs::File::create(&path).unwrap();
    let mut written = 0u64;
    let mut s = Box::pin(stream(plan, open));
    while let Some(chunk) = s.next().await {
        let chunk = chunk.unwrap();
        if chunk.as_ptr() as usize == zero_ptr {
            f.seek(SeekFrom::Current(chunk.len() as i64)).unwrap();
        } else {
            f.write_all(&chunk).unwrap();
        }
        written += chunk.len() as u64;
    }
    f.set_len(written).unwrap();
    drop(f);
    assert_eq!(written, total);
    let out = python(
        "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, i.file_size, i.header_offset)\nprint(z.read('small.txt').decode())",
        &path,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("huge.bin {big} 0"));
    assert!(lines[1].starts_with("small.txt 17 "), "{out}");
    let offset: u64 = lines[1].rsplit(' ').next().unwrap().parse().unwrap();
    assert!(offset > 0xFFFF_FFFF, "{out}");
    assert_eq!(lines[2], "after the big one");
    let l = Command::new("unzip")
        .arg("-lv")
        .arg(&path)
        .output()
        .unwrap();
    assert!(l.status.success(), "{}", String::from_utf8_lossy(&l.stdout));
    assert!(String::from_utf8_lossy(&l.stdout).contains(&big.to_string()));
}
