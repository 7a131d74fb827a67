//! The sharing context's part of the server: a gallery's terms and share
//! links on the staff side, and the client's gallery behind a link
//! (`guest.rs`): proofing, notes, submission and downloads.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod sharing;
}
mod closed;
mod grid;
pub mod guest;
pub mod texts;
mod pages {
    pub mod sharing;
}

pub fn context() -> Context {
    Context {
        tags: &[(
            "sharing",
            "Gallery terms, share links for clients (proofing and delivery), and what clients did",
        )],
        api: api::sharing::routes,
        pages,
        guest_pages: guest::pages,
        templates: &[
            ("sharing.html", include_str!("templates/sharing.html")),
            (
                "client_base.html",
                include_str!("templates/client_base.html"),
            ),
            (
                "client_message.html",
                include_str!("templates/client_message.html"),
            ),
            (
                "client_code.html",
                include_str!("templates/client_code.html"),
            ),
            (
                "client_gallery.html",
                include_str!("templates/client_gallery.html"),
            ),
        ],
        notices: &[
            ("terms_saved", "Client and terms saved."),
            (
                "link_revoked",
                "Link revoked. It stops working on its next request, media included.",
            ),
            (
                "selection_reopened",
                "Selection reopened: the client can change it again.",
            ),
        ],
        ..Context::named("sharing")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/galleries/{gallery_id}/sharing", get(sharing::show)),
        (
            "/galleries/{gallery_id}/sharing/terms",
            post(sharing::set_terms),
        ),
        (
            "/galleries/{gallery_id}/sharing/links",
            post(sharing::create_link),
        ),
        ("/links/{link_id}/revoke", post(sharing::revoke)),
        ("/links/{link_id}/reopen", post(sharing::reopen)),
    ]
}
