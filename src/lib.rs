//! govtext: Chinese government documents → hive-partitioned Parquet tables.
//!
//! The stages, in the order `pipeline` runs them: `source` → `decode` (+ `html`) → `repair`
//! → `clean` → `convert` → `meta` → `segment` → `extract` → rows (`model`) → `sink`.

pub mod cli;
// the stages live in govtext-core; re-exported so `govtext::meta`, `crate::model`… stay
pub use govtext_core::{clean, convert, decode, extract, html, meta, model, repair, segment};
#[cfg(feature = "analytics")]
pub mod panel;
pub mod pipeline;
pub mod progress;
pub mod schema;
pub mod sink;
pub mod source;
pub mod stats;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One run of the main job, as the command line resolved it.
#[derive(Debug, Clone)]
pub struct Config {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub jobs: usize,
    /// Inputs larger than this are rejected as too_large.
    pub max_bytes: u64,
    pub progress: bool,
    /// Process every input, even those a previous run of the same build already holds.
    pub full_refresh: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub documents: u64,
    pub rejects: u64,
    pub rejects_by_reason: BTreeMap<String, u64>,
    pub input_bytes: u64,
    pub tables: BTreeMap<String, u64>,
    pub stage_times: pipeline::StageTimes,
    pub elapsed: Duration,
    /// CPU time the process used during the run (user + sys, every thread).
    pub cpu: Duration,
    /// The run produced exactly the dataset already committed: nothing was replaced.
    pub unchanged: bool,
    /// Documents carried over from the previous dataset without processing.
    pub reused: u64,
    /// Why the previous dataset was not built on (none there, another build,
    /// `--full-refresh`); `None` when it was.
    pub full_because: Option<String>,
}

impl RunReport {
    pub fn count_reject(&mut self, reason: &str) {
        self.rejects += 1;
        *self
            .rejects_by_reason
            .entry(reason.to_string())
            .or_default() += 1;
    }
}

pub use pipeline::run;

/// CPU time the calling thread has used so far. Stage times are CPU time, not wall time:
/// with more threads than cores (workers, encoders, the reader and the writer on two cores)
/// a stage timed by the wall clock is charged for the time its thread waited for a core or
/// for the disk, and its share misleads about where the work is.
pub fn thread_cpu() -> Duration {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time the whole process has used so far (user + sys, every thread).
pub fn process_cpu() -> Duration {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn clock(id: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill; both clocks exist on every
    // Linux, and a failure leaves zero (a stage then shows no time rather than a wrong one).
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clocks' structure, not their speed: timing assertions lose races on a busy
    /// machine. A thread's clock only moves forward and advances with work; the process's
    /// clock holds every thread's, so read after it is never behind it.
    #[test]
    fn thread_clock_is_part_of_the_process_clock() {
        let t0 = thread_cpu();
        let mut x = 0u64;
        while thread_cpu() == t0 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let t1 = thread_cpu();
        assert!(t1 > t0);
        let p = process_cpu();
        assert!(p >= t1, "process {p:?} < thread {t1:?}");
    }
}
