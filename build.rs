//! A fingerprint of everything that decides the rows (the code, the dictionaries and tables
//! in data/, the locked dependency versions), compiled in as `GOVTEXT_BUILD`. An incremental
//! run reuses a document's rows only when the dataset was written by the same build: when
//! the rules improve, every document is processed again.
use sha2::{Digest, Sha256};
use std::path::Path;

fn add_dir(h: &mut Sha256, dir: &Path) {
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(_) => return,
    };
    entries.sort();
    for p in entries {
        if p.is_dir() {
            add_dir(h, &p);
        } else if let Ok(bytes) = std::fs::read(&p) {
            h.update(p.to_string_lossy().as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
}

fn main() {
    let mut h = Sha256::new();
    for d in ["src", "crates", "data"] {
        add_dir(&mut h, Path::new(d));
        println!("cargo:rerun-if-changed={d}");
    }
    if let Ok(lock) = std::fs::read("Cargo.lock") {
        h.update(&lock);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=GOVTEXT_BUILD={hex}");
}
