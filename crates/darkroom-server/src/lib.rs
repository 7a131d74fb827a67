//! The Darkroom server: configuration, the HTTP application (JSON API and
//! pages), and the command line. `main.rs` only calls [`cli::run`].

// The shell: configuration, the application and its middleware, the API's
// and pages' common parts, the command line.
pub mod api;
pub mod app;
pub mod backup;
pub mod cli;
pub mod config;
pub mod context;
pub mod error;
pub mod extract;
pub mod media_cmd;
pub mod observe;
pub mod security;
pub mod state;
pub mod web;

// The business contexts, each registering its part in `context::all`.
pub mod billing;
pub mod bookings;
pub mod crm;
pub mod kernel;
pub mod photos;
pub mod portal;
pub mod production;
pub mod projects;
pub mod sharing;
pub mod studio;

/// Chooses rustls's crypto provider once per process. Several dependencies
/// enable different providers; without a choice, the first TLS connection
/// (PostgreSQL over TLS, SMTP with STARTTLS) would fail.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
