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
