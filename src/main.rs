//! Thin: parse the arguments, run, turn the outcome into an exit code and one clear line.
use clap::Parser;

mod cli;
mod progress;

#[cfg(not(feature = "system-alloc"))]
mod blocks;

#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: blocks::BlockCache<mimalloc::MiMalloc> = blocks::BlockCache::new(mimalloc::MiMalloc);

fn main() {
    // `govtext inspect … | head` should end quietly, as Unix tools do, not panic on EPIPE
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // when freed memory goes back to the system (mimalloc's `purge_delay`, option 15 in
    // its v3 header): rows are built on workers and freed on encoders, so pages kept long
    // pile up in peak RSS, and pages given back soon are faulted in again (a madvise per
    // freed run of pages, and a fault per page after it). 300 ms keeps peak RSS within the
    // issue's bound on ten corpora; the large blocks that came back most are kept apart
    // (`blocks`). (Unless MIMALLOC_PURGE_DELAY says otherwise: mimalloc reads it itself.)
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a global option before any thread starts.
        unsafe {
            libmimalloc_sys::mi_option_set(15, 300);
        }
    }
    // and no transparent huge pages: every purged page was faulted in again as a 2 MB page
    // and zeroed whole — ~60 MB of peak RSS and a good part
    // of the system time on the bench corpus. (mimalloc's own `allow_thp` is read when it
    // starts, before main; the process-wide switch works from here.)
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with constant arguments; it only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // zstd (C) allocates through glibc: a compression context for every column chunk, its
    // workspace over glibc's mmap threshold, so each was mapped, faulted in and unmapped
    // again (and a thread's heap trimmed with madvise as it was freed). Held in the heap
    // instead, the next context reuses its pages. (Unless GLIBC_TUNABLES says otherwise.)
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        // SAFETY: mallopt sets glibc's malloc parameters; no thread has started
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        }
    }
    let cli = cli::Cli::parse();
    let code = match cli::main_with(cli) {
        Ok(code) => code,
        Err(e) => {
            // one line: the chain of causes, outermost first
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("govtext: error: {}", chain.join(": "));
            cli::EXIT_FATAL
        }
    };
    std::process::exit(code);
}
