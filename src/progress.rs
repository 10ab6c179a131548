//! A progress line on stderr while a run is long: documents, MB done of the total, MB/s,
//! docs/s and the time left. Only on a terminal; a scheduled job's log gets the summary
//! alone. The total comes from a walk that only reads file sizes, run beside the job.

use govtext::sink::Shard;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The input size, summed by a background walk; `done` once the walk has finished.
#[derive(Default)]
pub struct Total {
    bytes: AtomicU64,
    done: AtomicBool,
}

impl Total {
    /// Starts a thread that sums the sizes of every file the inputs expand to.
    /// (A shard's: the files it owns.)
    pub fn walk(inputs: Vec<PathBuf>, shard: Option<Shard>) -> Arc<Total> {
        let total = Arc::new(Total::default());
        let t = Arc::clone(&total);
        let _ = std::thread::Builder::new()
            .name("govtext-sizer".into())
            .spawn(move || {
                govtext::source::expand_keyed(&inputs, |key, entry| {
                    if shard.is_some_and(|s| !s.owns(key)) {
                        return;
                    }
                    if let Ok(p) = entry {
                        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                        t.bytes.fetch_add(len, Ordering::Relaxed);
                    }
                });
                t.done.store(true, Ordering::Release);
            });
        total
    }

    fn known(&self) -> Option<u64> {
        self.done
            .load(Ordering::Acquire)
            .then(|| self.bytes.load(Ordering::Relaxed))
    }
}

pub struct Progress {
    enabled: bool,
    total: Option<Arc<Total>>,
    started: Instant,
    last: Instant,
    drawn: bool,
}

impl Progress {
    pub fn new(wanted: bool, inputs: &[PathBuf], shard: Option<Shard>) -> Progress {
        let now = Instant::now();
        let enabled = wanted && std::io::stderr().is_terminal();
        Progress {
            enabled,
            // sized only when someone is watching: the walk costs a stat per file
            total: enabled.then(|| Total::walk(inputs.to_vec(), shard)),
            started: now,
            last: now,
            drawn: false,
        }
    }
}

impl govtext::Observer for Progress {
    fn progress(&mut self, inputs: u64, bytes: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r\x1b[2K{}",
            line(
                inputs,
                bytes,
                secs,
                self.total.as_ref().and_then(|t| t.known())
            )
        );
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }

    fn inputs_done(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

/// `govtext: 1200 docs, 12.3/198.0 MB (6%), 7.1 MB/s, 700 docs/s, 0:26 left`
fn line(inputs: u64, bytes: u64, secs: f64, total: Option<u64>) -> String {
    let mb = bytes as f64 / 1e6;
    let rate = mb / secs;
    let mut s = format!("govtext: {inputs} docs, ");
    match total.filter(|t| *t > 0) {
        Some(t) => {
            let tmb = t as f64 / 1e6;
            s += &format!(
                "{mb:.1}/{tmb:.1} MB ({:.0}%), ",
                (mb / tmb * 100.0).min(100.0)
            );
            s += &format!("{rate:.1} MB/s, {:.0} docs/s", inputs as f64 / secs);
            if rate > 0.0 {
                let left = ((tmb - mb).max(0.0) / rate).round() as u64;
                s += &format!(", {}:{:02} left", left / 60, left % 60);
            }
        }
        None => {
            s += &format!(
                "{mb:.1} MB, {rate:.1} MB/s, {:.0} docs/s, {secs:.0} s",
                inputs as f64 / secs
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_shows_share_rate_and_time_left() {
        assert_eq!(
            super::line(700, 14_000_000, 2.0, Some(210_000_000)),
            "govtext: 700 docs, 14.0/210.0 MB (7%), 7.0 MB/s, 350 docs/s, 0:28 left"
        );
        assert_eq!(
            super::line(700, 14_000_000, 2.0, None),
            "govtext: 700 docs, 14.0 MB, 7.0 MB/s, 350 docs/s, 2 s"
        );
    }
}
