//! The `darkroom` binary.

/// Rendering works in bursts of large buffers; jemalloc, with its background
/// thread purging what is unused, gives freed pages back to the system within
/// seconds, so an idle server is small again.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    darkroom_server::cli::run()
}
