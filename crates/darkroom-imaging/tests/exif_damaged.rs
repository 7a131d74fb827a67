//! EXIF blocks as cameras, phones and editors really write them, damaged
//! ones included, built here byte by byte: a damaged directory or a tag of
//! the wrong type costs only what it holds; GPS in signed rationals is read;
//! the capture time is DateTimeOriginal, then DateTimeDigitized, never the
//! editor's DateTime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use darkroom_imaging::meta::PhotoMeta;
use darkroom_imaging::pipeline;
use darkroom_imaging::pixels::Limits;

const ASCII: u16 = 2;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const SRATIONAL: u16 = 10;

const MAKE: u16 = 0x010F;
const MODEL: u16 = 0x0110;
const DATE_TIME: u16 = 0x0132;
const EXIF_IFD: u16 = 0x8769;
const GPS_IFD: u16 = 0x8825;
const DATE_TIME_ORIGINAL: u16 = 0x9003;
const DATE_TIME_DIGITIZED: u16 = 0x9004;
const OFFSET_TIME_ORIGINAL: u16 = 0x9011;
const OFFSET_TIME_DIGITIZED: u16 = 0x9012;
const GPS_LATITUDE_REF: u16 = 1;
const GPS_LATITUDE: u16 = 2;
const GPS_LONGITUDE_REF: u16 = 3;
const GPS_LONGITUDE: u16 = 4;

/// One directory entry's value.
enum V {
    Ascii(&'static str),
    Rational(Vec<(u32, u32)>),
    SRational(Vec<(i32, i32)>),
    /// A pointer to another directory of the block, by its index.
    Dir(usize),
    /// A pointer to an absolute offset (possibly outside the block).
    At(u32),
    /// Any type and count with these value bytes.
    Raw(u16, u32, Vec<u8>),
}

/// (type, count, value bytes) for an entry; pointers are filled in later.
fn encode(v: &V) -> (u16, u32, Vec<u8>) {
    match v {
        V::Ascii(s) => {
            let mut b = s.as_bytes().to_vec();
            b.push(0);
            (ASCII, b.len() as u32, b)
        }
        V::Rational(r) => (
            RATIONAL,
            r.len() as u32,
            r.iter()
                .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
                .collect(),
        ),
        V::SRational(r) => (
            SRATIONAL,
            r.len() as u32,
            r.iter()
                .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
                .collect(),
        ),
        V::Dir(_) | V::At(_) => (LONG, 1, vec![0; 4]),
        V::Raw(t, c, b) => (*t, *c, b.clone()),
    }
}

fn padded(n: usize) -> usize {
    n + n % 2
}

/// The bytes a directory takes: count, entries, next offset, then the
/// values too long to sit in their entry.
fn dir_len(entries: &[(u16, V)]) -> usize {
    2 + 12 * entries.len()
        + 4
        + entries
            .iter()
            .map(|(_, v)| encode(v).2.len())
            .filter(|&n| n > 4)
            .map(padded)
            .sum::<usize>()
}

/// A little-endian TIFF block holding `dirs` (the first is IFD0).
fn tiff(dirs: &[Vec<(u16, V)>]) -> Vec<u8> {
    let mut starts = vec![8usize];
    for d in dirs {
        starts.push(starts.last().unwrap() + dir_len(d));
    }
    let mut out = b"II*\0".to_vec();
    out.extend(8u32.to_le_bytes());
    for (i, dir) in dirs.iter().enumerate() {
        let mut data_at = starts[i] + 2 + 12 * dir.len() + 4;
        let mut data = Vec::new();
        out.extend((dir.len() as u16).to_le_bytes());
        for (tag, v) in dir {
            let (typ, count, mut bytes) = encode(v);
            match v {
                V::Dir(d) => bytes = (starts[*d] as u32).to_le_bytes().to_vec(),
                V::At(o) => bytes = o.to_le_bytes().to_vec(),
                _ => {}
            }
            out.extend(tag.to_le_bytes());
            out.extend(typ.to_le_bytes());
            out.extend(count.to_le_bytes());
            if bytes.len() <= 4 {
                bytes.resize(4, 0);
                out.extend(bytes);
            } else {
                out.extend((data_at as u32).to_le_bytes());
                data_at += padded(bytes.len());
                if bytes.len() % 2 == 1 {
                    bytes.push(0);
                }
                data.extend(bytes);
            }
        }
        out.extend(0u32.to_le_bytes());
        out.extend(data);
        assert_eq!(out.len(), starts[i + 1]);
    }
    out
}

/// A real JPEG carrying `block` as its EXIF segment, probed as an upload is.
fn probe(block: &[u8]) -> PhotoMeta {
    let plain = darkroom_imaging::synthetic::landscape(64, 48, 7).unwrap();
    assert_eq!(&plain[..2], &[0xFF, 0xD8]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(block);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    jpeg.extend(app1);
    jpeg.extend(&plain[2..]);
    let (_, meta) = pipeline::probe(&jpeg, Limits::default()).unwrap();
    meta
}

fn camera() -> Vec<(u16, V)> {
    vec![
        (MAKE, V::Ascii("Darkroom Optics")),
        (MODEL, V::Ascii("Field Test 1")),
        (DATE_TIME, V::Ascii("2025:12:24 18:00:00")),
    ]
}

#[test]
fn a_whole_block_reads_as_written() {
    let mut ifd0 = camera();
    ifd0.push((EXIF_IFD, V::Dir(1)));
    let exif = vec![
        (DATE_TIME_ORIGINAL, V::Ascii("2024:06:01 14:30:05")),
        (OFFSET_TIME_ORIGINAL, V::Ascii("+02:00")),
    ];
    let m = probe(&tiff(&[ifd0, exif]));
    assert_eq!(m.make.as_deref(), Some("Darkroom Optics"));
    assert_eq!(m.model.as_deref(), Some("Field Test 1"));
    assert_eq!(m.capture_local.as_deref(), Some("2024-06-01T14:30:05"));
    assert_eq!(m.capture_offset.as_deref(), Some("+02:00"));
    assert!(m.capture_utc_micros.is_some());
    assert_eq!(m.exif_error, None);
}

#[test]
fn a_gps_directory_past_the_end_costs_only_the_gps() {
    let mut ifd0 = camera();
    ifd0.push((EXIF_IFD, V::Dir(1)));
    ifd0.push((GPS_IFD, V::At(60_000)));
    let exif = vec![(DATE_TIME_ORIGINAL, V::Ascii("2024:06:01 14:30:05"))];
    let m = probe(&tiff(&[ifd0, exif]));
    assert_eq!(m.make.as_deref(), Some("Darkroom Optics"));
    assert_eq!(m.model.as_deref(), Some("Field Test 1"));
    assert_eq!(m.capture_local.as_deref(), Some("2024-06-01T14:30:05"));
    assert!(m.gps.is_none());
    let note = m.exif_error.expect("the damage is noted");
    assert!(note.contains("every other tag is kept"), "{note}");
}

#[test]
fn an_empty_gps_directory_and_a_pointer_of_the_wrong_type_keep_the_rest() {
    let mut ifd0 = camera();
    // The Exif pointer written as text: its directory cannot be followed.
    ifd0.push((EXIF_IFD, V::Raw(ASCII, 4, b"abc\0".to_vec())));
    ifd0.push((GPS_IFD, V::Dir(1)));
    let empty_gps: Vec<(u16, V)> = Vec::new();
    let m = probe(&tiff(&[ifd0, empty_gps]));
    assert_eq!(m.make.as_deref(), Some("Darkroom Optics"));
    assert_eq!(m.model.as_deref(), Some("Field Test 1"));
    assert!(m.gps.is_none());
    // Only IFD0's DateTime is left: that is when an editor saved the file,
    // not when it was taken.
    assert_eq!(m.capture_local, None);
    assert_eq!(m.capture_utc_micros, None);
    assert!(m.exif_error.is_some());
}

#[test]
fn gps_in_signed_rationals_is_read() {
    let mut ifd0 = camera();
    ifd0.push((GPS_IFD, V::Dir(1)));
    let gps = vec![
        (GPS_LATITUDE_REF, V::Ascii("S")),
        (
            GPS_LATITUDE,
            V::SRational(vec![(33, 1), (52, 1), (3600, 100)]),
        ),
        // No reference: the sign of the degrees says west.
        (
            GPS_LONGITUDE,
            V::SRational(vec![(-151, 1), (12, 1), (36, 1)]),
        ),
    ];
    let m = probe(&tiff(&[ifd0, gps]));
    let g = m.gps.expect("signed rationals are read");
    assert!(
        (g.latitude - -(33.0 + 52.0 / 60.0 + 36.0 / 3600.0)).abs() < 1e-9,
        "{}",
        g.latitude
    );
    assert!(
        (g.longitude - -(151.0 + 12.0 / 60.0 + 36.0 / 3600.0)).abs() < 1e-9,
        "{}",
        g.longitude
    );
}

#[test]
fn gps_in_rationals_with_references_is_read() {
    let mut ifd0 = camera();
    ifd0.push((GPS_IFD, V::Dir(1)));
    let gps = vec![
        (GPS_LATITUDE_REF, V::Ascii("N")),
        (GPS_LATITUDE, V::Rational(vec![(48, 1), (51, 1), (24, 1)])),
        (GPS_LONGITUDE_REF, V::Ascii("W")),
        (GPS_LONGITUDE, V::Rational(vec![(2, 1), (21, 1), (0, 1)])),
    ];
    let g = probe(&tiff(&[ifd0, gps])).gps.unwrap();
    assert!((g.latitude - (48.0 + 51.0 / 60.0 + 24.0 / 3600.0)).abs() < 1e-9);
    assert!((g.longitude - -(2.0 + 21.0 / 60.0)).abs() < 1e-9);
}

#[test]
fn without_an_original_time_the_digitized_time_and_its_offset_are_taken() {
    let mut ifd0 = camera();
    ifd0.push((EXIF_IFD, V::Dir(1)));
    let exif = vec![
        (DATE_TIME_DIGITIZED, V::Ascii("2022:01:02 03:04:05")),
        (OFFSET_TIME_DIGITIZED, V::Ascii("+09:00")),
        (OFFSET_TIME_ORIGINAL, V::Ascii("-05:00")),
    ];
    let m = probe(&tiff(&[ifd0, exif]));
    assert_eq!(m.capture_local.as_deref(), Some("2022-01-02T03:04:05"));
    assert_eq!(m.capture_offset.as_deref(), Some("+09:00"));
}

#[test]
fn a_block_with_only_the_editors_time_has_no_capture_time() {
    let m = probe(&tiff(&[camera()]));
    assert_eq!(m.make.as_deref(), Some("Darkroom Optics"));
    assert_eq!(m.capture_local, None);
    assert_eq!(m.exif_error, None);
}
