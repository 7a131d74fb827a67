//! The real camera photos in ../shared/corpus/: every orientation comes out
//! upright, GPS is read but never reaches a derivative, broken files fail
//! cleanly, and EXIF values match what exiftool reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use darkroom_imaging::pipeline::{self, RenderSettings};
use darkroom_imaging::pixels::{self, Limits};
use darkroom_imaging::watermark::{Position, Watermark};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-samples")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn thumb_pixels(rel: &str) -> pixels::RgbImage {
    let bytes = read(rel);
    let (format, meta) = pipeline::probe(&bytes, Limits::default()).unwrap();
    let d = pipeline::render(
        format,
        &bytes,
        meta.orientation,
        &RenderSettings {
            thumb_edge: 64,
            ..Default::default()
        },
    )
    .unwrap();
    let dec = pixels::decode(
        darkroom_imaging::Format::Jpeg,
        &d.thumb.bytes,
        Limits::default(),
        64,
    )
    .unwrap();
    dec.image
}

fn mean_abs_diff(a: &pixels::RgbImage, b: &pixels::RgbImage) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let sum: u64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.data.len() as f64
}

#[test]
fn every_orientation_comes_out_upright() {
    for kind in ["landscape", "portrait"] {
        let reference = thumb_pixels(&format!("jpg/orientation/{kind}_1.jpg"));
        for n in 2..=8 {
            let t = thumb_pixels(&format!("jpg/orientation/{kind}_{n}.jpg"));
            let d = mean_abs_diff(&reference, &t);
            assert!(
                d < 12.0,
                "{kind}_{n} differs from {kind}_1 by {d:.1} after orientation"
            );
        }
        // And the reference itself is not a uniform image (the comparison means something).
        let flipped = pixels::orient(reference.clone(), 3);
        assert!(mean_abs_diff(&reference, &flipped) > 20.0);
    }
}

fn has_exif_segment(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
}

#[test]
fn gps_is_recorded_but_absent_from_every_derivative() {
    let wm = std::sync::Arc::new(Watermark::text("Proof", Position::Center, 0.5, 0.3).unwrap());
    for rel in [
        "jpg/gps/DSCN0010.jpg",
        "jpg/gps/DSCN0012.jpg",
        "jpg/gps/DSCN0021.jpg",
        "jpg/hdr/iphone_hdr_YES.jpg",
    ] {
        let bytes = read(rel);
        assert!(has_exif_segment(&bytes), "{rel} carries EXIF to begin with");
        let (format, meta) = pipeline::probe(&bytes, Limits::default()).unwrap();
        assert!(meta.gps.is_some(), "{rel}: GPS is recorded");
        let d = pipeline::render(
            format,
            &bytes,
            meta.orientation,
            &RenderSettings {
                watermark: Some(wm.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        for (name, out) in [
            ("thumb", &d.thumb),
            ("preview", &d.preview),
            ("proof", &d.proof),
            ("medium", &d.medium),
            ("medium proof", d.medium_proof.as_ref().unwrap()),
        ] {
            assert!(!has_exif_segment(&out.bytes), "{rel} {name} carries EXIF");
            assert!(!out.bytes.windows(4).any(|w| w == b"GPS\0"), "{rel} {name}");
        }
        assert!(d.thumb.width.max(d.thumb.height) <= 400);
        assert_ne!(d.proof.bytes, d.preview.bytes, "the proof is watermarked");
        let mp = d.medium_proof.as_ref().unwrap();
        // 800 px, or the whole picture when it is smaller.
        let long = d.preview.width.max(d.preview.height);
        assert_eq!(
            d.medium.width.max(d.medium.height),
            long.min(800),
            "{rel}: medium size"
        );
        assert_eq!((mp.width, mp.height), (d.medium.width, d.medium.height));
        assert_ne!(mp.bytes, d.medium.bytes, "the medium proof is watermarked");
        // The same shape at each size, to the pixel.
        let ratio = |x: &pipeline::Derivative| x.width as f64 / x.height as f64;
        assert!((ratio(&d.medium) - ratio(&d.preview)).abs() < 0.01, "{rel}");
    }
}

#[test]
fn broken_files_fail_cleanly() {
    // corrupted.jpg: a real camera file whose data is damaged.
    let bytes = read("jpg/corrupted.jpg");
    let outcome = pipeline::probe(&bytes, Limits::default())
        .and_then(|(f, m)| pipeline::render(f, &bytes, m.orientation, &RenderSettings::default()));
    let err = outcome.expect_err("a damaged file is refused");
    assert!(!err.to_string().is_empty());
    // The invalid ones have broken metadata: they must not hang, and whatever
    // happens is a clean result or a clean error.
    for rel in ["jpg/invalid/image00971.jpg", "jpg/invalid/image01088.jpg"] {
        let bytes = read(rel);
        if let Ok((f, m)) = pipeline::probe(&bytes, Limits::default()) {
            let _ = pipeline::render(f, &bytes, m.orientation, &RenderSettings::default());
        }
    }
}

#[test]
fn exif_matches_exiftool() {
    let fixture: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exiftool.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut compared = 0;
    for expected in &fixture {
        let rel = expected["SourceFile"].as_str().unwrap();
        let bytes = read(rel);
        let Ok((_, meta)) = pipeline::probe(&bytes, Limits::default()) else {
            assert!(
                rel.contains("corrupt") || rel.contains("invalid"),
                "{rel} failed to probe"
            );
            continue;
        };
        let s = |k: &str| {
            expected
                .get(k)
                .and_then(|v| v.as_str())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let f = |k: &str| expected.get(k).and_then(serde_json::Value::as_f64);
        assert_eq!(meta.make, s("Make"), "{rel} make");
        assert_eq!(meta.model, s("Model"), "{rel} model");
        assert_eq!(meta.lens, s("LensModel"), "{rel} lens");
        assert_eq!(meta.iso.map(f64::from), f("ISO"), "{rel} ISO");
        assert_eq!(meta.aperture, f("FNumber"), "{rel} f-number");
        if let Some(e) = f("ExposureTime") {
            assert!(
                (meta.exposure_seconds.unwrap() - e).abs() < 1e-6,
                "{rel} exposure {:?} vs {e}",
                meta.exposure_seconds
            );
        }
        if let Some(fl) = f("FocalLength") {
            assert!(
                (meta.focal_length_mm.unwrap() - fl).abs() < 0.051,
                "{rel} focal length"
            );
        }
        assert_eq!(
            f64::from(meta.orientation),
            f("Orientation").unwrap_or(1.0),
            "{rel} orientation"
        );
        let when = s("DateTimeOriginal")
            .map(|d| format!("{}-{}-{}T{}", &d[0..4], &d[5..7], &d[8..10], &d[11..19]));
        assert_eq!(
            meta.capture_local.as_deref().map(|c| &c[..19]),
            when.as_deref(),
            "{rel} capture time"
        );
        match (f("GPSLatitude"), f("GPSLongitude")) {
            (Some(lat), Some(lon)) => {
                let g = meta.gps.unwrap_or_else(|| panic!("{rel}: GPS missing"));
                assert!(
                    (g.latitude - lat).abs() < 1e-6 && (g.longitude - lon).abs() < 1e-6,
                    "{rel} GPS {g:?} vs {lat},{lon}"
                );
                if let Some(alt) = f("GPSAltitude") {
                    assert!((g.altitude_m.unwrap() - alt).abs() < 0.01, "{rel} altitude");
                }
            }
            _ => assert!(meta.gps.is_none(), "{rel} has no GPS per exiftool"),
        }
        compared += 1;
    }
    assert!(compared >= 25, "{compared}");
}

#[test]
fn pngs_with_transparency_and_webps_render() {
    let mut img = image::RgbaImage::new(640, 480);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            90,
            if x < 320 { 255 } else { 0 },
        ]);
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (format, meta) = pipeline::probe(&png, Limits::default()).unwrap();
    assert_eq!(
        (format, meta.width, meta.height),
        (darkroom_imaging::Format::Png, 640, 480)
    );
    let d = pipeline::render(format, &png, 1, &RenderSettings::default()).unwrap();
    assert_eq!((d.preview.width, d.preview.height), (640, 480));
    let mut webp = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut webp),
            image::ImageFormat::WebP,
        )
        .unwrap();
    let (format, _) = pipeline::probe(&webp, Limits::default()).unwrap();
    assert_eq!(format, darkroom_imaging::Format::Webp);
    pipeline::render(format, &webp, 1, &RenderSettings::default()).unwrap();
}
