//! Production after the shoot: arranging a gallery (sets, cover, order), the
//! editing queue, and physical deliverables.

pub mod arrange;
pub mod delivery;
pub mod editing;
pub mod emails;

/// What production does on others' events.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.on("task from a selection", editing::on_selection)
        .on("task from an edit request", editing::on_edit_request)
        .on("edits reach their tasks", editing::on_edited_upload);
}
