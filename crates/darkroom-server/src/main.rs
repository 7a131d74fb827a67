//! The `darkroom` binary.

/// Rendering works in bursts of large buffers; mimalloc returns freed pages
/// to the system shortly after, so an idle server is small again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    darkroom_server::cli::run()
}
