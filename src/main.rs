//! Thin: parse the arguments, run, turn the outcome into an exit code and one clear line.
use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `govtext inspect … | head` should end quietly, as Unix tools do, not panic on EPIPE
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // return freed memory to the system at once (mimalloc's `purge_delay`, option 15 in its
    // v3 header, default 10 ms): with rows built on workers and freed on encoders the
    // delayed pages piled up to a third of peak RSS; purging at once keeps the peak flat
    // for a few percent of time
    // SAFETY: sets a global option before any thread starts.
    unsafe {
        libmimalloc_sys::mi_option_set(15, 0);
    }
    let cli = govtext::cli::Cli::parse();
    let code = match govtext::cli::main_with(cli) {
        Ok(code) => code,
        Err(e) => {
            // one line: the chain of causes, outermost first
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("govtext: error: {}", chain.join(": "));
            govtext::cli::EXIT_FATAL
        }
    };
    std::process::exit(code);
}
