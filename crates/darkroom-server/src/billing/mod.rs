//! The billing context's part of the server: invoices, credit notes,
//! payments and refunds, clients' accounts, branches' tax settings.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api;
mod pages;
mod stripe;

pub fn context() -> Context {
    Context {
        tags: &[(
            "billing",
            "Invoices, credit notes, payments, refunds and tax (decision 0032)",
        )],
        api: |r| stripe::routes(api::routes(r)),
        pages,
        guest_pages,
        templates: &[
            ("invoices.html", include_str!("templates/invoices.html")),
            ("invoice.html", include_str!("templates/invoice.html")),
            (
                "invoice_money.html",
                include_str!("templates/invoice_money.html"),
            ),
            (
                "invoice_new.html",
                include_str!("templates/invoice_new.html"),
            ),
            (
                "billing_report.html",
                include_str!("templates/billing_report.html"),
            ),
            (
                "billing_settings.html",
                include_str!("templates/billing_settings.html"),
            ),
            (
                "payments_settings.html",
                include_str!("templates/payments_settings.html"),
            ),
        ],
        notices: &[
            ("invoice_drafted", "Draft saved."),
            ("invoice_line_added", "Line added."),
            ("invoice_line_saved", "Line saved."),
            ("invoice_line_removed", "Line removed."),
            (
                "invoice_issued",
                "Invoice issued. It never changes now; correct it with a credit note.",
            ),
            ("invoice_draft_deleted", "Draft deleted."),
            ("payment_recorded", "Payment recorded."),
            ("refund_recorded", "Refund recorded."),
            ("credit_note_issued", "Credit note issued."),
            ("billing_saved", "Billing settings saved."),
            (
                "stripe_saved",
                "Stripe connected: clients can pay invoices by card in their portal.",
            ),
            (
                "stripe_removed",
                "Stripe disconnected: clients can no longer pay by card.",
            ),
        ],
        ..Context::named("billing")
    }
}

fn pages() -> Pages {
    use pages as p;
    vec![
        ("/invoices", get(p::list).post(p::create)),
        ("/invoices/new", get(p::new_form)),
        ("/invoices/{invoice_id}", get(p::show).post(p::update)),
        ("/invoices/{invoice_id}/lines", post(p::add_line)),
        (
            "/invoices/{invoice_id}/lines/{line_id}",
            post(p::change_line),
        ),
        (
            "/invoices/{invoice_id}/lines/{line_id}/remove",
            post(p::remove_line),
        ),
        ("/invoices/{invoice_id}/issue", post(p::issue)),
        ("/invoices/{invoice_id}/pdf", get(p::pdf)),
        ("/invoices/{invoice_id}/delete", post(p::delete)),
        ("/invoices/{invoice_id}/payments", post(p::pay)),
        ("/invoices/{invoice_id}/refunds", post(p::refund)),
        ("/invoices/{invoice_id}/credit-notes", post(p::credit_note)),
        ("/reports/money", get(p::reports)),
        ("/reports/money/{file}", get(p::report_csv)),
        (
            "/branches/{branch_id}/billing",
            get(p::settings).post(p::save_settings),
        ),
        (
            "/settings/payments",
            get(stripe::settings).post(stripe::save),
        ),
        ("/settings/payments/disconnect", post(stripe::disconnect)),
    ]
}

fn guest_pages() -> Pages {
    vec![("/hooks/stripe/{studio_id}", post(stripe::hook))]
}
