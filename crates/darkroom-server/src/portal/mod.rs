//! The client portal's part of the server: staff send and revoke sign-in
//! links (API and the client's page); a client opens the link and sees
//! their page.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api;
mod guest;
mod pages;

pub fn context() -> Context {
    Context {
        tags: &[(
            "portal",
            "Sign-in links to the client portal: a client's own page of projects, sessions, galleries and documents",
        )],
        api: api::routes,
        pages,
        guest_pages,
        templates: &[
            ("portal.html", include_str!("templates/portal.html")),
            (
                "portal_gone.html",
                include_str!("templates/portal_gone.html"),
            ),
            (
                "portal_invoice.html",
                include_str!("templates/portal_invoice.html"),
            ),
            ("portal_pay.html", include_str!("templates/portal_pay.html")),
        ],
        notices: &[
            ("portal_link_sent", "Portal link sent."),
            (
                "portal_link_revoked",
                "Portal link revoked: it no longer opens the page.",
            ),
        ],
        ..Context::named("portal")
    }
}

fn pages() -> Pages {
    vec![
        ("/clients/{client_id}/portal-links", post(pages::send)),
        (
            "/clients/{client_id}/portal-links/{portal_link_id}/revoke",
            post(pages::revoke),
        ),
    ]
}

fn guest_pages() -> Pages {
    vec![
        ("/portal", get(guest::home)),
        ("/portal/open/{token}", get(guest::open)),
        ("/portal/sign-out", post(guest::sign_out)),
        ("/portal/documents/{document_id}", get(guest::document)),
        ("/portal/invoices/{invoice_id}", get(guest::invoice)),
        ("/portal/invoices/{invoice_id}/pdf", get(guest::invoice_pdf)),
        (
            "/portal/invoices/{invoice_id}/receipts/{entry_id}",
            get(guest::receipt_pdf),
        ),
        (
            "/portal/contracts/{contract_id}/pdf",
            get(guest::contract_pdf),
        ),
        (
            "/portal/contracts/{contract_id}/sign",
            post(guest::sign_contract),
        ),
        ("/portal/invoices/{invoice_id}/pay", post(guest::pay)),
    ]
}
