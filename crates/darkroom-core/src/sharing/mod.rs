//! Sharing with clients: share links and guest sessions, proofing (hearts,
//! ratings, notes, submission), client downloads, and what clients did.

pub mod activity;
pub mod hot;
pub mod proofing;
pub mod share;
