//! The CRM context's part of the server: the studio's clients.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod clients;
    pub mod documents;
    pub mod leads;
    pub mod parts;
    pub mod transfer;
}
mod pages {
    pub mod clients;
    pub mod documents;
    pub mod import;
    pub mod inquire;
    pub mod leads;
    pub mod parts;
}

pub fn context() -> Context {
    Context {
        tags: &[
            (
                "clients",
                "The studio's clients: people, couples and organisations",
            ),
            (
                "leads",
                "Inquiries in the studio's pipeline, their tasks and stages",
            ),
        ],
        api: |r| api::leads::routes(api::clients::routes(r)),
        pages,
        guest_pages,
        templates: &[
            ("clients.html", include_str!("templates/clients.html")),
            ("client.html", include_str!("templates/client.html")),
            (
                "client_parts.html",
                include_str!("templates/client_parts.html"),
            ),
            (
                "clients_import.html",
                include_str!("templates/clients_import.html"),
            ),
            ("leads.html", include_str!("templates/leads.html")),
            ("lead.html", include_str!("templates/lead.html")),
            (
                "leads_report.html",
                include_str!("templates/leads_report.html"),
            ),
            ("stages.html", include_str!("templates/stages.html")),
            ("inquire.html", include_str!("templates/inquire.html")),
            (
                "inquire_thanks.html",
                include_str!("templates/inquire_thanks.html"),
            ),
        ],
        notices: NOTICES,
        ..Context::named("crm")
    }
}

/// The notices the CRM's pages show after a form.
const NOTICES: &[(&str, &str)] = &[
    ("client_added", "Client added."),
    ("client_saved", "Client saved."),
    (
        "client_deleted",
        "Client deleted. Find it under Deleted clients to restore it.",
    ),
    ("client_restored", "Client restored."),
    ("contact_added", "Contact added."),
    ("address_added", "Address added."),
    ("document_added", "Document added."),
    ("document_restored", "Document restored."),
    (
        "document_saved",
        "Document saved: its new file is on record.",
    ),
    (
        "document_removed",
        "Document removed. Find it under Removed documents to restore it.",
    ),
    ("part_removed", "Removed."),
    (
        "client_merged",
        "Clients merged. The other record's galleries, bookings, contacts and addresses are here now.",
    ),
    (
        "client_unmerged",
        "Merge undone: this client is back with what it had.",
    ),
    ("lead_added", "Lead added."),
    ("lead_saved", "Lead saved."),
    ("lead_moved", "Lead moved."),
    (
        "lead_converted",
        "Lead converted: it has its client and a project now, in the first won stage.",
    ),
    ("lead_task_added", "Task added."),
    ("lead_task_saved", "Task saved."),
    ("stage_saved", "Stage saved."),
    (
        "inquiry_sent",
        "Thank you: your message has reached the studio.",
    ),
];

fn pages() -> Pages {
    use pages::{clients, documents, import, leads, parts};
    vec![
        ("/clients", get(clients::list)),
        (
            "/clients/import",
            get(import::form).post(import::check_or_import),
        ),
        ("/clients/export.csv", get(import::export)),
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
        (
            "/clients/{client_id}/documents",
            post(documents::add).layer(DefaultBodyLimit::max(documents::FORM_LIMIT)),
        ),
        (
            "/clients/{client_id}/documents/{document_id}/file",
            get(documents::download)
                .post(documents::replace)
                .layer(DefaultBodyLimit::max(documents::FORM_LIMIT)),
        ),
        (
            "/clients/{client_id}/documents/{document_id}/remove",
            post(documents::remove),
        ),
        (
            "/clients/{client_id}/documents/{document_id}/restore",
            post(documents::restore),
        ),
        ("/clients/{client_id}/merge", post(parts::merge)),
        ("/clients/{client_id}/unmerge", post(parts::unmerge)),
        ("/leads", get(leads::board).post(leads::create)),
        ("/leads/report", get(leads::report)),
        (
            "/leads/stages",
            get(leads::stages_page).post(leads::add_stage),
        ),
        ("/leads/stages/{stage_id}", post(leads::change_stage)),
        ("/leads/{lead_id}", get(leads::show).post(leads::update)),
        ("/leads/{lead_id}/move", post(leads::move_lead)),
        ("/leads/{lead_id}/convert", post(leads::convert)),
        ("/leads/{lead_id}/tasks", post(leads::add_task)),
        (
            "/leads/{lead_id}/tasks/{lead_task_id}",
            post(leads::task_done),
        ),
    ]
}

/// The public inquiry form of each branch.
fn guest_pages() -> Pages {
    use pages::inquire;
    vec![
        (
            "/inquire/{branch_id}",
            get(inquire::show).post(inquire::send),
        ),
        ("/inquire/{branch_id}/thanks", get(inquire::thanks)),
    ]
}
