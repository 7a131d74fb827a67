//! HTTP tests of the whole application, on the engine chosen by
//! `DARKROOM_TEST_DATABASE_URL` (SQLite when unset).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod accounts;
mod audit;
mod authz;
mod bad_input;
mod billing;
mod bookings;
mod calendar_imports;
mod client_ids;
mod clients;
mod contracts;
mod crm;
mod crm_import;
mod documents;
mod downloads;
mod editing;
mod groups;
mod isolation;
mod leads;
mod link_races;
mod locking;
mod packages;
mod pages;
#[path = "../cli/peers.rs"]
#[allow(dead_code)]
mod peers;
mod photos;
mod portal;
mod projects;
mod proof_downloads;
mod renditions;
mod share_message;
mod sharing;
mod signin;
mod stripe;
mod stripe_peer;
mod tus;
