//! The client page's grid: photos in sections (sets), each tile with its
//! aspect-ratio class and the picture sizes the browser picks from.

use darkroom_core::sharing::proofing::{self, ClientGallery};

/// Aspect ratio bucket for the justified grid's CSS classes (`ar-40`..`ar-300`).
pub(super) fn ratio_class(w: i64, h: i64) -> i64 {
    let r = (w.max(1) * 100 + h.max(1) / 2) / h.max(1);
    ((r + 2) / 5 * 5).clamp(40, 300)
}

/// One photo of the page's grid, with its aspect-ratio class.
#[derive(serde::Serialize)]
pub(super) struct GridItem<'a> {
    p: &'a proofing::ClientPhoto,
    class: i64,
    /// Below the first screenful: loaded lazily.
    lazy: bool,
    /// The thumbnail and the medium by width, when there is a medium.
    srcset: Option<String>,
    /// How wide the tile is drawn at each of the grid's row heights.
    sizes: String,
}

/// A tile's drawn width for the browser to pick from `srcset`: the row's
/// height (110, 220 or 280 CSS px, see client.css) times the photo's aspect
/// ratio, with room for a justified row stretching it (x1.4).
fn tile_sizes(class: i64) -> String {
    let w = |row: i64| row * 14 / 10 * class / 100;
    format!(
        "(max-width: 600px) {}px, (min-width: 900px) {}px, {}px",
        w(110),
        w(280),
        w(220)
    )
}

/// The cover: the medium for small screens, the full view for the rest.
pub(super) fn hero_srcset(p: &proofing::ClientPhoto) -> Option<String> {
    let medium = p.medium_url.as_ref()?;
    (p.view_width > p.medium_width).then(|| {
        format!(
            "{medium} {}w, {} {}w",
            p.medium_width, p.view_url, p.view_width
        )
    })
}

/// The cover fills the width, or (a landscape photo on an upright screen)
/// 72% of the height: it is drawn that much wider than the screen.
pub(super) fn hero_sizes(p: &proofing::ClientPhoto) -> String {
    let ratio = p.width as f64 / p.height.max(1) as f64;
    if ratio > 1.0 {
        format!("(orientation: portrait) calc(72vh * {:.2}), 100vw", ratio)
    } else {
        "100vw".into()
    }
}

fn srcset(p: &proofing::ClientPhoto) -> Option<String> {
    let medium = p.medium_url.as_ref()?;
    (p.medium_width > p.width)
        .then(|| format!("{} {}w, {medium} {}w", p.thumb_url, p.width, p.medium_width))
}

/// A section of the page: a set, or the photos in none.
#[derive(serde::Serialize)]
pub(super) struct Section<'a> {
    id: Option<String>,
    name: Option<String>,
    items: Vec<GridItem<'a>>,
}

/// The page's sections: each set with photos, in order, then the photos in
/// no set (the only section when the gallery has no sets).
pub(super) fn sections(g: &ClientGallery) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = g
        .sets
        .iter()
        .map(|s| Section {
            id: Some(s.id.to_string()),
            name: Some(s.name.clone()),
            items: Vec::new(),
        })
        .collect();
    let mut rest = Section {
        id: None,
        name: (!g.sets.is_empty()).then(|| "More photos".to_string()),
        items: Vec::new(),
    };
    let mut n = 0;
    for p in &g.photos {
        let class = ratio_class(p.width, p.height);
        let item = GridItem {
            p,
            class,
            lazy: false,
            srcset: srcset(p),
            sizes: tile_sizes(class),
        };
        let set = p.set_id.map(|i| i.to_string());
        match out.iter_mut().find(|s| set.is_some() && s.id == set) {
            Some(s) => s.items.push(item),
            None => rest.items.push(item),
        }
    }
    out.push(rest);
    out.retain(|s| !s.items.is_empty());
    for s in &mut out {
        for i in &mut s.items {
            i.lazy = n >= 12;
            n += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_fall_in_the_css_buckets() {
        assert_eq!(ratio_class(300, 200), 150);
        assert_eq!(ratio_class(200, 300), 65);
        assert_eq!(ratio_class(100, 100), 100);
        assert_eq!(ratio_class(10_000, 10), 300);
        assert_eq!(ratio_class(10, 10_000), 40);
        assert_eq!(ratio_class(0, 0), 100);
    }
}
