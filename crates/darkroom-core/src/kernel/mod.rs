//! What every context stands on: the core's context and settings, the one
//! error type, the audit log, the job runner and the email outbox, the one
//! authorization function, ids handed out by clients, cursors, secrets.

pub mod audit;
pub mod body;
pub(crate) mod cpu;
pub(crate) mod created;
pub(crate) mod ctx;
pub mod database;
pub mod error;
pub mod jobs;
pub mod listing;
pub mod mail;
pub mod password;
pub mod principal;
pub mod registry;
pub mod secret;
pub mod tenant;
pub mod write;

/// The kernel's own jobs and chores.
pub(crate) fn register(r: &mut registry::Registry) {
    r.job::<mail::SendEmail>()
        .chore("old jobs", jobs::purge_old_jobs);
}
