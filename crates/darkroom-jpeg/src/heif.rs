//! HEIC/HEIF through the system's libheif (with the `heif` feature): the
//! primary image's size, and its decoding to RGB with the container's
//! rotation and mirroring applied. Two C functions in `csrc/heif.c`; they
//! allocate the output themselves and it is copied out and freed here.

use std::ffi::{c_char, c_int, c_uchar, c_ulong, c_ulonglong, c_void};

use crate::MSG_LEN;

/// What went wrong with a HEIF file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeifError {
    #[error("not a readable HEIF image: {0}")]
    Unreadable(String),
    #[error("the image is {width}x{height} pixels, more than the {max} pixels accepted")]
    TooLarge { width: u32, height: u32, max: u64 },
}

unsafe extern "C" {
    fn dr_heif_size(
        data: *const c_uchar,
        len: c_ulong,
        w: *mut c_int,
        h: *mut c_int,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    #[allow(clippy::too_many_arguments)]
    fn dr_heif_decode(
        data: *const c_uchar,
        len: c_ulong,
        max_pixels: c_ulonglong,
        out: *mut *mut c_uchar,
        w: *mut c_int,
        h: *mut c_int,
        icc: *mut *mut c_uchar,
        icc_len: *mut c_ulong,
        msg: *mut c_char,
        msg_len: c_ulong,
    ) -> c_int;
    fn dr_free(p: *mut c_void);
}

fn message(buf: &[c_char; MSG_LEN]) -> String {
    crate::shim_message(buf, "libheif")
}

/// The primary image's displayed size (after rotation), without decoding.
pub fn size(data: &[u8]) -> Result<(u32, u32), HeifError> {
    let (mut w, mut h) = (0, 0);
    let mut msg = [0 as c_char; MSG_LEN];
    // SAFETY: `data` is valid for `len` bytes for the call; the outputs are
    // plain ints and a buffer of MSG_LEN bytes.
    let rc = unsafe {
        dr_heif_size(
            data.as_ptr(),
            data.len() as c_ulong,
            &mut w,
            &mut h,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    if rc != 0 {
        return Err(HeifError::Unreadable(message(&msg)));
    }
    Ok((u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0)))
}

/// A decoded HEIF image: upright RGB and its ICC profile, if any.
#[derive(Debug, Clone)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
    pub icc: Option<Vec<u8>>,
}

/// Decodes the primary image; its size is checked against `max_pixels`
/// before any pixel is decoded.
pub fn decode(data: &[u8], max_pixels: u64) -> Result<Image, HeifError> {
    let mut out: *mut c_uchar = std::ptr::null_mut();
    let mut icc: *mut c_uchar = std::ptr::null_mut();
    let mut icc_len: c_ulong = 0;
    let (mut w, mut h) = (0, 0);
    let mut msg = [0 as c_char; MSG_LEN];
    // SAFETY: `data` is valid for its length during the call; on success the
    // shim hands over two malloc'd buffers of w*h*3 and icc_len bytes, which
    // are copied and released below exactly once.
    let rc = unsafe {
        dr_heif_decode(
            data.as_ptr(),
            data.len() as c_ulong,
            max_pixels,
            &mut out,
            &mut w,
            &mut h,
            &mut icc,
            &mut icc_len,
            msg.as_mut_ptr(),
            MSG_LEN as c_ulong,
        )
    };
    let (width, height) = (u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0));
    match rc {
        0 => {}
        -2 => {
            return Err(HeifError::TooLarge {
                width,
                height,
                max: max_pixels,
            });
        }
        _ => return Err(HeifError::Unreadable(message(&msg))),
    }
    let len = width as usize * height as usize * 3;
    // SAFETY: on success `out` points at exactly `len` initialised bytes and
    // `icc` (if not null) at `icc_len`; both are freed once, after copying.
    let (pixels, icc) = unsafe {
        let pixels = std::slice::from_raw_parts(out, len).to_vec();
        dr_free(out.cast());
        let icc = if icc.is_null() {
            None
        } else {
            let v = std::slice::from_raw_parts(icc, icc_len as usize).to_vec();
            dr_free(icc.cast());
            Some(v)
        };
        (pixels, icc)
    };
    Ok(Image {
        width,
        height,
        pixels,
        icc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncation_are_clear_errors() {
        assert!(matches!(size(b"not heif"), Err(HeifError::Unreadable(_))));
        assert!(matches!(
            decode(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", 1_000_000),
            Err(HeifError::Unreadable(_))
        ));
    }
}
