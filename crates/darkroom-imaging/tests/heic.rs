//! HEIC/HEIF: rendered through libheif whenever the build found it; without
//! it, stored with a clear reason why there is no preview.
//! The fixture (593 bytes) was made with Debian's heif-enc 1.15 from a 96x64
//! JPEG (its PNG input path mixes up the colour channels): left
//! half red with a green top-left corner, right half blue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use darkroom_imaging::pipeline::{self, RenderSettings};
#[cfg(darkroom_heif)]
use darkroom_imaging::pixels::Limits;
use darkroom_imaging::{Format, ImageError};

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/halves.heic"
    ))
    .unwrap()
}

/// CI installs libheif first: there, the build must have found it.
#[test]
fn heic_rendering_is_built_where_libheif_is_installed() {
    if std::env::var_os("DARKROOM_TEST_REQUIRE_PEERS").is_some() {
        assert!(
            darkroom_jpeg::heif_built(),
            "libheif is installed here but the build did not find it"
        );
    }
}

#[test]
fn heic_is_recognised_from_its_bytes() {
    assert_eq!(darkroom_imaging::sniff(&fixture()).unwrap(), Format::Heic);
}

#[cfg(darkroom_heif)]
#[test]
fn heic_renders_with_its_colours_and_size() {
    let bytes = fixture();
    let (format, meta) = pipeline::probe(&bytes, Limits::default()).unwrap();
    assert_eq!((format, meta.width, meta.height), (Format::Heic, 96, 64));
    let d = pipeline::render(format, &bytes, 6, &RenderSettings::default()).unwrap();
    // Upright as stored: an EXIF orientation is not applied to HEIF pixels.
    assert_eq!((d.preview.width, d.preview.height), (96, 64));
    let px = darkroom_jpeg::decode(&d.preview.bytes, 8, 1 << 20).unwrap();
    let at = |x: u32, y: u32| {
        let i = ((y * px.width + x) * 3) as usize;
        (px.pixels[i], px.pixels[i + 1], px.pixels[i + 2])
    };
    let (r, g, b) = at(30, 45);
    assert!(r > 150 && g < 90 && b < 90, "red half: {:?}", (r, g, b));
    let (r, g, b) = at(75, 45);
    assert!(b > 150 && r < 90 && g < 100, "blue half: {:?}", (r, g, b));
    let (r, g, b) = at(6, 5);
    assert!(
        g > 140 && r < 90 && b < 100,
        "green corner: {:?}",
        (r, g, b)
    );
}

#[cfg(darkroom_heif)]
#[test]
fn heic_pixel_limit_is_checked_before_decoding_and_garbage_is_refused() {
    let bytes = fixture();
    let small = Limits {
        max_pixels: 1000,
        max_edge: 65_000,
    };
    assert!(matches!(
        pipeline::probe(&bytes, small),
        Err(ImageError::TooLarge {
            width: 96,
            height: 64,
            ..
        })
    ));
    let mut cut = bytes.clone();
    cut.truncate(bytes.len() / 2);
    let settings = RenderSettings::default();
    assert!(pipeline::render(Format::Heic, &cut, 1, &settings).is_err());
}

#[cfg(not(darkroom_heif))]
#[test]
fn without_libheif_heic_is_stored_with_a_clear_reason() {
    let err =
        pipeline::render(Format::Heic, &fixture(), 1, &RenderSettings::default()).unwrap_err();
    assert!(
        matches!(&err, ImageError::Unsupported(m) if m.contains("libheif")),
        "{err}"
    );
}
