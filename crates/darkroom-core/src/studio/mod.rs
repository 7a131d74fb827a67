//! The studio: its profile and settings, branches, staff and their access
//! (roles, grants), signing in, API tokens, and setting up a new studio.

pub mod access;
pub mod auth;
pub mod branch;
pub mod emails;
pub mod events;
pub mod settings;
pub mod setup;
pub mod staff;
pub mod token;

pub use settings::*;

/// The studio context's jobs and chores.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.job::<auth::PasswordResetRequest>()
        .chore("expired sessions", auth::purge_sessions);
}
