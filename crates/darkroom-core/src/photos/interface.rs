//! What the other contexts may use of the photos context (the one door in,
//! checked by `.ci/contexts.py`): galleries as a principal may see them, in
//! their order, with their events; the bytes of a photo's renditions; a
//! gallery's photos as one ZIP.

pub(crate) use super::download::{Contents, ZipDownload, zip_of};
pub(crate) use super::gallery::{GalleryView, event_in, load, order_of, target, view};
pub(crate) use super::media::{MediaObject, Rendition, locate, open_for};
