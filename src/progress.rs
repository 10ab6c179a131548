//! A progress line on stderr while a run is long: documents, MB/s, elapsed. Only on a
//! terminal; a scheduled job's log gets the summary alone.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Instant,
    drawn: bool,
}

impl Progress {
    pub fn new(wanted: bool) -> Progress {
        let now = Instant::now();
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
            started: now,
            last: now,
            drawn: false,
        }
    }

    pub fn tick(&mut self, inputs: u64, bytes: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let mb = bytes as f64 / 1e6;
        eprint!(
            "\r\x1b[2Kgovtext: {inputs} inputs, {mb:.1} MB, {:.1} MB/s, {:.0} docs/s, {secs:.0} s",
            mb / secs,
            inputs as f64 / secs
        );
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }

    pub fn finish(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}
