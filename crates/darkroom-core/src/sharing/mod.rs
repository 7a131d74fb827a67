//! Sharing with clients: share links and guest sessions, proofing (hearts,
//! ratings, notes, submission), client downloads, and what clients did.

pub mod activity;
pub mod emails;
pub mod events;
pub mod hot;
pub mod interface;
pub mod proofing;
pub mod share;

/// The sharing context's chores.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.chore("expiry reminders", share::remind_chore);
}
