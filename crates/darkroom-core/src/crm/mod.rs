//! The studio's clients: people and organisations.

pub mod client;
