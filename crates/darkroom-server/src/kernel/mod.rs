//! The kernel's part of the server: the audit log, background jobs and
//! outgoing email, as API operations and staff pages.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod audit;
    pub mod ops;
}
mod pages {
    pub mod audit;
    pub mod ops;
}

pub fn context() -> Context {
    Context {
        tags: &[
            ("audit", "The tamper-evident audit log"),
            ("operations", "Background jobs and outgoing email"),
        ],
        api: |r| api::ops::routes(api::audit::routes(r)),
        pages,
        templates: &[
            ("audit.html", include_str!("templates/audit.html")),
            ("operations.html", include_str!("templates/operations.html")),
        ],
        notices: &[
            ("job_retried", "The job will run again shortly."),
            ("email_resent", "The email will be sent again shortly."),
        ],
        ..Context::named("kernel")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/audit", get(audit::list)),
        ("/audit/export", get(audit::export)),
        ("/operations", get(ops::show)),
        ("/operations/jobs/{job_id}/retry", post(ops::retry_job)),
        (
            "/operations/emails/{email_id}/resend",
            post(ops::resend_email),
        ),
    ]
}
