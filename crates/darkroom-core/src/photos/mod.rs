//! Photos: galleries and the staging area, ingest (browser, tus, card
//! reader), versions, rendering, the media stores, and staff downloads.

pub mod download;
pub mod gallery;
pub mod import;
pub mod media;
pub mod photo;
pub(crate) mod render;
pub mod upload;
