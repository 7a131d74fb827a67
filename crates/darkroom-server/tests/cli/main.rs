//! Tests of the `darkroom` binary as a process: workers killed with SIGKILL,
//! backup and restore, and the smaller commands.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod card;
mod commands;
mod ical_peers;
mod ingest;
mod peers;
mod s3;
mod shutdown;
mod tus_peers;
mod worker;
