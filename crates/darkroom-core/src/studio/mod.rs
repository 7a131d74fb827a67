//! The studio: its profile and settings, branches, staff and their access
//! (roles, grants), signing in, API tokens, and setting up a new studio.

pub mod access;
pub mod auth;
pub mod branch;
pub mod settings;
pub mod setup;
pub mod staff;
pub mod token;

pub use settings::*;
