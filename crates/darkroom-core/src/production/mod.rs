//! Production after the shoot: arranging a gallery (sets, cover, order), the
//! editing queue, and physical deliverables.

pub mod arrange;
pub mod delivery;
pub mod editing;
