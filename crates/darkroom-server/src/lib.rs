//! The Darkroom server: configuration, the HTTP application (JSON API and
//! pages), and the command line. `main.rs` only calls [`cli::run`].

pub mod api;
pub mod app;
pub mod backup;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod observe;
pub mod security;
pub mod state;
pub mod web;
