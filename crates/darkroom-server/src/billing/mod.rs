//! The billing context's part of the server: invoices, credit notes,
//! payments and refunds, clients' accounts, branches' tax settings.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api;
mod contracts_api;
mod contracts_pages;
mod pages;
mod sign;
mod stripe;

/// What each page's notice code says.
const NOTICES: &[(&str, &str)] = &[
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
    (
        "contract_drafted",
        "Contract drafted. Build its proposal on the draft invoice, then send it.",
    ),
    ("contract_saved", "Contract saved."),
    (
        "contract_sent",
        "Sent: each signer got their own link by email.",
    ),
    (
        "contract_signed",
        "Countersigned: the contract is signed and its deposit and balance invoices are issued.",
    ),
    ("contract_invoiced", "The schedule's invoices are issued."),
    ("contract_cancelled", "Contract cancelled."),
    ("contract_completed", "Contract completed."),
    (
        "contract_rescheduled",
        "Event moved. Any rescheduling fee of the terms is invoiced.",
    ),
    ("template_saved", "Template saved."),
    ("template_deleted", "Template deleted."),
];

pub fn context() -> Context {
    Context {
        tags: &[(
            "billing",
            "Invoices, credit notes, payments, refunds and tax (decision 0032)",
        )],
        api: |r| contracts_api::routes(stripe::routes(api::routes(r))),
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
            ("contracts.html", include_str!("templates/contracts.html")),
            ("contract.html", include_str!("templates/contract.html")),
            (
                "contract_terms_fields.html",
                include_str!("templates/contract_terms_fields.html"),
            ),
            (
                "contract_templates.html",
                include_str!("templates/contract_templates.html"),
            ),
            ("sign.html", include_str!("templates/sign.html")),
            ("sign_gone.html", include_str!("templates/sign_gone.html")),
        ],
        notices: NOTICES,
        ..Context::named("billing")
    }
}

fn pages() -> Pages {
    use contracts_pages as c;
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
        (
            "/invoices/{invoice_id}/payments/{entry_id}/receipt",
            get(p::receipt),
        ),
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
        ("/contracts", get(c::list).post(c::create)),
        ("/contracts/{contract_id}", get(c::show).post(c::update)),
        ("/contracts/{contract_id}/send", post(c::send_it)),
        (
            "/contracts/{contract_id}/countersign",
            post(c::countersign_it),
        ),
        ("/contracts/{contract_id}/schedule", post(c::schedule_it)),
        ("/contracts/{contract_id}/cancel", post(c::cancel_it)),
        ("/contracts/{contract_id}/complete", post(c::complete_it)),
        (
            "/contracts/{contract_id}/reschedule",
            post(c::reschedule_it),
        ),
        ("/contracts/{contract_id}/pdf", get(c::pdf)),
        (
            "/settings/contract-templates",
            get(c::templates).post(c::template_create),
        ),
        (
            "/settings/contract-templates/{template_id}",
            get(c::template_show).post(c::template_save),
        ),
        (
            "/settings/contract-templates/{template_id}/delete",
            post(c::template_delete),
        ),
    ]
}

fn guest_pages() -> Pages {
    vec![
        ("/hooks/stripe/{studio_id}", post(stripe::hook)),
        ("/sign/{token}", get(sign::show).post(sign::sign_it)),
        ("/sign/{token}/accept", post(sign::accept)),
        ("/sign/{token}/code", post(sign::code)),
        ("/sign/{token}/pdf", get(sign::pdf)),
    ]
}
