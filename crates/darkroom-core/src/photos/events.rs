//! What the photos context tells the others (see `Core::publish`).

use darkroom_domain::PhotoId;

use crate::kernel::principal::Principal;

/// An edited or final version of a photo was uploaded.
#[derive(Clone, Debug)]
pub struct EditedVersionAdded {
    /// Who uploaded it.
    pub by: Principal,
    pub photo: PhotoId,
    /// The new version's number.
    pub number: i64,
    pub at: i64,
}
