//! Camera raw files are stored untouched as originals; what Darkroom shows is
//! the full-size JPEG preview every camera embeds. This module finds it: in
//! the IFDs of TIFF-based raws (CR2, NEF, ARW, DNG), in the `PRVW` box of a
//! CR3, and at the offset a RAF header gives. It also holds the small TIFF
//! reader those need. Every offset is bounds-checked; a lying file yields
//! "no preview", never a panic or a long loop.

use crate::ImageError;
use crate::sniff::Format;

/// A bounds-checked view of a TIFF structure.
pub struct Tiff<'a> {
    b: &'a [u8],
    le: bool,
}

/// One IFD entry.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub tag: u16,
    pub typ: u16,
    pub count: u32,
    /// Where the value (or the offset to it) sits.
    pub value_pos: usize,
}

impl<'a> Tiff<'a> {
    pub fn parse(b: &'a [u8]) -> Option<Self> {
        let le = match b.get(0..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Self { b, le })
    }

    fn u16_at(&self, pos: usize) -> Option<u16> {
        let s: [u8; 2] = self.b.get(pos..pos + 2)?.try_into().ok()?;
        Some(if self.le {
            u16::from_le_bytes(s)
        } else {
            u16::from_be_bytes(s)
        })
    }

    fn u32_at(&self, pos: usize) -> Option<u32> {
        let s: [u8; 4] = self.b.get(pos..pos + 4)?.try_into().ok()?;
        Some(if self.le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    }

    pub fn first_ifd(&self) -> Option<usize> {
        usize::try_from(self.u32_at(4)?).ok()
    }

    /// The entries of the IFD at `ifd` (at most 1000, so a lying count cannot stall us).
    pub fn entries(&self, ifd: usize) -> Vec<Entry> {
        let Some(n) = self.u16_at(ifd) else {
            return Vec::new();
        };
        (0..usize::from(n).min(1000))
            .filter_map(|i| {
                let p = ifd + 2 + i * 12;
                Some(Entry {
                    tag: self.u16_at(p)?,
                    typ: self.u16_at(p + 2)?,
                    count: self.u32_at(p + 4)?,
                    value_pos: p + 8,
                })
            })
            .collect()
    }

    pub fn entry(&self, ifd: usize, tag: u16) -> Option<Entry> {
        self.entries(ifd).into_iter().find(|e| e.tag == tag)
    }

    pub fn next_ifd(&self, ifd: usize) -> Option<usize> {
        let n = usize::from(self.u16_at(ifd)?);
        let next = usize::try_from(self.u32_at(ifd + 2 + n * 12)?).ok()?;
        (next != 0 && next < self.b.len()).then_some(next)
    }

    /// An entry's values as integers (SHORT or LONG).
    pub fn uints(&self, e: Entry) -> Vec<u32> {
        let size = match e.typ {
            3 => 2,
            4 | 13 => 4,
            _ => return Vec::new(),
        };
        let count = e.count.min(10_000) as usize;
        let base = if size * count <= 4 {
            e.value_pos
        } else {
            match self
                .u32_at(e.value_pos)
                .and_then(|o| usize::try_from(o).ok())
            {
                Some(o) => o,
                None => return Vec::new(),
            }
        };
        (0..count)
            .filter_map(|i| {
                if size == 2 {
                    self.u16_at(base + i * 2).map(u32::from)
                } else {
                    self.u32_at(base + i * 4)
                }
            })
            .collect()
    }

    /// An ASCII entry, trimmed.
    pub fn ascii_tag(&self, ifd: usize, tag: u16) -> Option<String> {
        let e = self.entry(ifd, tag)?;
        if e.typ != 2 {
            return None;
        }
        let len = e.count.min(4096) as usize;
        let start = if len <= 4 {
            e.value_pos
        } else {
            usize::try_from(self.u32_at(e.value_pos)?).ok()?
        };
        let raw = self.b.get(start..start + len)?;
        Some(
            String::from_utf8_lossy(raw)
                .trim_matches(char::from(0))
                .trim()
                .to_string(),
        )
    }

    /// Every IFD reachable from the first one through next-links and SubIFDs.
    pub fn all_ifds(&self) -> Vec<usize> {
        let mut seen = Vec::new();
        let mut queue: Vec<usize> = self.first_ifd().into_iter().collect();
        while let Some(ifd) = queue.pop() {
            if seen.contains(&ifd) || seen.len() >= 64 || ifd >= self.b.len() {
                continue;
            }
            seen.push(ifd);
            if let Some(n) = self.next_ifd(ifd) {
                queue.push(n);
            }
            if let Some(sub) = self.entry(ifd, 0x014A) {
                queue.extend(
                    self.uints(sub)
                        .into_iter()
                        .filter_map(|o| usize::try_from(o).ok()),
                );
            }
        }
        seen
    }
}

/// A JPEG that libjpeg can decode (baseline or progressive), with its size.
fn decodable(b: &[u8]) -> Option<u64> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let h = darkroom_jpeg::header(b).ok()?;
    // Lossless JPEG (SOF3, used for raw sensor data) is refused by libjpeg's header read.
    Some(u64::from(h.width) * u64::from(h.height))
}

fn slice(b: &[u8], off: u32, len: u32) -> Option<&[u8]> {
    let start = usize::try_from(off).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    b.get(start..end)
}

fn largest<'a>(cands: impl IntoIterator<Item = &'a [u8]>) -> Option<&'a [u8]> {
    cands
        .into_iter()
        .filter_map(|c| decodable(c).map(|px| (px, c)))
        .max_by_key(|(px, _)| *px)
        .map(|(_, c)| c)
}

fn tiff_preview(b: &[u8]) -> Option<&[u8]> {
    let t = Tiff::parse(b)?;
    let mut cands = Vec::new();
    for ifd in t.all_ifds() {
        if let (Some(o), Some(l)) = (t.entry(ifd, 0x0201), t.entry(ifd, 0x0202))
            && let (Some(o), Some(l)) = (t.uints(o).first().copied(), t.uints(l).first().copied())
        {
            cands.extend(slice(b, o, l));
        }
        let compression = t
            .entry(ifd, 0x0103)
            .and_then(|e| t.uints(e).first().copied());
        if matches!(compression, Some(6 | 7))
            && let (Some(o), Some(l)) = (t.entry(ifd, 0x0111), t.entry(ifd, 0x0117))
        {
            let (os, ls) = (t.uints(o), t.uints(l));
            if os.len() == 1 && ls.len() == 1 {
                cands.extend(slice(b, os[0], ls[0]));
            }
        }
    }
    largest(cands)
}

fn raf_preview(b: &[u8]) -> Option<&[u8]> {
    let off = u32::from_be_bytes(b.get(84..88)?.try_into().ok()?);
    let len = u32::from_be_bytes(b.get(88..92)?.try_into().ok()?);
    largest(slice(b, off, len))
}

fn cr3_preview(b: &[u8]) -> Option<&[u8]> {
    // The PRVW box (inside a `uuid` box) holds the full-size preview JPEG.
    let at = b.windows(4).position(|w| w == b"PRVW")?;
    let box_start = at.checked_sub(4)?;
    let size = u32::from_be_bytes(b.get(box_start..at)?.try_into().ok()?) as usize;
    let end = box_start.checked_add(size)?.min(b.len());
    let body = b.get(at + 4..end)?;
    let soi = body.windows(2).position(|w| w == [0xFF, 0xD8])?;
    largest(Some(&body[soi..]))
}

/// The embedded preview JPEG of a raw file.
pub fn preview(format: Format, b: &[u8]) -> Result<&[u8], ImageError> {
    let found = match format {
        Format::Cr2 | Format::Nef | Format::Arw | Format::Dng => tiff_preview(b),
        Format::Raf => raf_preview(b),
        Format::Cr3 => cr3_preview(b),
        _ => None,
    };
    found.ok_or_else(|| {
        ImageError::Corrupt(format!(
            "this {} raw file has no embedded JPEG preview Darkroom can read; it is stored, but has no thumbnail",
            format.name().to_uppercase()
        ))
    })
}

/// A CR3's first metadata TIFF (CMT1: make, model, orientation).
pub fn cr3_metadata_tiff(b: &[u8]) -> Option<&[u8]> {
    let at = b.windows(4).position(|w| w == b"CMT1")?;
    let size = u32::from_be_bytes(b.get(at.checked_sub(4)?..at)?.try_into().ok()?) as usize;
    b.get(at + 4..(at - 4).checked_add(size)?.min(b.len()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let px: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
        darkroom_jpeg::encode(&px, w, h, 80).unwrap()
    }

    /// A little-endian TIFF: IFD0 (Make, SubIFDs, thumbnail) and one SubIFD with a big preview.
    pub fn tiff_raw(make: &str, dng: bool, thumb: &[u8], big: &[u8]) -> Vec<u8> {
        let mut b = b"II*\0".to_vec();
        b.extend(8u32.to_le_bytes());
        let n0: u16 = if dng { 5 } else { 4 };
        let ifd0_len = 2 + 12 * n0 as usize + 4;
        let sub_at = 8 + ifd0_len;
        let sub_len = 2 + 12 * 2 + 4;
        let make_at = sub_at + sub_len;
        let make_bytes = format!("{make}\0");
        let thumb_at = make_at + make_bytes.len();
        let big_at = thumb_at + thumb.len();
        let e = |b: &mut Vec<u8>, tag: u16, typ: u16, count: u32, val: u32| {
            b.extend(tag.to_le_bytes());
            b.extend(typ.to_le_bytes());
            b.extend(count.to_le_bytes());
            b.extend(val.to_le_bytes());
        };
        b.extend(n0.to_le_bytes());
        e(&mut b, 0x010F, 2, make_bytes.len() as u32, make_at as u32);
        e(&mut b, 0x014A, 4, 1, sub_at as u32);
        e(&mut b, 0x0201, 4, 1, thumb_at as u32);
        e(&mut b, 0x0202, 4, 1, thumb.len() as u32);
        if dng {
            e(&mut b, 0xC612, 1, 4, 0x0000_0401);
        }
        b.extend(0u32.to_le_bytes());
        b.extend(2u16.to_le_bytes());
        e(&mut b, 0x0201, 4, 1, big_at as u32);
        e(&mut b, 0x0202, 4, 1, big.len() as u32);
        b.extend(0u32.to_le_bytes());
        b.extend(make_bytes.as_bytes());
        b.extend(thumb);
        b.extend(big);
        b
    }

    #[test]
    fn finds_the_largest_preview_in_tiff_based_raws() {
        let (thumb, big) = (jpeg(160, 120), jpeg(640, 480));
        let nef = tiff_raw("NIKON CORPORATION", false, &thumb, &big);
        assert_eq!(crate::sniff(&nef).unwrap(), Format::Nef);
        assert_eq!(preview(Format::Nef, &nef).unwrap(), &big[..]);
        let dng = tiff_raw("Leica", true, &thumb, &big);
        assert_eq!(crate::sniff(&dng).unwrap(), Format::Dng);
        assert_eq!(preview(Format::Dng, &dng).unwrap(), &big[..]);
        let arw = tiff_raw("SONY", false, &thumb, &big);
        assert_eq!(crate::sniff(&arw).unwrap(), Format::Arw);
    }

    #[test]
    fn finds_raf_and_cr3_previews() {
        let big = jpeg(320, 240);
        let mut raf = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
        raf.resize(100, 0);
        raf[84..88].copy_from_slice(&100u32.to_be_bytes());
        raf[88..92].copy_from_slice(&(big.len() as u32).to_be_bytes());
        raf.extend(&big);
        assert_eq!(preview(Format::Raf, &raf).unwrap(), &big[..]);

        let mut cr3 = b"\0\0\0\x18ftypcrx \0\0\0\x01crx isom".to_vec();
        let prvw_size = (8 + 16 + big.len()) as u32;
        cr3.extend(prvw_size.to_be_bytes());
        cr3.extend(b"PRVW");
        cr3.extend([0u8; 16]);
        cr3.extend(&big);
        assert_eq!(preview(Format::Cr3, &cr3).unwrap(), &big[..]);
    }

    #[test]
    fn lying_offsets_give_no_preview_not_a_panic() {
        let big = jpeg(64, 48);
        let mut nef = tiff_raw("NIKON", false, &big, &big);
        let n = nef.len();
        nef.truncate(n - 40);
        let _ = preview(Format::Nef, &nef);
        let mut raf = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
        raf.resize(100, 0);
        raf[84..88].copy_from_slice(&u32::MAX.to_be_bytes());
        raf[88..92].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(preview(Format::Raf, &raf).is_err());
        // A SubIFD list that points at itself ends.
        let mut looped = tiff_raw("NIKON", false, &big, &big);
        looped[8 + 2 + 12 + 8..8 + 2 + 12 + 12].copy_from_slice(&8u32.to_le_bytes());
        let _ = preview(Format::Nef, &looped);
    }
}
