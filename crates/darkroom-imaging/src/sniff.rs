//! Telling what a file is from its first bytes. The name a file arrived with
//! is never trusted: a `.jpg` that is really HTML or SVG is refused.

use crate::ImageError;

/// The formats Darkroom stores: the domain's list, bound to the photo
/// version's `format` column.
pub use darkroom_domain::names::ImageFormat as Format;

fn tiff_make(b: &[u8]) -> Option<String> {
    let t = crate::raw::Tiff::parse(b)?;
    t.ascii_tag(t.first_ifd()?, 0x010F)
}

/// What the bytes are, or why they are refused.
pub fn sniff(b: &[u8]) -> Result<Format, ImageError> {
    if b.len() < 12 {
        return Err(ImageError::Unsupported(
            "the file is too short to be a photo".into(),
        ));
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    if b.starts_with(b"FUJIFILMCCD-RAW") {
        return Ok(Format::Raf);
    }
    if &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        return match brand {
            b"crx " => Ok(Format::Cr3),
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => Ok(Format::Heic),
            _ => Err(ImageError::Unsupported(format!(
                "this is an ISO media file of brand `{}`, not a photo format Darkroom stores",
                String::from_utf8_lossy(brand).trim()
            ))),
        };
    }
    let tiff_le = b.starts_with(b"II*\0");
    let tiff_be = b.starts_with(b"MM\0*");
    if tiff_le || tiff_be {
        if tiff_le && &b[8..10] == b"CR" {
            return Ok(Format::Cr2);
        }
        if let Some(t) = crate::raw::Tiff::parse(b)
            && let Some(ifd) = t.first_ifd()
            && t.entry(ifd, 0xC612).is_some()
        {
            return Ok(Format::Dng);
        }
        let make = tiff_make(b).unwrap_or_default().to_ascii_uppercase();
        if make.starts_with("NIKON") {
            return Ok(Format::Nef);
        }
        if make.starts_with("SONY") {
            return Ok(Format::Arw);
        }
        return Ok(Format::Tiff);
    }
    let head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_ascii_lowercase();
    let what = if head.contains("<svg") || head.contains("<?xml") {
        "an SVG or XML document"
    } else if head.contains("<html") || head.contains("<!doctype") || head.contains("<script") {
        "an HTML document"
    } else if b.starts_with(b"%PDF") {
        "a PDF"
    } else if b.starts_with(b"GIF8") {
        "a GIF (not accepted for photos)"
    } else if b.starts_with(b"PK\x03\x04") {
        "a ZIP archive"
    } else {
        "not an image Darkroom recognises"
    };
    Err(ImageError::Unsupported(format!(
        "the file is {what}; accepted are JPEG, PNG, WebP, TIFF, HEIC and camera raw (CR2, CR3, NEF, ARW, DNG, RAF)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats_by_bytes() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0rest of it..").unwrap(),
            Format::Jpeg
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\0").unwrap(), Format::Png);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::Webp);
        assert_eq!(sniff(b"\0\0\0\x18ftypcrx \0\0\0\0").unwrap(), Format::Cr3);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0").unwrap(), Format::Heic);
        assert_eq!(sniff(b"FUJIFILMCCD-RAW 0201FF383501").unwrap(), Format::Raf);
        assert_eq!(sniff(b"II*\0\x10\0\0\0CR\x02\0").unwrap(), Format::Cr2);
    }

    #[test]
    fn refuses_polyglots_and_documents() {
        for (bytes, word) in [
            (
                &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
                "SVG",
            ),
            (&b"<!DOCTYPE html><html><body>hi</body></html>"[..], "HTML"),
            (&b"%PDF-1.7 some pdf"[..], "PDF"),
            (&b"GIF89a..........."[..], "GIF"),
            (&b"hello, this is plain text"[..], "recognises"),
        ] {
            let e = sniff(bytes).unwrap_err().to_string();
            assert!(e.contains(word), "{e}");
        }
        assert!(sniff(b"\xFF\xD8").is_err());
    }
}
