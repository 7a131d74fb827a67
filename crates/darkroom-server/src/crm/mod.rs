//! The CRM context's part of the server: the studio's clients.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod clients;
    pub mod parts;
}
mod pages {
    pub mod clients;
    pub mod parts;
}

pub fn context() -> Context {
    Context {
        tags: &[("clients", "The studio's clients: people and organisations")],
        api: api::clients::routes,
        pages,
        templates: &[
            ("clients.html", include_str!("templates/clients.html")),
            ("client.html", include_str!("templates/client.html")),
            (
                "client_parts.html",
                include_str!("templates/client_parts.html"),
            ),
        ],
        notices: &[
            ("client_added", "Client added."),
            ("client_saved", "Client saved."),
            (
                "client_deleted",
                "Client deleted. Find it under Deleted clients to restore it.",
            ),
            ("client_restored", "Client restored."),
            ("contact_added", "Contact added."),
            ("address_added", "Address added."),
            ("part_removed", "Removed."),
            (
                "client_merged",
                "Clients merged. The other record's galleries, bookings, contacts and addresses are here now.",
            ),
            (
                "client_unmerged",
                "Merge undone: this client is back with what it had.",
            ),
        ],
        ..Context::named("crm")
    }
}

fn pages() -> Pages {
    use pages::{clients, parts};
    vec![
        ("/clients", get(clients::list)),
        ("/clients/new", get(clients::new_form).post(clients::create)),
        (
            "/clients/{client_id}",
            get(clients::show).post(clients::update),
        ),
        ("/clients/{client_id}/delete", post(clients::delete)),
        ("/clients/{client_id}/restore", post(clients::restore)),
        ("/clients/{client_id}/contacts", post(parts::add_contact)),
        (
            "/clients/{client_id}/contacts/{contact_id}/remove",
            post(parts::remove_contact),
        ),
        ("/clients/{client_id}/addresses", post(parts::add_address)),
        (
            "/clients/{client_id}/addresses/{address_id}/remove",
            post(parts::remove_address),
        ),
        ("/clients/{client_id}/merge", post(parts::merge)),
        ("/clients/{client_id}/unmerge", post(parts::unmerge)),
    ]
}
