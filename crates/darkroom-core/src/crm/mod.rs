//! The studio's clients: people, couples and organisations, with their
//! contacts and addresses, found by a typo-tolerant search, merged when
//! they turn out to be one (decision 0025).

pub mod client;
pub mod contact;
pub mod document;
pub mod events;
pub mod import;
pub mod interface;
pub mod lead;
pub mod merge;
pub mod parts;

/// What the CRM context runs on its own: reminders before documents run out.
pub(crate) fn register(r: &mut crate::kernel::registry::Registry) {
    r.chore("document expiry reminders", document::remind::remind_chore);
}
