//! Documents as PDF (decision 0033): invoices, credit notes, receipts and
//! contracts are typst templates kept in this crate, filled from JSON and
//! typeset in process. The fonts are embedded (Noto Sans for Latin, Nanum
//! Gothic for Hangul, Noto Sans Devanagari for Hindi), so Korean and Hindi
//! names print the same everywhere: no system font look-up, no package
//! download, nothing read from disk.

mod world;

pub use world::Template;

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the document's data could not be written: {0}")]
    Data(String),
    #[error("the document could not be typeset: {0}")]
    Typeset(String),
}

/// Typesets `template` with `data` (exposed to it as `data.json`) and an
/// optional logo image (`logo`: PNG, JPEG or SVG bytes) into a PDF.
pub fn render(
    template: Template,
    data: &impl serde::Serialize,
    logo: Option<&[u8]>,
) -> Result<Vec<u8>, DocError> {
    let json = serde_json::to_vec(data).map_err(|e| DocError::Data(e.to_string()))?;
    world::DocWorld::new(template, json, logo.map(<[u8]>::to_vec), Vec::new()).pdf()
}

/// [`render`] with images the template shows as `image0`, `image1`, ...
/// (a contract's drawn signatures: PNG bytes).
pub fn render_with_images(
    template: Template,
    data: &impl serde::Serialize,
    logo: Option<&[u8]>,
    images: Vec<Vec<u8>>,
) -> Result<Vec<u8>, DocError> {
    let json = serde_json::to_vec(data).map_err(|e| DocError::Data(e.to_string()))?;
    world::DocWorld::new(template, json, logo.map(<[u8]>::to_vec), images).pdf()
}
