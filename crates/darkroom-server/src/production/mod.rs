//! The production context's part of the server: arranging a gallery (order,
//! cover, sets), the editing queue, and physical deliverables.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod editing;
}
mod pages {
    pub mod editing;
}

pub fn context() -> Context {
    Context {
        tags: &[
            (
                "editing",
                "The editing queue: tasks from clients' selections and edit requests, assignees, priorities, review",
            ),
            (
                "delivery",
                "Physical deliverables (USB, albums, prints): status, carrier, tracking",
            ),
        ],
        api: api::editing::routes,
        pages,
        templates: &[("editing.html", include_str!("templates/editing.html"))],
        notices: &[
            ("photos_placed", "Photos moved."),
            ("cover_set", "Cover photo set."),
            (
                "order_saved",
                "Order saved. The gallery now shows photos in this order.",
            ),
            ("set_created", "Set added."),
            ("set_saved", "Set saved."),
            (
                "set_deleted",
                "Set deleted; its photos stay in the gallery.",
            ),
            ("task_created", "Editing task added to the queue."),
            ("task_saved", "Task saved."),
            ("task_moved", "Task updated."),
            ("deliverable_created", "Deliverable added."),
            ("deliverable_saved", "Deliverable saved."),
            (
                "deliverable_notified",
                "Deliverable saved; the client was emailed.",
            ),
        ],
        ..Context::named("production")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/galleries/{gallery_id}/arrange", post(editing::arrange)),
        ("/galleries/{gallery_id}/sets", post(editing::create_set)),
        ("/sets/{set_id}/edit", post(editing::update_set)),
        ("/sets/{set_id}/delete", post(editing::delete_set)),
        (
            "/galleries/{gallery_id}/deliverables",
            post(editing::create_deliverable),
        ),
        (
            "/deliverables/{deliverable_id}",
            post(editing::update_deliverable),
        ),
        ("/editing", get(editing::queue)),
        ("/editing/{task_id}", post(editing::update_task)),
        ("/editing/{task_id}/{action}", post(editing::move_task)),
    ]
}
