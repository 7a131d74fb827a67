//! Photos: galleries and the staging area, ingest (browser, tus, card
//! reader), versions, rendering, the media stores, and staff downloads.

pub mod download;
pub mod events;
pub mod gallery;
pub mod import;
pub(crate) mod interface;
pub mod media;
pub mod photo;
pub(crate) mod render;
pub mod upload;

/// The photos context's jobs, chores and what it does on others' events.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.job::<render::RenderVersion>()
        .job::<render::RerenderStudio>()
        .chore("expired uploads", upload::expire_chore)
        .chore("renditions added since", render::complete_renditions_chore)
        .on("render again", render::on_render_settings_changed);
}
