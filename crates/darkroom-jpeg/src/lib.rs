//! JPEG through the system's libjpeg-turbo, for speed: decoding at a reduced
//! DCT scale skips most of the work when only a preview or a
//! thumbnail is needed (libjpeg-turbo scales by n/8 inside the IDCT), and the
//! SIMD encoder is fast.
//!
//! This is Darkroom's only unsafe code. The surface is four C functions in
//! `csrc/shim.c` that never exit the process (libjpeg errors are caught with
//! setjmp/longjmp and returned as messages) and write only into buffers whose
//! sizes the Rust side checked, and the C allocator's tuning (`memory`).

use std::ffi::{CStr, c_char, c_int, c_uchar, c_ulong, c_void};

#[cfg(darkroom_heif)]
pub mod heif;
pub mod memory;

/// Whether this build renders HEIC/HEIF (libheif was found when it was built).
pub fn heif_built() -> bool {
    cfg!(darkroom_heif)
}

/// What went wrong with a JPEG.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegError {
    #[error("not a readable JPEG: {0}")]
    Corrupt(String),
    #[error("the JPEG data ends before the image does (truncated file)")]
    Truncated,
    #[error("the image is {width}x{height} pixels, more than the {max} pixels accepted")]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("cannot encode: {0}")]
    Encode(String),
}

pub(crate) const MSG_LEN: usize = 256;

unsafe extern "C" {
    fn dr_jpeg_header(
        data: *const c_uchar,
        len: c_ulong,
        w: *mut c_int,
        h: *mut c_int,
        cs: *mut c_int,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    fn dr_jpeg_scaled_size(
        data: *const c_uchar,
        len: c_ulong,
        num: c_int,
        w: *mut c_int,
        h: *mut c_int,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    fn dr_jpeg_decode(
        data: *const c_uchar,
        len: c_ulong,
        num: c_int,
        out: *mut c_uchar,
        out_len: c_ulong,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    fn dr_jpeg_encode(
        rgb: *const c_uchar,
        w: c_int,
        h: c_int,
        quality: c_int,
        optimize: c_int,
        out: *mut *mut c_uchar,
        out_len: *mut c_ulong,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    fn dr_free(p: *mut c_void);
}

fn message(buf: &[c_char; MSG_LEN]) -> String {
    shim_message(buf, "libjpeg")
}

/// The error text a shim function wrote into its message buffer (or a
/// generic one naming `library` when it wrote none).
pub(crate) fn shim_message(buf: &[c_char; MSG_LEN], library: &str) -> String {
    // SAFETY: the buffer is zeroed first and the shims NUL-terminate within it.
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) };
    let m = s.to_string_lossy().trim().to_string();
    if m.is_empty() {
        format!("unknown {library} error")
    } else {
        m
    }
}

/// The colour model stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorModel {
    Gray,
    Rgb,
    YCbCr,
    Cmyk,
    Ycck,
    Other,
}

/// A JPEG's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    pub color: ColorModel,
}

/// Reads the size and colour model without decoding.
pub fn header(data: &[u8]) -> Result<Header, JpegError> {
    let (mut w, mut h, mut cs) = (0, 0, 0);
    let mut msg = [0 as c_char; MSG_LEN];
    // SAFETY: `data` is a live slice of `len` bytes; out-pointers are valid locals.
    let rc = unsafe {
        dr_jpeg_header(
            data.as_ptr(),
            data.len() as c_ulong,
            &mut w,
            &mut h,
            &mut cs,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    if rc != 0 {
        return Err(JpegError::Corrupt(message(&msg)));
    }
    let color = match cs {
        1 => ColorModel::Gray,
        2 => ColorModel::Rgb,
        3 => ColorModel::YCbCr,
        4 => ColorModel::Cmyk,
        5 => ColorModel::Ycck,
        _ => ColorModel::Other,
    };
    Ok(Header {
        width: u32::try_from(w).unwrap_or(0),
        height: u32::try_from(h).unwrap_or(0),
        color,
    })
}

/// A decoded image: tightly packed RGB rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// The DCT scale `n/8` (n in 1..=8) to decode at for at least
/// `min_long_edge` pixels on the long edge (8/8 when the image is smaller):
/// the smallest that gives enough, except where a slightly larger one is
/// cheaper. libjpeg-turbo has SIMD inverse DCTs at 8/8, 4/8, 2/8 and 1/8
/// only; at 3/8, 6/8 and 7/8 its plain C ones (and, for 4:2:0 files, chroma
/// scaled up inside the IDCT at twice that) cost more than decoding at the
/// next of those and resizing the extra pixels away. Measured on 24 MP
/// camera-like files: 3/8 took 134 ms, 4/8 110 ms; on 12 MP, 5/8 95 ms and
/// 8/8 100 ms (so 5/8 stays).
pub fn scale_for(width: u32, height: u32, min_long_edge: u32) -> u8 {
    let long = width.max(height);
    let smallest = (1u8..=8)
        .find(|n| (long * u32::from(*n)).div_ceil(8) >= min_long_edge)
        .unwrap_or(8);
    match smallest {
        3 => 4,
        6 | 7 => 8,
        n => n,
    }
}

/// Decodes at `eighths`/8 scale (1 to 8; 8 is full size). The header's size
/// is checked against `max_pixels` before any pixel is decoded.
pub fn decode(data: &[u8], eighths: u8, max_pixels: u64) -> Result<Rgb, JpegError> {
    if !(1..=8).contains(&eighths) {
        return Err(JpegError::Corrupt(format!(
            "scale {eighths}/8 is not offered"
        )));
    }
    let denom = eighths;
    let h = header(data)?;
    let full = u64::from(h.width) * u64::from(h.height);
    if full > max_pixels || h.width == 0 || h.height == 0 {
        return Err(JpegError::TooLarge {
            width: h.width,
            height: h.height,
            max: max_pixels,
        });
    }
    let (mut w, mut ht) = (0, 0);
    let mut msg = [0 as c_char; MSG_LEN];
    // SAFETY: as in `header`.
    let rc = unsafe {
        dr_jpeg_scaled_size(
            data.as_ptr(),
            data.len() as c_ulong,
            c_int::from(denom),
            &mut w,
            &mut ht,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    if rc != 0 {
        return Err(JpegError::Corrupt(message(&msg)));
    }
    let (w, ht) = (
        u32::try_from(w).unwrap_or(0),
        u32::try_from(ht).unwrap_or(0),
    );
    let len = (w as usize) * (ht as usize) * 3;
    // Not zeroed first: the decoder writes every byte (zeroing a reused
    // 10 MB buffer costs as much as a tenth of the decode).
    let mut pixels: Vec<u8> = Vec::with_capacity(len);
    // SAFETY: `pixels` has room for exactly the length the shim checks
    // against the decoder's output size before writing any row.
    let rc = unsafe {
        dr_jpeg_decode(
            data.as_ptr(),
            data.len() as c_ulong,
            c_int::from(denom),
            pixels.as_mut_ptr(),
            len as c_ulong,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    match rc {
        0 => {
            // SAFETY: on success the shim wrote all `len` bytes (every
            // scanline of the output size, checked to be `len` bytes).
            unsafe { pixels.set_len(len) };
            Ok(Rgb {
                width: w,
                height: ht,
                pixels,
            })
        }
        -3 => Err(JpegError::Truncated),
        -4 => Err(JpegError::Corrupt(format!(
            "the compressed data is damaged ({})",
            message(&msg)
        ))),
        _ => Err(JpegError::Corrupt(message(&msg))),
    }
}

/// The Huffman tables an encode uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Huffman {
    /// The standard tables (JPEG Annex K): one pass.
    Standard,
    /// Tables fitted to the image: a second pass over every coefficient
    /// for a file 1 to 3 % smaller.
    Optimized,
}

/// Encodes tightly packed RGB at `quality` (1..=100), with optimised Huffman tables.
pub fn encode(pixels: &[u8], width: u32, height: u32, quality: u8) -> Result<Vec<u8>, JpegError> {
    encode_with(pixels, width, height, quality, Huffman::Optimized)
}

/// Encodes tightly packed RGB at `quality` (1..=100) with the given Huffman tables.
pub fn encode_with(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    huffman: Huffman,
) -> Result<Vec<u8>, JpegError> {
    let expected = (width as usize) * (height as usize) * 3;
    if pixels.len() != expected || width == 0 || height == 0 || width > 65_500 || height > 65_500 {
        return Err(JpegError::Encode(format!(
            "{} bytes do not make a {width}x{height} RGB image",
            pixels.len()
        )));
    }
    let mut out: *mut c_uchar = std::ptr::null_mut();
    let mut out_len: c_ulong = 0;
    let mut msg = [0 as c_char; MSG_LEN];
    let q = c_int::from(quality.clamp(1, 100));
    // SAFETY: `pixels` holds width*height*3 bytes (checked above); the shim
    // allocates `out` with malloc and we free it with `dr_free` below.
    let rc = unsafe {
        dr_jpeg_encode(
            pixels.as_ptr(),
            width as c_int,
            height as c_int,
            q,
            c_int::from(huffman == Huffman::Optimized),
            &mut out,
            &mut out_len,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    if rc != 0 || out.is_null() {
        return Err(JpegError::Encode(message(&msg)));
    }
    // SAFETY: on success the shim returns a malloc'd buffer of `out_len` bytes.
    let bytes = unsafe { std::slice::from_raw_parts(out, out_len as usize) }.to_vec();
    // SAFETY: `out` came from malloc in the shim and is freed once.
    unsafe { dr_free(out.cast()) };
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> Vec<u8> {
        let mut v = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                v.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, 128]);
            }
        }
        v
    }

    #[test]
    fn round_trip_and_scaled_decode() {
        let jpg = encode(&gradient(640, 480), 640, 480, 90).unwrap();
        let h = header(&jpg).unwrap();
        assert_eq!((h.width, h.height, h.color), (640, 480, ColorModel::YCbCr));
        let full = decode(&jpg, 8, 10_000_000).unwrap();
        assert_eq!(
            (full.width, full.height, full.pixels.len()),
            (640, 480, 640 * 480 * 3)
        );
        // A pixel near the middle keeps its colour.
        let i = ((240 * 640 + 320) * 3) as usize;
        assert!(
            (i32::from(full.pixels[i]) - 127).abs() < 8,
            "{}",
            full.pixels[i]
        );
        let quarter = decode(&jpg, 2, 10_000_000).unwrap();
        assert_eq!((quarter.width, quarter.height), (160, 120));
        let eighth = decode(&jpg, 1, 10_000_000).unwrap();
        assert_eq!((eighth.width, eighth.height), (80, 60));
        let five_eighths = decode(&jpg, 5, 10_000_000).unwrap();
        assert_eq!((five_eighths.width, five_eighths.height), (400, 300));
    }

    #[test]
    fn scale_keeps_enough_pixels() {
        // 3/8 would do (2250 px); 4/8 is cheaper (3000 px).
        assert_eq!(scale_for(6000, 4000, 2048), 4);
        assert_eq!(scale_for(6000, 4000, 400), 1); // 750 px
        assert_eq!(scale_for(4000, 3000, 2048), 5); // 2500 px
        assert_eq!(scale_for(8000, 6000, 2048), 4); // 4000 px, not 3/8's 3000
        assert_eq!(scale_for(8256, 5504, 2048), 2); // 45 MP: 2064 px
        assert_eq!(scale_for(2400, 1600, 2048), 8); // 7/8 would do; 8/8 is cheaper
        assert_eq!(scale_for(300, 200, 400), 8);
        for (w, h, edge) in [
            (6000, 4000, 2048),
            (4000, 3000, 2048),
            (2400, 1600, 2048),
            (7000, 100, 800),
        ] {
            let n = u32::from(scale_for(w, h, edge));
            assert!(
                (w.max(h) * n).div_ceil(8) >= edge,
                "{w}x{h} at {n}/8 keeps {edge} px"
            );
        }
    }

    #[test]
    fn truncated_and_garbage_fail_cleanly() {
        let jpg = encode(&gradient(320, 240), 320, 240, 90).unwrap();
        let cut = &jpg[..jpg.len() / 2];
        assert!(matches!(
            decode(cut, 8, 10_000_000),
            Err(JpegError::Truncated | JpegError::Corrupt(_))
        ));
        assert!(matches!(
            decode(b"not a jpeg at all", 8, 10_000_000),
            Err(JpegError::Corrupt(_))
        ));
        assert!(matches!(header(&[]), Err(JpegError::Corrupt(_))));
        assert!(matches!(
            decode(&jpg, 9, 10_000_000),
            Err(JpegError::Corrupt(_))
        ));
    }

    #[test]
    fn damaged_data_is_an_error_not_grey_pixels() {
        let jpg = encode(&gradient(320, 240), 320, 240, 90).unwrap();
        let mut bad = jpg.clone();
        let sos = bad.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
        for i in (sos + 40..bad.len() - 100).step_by(7) {
            bad[i] = 0xFF;
        }
        assert!(matches!(
            decode(&bad, 8, 10_000_000),
            Err(JpegError::Corrupt(_)) | Err(JpegError::Truncated)
        ));
    }

    #[test]
    fn the_pixel_limit_is_checked_before_decoding() {
        // A 16x16 JPEG whose SOF says 60000x60000: 3.6 gigapixels declared in a few hundred bytes.
        let mut jpg = encode(&gradient(16, 16), 16, 16, 80).unwrap();
        let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpg[sof + 5..sof + 7].copy_from_slice(&60000u16.to_be_bytes());
        jpg[sof + 7..sof + 9].copy_from_slice(&60000u16.to_be_bytes());
        assert!(matches!(
            decode(&jpg, 8, 100_000_000),
            Err(JpegError::TooLarge {
                width: 60000,
                height: 60000,
                ..
            })
        ));
    }

    #[test]
    fn bad_encode_input_is_refused() {
        assert!(encode(&[0; 10], 4, 4, 80).is_err());
        assert!(encode(&[], 0, 0, 80).is_err());
    }
}
