//! Tests of the `darkroom` binary as a process: workers killed with SIGKILL,
//! backup and restore, and the smaller commands.

mod commands;
mod peers;
mod worker;
