//! Process-wide memory settings, applied first thing in `main`.

/// Caps glibc's malloc at two arenas. By default it gives every thread that allocates its own
/// arena (up to 8 per core) and keeps what they free: the export's blocking threads, which read
/// and compress entries, made the resident size several times the live heap (hundreds of MiB
/// for ~50 MiB of data). Two arenas keep the export's peak near its live memory.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[expect(unsafe_code, reason = "mallopt is glibc's only interface to this setting")]
    // SAFETY: mallopt only changes allocator parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives the pages of freed memory back to the system. glibc returns memory only from the top
/// of an arena: a long job that frees large buffers while small allocations stay alive above
/// them keeps the holes resident, and its resident size creeps up with its length. Cheap
/// (a walk of the free lists), so a long job calls it now and then.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[expect(unsafe_code, reason = "malloc_trim is glibc's only interface to this")]
    // SAFETY: malloc_trim takes the arenas' locks itself and only releases free pages.
    unsafe {
        libc::malloc_trim(0);
    }
}
