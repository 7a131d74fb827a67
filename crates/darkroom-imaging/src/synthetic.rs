//! Made-up photographs for demo data and tests: a sky, a sun and hills,
//! different for every seed. No camera, no EXIF, no private data.

use crate::ImageError;

/// A JPEG of `width`x`height` pixels.
pub fn landscape(width: u32, height: u32, seed: u32) -> Result<Vec<u8>, ImageError> {
    let (w, h) = (width as usize, height as usize);
    let mut px = vec![0u8; w * h * 3];
    let mix = |a: u32, b: u32| (a.wrapping_mul(2_654_435_761) ^ b.wrapping_mul(40_503)) % 256;
    let hue = mix(seed, 1) as f32 / 255.0;
    let sun_x = (0.2 + 0.6 * mix(seed, 2) as f32 / 255.0) * w as f32;
    let sun_y = (0.15 + 0.3 * mix(seed, 3) as f32 / 255.0) * h as f32;
    let sun_r = h as f32 * (0.05 + 0.06 * mix(seed, 4) as f32 / 255.0);
    let horizon = 0.55 + 0.2 * mix(seed, 5) as f32 / 255.0;
    let waves = 2.0 + 5.0 * mix(seed, 6) as f32 / 255.0;
    for y in 0..h {
        let fy = y as f32 / h as f32;
        for x in 0..w {
            let fx = x as f32 / w as f32;
            let hill =
                horizon + 0.06 * (fx * waves + hue * 6.0).sin() + 0.03 * (fx * waves * 3.1).cos();
            let (r, g, b) = if fy > hill {
                let d = (fy - hill) / (1.0 - hill).max(0.01);
                (
                    40.0 + 60.0 * hue - 30.0 * d,
                    90.0 + 50.0 * (1.0 - hue) - 40.0 * d,
                    50.0 - 20.0 * d,
                )
            } else {
                let dx = x as f32 - sun_x;
                let dy = y as f32 - sun_y;
                let dist = (dx * dx + dy * dy).sqrt();
                let glow = (1.0 - dist / (sun_r * 4.0)).max(0.0);
                if dist < sun_r {
                    (255.0, 236.0, 190.0)
                } else {
                    (
                        70.0 + 150.0 * fy + 120.0 * glow + 40.0 * hue,
                        110.0 + 90.0 * fy + 90.0 * glow,
                        200.0 - 60.0 * fy + 20.0 * glow - 50.0 * hue,
                    )
                }
            };
            let i = (y * w + x) * 3;
            px[i] = r.clamp(0.0, 255.0) as u8;
            px[i + 1] = g.clamp(0.0, 255.0) as u8;
            px[i + 2] = b.clamp(0.0, 255.0) as u8;
        }
    }
    Ok(darkroom_jpeg::encode(&px, width, height, 88)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn seeds_differ_and_sizes_hold() {
        let a = super::landscape(120, 80, 1).unwrap();
        let b = super::landscape(120, 80, 2).unwrap();
        assert_ne!(a, b);
        let h = darkroom_jpeg::header(&a).unwrap();
        assert_eq!((h.width, h.height), (120, 80));
    }
}
