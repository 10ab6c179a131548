//! The calls that differ between operating systems, in one place, each with a portable
//! fallback: the dataset builds and its tests pass wherever Rust's standard library runs,
//! and Linux gets the cheaper or stronger call.

use anyhow::{Context, Result};
use std::fs;
use std::path::Path;

/// Writes everything of the filesystem that holds `dir` to disk: the data and the
/// directories of every file the run wrote. Linux: one `syncfs` instead of one call per file.
#[cfg(target_os = "linux")]
pub fn sync_filesystem(dir: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let d = fs::File::open(dir).with_context(|| format!("opening {}", dir.display()))?;
    // SAFETY: a file descriptor that stays open for the duration of the call.
    if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("syncing {} to disk", dir.display()));
    }
    Ok(())
}

/// Elsewhere: every file and directory under `dir`, one by one.
#[cfg(not(target_os = "linux"))]
pub fn sync_filesystem(dir: &Path) -> Result<()> {
    fn walk(p: &Path) -> Result<()> {
        let meta = fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
        if meta.is_dir() {
            for e in fs::read_dir(p).with_context(|| format!("listing {}", p.display()))? {
                walk(&e?.path())?;
            }
        }
        // a directory cannot be opened for syncing on every system: best effort there
        match fs::File::open(p) {
            Ok(f) => {
                let r = f.sync_all();
                if !meta.is_dir() {
                    r.with_context(|| format!("syncing {}", p.display()))?;
                }
            }
            Err(e) if !meta.is_dir() => {
                return Err(e).with_context(|| format!("opening {}", p.display()))
            }
            Err(_) => {}
        }
        Ok(())
    }
    walk(dir)
}

/// Takes an exclusive lock on `f` without waiting: `Ok(false)` when another process holds
/// it. The kernel drops the lock when the holder dies, so a crash never leaves it stuck.
#[cfg(unix)]
pub fn try_lock(f: &fs::File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own; no memory is shared with the kernel.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Elsewhere: the standard library's advisory lock.
#[cfg(not(unix))]
pub fn try_lock(f: &fs::File) -> std::io::Result<bool> {
    match f.try_lock() {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Swaps two directories. Linux: atomically, with `renameat2(…, RENAME_EXCHANGE)`. Where
/// that is not supported (another system, or a filesystem without it), two renames through
/// `via`: a crash between them leaves the old dataset at `via`, and the next run clears it.
pub fn exchange(a: &Path, b: &Path, via: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: two NUL-terminated paths that outlive the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if !matches!(
            err.raw_os_error(),
            Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::EOPNOTSUPP)
        ) {
            return Err(err.into());
        }
    }
    fs::rename(b, via)?;
    fs::rename(a, b)?;
    fs::rename(via, a)?;
    Ok(())
}

/// CPU time the calling thread has used so far. Stage times are CPU time, not wall time:
/// with more threads than cores (workers, encoders, the reader and the writer on two cores)
/// a stage timed by the wall clock is charged for the time its thread waited for a core or
/// for the disk, and its share misleads about where the work is.
pub fn thread_cpu() -> std::time::Duration {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        std::time::Duration::ZERO
    }
}

/// CPU time the whole process has used so far (user + sys, every thread).
pub fn process_cpu() -> std::time::Duration {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        std::time::Duration::ZERO
    }
}

#[cfg(unix)]
fn clock(id: libc::clockid_t) -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill; both clocks exist on every
    // Unix that Rust supports, and a failure leaves zero (a stage then shows no time rather
    // than a wrong one).
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clocks' structure, not their speed: timing assertions lose races on a busy
    /// machine. A thread's clock only moves forward and advances with work; the process's
    /// clock holds every thread's, so read after it is never behind it.
    #[cfg(unix)]
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

    #[test]
    fn exchange_swaps_two_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("new"), b"1").unwrap();
        fs::write(b.join("old"), b"2").unwrap();
        exchange(&a, &b, &tmp.path().join("via")).unwrap();
        assert!(b.join("new").exists() && a.join("old").exists());
        assert!(!tmp.path().join("via").exists());
        let f = fs::File::create(tmp.path().join("lock")).unwrap();
        assert!(try_lock(&f).unwrap());
        sync_filesystem(tmp.path()).unwrap();
    }
}
