//! What a photo says about itself: EXIF (capture time with offset, camera,
//! lens, exposure, orientation, GPS) and its embedded colour profile.
//!
//! EXIF is read with kamadak-exif; an unreadable block is recorded as such
//! and never stops the photo from being stored. Text values are trimmed,
//! stripped of control characters and bounded.

use std::io::Cursor;

use exif::{In, Reader, Tag, Value};
use serde::{Deserialize, Serialize};

use crate::sniff::Format;

/// Where a photo was taken.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
    pub altitude_m: Option<f64>,
}

/// Everything recorded about a photo from its bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhotoMeta {
    /// Stored size, before orientation is applied.
    pub width: u32,
    pub height: u32,
    /// Wall-clock capture time as the camera wrote it: `2025-09-24T10:30:00.25`.
    pub capture_local: Option<String>,
    /// Its UTC offset when the camera recorded one: `+05:30`.
    pub capture_offset: Option<String>,
    /// The capture instant, when the offset is known.
    pub capture_utc_micros: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub iso: Option<u32>,
    /// The f-number (2.8 for f/2.8).
    pub aperture: Option<f64>,
    /// Exposure time as people write it: `1/250`, `2`.
    pub shutter: Option<String>,
    pub exposure_seconds: Option<f64>,
    pub focal_length_mm: Option<f64>,
    /// EXIF orientation, 1 to 8 (1 when absent).
    pub orientation: u8,
    pub gps: Option<Gps>,
    /// The embedded ICC profile's description, or `sRGB` from the EXIF colour space.
    pub colour_profile: Option<String>,
    /// Why the EXIF block could not be read, if it could not.
    pub exif_error: Option<String>,
}

fn clean(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if t.is_empty() {
        None
    } else {
        Some(t.chars().take(120).collect())
    }
}

fn ascii(ex: &exif::Exif, tag: Tag) -> Option<String> {
    match &ex.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(v) => v.first().and_then(|b| clean(&String::from_utf8_lossy(b))),
        _ => None,
    }
}

fn uint(ex: &exif::Exif, tag: Tag) -> Option<u32> {
    ex.get_field(tag, In::PRIMARY)?.value.get_uint(0)
}

fn rational(ex: &exif::Exif, tag: Tag) -> Option<f64> {
    match &ex.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
}

fn shutter_text(ex: &exif::Exif) -> Option<(String, f64)> {
    match &ex.get_field(Tag::ExposureTime, In::PRIMARY)?.value {
        Value::Rational(v) => {
            let r = v.first().filter(|r| r.denom != 0 && r.num != 0)?;
            let secs = r.to_f64();
            let text = if secs >= 1.0 {
                let s = format!("{secs:.1}");
                s.trim_end_matches(".0").to_string()
            } else {
                format!("1/{}", (1.0 / secs).round() as u64)
            };
            Some((text, secs))
        }
        _ => None,
    }
}

fn gps_coord(ex: &exif::Exif, tag: Tag, reference: Tag, negative: u8) -> Option<f64> {
    // Degrees, minutes, seconds: rationals as the standard says, signed
    // rationals as some phones write them.
    let parts: Vec<f64> = match &ex.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) if v.iter().all(|r| r.denom != 0) => {
            v.iter().map(|r| r.to_f64()).collect()
        }
        Value::SRational(v) if v.iter().all(|r| r.denom != 0) => {
            v.iter().map(|r| r.to_f64()).collect()
        }
        _ => return None,
    };
    let [d, m, s, ..] = parts[..] else {
        return None;
    };
    // A signed degree value carries its own hemisphere.
    let deg = d.abs() + m.abs() / 60.0 + s.abs() / 3600.0;
    let sign = match &ex.get_field(reference, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(r)) if r.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
        _ if d < 0.0 => -1.0,
        _ => 1.0,
    };
    let v = sign * deg;
    v.is_finite().then_some(v)
}

/// `2025:09:24 10:30:00` (+ sub-seconds) as `2025-09-24T10:30:00[.fff]`.
fn exif_datetime(s: &str, subsec: Option<String>) -> Option<String> {
    let s = s.trim();
    if s.len() < 19 || s.starts_with("0000") {
        return None;
    }
    let b = s.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !digits.iter().all(|i| b[*i].is_ascii_digit()) {
        return None;
    }
    let mut out = format!("{}-{}-{}T{}", &s[0..4], &s[5..7], &s[8..10], &s[11..19]);
    if let Some(ss) = subsec
        .map(|x| x.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|x| !x.is_empty())
    {
        out.push('.');
        out.push_str(&ss);
    }
    Some(out)
}

fn utc_micros(local: &str, offset: &str) -> Option<i64> {
    let dt: jiff_lite::DateTimeLite = local.parse().ok()?;
    let off = jiff_lite::parse_offset(offset)?;
    Some(dt.unix_micros() - i64::from(off) * 1_000_000)
}

/// Minimal civil-time arithmetic (no time-zone database is needed here).
mod jiff_lite {
    pub struct DateTimeLite {
        y: i64,
        mo: i64,
        d: i64,
        h: i64,
        mi: i64,
        s: i64,
        micros: i64,
    }

    impl std::str::FromStr for DateTimeLite {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok()).ok_or(());
            let micros = match s.get(19..) {
                Some(frac) if frac.starts_with('.') => {
                    let digits: String = frac[1..].chars().take(6).collect();
                    let v: i64 = digits.parse().map_err(|_| ())?;
                    v * 10i64.pow(6 - u32::try_from(digits.len()).map_err(|_| ())?)
                }
                _ => 0,
            };
            let dt = DateTimeLite {
                y: n(0, 4)?,
                mo: n(5, 7)?,
                d: n(8, 10)?,
                h: n(11, 13)?,
                mi: n(14, 16)?,
                s: n(17, 19)?,
                micros,
            };
            if !(1..=12).contains(&dt.mo)
                || !(1..=31).contains(&dt.d)
                || dt.h > 23
                || dt.mi > 59
                || dt.s > 60
            {
                return Err(());
            }
            Ok(dt)
        }
    }

    impl DateTimeLite {
        /// Days from civil (Howard Hinnant's algorithm).
        pub fn unix_micros(&self) -> i64 {
            let y = if self.mo <= 2 { self.y - 1 } else { self.y };
            let era = y.div_euclid(400);
            let yoe = y - era * 400;
            let mp = (self.mo + 9) % 12;
            let doy = (153 * mp + 2) / 5 + self.d - 1;
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            let days = era * 146_097 + doe - 719_468;
            ((days * 86_400 + self.h * 3600 + self.mi * 60 + self.s) * 1_000_000) + self.micros
        }
    }

    /// `+05:30` as seconds east of UTC.
    pub fn parse_offset(s: &str) -> Option<i32> {
        let s = s.trim();
        let sign = match s.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let h: i32 = s.get(1..3)?.parse().ok()?;
        let m: i32 = s.get(4..6)?.parse().ok()?;
        (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
    }
}

fn from_exif(ex: &exif::Exif, meta: &mut PhotoMeta) {
    meta.make = ascii(ex, Tag::Make);
    meta.model = ascii(ex, Tag::Model);
    meta.lens = ascii(ex, Tag::LensModel).or_else(|| ascii(ex, Tag::LensMake));
    meta.iso = uint(ex, Tag::PhotographicSensitivity);
    meta.aperture = rational(ex, Tag::FNumber).map(|f| (f * 10.0).round() / 10.0);
    if let Some((text, secs)) = shutter_text(ex) {
        meta.shutter = Some(text);
        meta.exposure_seconds = Some(secs);
    }
    meta.focal_length_mm = rational(ex, Tag::FocalLength).map(|f| (f * 10.0).round() / 10.0);
    meta.orientation = uint(ex, Tag::Orientation)
        .and_then(|o| u8::try_from(o).ok())
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1);
    // When the shutter fired, else when it was digitized (CreateDate), each
    // with its own offset. IFD0's DateTime is when an editor last saved the
    // file, so it is never taken for the capture time.
    let taken = [
        (
            Tag::DateTimeOriginal,
            Tag::SubSecTimeOriginal,
            Tag::OffsetTimeOriginal,
        ),
        (
            Tag::DateTimeDigitized,
            Tag::SubSecTimeDigitized,
            Tag::OffsetTimeDigitized,
        ),
    ]
    .into_iter()
    .find_map(|(when, subsec, offset)| {
        let local = exif_datetime(&ascii(ex, when)?, ascii(ex, subsec))?;
        let offset = ascii(ex, offset).filter(|o| jiff_lite::parse_offset(o).is_some());
        Some((local, offset))
    });
    if let Some((local, offset)) = taken {
        meta.capture_local = Some(local);
        meta.capture_offset = offset;
    }
    meta.capture_utc_micros = match (&meta.capture_local, &meta.capture_offset) {
        (Some(l), Some(o)) => utc_micros(l, o),
        _ => None,
    };
    let lat = gps_coord(ex, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let lon = gps_coord(ex, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    if let (Some(latitude), Some(longitude)) = (lat, lon)
        && latitude.abs() <= 90.0
        && longitude.abs() <= 180.0
    {
        let below = matches!(
            ex.get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                .and_then(|f| f.value.get_uint(0)),
            Some(1)
        );
        let altitude_m = rational(ex, Tag::GPSAltitude).map(|a| if below { -a } else { a });
        meta.gps = Some(Gps {
            latitude,
            longitude,
            altitude_m,
        });
    }
    if uint(ex, Tag::ColorSpace) == Some(1) {
        meta.colour_profile = Some("sRGB".into());
    }
}

fn reader() -> Reader {
    let mut r = Reader::new();
    r.continue_on_error(true);
    r
}

/// Reads EXIF from a container (JPEG, TIFF, PNG, WebP, HEIF, TIFF-based raw).
pub fn read_exif(format: Format, bytes: &[u8], meta: &mut PhotoMeta) {
    let source: Option<&[u8]> = match format {
        Format::Raf => crate::raw::preview(format, bytes).ok(),
        _ => Some(bytes),
    };
    let result = match (format, source) {
        (Format::Cr3, _) => match crate::raw::cr3_metadata_tiff(bytes) {
            Some(t) => reader().read_raw(t.to_vec()),
            None => return,
        },
        (_, Some(s)) => reader().read_from_container(&mut Cursor::new(s)),
        (_, None) => return,
    };
    match result {
        Ok(ex) => from_exif(&ex, meta),
        // A damaged directory or a tag of the wrong type costs only what it
        // holds: every tag that could be read is kept.
        Err(exif::Error::PartialResult(partial)) => {
            let (ex, errors) = partial.into_inner();
            from_exif(&ex, meta);
            let what: Vec<String> = errors.iter().map(ToString::to_string).collect();
            meta.exif_error = Some(format!(
                "part of the EXIF block could not be read ({}); every other tag is kept",
                what.join("; ")
            ));
        }
        Err(exif::Error::NotFound(_)) => {}
        Err(e) => {
            meta.exif_error = Some(format!(
                "the EXIF block could not be read ({e}); the photo is kept without it"
            ))
        }
    }
}

/// The ICC profile embedded in a JPEG (APP2 `ICC_PROFILE` chunks, in order).
pub fn jpeg_icc(b: &[u8]) -> Option<Vec<u8>> {
    let mut chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xD9 || marker == 0xDA {
            break;
        }
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let body = b.get(i + 4..i + 2 + len)?;
        if marker == 0xE2 && body.starts_with(b"ICC_PROFILE\0") && body.len() > 14 {
            chunks.push((body[12], &body[14..]));
        }
        i += 2 + len;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|(n, _)| *n);
    Some(
        chunks
            .into_iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect(),
    )
}

/// A profile's description, if it has one.
pub fn icc_description(icc: &[u8]) -> Option<String> {
    let p = moxcms::ColorProfile::new_from_slice(icc).ok()?;
    let text = match p.description? {
        moxcms::ProfileText::PlainString(s) => s,
        moxcms::ProfileText::Localizable(v) => v.first().map(|l| l.value.clone())?,
        moxcms::ProfileText::Description(d) => d.ascii_string,
    };
    clean(&text)
}

/// Whether a profile describes sRGB closely enough that no conversion is needed.
pub fn is_srgb(description: Option<&str>) -> bool {
    description.is_some_and(|d| {
        let d = d.to_ascii_lowercase();
        d.contains("srgb") || d.contains("iec 61966-2")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_dates_and_offsets() {
        assert_eq!(
            exif_datetime("2025:09:24 10:30:00", None).as_deref(),
            Some("2025-09-24T10:30:00")
        );
        assert_eq!(
            exif_datetime("2025:09:24 10:30:00", Some("25".into())).as_deref(),
            Some("2025-09-24T10:30:00.25")
        );
        assert_eq!(exif_datetime("0000:00:00 00:00:00", None), None);
        assert_eq!(exif_datetime("garbage", None), None);
        // 10:30 in India is 05:00 UTC.
        let utc = utc_micros("2025-09-24T10:30:00", "+05:30").unwrap();
        assert_eq!(utc, 1_758_690_000_000_000);
        assert_eq!(utc_micros("2025-09-24T10:30:00", "5:30"), None);
    }
}
