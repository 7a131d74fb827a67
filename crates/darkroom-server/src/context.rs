//! What each business context adds to the server, declared in one list of
//! its own (`<context>/mod.rs`): its API operations, its staff pages, its
//! pages for clients holding a link, its templates and its notices. The
//! router, the OpenAPI document, the template environment and the tests that
//! must cover every route are all built from [`all`], so adding a context is
//! one line there and nothing else in the shell.

use axum::routing::MethodRouter;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Page routes: a path template and its handlers.
pub type Pages = Vec<(&'static str, MethodRouter<AppState>)>;

/// One business context's part of the server.
pub struct Context {
    /// The context's name, as its folder is named.
    pub name: &'static str,
    /// Its OpenAPI tags: name and what the operations under it do.
    pub tags: &'static [(&'static str, &'static str)],
    /// Adds its JSON API operations (each with its OpenAPI description).
    pub api: fn(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
    /// Its staff pages.
    pub pages: fn() -> Pages,
    /// Its pages for clients who hold a link (no staff session).
    pub guest_pages: fn() -> Pages,
    /// Its templates: name and source.
    pub templates: &'static [(&'static str, &'static str)],
    /// The notices its forms show after a redirect: code and text.
    pub notices: &'static [(&'static str, &'static str)],
}

impl Context {
    /// A context with nothing registered yet; its module fills in the rest.
    pub const fn named(name: &'static str) -> Self {
        Self {
            name,
            tags: &[],
            api: |r| r,
            pages: Vec::new,
            guest_pages: Vec::new,
            templates: &[],
            notices: &[],
        }
    }
}

/// Every context of the server, the kernel first.
pub fn all() -> [Context; 10] {
    [
        crate::kernel::context(),
        crate::studio::context(),
        crate::photos::context(),
        crate::sharing::context(),
        crate::production::context(),
        crate::crm::context(),
        crate::bookings::context(),
        crate::projects::context(),
        crate::billing::context(),
        crate::portal::context(),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    /// Two contexts claiming one path, template or notice would shadow each
    /// other silently; names are unique across the server.
    #[test]
    fn contexts_claim_distinct_names() {
        let mut paths = HashSet::new();
        let mut templates = HashSet::new();
        let mut notices = HashSet::new();
        for c in super::all() {
            for (p, _) in (c.pages)().into_iter().chain((c.guest_pages)()) {
                assert!(paths.insert(p), "{}: path {p} claimed twice", c.name);
            }
            for (t, _) in c.templates {
                assert!(
                    templates.insert(*t),
                    "{}: template {t} claimed twice",
                    c.name
                );
            }
            for (n, _) in c.notices {
                assert!(notices.insert(*n), "{}: notice {n} claimed twice", c.name);
            }
        }
    }
}
