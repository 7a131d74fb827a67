//! A photo's derivatives: a thumbnail (~400 px), a medium (~800 px, for
//! screens of twice and three times the density), a preview (~2048 px), a
//! watermarked proof and its medium, all upright (EXIF orientation applied), in sRGB, and
//! re-encoded from pixels so no EXIF (GPS or anything else) reaches clients.

use std::sync::Arc;

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

fn encode(img: &pixels::RgbImage, quality: u8) -> Result<Derivative, ImageError> {
    let bytes = darkroom_jpeg::encode(&img.data, img.width, img.height, quality)?;
    Ok(Derivative {
        bytes,
        width: img.width,
        height: img.height,
    })
}

/// Renders the derivatives of a photo of `format` whose EXIF orientation is `orientation`.
pub fn render(
    format: Format,
    bytes: &[u8],
    orientation: u8,
    s: &RenderSettings,
) -> Result<Derivatives, ImageError> {
    let decoded = pixels::decode(format, bytes, s.limits, s.preview_edge)?;
    let mut preview = pixels::resize(&decoded.image, s.preview_edge)?;
    drop(decoded.image);
    let converted_colour = match &decoded.icc {
        Some(icc) => pixels::to_srgb(&mut preview, icc).unwrap_or(false),
        None => false,
    };
    // HEIF pixels come out of libheif already upright.
    let orientation = if format == Format::Heic {
        1
    } else {
        orientation
    };
    let preview = pixels::orient(preview, orientation);
    let medium_edge = s.medium_edge.max(s.thumb_edge).min(s.preview_edge);
    let medium = pixels::resize(&preview, medium_edge)?;
    // From the medium: a smaller step that the thumbnail's size cannot tell apart.
    let thumb = pixels::resize(&medium, s.thumb_edge)?;
    let thumb = encode(&thumb, s.thumb_quality)?;
    let medium = encode(&medium, s.thumb_quality)?;
    let (proof, medium_proof) = match &s.watermark {
        Some(wm) => {
            let mut marked = preview.clone();
            wm.apply(&mut marked)?;
            let small = pixels::resize(&marked, medium_edge)?;
            (
                encode(&marked, s.proof_quality)?,
                Some(encode(&small, s.thumb_quality)?),
            )
        }
        None => (encode(&preview, s.proof_quality)?, None),
    };
    let preview = encode(&preview, s.preview_quality)?;
    Ok(Derivatives {
        thumb,
        medium,
        preview,
        proof,
        medium_proof,
        converted_colour,
    })
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
