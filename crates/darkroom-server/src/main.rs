//! The `darkroom` binary.

fn main() -> std::process::ExitCode {
    darkroom_server::cli::run()
}
