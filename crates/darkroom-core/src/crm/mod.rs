//! The studio's clients: people, couples and organisations, with their
//! contacts and addresses, found by a typo-tolerant search, merged when
//! they turn out to be one (decision 0025).

pub mod client;
pub mod contact;
pub mod events;
pub mod import;
pub mod interface;
pub mod lead;
pub mod merge;
pub mod parts;
