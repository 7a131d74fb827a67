//! The CRM context's part of the server: the studio's clients.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod clients;
}
mod pages {
    pub mod clients;
}

pub fn context() -> Context {
    Context {
        tags: &[("clients", "The studio's clients: people and organisations")],
        api: api::clients::routes,
        pages,
        templates: &[
            ("clients.html", include_str!("templates/clients.html")),
            ("client.html", include_str!("templates/client.html")),
        ],
        notices: &[
            ("client_added", "Client added."),
            ("client_saved", "Client saved."),
            (
                "client_deleted",
                "Client deleted. Find it under Deleted clients to restore it.",
            ),
            ("client_restored", "Client restored."),
        ],
        ..Context::named("crm")
    }
}

fn pages() -> Pages {
    use pages::clients;
    vec![
        ("/clients", get(clients::list)),
        ("/clients/new", get(clients::new_form).post(clients::create)),
        (
            "/clients/{client_id}",
            get(clients::show).post(clients::update),
        ),
        ("/clients/{client_id}/delete", post(clients::delete)),
        ("/clients/{client_id}/restore", post(clients::restore)),
    ]
}
