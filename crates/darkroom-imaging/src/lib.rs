//! Darkroom's image work, all synchronous and CPU-bound: callers run it on a
//! blocking thread (or a pool sized to the cores), never on the async executor.
//!
//! - `sniff`: what a file is, from its bytes (never its name).
//! - `meta`: EXIF (capture time, camera, lens, exposure, orientation, GPS)
//!   and the embedded colour profile.
//! - `pixels`: decoded RGB images; orientation, sRGB conversion, resizing.
//! - `watermark`: text or image watermarks.
//! - `raw`: the JPEG previews embedded in camera raw files.
//! - `pipeline`: a photo's thumbnail, preview and watermarked proof.
//!
//! Every decode checks the declared pixel size against a limit before any
//! pixel is decoded, so a 600-byte file declaring 60000x60000 pixels costs
//! nothing.

pub mod jpeg_check;
pub mod meta;
pub mod pipeline;
pub mod pixels;
pub mod raw;
pub mod sniff;
pub mod synthetic;
pub mod watermark;

pub use darkroom_jpeg::memory;
pub use pipeline::{Derivative, Derivatives, RenderSettings, render};
pub use sniff::{Format, sniff};

/// Why an image could not be read or rendered. Messages are for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("{0}")]
    Unsupported(String),
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("the image declares {width}x{height} pixels, more than the {max} pixels accepted")]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("{0}")]
    Internal(String),
}

impl From<darkroom_jpeg::JpegError> for ImageError {
    fn from(e: darkroom_jpeg::JpegError) -> Self {
        use darkroom_jpeg::JpegError as J;
        match e {
            J::TooLarge { width, height, max } => ImageError::TooLarge { width, height, max },
            J::Truncated => ImageError::Corrupt(
                "the JPEG data ends before the image does (truncated file)".into(),
            ),
            J::Corrupt(m) => ImageError::Corrupt(m),
            J::Encode(m) => ImageError::Internal(m),
        }
    }
}

/// The SHA-256 of some bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
