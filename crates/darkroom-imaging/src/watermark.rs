//! Watermarks for proofs: the studio's text (set in a bundled typeface) or
//! its own image (a PNG with transparency), placed by position, opacity and
//! scale from the studio's settings.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use serde::{Deserialize, Serialize};

use crate::ImageError;
use crate::pixels::RgbImage;

/// Where the watermark goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Center,
    BottomRight,
    BottomLeft,
    TopRight,
    TopLeft,
    /// Repeated across the whole image.
    Tiled,
}

impl Position {
    pub const ALL: &'static [Position] = &[
        Position::Center,
        Position::BottomRight,
        Position::BottomLeft,
        Position::TopRight,
        Position::TopLeft,
        Position::Tiled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Position::Center => "center",
            Position::BottomRight => "bottom_right",
            Position::BottomLeft => "bottom_left",
            Position::TopRight => "top_right",
            Position::TopLeft => "top_left",
            Position::Tiled => "tiled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.iter().copied().find(|p| p.key() == s).ok_or_else(|| {
            format!("`{s}` is not a watermark position; use center, bottom_right, bottom_left, top_right, top_left or tiled")
        })
    }
}

/// A watermark's coverage: one alpha value per pixel (0 transparent .. 255 opaque)
/// and its colour.
#[derive(Clone, Debug)]
struct Mark {
    width: u32,
    height: u32,
    /// RGBA, premultiplied by nothing: straight alpha.
    rgba: Vec<u8>,
}

enum Source {
    Text(String),
    Image(image::RgbaImage),
}

/// A watermark ready to apply; rendered marks are cached per image width.
pub struct Watermark {
    source: Source,
    pub position: Position,
    /// 0.0 to 1.0.
    pub opacity: f32,
    /// The mark's width as a fraction of the image's width (0.05 to 1.0).
    pub scale: f32,
    cache: Mutex<HashMap<u32, Arc<Mark>>>,
}

impl std::fmt::Debug for Watermark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watermark")
            .field("position", &self.position)
            .field("opacity", &self.opacity)
            .field("scale", &self.scale)
            .finish()
    }
}

fn font() -> Result<FontRef<'static>, ImageError> {
    FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT)
        .map_err(|e| ImageError::Internal(format!("bundled font: {e}")))
}

impl Watermark {
    pub fn text(
        text: &str,
        position: Position,
        opacity: f32,
        scale: f32,
    ) -> Result<Self, ImageError> {
        let t = text.trim();
        if t.is_empty() || t.chars().count() > 80 {
            return Err(ImageError::Unsupported(
                "watermark text must be 1 to 80 characters".into(),
            ));
        }
        font()?;
        Ok(Self::new(
            Source::Text(t.to_string()),
            position,
            opacity,
            scale,
        ))
    }

    /// From a PNG (or any format the image crate reads) with transparency.
    pub fn image(
        bytes: &[u8],
        position: Position,
        opacity: f32,
        scale: f32,
    ) -> Result<Self, ImageError> {
        let mut reader = image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ImageError::Corrupt(e.to_string()))?;
        let mut l = image::Limits::default();
        l.max_image_width = Some(8000);
        l.max_image_height = Some(8000);
        reader.limits(l);
        let img = reader
            .decode()
            .map_err(|e| ImageError::Corrupt(format!("the watermark image cannot be read: {e}")))?;
        Ok(Self::new(
            Source::Image(img.to_rgba8()),
            position,
            opacity,
            scale,
        ))
    }

    fn new(source: Source, position: Position, opacity: f32, scale: f32) -> Self {
        Self {
            source,
            position,
            opacity: opacity.clamp(0.0, 1.0),
            scale: scale.clamp(0.05, 1.0),
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn mark_for(&self, image_width: u32) -> Result<Arc<Mark>, ImageError> {
        if let Ok(c) = self.cache.lock()
            && let Some(m) = c.get(&image_width)
        {
            return Ok(m.clone());
        }
        let target = ((image_width as f32) * self.scale).round().max(8.0) as u32;
        let mark = match &self.source {
            Source::Text(t) => render_text(t, target)?,
            Source::Image(img) => {
                let h = ((img.height() as f32) * (target as f32 / img.width().max(1) as f32))
                    .round()
                    .max(1.0) as u32;
                let resized =
                    image::imageops::resize(img, target, h, image::imageops::FilterType::Triangle);
                Mark {
                    width: target,
                    height: h,
                    rgba: resized.into_raw(),
                }
            }
        };
        let mark = Arc::new(mark);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() > 32 {
                c.clear();
            }
            c.insert(image_width, mark.clone());
        }
        Ok(mark)
    }

    /// Draws the watermark on `img`.
    pub fn apply(&self, img: &mut RgbImage) -> Result<(), ImageError> {
        let mark = self.mark_for(img.width)?;
        let margin = (img.width.min(img.height) / 30) as i64;
        let (iw, ih, mw, mh) = (
            i64::from(img.width),
            i64::from(img.height),
            i64::from(mark.width),
            i64::from(mark.height),
        );
        let spots: Vec<(i64, i64)> = match self.position {
            Position::Center => vec![((iw - mw) / 2, (ih - mh) / 2)],
            Position::BottomRight => vec![(iw - mw - margin, ih - mh - margin)],
            Position::BottomLeft => vec![(margin, ih - mh - margin)],
            Position::TopRight => vec![(iw - mw - margin, margin)],
            Position::TopLeft => vec![(margin, margin)],
            Position::Tiled => {
                let (sx, sy) = (mw + mw / 2, (mh * 3).max(1));
                let mut v = Vec::new();
                let mut row = 0;
                let mut y = -mh / 2;
                while y < ih {
                    let mut x = if row % 2 == 0 { -mw / 3 } else { mw / 2 };
                    while x < iw {
                        v.push((x, y));
                        x += sx;
                    }
                    y += sy;
                    row += 1;
                }
                v
            }
        };
        let op = (self.opacity * 256.0) as u32;
        for (ox, oy) in spots {
            blend(img, &mark, ox, oy, op);
        }
        Ok(())
    }
}

fn blend(img: &mut RgbImage, mark: &Mark, ox: i64, oy: i64, opacity256: u32) {
    let (iw, ih) = (i64::from(img.width), i64::from(img.height));
    for my in 0..i64::from(mark.height) {
        let y = oy + my;
        if y < 0 || y >= ih {
            continue;
        }
        for mx in 0..i64::from(mark.width) {
            let x = ox + mx;
            if x < 0 || x >= iw {
                continue;
            }
            let m = ((my * i64::from(mark.width) + mx) * 4) as usize;
            let a = u32::from(mark.rgba[m + 3]) * opacity256 / 256;
            if a == 0 {
                continue;
            }
            let p = ((y * iw + x) * 3) as usize;
            for c in 0..3 {
                let under = u32::from(img.data[p + c]);
                let over = u32::from(mark.rgba[m + c]);
                img.data[p + c] = ((over * a + under * (255 - a)) / 255) as u8;
            }
        }
    }
}

/// White text with a soft dark outline, so it reads on light and dark photos.
fn render_text(text: &str, target_width: u32) -> Result<Mark, ImageError> {
    let font = font()?;
    let measure = |px: f32| {
        let sf = font.as_scaled(PxScale::from(px));
        let mut w = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                w += sf.kern(p, id);
            }
            w += sf.h_advance(id);
            prev = Some(id);
        }
        w
    };
    let px = (100.0 * target_width as f32 / measure(100.0).max(1.0)).clamp(6.0, 2000.0);
    let sf = font.as_scaled(PxScale::from(px));
    let pad = (px / 12.0).ceil().max(1.0) as u32;
    let width = (measure(px).ceil() as u32 + pad * 2).max(1);
    let height = ((sf.ascent() - sf.descent()).ceil() as u32 + pad * 2).max(1);
    let mut cov = vec![0f32; (width * height) as usize];
    let mut caret = pad as f32;
    let mut prev = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        let glyph =
            id.with_scale_and_position(PxScale::from(px), point(caret, pad as f32 + sf.ascent()));
        caret += sf.h_advance(id);
        prev = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            outlined.draw(|gx, gy, v| {
                let x = b.min.x as i64 + i64::from(gx);
                let y = b.min.y as i64 + i64::from(gy);
                if x >= 0 && y >= 0 && (x as u32) < width && (y as u32) < height {
                    let i = (y as u32 * width + x as u32) as usize;
                    cov[i] = (cov[i] + v).min(1.0);
                }
            });
        }
    }
    let rgba = outlined(&cov, width, height, pad);
    Ok(Mark {
        width,
        height,
        rgba,
    })
}

/// White text over a dark outline: the text's coverage spread by `pad / 2`
/// pixels, drawn under it, as RGBA.
fn outlined(cov: &[f32], width: u32, height: u32, pad: u32) -> Vec<u8> {
    let r = (pad / 2).max(1) as i64;
    let mut rgba = vec![0u8; (width * height * 4) as usize];
    for y in 0..height as i64 {
        for x in 0..width as i64 {
            let i = (y * width as i64 + x) as usize;
            let text_a = cov[i];
            let mut halo: f32 = 0.0;
            for dy in -r..=r {
                for dx in -r..=r {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx >= 0 && ny >= 0 && nx < width as i64 && ny < height as i64 {
                        halo = halo.max(cov[(ny * width as i64 + nx) as usize]);
                    }
                }
            }
            let halo_a = halo * 0.55;
            let a = text_a + halo_a * (1.0 - text_a);
            let lum = if a > 0.0 {
                (255.0 * text_a / a).round()
            } else {
                0.0
            };
            let o = i * 4;
            rgba[o] = lum as u8;
            rgba[o + 1] = lum as u8;
            rgba[o + 2] = lum as u8;
            rgba[o + 3] = (a * 255.0).round() as u8;
        }
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(w: u32, h: u32) -> RgbImage {
        RgbImage {
            width: w,
            height: h,
            data: vec![100; (w * h * 3) as usize],
        }
    }

    #[test]
    fn text_watermark_changes_the_right_area() {
        let wm = Watermark::text("Lumen Studio", Position::BottomRight, 0.8, 0.3).unwrap();
        let mut img = grey(800, 600);
        wm.apply(&mut img).unwrap();
        let changed = |x0: u32, y0: u32, x1: u32, y1: u32| {
            let mut n = 0;
            for y in y0..y1 {
                for x in x0..x1 {
                    if img.pixel(x, y) != [100, 100, 100] {
                        n += 1;
                    }
                }
            }
            n
        };
        assert!(
            changed(500, 450, 800, 600) > 500,
            "the bottom right is marked"
        );
        assert_eq!(changed(0, 0, 300, 300), 0, "the top left is untouched");
    }

    #[test]
    fn opacity_zero_changes_nothing_and_tiled_covers_everywhere() {
        let mut img = grey(400, 300);
        Watermark::text("x", Position::Center, 0.0, 0.5)
            .unwrap()
            .apply(&mut img)
            .unwrap();
        assert!(img.data.iter().all(|v| *v == 100));
        let mut img = grey(600, 600);
        Watermark::text("PROOF", Position::Tiled, 0.5, 0.2)
            .unwrap()
            .apply(&mut img)
            .unwrap();
        for (x0, y0) in [(0, 0), (300, 300), (420, 420)] {
            let mut any = false;
            for y in y0..y0 + 150 {
                for x in x0..x0 + 150 {
                    any |= img.pixel(x, y) != [100, 100, 100];
                }
            }
            assert!(any, "tile near {x0},{y0}");
        }
    }

    #[test]
    fn image_watermarks_respect_transparency() {
        let mut logo = image::RgbaImage::new(10, 10);
        for (x, _, p) in logo.enumerate_pixels_mut() {
            *p = if x < 5 {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            };
        }
        let mut png = Vec::new();
        logo.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let wm = Watermark::image(&png, Position::TopLeft, 1.0, 0.5).unwrap();
        let mut img = grey(100, 100);
        wm.apply(&mut img).unwrap();
        // The logo is 50 px wide at a 3 px margin: its left half is red, its right half transparent.
        assert!(img.pixel(10, 10)[0] > 200);
        assert_eq!(img.pixel(45, 10), [100, 100, 100]);
        assert!(Watermark::image(b"not an image", Position::TopLeft, 1.0, 0.5).is_err());
        assert!(Watermark::text("", Position::TopLeft, 1.0, 0.5).is_err());
    }
}
