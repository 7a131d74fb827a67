//! What the sharing context tells the others (see `Core::publish`).

use darkroom_db::entity::{gallery, photo, share_link};
use darkroom_domain::{NoteId, StudioId};

/// A client submitted their selection through a link.
#[derive(Clone, Debug)]
pub struct SelectionSubmitted {
    pub studio: StudioId,
    pub link: share_link::Model,
    pub gallery: gallery::Model,
}

/// A client asked for an edit of one photo.
#[derive(Clone, Debug)]
pub struct EditRequested {
    pub link: share_link::Model,
    pub photo: photo::Model,
    pub note: NoteId,
    pub body: String,
}
