//! Decoded images and what is done to their pixels: decoding any accepted
//! format within limits, EXIF orientation, conversion to sRGB, resizing.

use std::io::Cursor;

use fast_image_resize as fir;
use image::ImageDecoder;

use crate::ImageError;
use crate::sniff::Format;

/// Tightly packed 8-bit RGB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl RgbImage {
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            data: vec![0; width as usize * height as usize * 3],
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }
}

/// Limits applied before decoding.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_pixels: u64,
    pub max_edge: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 250_000_000,
            max_edge: 65_000,
        }
    }
}

fn check(width: u32, height: u32, limits: Limits) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt(
            "the image declares a size of zero".into(),
        ));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels
        || width > limits.max_edge
        || height > limits.max_edge
    {
        return Err(ImageError::TooLarge {
            width,
            height,
            max: limits.max_pixels,
        });
    }
    Ok(())
}

/// A decoded image and the colour profile it came with.
pub struct Decoded {
    pub image: RgbImage,
    pub icc: Option<Vec<u8>>,
    /// The stored size (before any reduced-scale decode).
    pub full_width: u32,
    pub full_height: u32,
}

/// Decodes a JPEG, PNG, WebP or TIFF to RGB. JPEGs are decoded at the
/// smallest DCT scale that still gives `min_long_edge` pixels.
pub fn decode(
    format: Format,
    bytes: &[u8],
    limits: Limits,
    min_long_edge: u32,
) -> Result<Decoded, ImageError> {
    match format {
        Format::Jpeg => {
            let h = darkroom_jpeg::header(bytes)?;
            check(h.width, h.height, limits)?;
            let icc = crate::meta::jpeg_icc(bytes);
            if matches!(
                h.color,
                darkroom_jpeg::ColorModel::Cmyk | darkroom_jpeg::ColorModel::Ycck
            ) {
                // libjpeg cannot turn CMYK into RGB; the image crate can.
                let mut d = decode_with_image_crate(bytes, image::ImageFormat::Jpeg, limits)?;
                d.icc = None;
                return Ok(d);
            }
            let eighths = darkroom_jpeg::scale_for(h.width, h.height, min_long_edge);
            let rgb = darkroom_jpeg::decode(bytes, eighths, limits.max_pixels)?;
            Ok(Decoded {
                image: RgbImage {
                    width: rgb.width,
                    height: rgb.height,
                    data: rgb.pixels,
                },
                icc,
                full_width: h.width,
                full_height: h.height,
            })
        }
        Format::Png => decode_with_image_crate(bytes, image::ImageFormat::Png, limits),
        Format::Webp => decode_with_image_crate(bytes, image::ImageFormat::WebP, limits),
        Format::Tiff => decode_with_image_crate(bytes, image::ImageFormat::Tiff, limits),
        other if other.is_raw() => {
            let preview = crate::raw::preview(other, bytes)?;
            decode(Format::Jpeg, preview, limits, min_long_edge)
        }
        #[cfg(darkroom_heif)]
        Format::Heic => {
            // libheif applies the container's rotation and mirroring: the
            // pixels come out upright (EXIF orientation is not applied again).
            let (w, h) = heic_size(bytes)?;
            check(w, h, limits)?;
            let img = darkroom_jpeg::heif::decode(bytes, limits.max_pixels).map_err(heif_error)?;
            Ok(Decoded {
                image: RgbImage {
                    width: img.width,
                    height: img.height,
                    data: img.pixels,
                },
                icc: img.icc,
                full_width: img.width,
                full_height: img.height,
            })
        }
        other => Err(ImageError::Unsupported(format!(
            "{} photos are stored, but this build cannot decode them for previews (install libheif: apt install libheif-dev, and rebuild)",
            other.name().to_uppercase()
        ))),
    }
}

/// A HEIC/HEIF image's displayed size, without decoding it.
#[cfg(darkroom_heif)]
pub fn heic_size(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    darkroom_jpeg::heif::size(bytes).map_err(heif_error)
}

#[cfg(darkroom_heif)]
fn heif_error(e: darkroom_jpeg::heif::HeifError) -> ImageError {
    match e {
        darkroom_jpeg::heif::HeifError::TooLarge { width, height, max } => {
            ImageError::TooLarge { width, height, max }
        }
        darkroom_jpeg::heif::HeifError::Unreadable(m) => ImageError::Corrupt(m),
    }
}

fn decode_with_image_crate(
    bytes: &[u8],
    format: image::ImageFormat,
    limits: Limits,
) -> Result<Decoded, ImageError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_edge);
    l.max_image_height = Some(limits.max_edge);
    l.max_alloc = Some(limits.max_pixels.saturating_mul(4).min(2_000_000_000));
    reader.limits(l);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let (w, h) = decoder.dimensions();
    check(w, h, limits)?;
    let icc = decoder.icc_profile().ok().flatten();
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge {
            width: w,
            height: h,
            max: limits.max_pixels,
        },
        other => ImageError::Corrupt(other.to_string()),
    })?;
    let image = if img.color().has_alpha() {
        // Transparent areas become white, as they look on a page.
        let rgba = img.to_rgba8();
        let mut out = RgbImage::new(w, h);
        for (i, p) in rgba.pixels().enumerate() {
            let a = u32::from(p[3]);
            for c in 0..3 {
                out.data[i * 3 + c] = ((u32::from(p[c]) * a + 255 * (255 - a)) / 255) as u8;
            }
        }
        out
    } else {
        RgbImage {
            width: w,
            height: h,
            data: img.to_rgb8().into_raw(),
        }
    };
    Ok(Decoded {
        image,
        icc,
        full_width: w,
        full_height: h,
    })
}

/// Applies EXIF orientation (1 to 8) so the image is upright.
pub fn orient(img: RgbImage, orientation: u8) -> RgbImage {
    if !(2..=8).contains(&orientation) {
        return img;
    }
    let (w, h) = (img.width as usize, img.height as usize);
    let swap = orientation >= 5;
    let (ow, oh) = if swap { (h, w) } else { (w, h) };
    let mut out = vec![0u8; img.data.len()];
    for y in 0..oh {
        for x in 0..ow {
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let s = (sy * w + sx) * 3;
            let d = (y * ow + x) * 3;
            out[d..d + 3].copy_from_slice(&img.data[s..s + 3]);
        }
    }
    RgbImage {
        width: ow as u32,
        height: oh as u32,
        data: out,
    }
}

/// Converts pixels from an embedded profile to sRGB. Profiles that already
/// describe sRGB, and profiles that cannot be used, leave the pixels as they are.
pub fn to_srgb(img: &mut RgbImage, icc: &[u8]) -> Result<bool, String> {
    if crate::meta::is_srgb(crate::meta::icc_description(icc).as_deref()) {
        return Ok(false);
    }
    let src = moxcms::ColorProfile::new_from_slice(icc)
        .map_err(|e| format!("unusable colour profile: {e:?}"))?;
    let dst = moxcms::ColorProfile::new_srgb();
    let t = src
        .create_transform_8bit(
            moxcms::Layout::Rgb,
            &dst,
            moxcms::Layout::Rgb,
            moxcms::TransformOptions::default(),
        )
        .map_err(|e| format!("cannot convert this colour profile: {e:?}"))?;
    let mut out = vec![0u8; img.data.len()];
    t.transform(&img.data, &mut out)
        .map_err(|e| format!("colour conversion failed: {e:?}"))?;
    img.data = out;
    Ok(true)
}

/// The size that fits `long_edge`, keeping the aspect ratio (never larger than the source).
pub fn fit(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge {
        return (width, height);
    }
    let scale = f64::from(long_edge) / f64::from(long);
    let w = ((f64::from(width) * scale).round() as u32).max(1);
    let h = ((f64::from(height) * scale).round() as u32).max(1);
    (w, h)
}

/// A resampling filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Three lobes: the sharpest, for the small renditions, where detail
    /// shows most and the images are small enough for it to cost little.
    Lanczos3,
    /// A sharp cubic with two thirds of Lanczos3's taps: for the preview's
    /// step down from the decoder's output (at most about 1.5x, the decoder
    /// having scaled by n/8), where the two cannot be told apart once encoded.
    CatmullRom,
}

/// Resizes to fit `long_edge` with a Lanczos3 filter (SIMD where the CPU has it).
pub fn resize(img: &RgbImage, long_edge: u32) -> Result<RgbImage, ImageError> {
    let (w, h) = fit(img.width, img.height, long_edge);
    if (w, h) == (img.width, img.height) {
        return Ok(img.clone());
    }
    resize_to(img, w, h, Filter::Lanczos3)
}

/// Resizes to fit `long_edge` with `filter`, keeping the image itself when
/// it already fits.
pub fn resize_owned(img: RgbImage, long_edge: u32, filter: Filter) -> Result<RgbImage, ImageError> {
    let (w, h) = fit(img.width, img.height, long_edge);
    if (w, h) == (img.width, img.height) {
        return Ok(img);
    }
    resize_to(&img, w, h, filter)
}

fn resize_to(img: &RgbImage, w: u32, h: u32, filter: Filter) -> Result<RgbImage, ImageError> {
    let src = fir::images::ImageRef::new(img.width, img.height, &img.data, fir::PixelType::U8x3)
        .map_err(|e| ImageError::Internal(e.to_string()))?;
    let mut dst = fir::images::Image::new(w, h, fir::PixelType::U8x3);
    let filter = match filter {
        Filter::Lanczos3 => fir::FilterType::Lanczos3,
        Filter::CatmullRom => fir::FilterType::CatmullRom,
    };
    let opts = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(filter));
    fir::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(|e| ImageError::Internal(e.to_string()))?;
    Ok(RgbImage {
        width: w,
        height: h,
        data: dst.into_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked() -> RgbImage {
        // 3x2, red at the top-left corner.
        let mut img = RgbImage::new(3, 2);
        img.data[0..3].copy_from_slice(&[255, 0, 0]);
        img
    }

    #[test]
    fn orientations_move_the_corner_where_exif_says() {
        let red = [255, 0, 0];
        type Case = (u8, (u32, u32), (u32, u32));
        let cases: [Case; 8] = [
            (1, (3, 2), (0, 0)),
            (2, (3, 2), (2, 0)),
            (3, (3, 2), (2, 1)),
            (4, (3, 2), (0, 1)),
            (5, (2, 3), (0, 0)),
            (6, (2, 3), (1, 0)),
            (7, (2, 3), (1, 2)),
            (8, (2, 3), (0, 2)),
        ];
        for (o, dims, at) in cases {
            let out = orient(marked(), o);
            assert_eq!((out.width, out.height), dims, "orientation {o}");
            assert_eq!(out.pixel(at.0, at.1), red, "orientation {o}");
        }
    }

    #[test]
    fn fit_keeps_aspect_and_never_grows() {
        assert_eq!(fit(6000, 4000, 2048), (2048, 1365));
        assert_eq!(fit(4000, 6000, 400), (267, 400));
        assert_eq!(fit(300, 200, 400), (300, 200));
    }

    #[test]
    fn png_bomb_is_refused_before_decoding() {
        // A valid PNG header declaring 60000x60000.
        let mut png = Vec::new();
        image::RgbImage::new(16, 16)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png[16..20].copy_from_slice(&60000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60000u32.to_be_bytes());
        let err = decode(Format::Png, &png, Limits::default(), 2048)
            .err()
            .unwrap();
        assert!(
            matches!(err, ImageError::TooLarge { .. } | ImageError::Corrupt(_)),
            "{err:?}"
        );
    }
}
