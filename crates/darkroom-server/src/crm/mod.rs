//! The CRM context's part of the server: the studio's clients.

use crate::context::Context;

mod api {
    pub mod clients;
}

pub fn context() -> Context {
    Context {
        tags: &[("clients", "The studio's clients: people and organisations")],
        api: api::clients::routes,
        ..Context::named("crm")
    }
}
