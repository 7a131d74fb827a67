//! The projects context's part of the server: a client's jobs.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api;
mod pages;

pub fn context() -> Context {
    Context {
        tags: &[(
            "projects",
            "Jobs for clients: status, people, milestones, galleries and sessions",
        )],
        api: api::routes,
        pages,
        templates: &[
            ("projects.html", include_str!("templates/projects.html")),
            ("project.html", include_str!("templates/project.html")),
            (
                "project_new.html",
                include_str!("templates/project_new.html"),
            ),
            (
                "project_people.html",
                include_str!("templates/project_people.html"),
            ),
        ],
        notices: &[
            ("project_added", "Project added."),
            ("project_saved", "Project saved."),
            (
                "project_deleted",
                "Project deleted. Find it under Deleted projects to restore it.",
            ),
            ("project_restored", "Project restored."),
            ("milestone_saved", "Milestone saved."),
            ("project_linked", "Added to the project."),
            ("project_unlinked", "Taken out of the project."),
        ],
        ..Context::named("projects")
    }
}

fn pages() -> Pages {
    use pages as p;
    vec![
        ("/projects", get(p::list).post(p::create)),
        ("/projects/new", get(p::new_form)),
        ("/projects/{project_id}", get(p::show).post(p::update)),
        ("/projects/{project_id}/status", post(p::set_status)),
        ("/projects/{project_id}/delete", post(p::delete)),
        ("/projects/{project_id}/restore", post(p::restore)),
        ("/projects/{project_id}/milestones", post(p::add_milestone)),
        (
            "/projects/{project_id}/milestones/{milestone_id}",
            post(p::change_milestone),
        ),
        ("/projects/{project_id}/galleries", post(p::link_gallery)),
        (
            "/projects/{project_id}/galleries/{gallery_id}/remove",
            post(p::unlink_gallery),
        ),
        ("/projects/{project_id}/sessions", post(p::link_session)),
        (
            "/projects/{project_id}/sessions/{booking_id}/remove",
            post(p::unlink_session),
        ),
    ]
}
