//! The Darkroom server: configuration, the HTTP application (JSON API and
//! pages), and the command line. `main.rs` only calls [`cli::run`].

pub mod api;
pub mod app;
pub mod backup;
pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod extract;
pub mod media_cmd;
pub mod observe;
pub mod security;
pub mod state;
pub mod web;

/// Chooses rustls's crypto provider once per process. Several dependencies
/// enable different providers; without a choice, the first TLS connection
/// (PostgreSQL over TLS, SMTP with STARTTLS) would fail.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
