//! A fast structural walk of a JPEG: every segment is where its length says,
//! and the last scan ends in an end-of-image marker. Catches files cut short
//! (interrupted copies, partial downloads) at upload, for the price of one
//! `memchr` pass; damage inside the entropy-coded data is found when the
//! image is decoded.

use crate::ImageError;

fn cut_short(at: usize) -> ImageError {
    ImageError::Corrupt(format!(
        "the file ends at byte {at}, before the image does (an incomplete copy or upload?)"
    ))
}

/// `Ok` when the JPEG's markers run from start of image to end of image.
pub fn check_complete(b: &[u8]) -> Result<(), ImageError> {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return Err(ImageError::Corrupt(
            "the JPEG start-of-image marker is missing".into(),
        ));
    }
    let mut i = 2;
    let mut scans = 0;
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            return Err(ImageError::Corrupt(format!(
                "byte {i} should start a JPEG marker but does not; the file is damaged"
            )));
        }
        let m = b[i + 1];
        match m {
            // Fill byte before a marker.
            0xFF => {
                i += 1;
                continue;
            }
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            0xD9 => {
                return if scans > 0 {
                    Ok(())
                } else {
                    Err(ImageError::Corrupt("the JPEG holds no image data".into()))
                };
            }
            _ => {}
        }
        if i + 4 > b.len() {
            return Err(cut_short(b.len()));
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if len < 2 {
            return Err(ImageError::Corrupt(format!(
                "a JPEG segment at byte {i} has an impossible length"
            )));
        }
        let next = i + 2 + len;
        if next > b.len() {
            return Err(cut_short(b.len()));
        }
        if m != 0xDA {
            i = next;
            continue;
        }
        // Entropy-coded data runs to the next marker that is neither a
        // stuffed 0xFF00 nor a restart marker.
        scans += 1;
        let mut j = next;
        loop {
            let Some(k) = memchr::memchr(0xFF, &b[j..]) else {
                return Err(cut_short(b.len()));
            };
            j += k;
            let Some(&n) = b.get(j + 1) else {
                return Err(cut_short(b.len()));
            };
            match n {
                0x00 | 0xD0..=0xD7 => j += 2,
                0xFF => j += 1,
                _ => break,
            }
        }
        i = j;
    }
    Err(cut_short(b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let px: Vec<u8> = (0..64 * 48 * 3).map(|i| (i * 7 % 251) as u8).collect();
        darkroom_jpeg::encode(&px, 64, 48, 90).unwrap()
    }

    #[test]
    fn whole_files_pass_and_cut_ones_do_not() {
        let j = sample();
        check_complete(&j).unwrap();
        for cut in [3, 20, j.len() / 2, j.len() - 2, j.len() - 1] {
            assert!(check_complete(&j[..cut]).is_err(), "cut at {cut}");
        }
        // Trailing bytes after the end (phones append data) are fine.
        let mut t = j.clone();
        t.extend_from_slice(b"trailing maker notes");
        check_complete(&t).unwrap();
        // A length running past the end is refused, never read out of bounds.
        let mut bad = j.clone();
        bad[4] = 0xFF;
        bad[5] = 0xFF;
        assert!(check_complete(&bad).is_err());
        assert!(check_complete(b"\xFF\xD8\xFF\xD9").is_err());
    }
}
