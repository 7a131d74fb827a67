//! The renditions look as they did before the pipeline was made faster.
//!
//! `fixtures/renditions/` holds what the pipeline made before (commit
//! 727952c: Lanczos3 resizes, the smallest DCT scale, optimised Huffman
//! tables everywhere, the proof's medium resized from the marked preview) for a
//! real 8 MP phone photo, a camera file stored sideways (EXIF orientation
//! 6) and a 24 MP image. Today's renditions of the same files must have the same
//! sizes, be upright the same way, look the same (SSIM above 0.98 on
//! luma) and carry the watermark in the same place.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use darkroom_imaging::pipeline::{self, Derivative, RenderSettings};
use darkroom_imaging::watermark::{Position, Watermark};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/renditions")
}

fn corpus(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/exif-samples/jpg")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Luma planes of a JPEG, with its size.
struct Luma {
    width: usize,
    height: usize,
    y: Vec<f64>,
}

fn luma(jpeg: &[u8]) -> Luma {
    let d = darkroom_jpeg::decode(jpeg, 8, u64::MAX).unwrap();
    let y = d
        .pixels
        .chunks_exact(3)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    Luma {
        width: d.width as usize,
        height: d.height as usize,
        y,
    }
}

/// Mean SSIM over 8x8 windows every 4 pixels (Wang et al., 2004, with their
/// constants for 8-bit images).
fn ssim(a: &Luma, b: &Luma) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut sum, mut n) = (0.0, 0usize);
    let win = 8usize.min(a.width).min(a.height);
    let mut y0 = 0;
    while y0 + win <= a.height {
        let mut x0 = 0;
        while x0 + win <= a.width {
            let (mut ma, mut mb, mut vaa, mut vbb, mut vab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for y in y0..y0 + win {
                for x in x0..x0 + win {
                    let (p, q) = (a.y[y * a.width + x], b.y[y * b.width + x]);
                    ma += p;
                    mb += q;
                    vaa += p * p;
                    vbb += q * q;
                    vab += p * q;
                }
            }
            let k = (win * win) as f64;
            let (ma, mb) = (ma / k, mb / k);
            let (vaa, vbb, vab) = (vaa / k - ma * ma, vbb / k - mb * mb, vab / k - ma * mb);
            sum += ((2.0 * ma * mb + c1) * (2.0 * vab + c2))
                / ((ma * ma + mb * mb + c1) * (vaa + vbb + c2));
            n += 1;
            x0 += 4;
        }
        y0 += 4;
    }
    sum / n as f64
}

/// The box (left, top, right, bottom) where `marked` differs clearly from
/// `clean`: the watermark.
fn mark_box(clean: &Luma, marked: &Luma) -> (usize, usize, usize, usize) {
    let (mut l, mut t, mut r, mut b) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..clean.height {
        for x in 0..clean.width {
            let i = y * clean.width + x;
            if (clean.y[i] - marked.y[i]).abs() > 48.0 {
                (l, t, r, b) = (l.min(x), t.min(y), r.max(x), b.max(y));
            }
        }
    }
    assert!(l <= r && t <= b, "no watermark found");
    (l, t, r, b)
}

fn settings() -> RenderSettings {
    RenderSettings {
        watermark: Some(Arc::new(
            Watermark::text("© Lumen Studio proof", Position::BottomRight, 0.6, 0.3).unwrap(),
        )),
        ..Default::default()
    }
}

fn check(name: &str, bytes: &[u8]) {
    let (format, meta) = pipeline::probe(bytes, Default::default()).unwrap();
    let d = pipeline::render(format, bytes, meta.orientation, &settings()).unwrap();
    let old = |kind: &str| {
        let p = fixtures().join(format!("{name}.{kind}.jpg"));
        luma(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
    };
    let medium_proof = d.medium_proof.clone().unwrap();
    let renditions: [(&str, &Derivative); 5] = [
        ("thumb", &d.thumb),
        ("medium", &d.medium),
        ("preview", &d.preview),
        ("proof", &d.proof),
        ("medium-proof", &medium_proof),
    ];
    for (kind, r) in renditions {
        let (new, before) = (luma(&r.bytes), old(kind));
        assert_eq!(
            (new.width, new.height),
            (before.width, before.height),
            "{name} {kind}: the size changed"
        );
        let s = ssim(&new, &before);
        println!("{name} {kind} {}x{}: SSIM {s:.4}", new.width, new.height);
        assert!(
            s > 0.98,
            "{name} {kind}: SSIM {s:.4} against the old rendition"
        );
    }
    for (clean, marked) in [("preview", "proof"), ("medium", "medium-proof")] {
        let pick = |kind: &str| renditions.iter().find(|(k, _)| *k == kind).unwrap().1;
        let now = mark_box(&luma(&pick(clean).bytes), &luma(&pick(marked).bytes));
        let then = mark_box(&old(clean), &old(marked));
        let slack = (old(clean).width / 50).max(3);
        let near = |a: usize, b: usize| a.abs_diff(b) <= slack;
        println!("{name} {marked}: watermark at {now:?}, before at {then:?}");
        assert!(
            near(now.0, then.0)
                && near(now.1, then.1)
                && near(now.2, then.2)
                && near(now.3, then.3),
            "{name} {marked}: the watermark moved from {then:?} to {now:?}"
        );
    }
}

#[test]
fn a_phone_photo_looks_as_before() {
    check("iphone", &corpus("hdr/iphone_hdr_YES.jpg"));
}

#[test]
fn a_sideways_camera_file_comes_out_upright_as_before() {
    check("landscape-6", &corpus("orientation/landscape_6.jpg"));
}

#[test]
fn a_24_megapixel_image_looks_as_before() {
    check(
        "synthetic-24mp",
        &darkroom_imaging::synthetic::landscape(6000, 4000, 7).unwrap(),
    );
}
