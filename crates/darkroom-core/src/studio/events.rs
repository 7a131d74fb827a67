//! What the studio context tells the others (see `Core::publish`).

use darkroom_domain::StudioId;

/// The studio's render settings or watermark changed: every photo's
/// derivatives are made again with them.
#[derive(Clone, Copy, Debug)]
pub struct RenderSettingsChanged {
    pub studio: StudioId,
}
