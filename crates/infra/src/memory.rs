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
