//! Darkroom's domain: the types and rules every other crate shares.
//!
//! Nothing here does I/O: no database, no HTTP, no async runtime. Rules that
//! can be decided from values alone (who may do what, what a valid id or
//! time zone is, how an audit entry is hashed) live here so they are unit
//! tested once and used everywhere.

pub mod audit;
pub mod authz;
pub mod billing;
pub mod booking;
pub mod busy;
pub mod crm;
pub mod delivery;
pub mod document;
pub mod editing;
pub mod field;
pub mod ical;
pub mod id;
pub mod link;
pub mod money;
pub mod names;
pub mod people;
pub mod permission;
pub mod project;
pub mod tax;
pub mod time;
pub mod validate;

pub use id::*;
pub use time::Timestamp;
