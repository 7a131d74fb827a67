//! SeaORM entities: one module per table, plain rows with no behaviour.

pub mod api_token;
pub mod audit_entry;
pub mod auth_session;
pub mod auth_throttle_row;
pub mod branch;
pub mod client;
pub mod created_id;
pub mod email;
pub mod gallery;
pub mod gallery_event;
pub mod instance_setting;
pub mod job;
pub mod link_session;
pub mod membership;
pub mod one_time_token;
pub mod permission_grant;
pub mod photo;
pub mod photo_note;
pub mod photo_version;
pub mod proof_mark;
pub mod role;
pub mod role_assignment;
pub mod share_link;
pub mod studio;
pub mod upload;
pub mod user;
