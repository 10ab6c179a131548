//! Thin: parse the arguments, run, turn the outcome into an exit code and one clear line.
use clap::Parser;

fn main() {
    // `govtext inspect … | head` should end quietly, as Unix tools do, not panic on EPIPE
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
