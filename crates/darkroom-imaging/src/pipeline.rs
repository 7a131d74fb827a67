//! A photo's derivatives: a thumbnail (~400 px), a medium (~800 px, for
//! screens of twice and three times the density), a preview (~2048 px), a
//! watermarked proof and its medium, all upright (EXIF orientation applied), in sRGB, and
//! re-encoded from pixels so no EXIF (GPS or anything else) reaches clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::ImageError;
use crate::pixels::{self, Limits};
use crate::sniff::Format;
use crate::watermark::Watermark;

/// Sizes, qualities and the watermark.
#[derive(Clone, Debug)]
pub struct RenderSettings {
    pub thumb_edge: u32,
    /// The medium's long edge: grid tiles on 2x and 3x screens.
    pub medium_edge: u32,
    pub preview_edge: u32,
    pub thumb_quality: u8,
    pub preview_quality: u8,
    pub proof_quality: u8,
    pub watermark: Option<Arc<Watermark>>,
    pub limits: Limits,
}

impl Default for RenderSettings {
    fn default() -> Self {
        Self {
            thumb_edge: 400,
            medium_edge: 800,
            preview_edge: 2048,
            thumb_quality: 80,
            preview_quality: 85,
            proof_quality: 82,
            watermark: None,
            limits: Limits::default(),
        }
    }
}

/// One encoded JPEG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derivative {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The derivatives, and facts learnt while making them.
#[derive(Clone, Debug)]
pub struct Derivatives {
    pub thumb: Derivative,
    /// Clean, for staff and for links that show clean photos.
    pub medium: Derivative,
    pub preview: Derivative,
    pub proof: Derivative,
    /// The proof's medium (watermarked), for proofing links; none when the
    /// studio has no watermark (the medium serves then).
    pub medium_proof: Option<Derivative>,
    /// An embedded profile other than sRGB was converted.
    pub converted_colour: bool,
}

/// Up to this many pixels a rendition gets Huffman tables fitted to it: on a
/// thumbnail or a medium the second pass costs about a millisecond, and
/// these are the files a gallery grid sends by the hundred. Larger ones (the
/// previews and proofs) use the standard tables: fitting them would cost
/// more than the rest of their encode for files 1 to 3 % smaller.
const OPTIMIZED_HUFFMAN_MAX_PIXELS: u64 = 1_000_000;

fn encode(img: &pixels::RgbImage, quality: u8) -> Result<Derivative, ImageError> {
    let huffman = if u64::from(img.width) * u64::from(img.height) <= OPTIMIZED_HUFFMAN_MAX_PIXELS {
        darkroom_jpeg::Huffman::Optimized
    } else {
        darkroom_jpeg::Huffman::Standard
    };
    let bytes = darkroom_jpeg::encode_with(&img.data, img.width, img.height, quality, huffman)?;
    Ok(Derivative {
        bytes,
        width: img.width,
        height: img.height,
    })
}

/// Where one render's time went, stage by stage (the benchmark prints
/// the sums; a regression shows in the stage that grew).
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Entropy decoding, the scaled IDCT and YCbCr to RGB.
    pub decode: Duration,
    /// An embedded profile other than sRGB converted to sRGB.
    pub colour: Duration,
    pub resize: Duration,
    /// EXIF orientation applied.
    pub orient: Duration,
    pub watermark: Duration,
    pub encode_thumb: Duration,
    pub encode_medium: Duration,
    pub encode_preview: Duration,
    pub encode_proof: Duration,
    pub encode_medium_proof: Duration,
}

impl StageTimes {
    /// The stages with their names, in pipeline order.
    pub fn named(&self) -> [(&'static str, Duration); 10] {
        [
            ("decode", self.decode),
            ("colour", self.colour),
            ("resize", self.resize),
            ("orient", self.orient),
            ("watermark", self.watermark),
            ("encode thumb", self.encode_thumb),
            ("encode medium", self.encode_medium),
            ("encode preview", self.encode_preview),
            ("encode proof", self.encode_proof),
            ("encode medium proof", self.encode_medium_proof),
        ]
    }

    pub fn add(&mut self, o: &StageTimes) {
        self.decode += o.decode;
        self.colour += o.colour;
        self.resize += o.resize;
        self.orient += o.orient;
        self.watermark += o.watermark;
        self.encode_thumb += o.encode_thumb;
        self.encode_medium += o.encode_medium;
        self.encode_preview += o.encode_preview;
        self.encode_proof += o.encode_proof;
        self.encode_medium_proof += o.encode_medium_proof;
    }
}

/// Runs `f`, adding its time to `slot`.
fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *slot += start.elapsed();
    out
}

/// Renders the derivatives of a photo of `format` whose EXIF orientation is `orientation`.
pub fn render(
    format: Format,
    bytes: &[u8],
    orientation: u8,
    s: &RenderSettings,
) -> Result<Derivatives, ImageError> {
    render_timed(format, bytes, orientation, s).map(|(d, _)| d)
}

/// [`render`], also telling where the time went.
pub fn render_timed(
    format: Format,
    bytes: &[u8],
    orientation: u8,
    s: &RenderSettings,
) -> Result<(Derivatives, StageTimes), ImageError> {
    let mut t = StageTimes::default();
    let decoded = timed(&mut t.decode, || {
        pixels::decode(format, bytes, s.limits, s.preview_edge)
    })?;
    let icc = decoded.icc;
    let mut preview = timed(&mut t.resize, || {
        pixels::resize_owned(decoded.image, s.preview_edge, pixels::Filter::CatmullRom)
    })?;
    let converted_colour = timed(&mut t.colour, || match &icc {
        Some(icc) => pixels::to_srgb(&mut preview, icc).unwrap_or(false),
        None => false,
    });
    // HEIF pixels come out of libheif already upright.
    let orientation = if format == Format::Heic {
        1
    } else {
        orientation
    };
    let preview = timed(&mut t.orient, || pixels::orient(preview, orientation));
    let medium_edge = s.medium_edge.max(s.thumb_edge).min(s.preview_edge);
    let (medium, thumb) = timed(&mut t.resize, || {
        let medium = pixels::resize(&preview, medium_edge)?;
        // From the medium: a smaller step that the thumbnail's size cannot tell apart.
        let thumb = pixels::resize(&medium, s.thumb_edge)?;
        Ok::<_, ImageError>((medium, thumb))
    })?;
    let thumb = timed(&mut t.encode_thumb, || encode(&thumb, s.thumb_quality))?;
    // Each clean rendition is encoded, then marked in place for its proof:
    // no copies. Each is marked at its own size (the mark's size and margin
    // follow the image's), so the proof's medium needs no second resize.
    let mut medium_px = medium;
    let medium = timed(&mut t.encode_medium, || encode(&medium_px, s.thumb_quality))?;
    let mut preview_px = preview;
    let preview = timed(&mut t.encode_preview, || {
        encode(&preview_px, s.preview_quality)
    })?;
    let (proof, medium_proof) = match &s.watermark {
        Some(wm) => {
            timed(&mut t.watermark, || {
                wm.apply(&mut preview_px)?;
                wm.apply(&mut medium_px)
            })?;
            (
                timed(&mut t.encode_proof, || encode(&preview_px, s.proof_quality))?,
                Some(timed(&mut t.encode_medium_proof, || {
                    encode(&medium_px, s.thumb_quality)
                })?),
            )
        }
        None => (
            timed(&mut t.encode_proof, || encode(&preview_px, s.proof_quality))?,
            None,
        ),
    };
    let d = Derivatives {
        thumb,
        medium,
        preview,
        proof,
        medium_proof,
        converted_colour,
    };
    Ok((d, t))
}

/// Reads type, size and EXIF from a file's bytes.
pub fn probe(bytes: &[u8], limits: Limits) -> Result<(Format, crate::meta::PhotoMeta), ImageError> {
    let format = crate::sniff(bytes)?;
    let mut meta = crate::meta::PhotoMeta {
        orientation: 1,
        ..Default::default()
    };
    let (w, h, icc) = match format {
        Format::Jpeg => {
            let h = darkroom_jpeg::header(bytes)?;
            crate::jpeg_check::check_complete(bytes)?;
            (h.width, h.height, crate::meta::jpeg_icc(bytes))
        }
        Format::Png | Format::Webp | Format::Tiff => {
            let img_format = match format {
                Format::Png => image::ImageFormat::Png,
                Format::Webp => image::ImageFormat::WebP,
                _ => image::ImageFormat::Tiff,
            };
            let mut reader =
                image::ImageReader::with_format(std::io::Cursor::new(bytes), img_format);
            reader.no_limits();
            let mut d = reader
                .into_decoder()
                .map_err(|e| ImageError::Corrupt(e.to_string()))?;
            use image::ImageDecoder;
            let (w, h) = d.dimensions();
            (w, h, d.icc_profile().ok().flatten())
        }
        #[cfg(darkroom_heif)]
        Format::Heic => {
            let (w, h) = crate::pixels::heic_size(bytes)?;
            (w, h, None)
        }
        f if f.is_raw() => {
            match crate::raw::preview(f, bytes).and_then(|p| Ok(darkroom_jpeg::header(p)?)) {
                Ok(h) => (h.width, h.height, None),
                Err(_) => (0, 0, None),
            }
        }
        _ => (0, 0, None),
    };
    if u64::from(w) * u64::from(h) > limits.max_pixels || w > limits.max_edge || h > limits.max_edge
    {
        return Err(ImageError::TooLarge {
            width: w,
            height: h,
            max: limits.max_pixels,
        });
    }
    meta.width = w;
    meta.height = h;
    crate::meta::read_exif(format, bytes, &mut meta);
    if format == Format::Heic {
        // The container's own rotation is authoritative and libheif applies
        // it; an EXIF orientation in a HEIF file must not be applied again.
        meta.orientation = 1;
    }
    if let Some(desc) = icc.as_deref().and_then(crate::meta::icc_description) {
        meta.colour_profile = Some(desc);
    }
    Ok((format, meta))
}
