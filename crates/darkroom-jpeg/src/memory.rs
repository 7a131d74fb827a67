//! The C allocator and image work.
//!
//! Rendering a photo allocates and frees buffers of several megabytes (the
//! decoded pixels, each resized copy, each encoded file). glibc gives blocks
//! that large back to the kernel as soon as they are freed (it maps them on
//! their own, and trims the heap's free top), so every photo paid again to
//! have fresh pages faulted in and zeroed: a tenth of a render's time, in the
//! kernel. [`keep_freed_blocks`] has freed blocks kept for the next photo;
//! [`release_freed_blocks`] hands them back once the work is done.
//!
//! Elsewhere than glibc both do nothing.
//!
//! The server's own (Rust) buffers live in jemalloc, which keeps freed pages
//! for seconds, except that by default it serves blocks of 8 MiB and more
//! (a decoded 24 MP photo, a preview, the file itself) from an arena of
//! their own that hands them back at once: [`JEMALLOC_CONF`] turns that off.

use std::ffi::c_char;

/// jemalloc's start-up options, as a C string pointer.
#[repr(transparent)]
pub struct JemallocConf(*const c_char);

// SAFETY: it points to a static, immutable, NUL-terminated string.
unsafe impl Sync for JemallocConf {}

/// Read by the jemalloc that `tikv-jemallocator` builds (its symbols carry
/// the `_rjem_` prefix) when a binary makes it the global allocator; unused
/// otherwise. `oversize_threshold:0` keeps large blocks in the ordinary
/// arenas, whose freed pages are purged after seconds, not at once;
/// `background_thread:true` has jemalloc's own thread do that purging.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static JEMALLOC_CONF: JemallocConf =
    JemallocConf(c"oversize_threshold:0,background_thread:true".as_ptr());

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::ffi::c_int;

    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
        fn malloc_trim(pad: usize) -> c_int;
    }

    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;

    pub fn keep() {
        // SAFETY: mallopt only changes the allocator's thresholds; both
        // values are in the ranges glibc accepts (the mapping threshold at
        // most 32 MiB on 64-bit systems).
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            mallopt(M_TRIM_THRESHOLD, 512 << 20);
        }
    }

    pub fn release() {
        // SAFETY: malloc_trim returns free memory of every arena to the
        // kernel; it touches no live allocation.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Keeps freed blocks (up to 32 MiB each, up to 512 MiB of free heap
/// top per arena) in the process for reuse instead of returning them to the kernel at
/// once. Process-wide; call it once before image work starts.
pub fn keep_freed_blocks() {
    // Referenced, so the linker keeps the options jemalloc looks for.
    std::hint::black_box(&JEMALLOC_CONF);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(glibc::keep);
    }
}

/// Returns the free memory kept by [`keep_freed_blocks`] to the kernel:
/// for when the image work has been idle a while.
pub fn release_freed_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::release();
}
