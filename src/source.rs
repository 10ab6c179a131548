//! Inputs → raw documents. Walks files and directories in a deterministic order, reads
//! bytes, splits JSON Lines into records. Everything that cannot become a document here is
//! returned as a reject with its reason, never dropped.

use crate::model::{Reason, RejectRow};
use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
}

pub use crate::model::Hints;

#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    pub source_path: String,
    /// The bytes the document's id and checksum derive from: a file's contents, or a JSON
    /// record's line.
    pub bytes: Vec<u8>,
    pub format: Format,
    /// Set for `.jsonl` records: the already-decoded `text` field.
    pub text: Option<String>,
    pub hints: Hints,
}

#[derive(Debug)]
pub enum Item {
    Doc(RawDoc),
    Reject(RejectRow),
}

#[derive(Debug, Clone)]
pub struct SourceOptions {
    pub max_bytes: u64,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            max_bytes: 512 << 20,
        }
    }
}

fn reject(path: &str, bytes: Option<u64>, reason: Reason, message: String) -> Item {
    Item::Reject(RejectRow {
        source_path: path.to_string(),
        source_bytes: bytes.map(|b| b as i64),
        reason,
        message,
        duplicate_of: None,
    })
}

fn display(p: &Path) -> String {
    // Non-UTF-8 names keep their bytes visible as escapes rather than failing the run.
    match p.to_str() {
        Some(s) => s.to_string(),
        None => p.to_string_lossy().into_owned(),
    }
}

fn ext(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Signatures of files that are certainly not text.
const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"\x1F\x8B", "gzip archive"),
    (b"7z\xBC\xAF", "7z archive"),
    (b"Rar!", "RAR archive"),
    (b"\xD0\xCF\x11\xE0", "OLE document (doc/xls)"),
    (b"PAR1", "Parquet file"),
    (b"\x7FELF", "ELF executable"),
];

/// Why these bytes are not a text document, if they are not.
pub fn sniff_binary(bytes: &[u8]) -> Option<String> {
    for (magic, what) in BINARY_MAGIC {
        if bytes.starts_with(magic) {
            return Some(format!("binary: {what} signature"));
        }
    }
    // UTF-16 has NULs in every other byte; leave those to the decoder.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = memchr::memchr_iter(0, head).count();
    // UTF-16 without a BOM has NULs too (the high byte of ASCII): the decoder's sniff decides
    if nuls > 0 && crate::decode::sniff_utf16(&bytes[..bytes.len() & !1]).is_none() {
        return Some(format!(
            "binary: {nuls} NUL bytes in the first {} bytes",
            head.len()
        ));
    }
    None
}

/// Expands the inputs into files in a deterministic order (names sorted byte-wise, depth
/// first). Hidden names and names starting with `_` inside walked directories are skipped
/// (the Hadoop/Spark convention for metadata such as `_manifest.tsv`); a file named
/// explicitly is always read. Walk errors (loops, unreadable directories) become rejects.
pub fn expand(inputs: &[PathBuf], mut emit: impl FnMut(Result<PathBuf, Item>)) {
    expand_keyed(inputs, |_, entry| emit(entry))
}

/// The key of a file found under the input `root`: its path relative to `root`, `/`
/// between components — what a shard is chosen by, the same wherever the corpus is mounted.
/// A file named on its own is keyed by its file name.
fn key(root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty());
    match rel {
        Some(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        None => path
            .file_name()
            .map_or_else(|| display(path), |n| n.to_string_lossy().into_owned()),
    }
}

/// `expand`, each entry with its key (see `key`).
pub fn expand_keyed(inputs: &[PathBuf], mut emit: impl FnMut(&str, Result<PathBuf, Item>)) {
    for input in inputs {
        if input.as_os_str() == "-" {
            emit("-", Ok(input.clone()));
            continue;
        }
        if let Some(url) = input.to_str().filter(|s| remote::is_url(s)) {
            remote::expand(url, &mut emit);
            continue;
        }
        let meta = match fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                emit(
                    &key(input, input),
                    Err(reject(
                        &display(input),
                        None,
                        Reason::IoError,
                        format!("source: cannot read {}: {e}", display(input)),
                    )),
                );
                continue;
            }
        };
        if !meta.is_dir() {
            emit(&key(input, input), Ok(input.clone()));
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by(|a, b| a.file_name().cmp(b.file_name()))
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || {
                    let n = e.file_name().as_encoded_bytes();
                    !(n.starts_with(b".") || n.starts_with(b"_"))
                }
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => emit(&key(input, e.path()), Ok(e.into_path())),
                Err(err) => {
                    let k = key(input, err.path().unwrap_or(input));
                    let path = err.path().map(display).unwrap_or_else(|| display(input));
                    let msg = if err.loop_ancestor().is_some() {
                        format!("source: symlink loop at {path}")
                    } else {
                        format!("source: {err}")
                    };
                    emit(&k, Err(reject(&path, None, Reason::IoError, msg)));
                }
            }
        }
    }
}

/// Does a file of this extension hold one document per line (JSON Lines)?
fn json_lines(ext: &str) -> bool {
    ext == "jsonl" || ext == "ndjson"
}

/// Reads one file (or stdin for `-`) into raw documents; a `.jsonl` file yields one per line.
pub fn read(path: &Path, opts: &SourceOptions, mut emit: impl FnMut(Item)) {
    let shown = display(path);
    if path.as_os_str() == "-" {
        read_jsonl(std::io::stdin().lock(), "-", opts, emit);
        return;
    }
    let e = ext(path);
    if remote::is_url(&shown) {
        remote::read(&shown, &e, opts, emit);
        return;
    }
    if json_lines(&e) {
        match fs::File::open(path) {
            Ok(f) => read_jsonl(BufReader::new(f), &shown, opts, emit),
            Err(err) => emit(reject(
                &shown,
                None,
                Reason::IoError,
                format!("source: cannot open {shown}: {err}"),
            )),
        }
        return;
    }
    // the size from the open file, without a second walk of its path; from the path when
    // it cannot be opened, so that a file too large is told as such either way
    let file = fs::File::open(path);
    let size = match &file {
        Ok(f) => f.metadata(),
        Err(_) => fs::metadata(path),
    }
    .map(|m| m.len())
    .ok();
    if let Some(s) = size {
        if s > opts.max_bytes {
            emit(reject(
                &shown,
                size,
                Reason::TooLarge,
                format!(
                    "source: {s} bytes exceeds the cap of {} (--max-bytes)",
                    opts.max_bytes
                ),
            ));
            return;
        }
    }
    let mut bytes = Vec::with_capacity(size.unwrap_or(0) as usize);
    let res = file.and_then(|f| f.take(opts.max_bytes + 1).read_to_end(&mut bytes));
    if let Err(err) = res {
        emit(reject(
            &shown,
            size,
            Reason::IoError,
            format!("source: cannot read {shown}: {err}"),
        ));
        return;
    }
    emit(file_item(shown, &e, bytes, opts));
}

/// A file's bytes, read (named `shown`, its extension `e`): a document, or the reject the
/// size cap, an empty or a binary file makes of it.
fn file_item(shown: String, e: &str, bytes: Vec<u8>, opts: &SourceOptions) -> Item {
    let format = if matches!(e, "html" | "htm" | "xhtml") {
        Format::Html
    } else {
        Format::Text
    };
    checked(shown, bytes, format, Hints::default(), opts)
}

/// A document of these bytes, unless the size cap, emptiness or a binary signature makes
/// it a reject.
fn checked(
    shown: String,
    bytes: Vec<u8>,
    format: Format,
    hints: Hints,
    opts: &SourceOptions,
) -> Item {
    let n = bytes.len() as u64;
    if n > opts.max_bytes {
        return reject(
            &shown,
            Some(n),
            Reason::TooLarge,
            format!("source: more than {} bytes (--max-bytes)", opts.max_bytes),
        );
    }
    if let Some(why) = empty_or_binary(&bytes) {
        let reason = if why.starts_with("empty") {
            Reason::Empty
        } else {
            Reason::Binary
        };
        return reject(&shown, Some(n), reason, format!("source: {why}"));
    }
    Item::Doc(RawDoc {
        source_path: shown,
        bytes,
        format,
        text: None,
        hints,
    })
}

/// Inputs in object storage (`s3://bucket/prefix`…): listed as a directory is walked (keys
/// sorted byte-wise, names starting with `.` or `_` left out), each object read as a file is.
mod remote {
    use super::*;

    pub use govtext_dataset::is_store_url as is_url;

    /// The objects below `url`, each with its key below it; a listing that fails is one
    /// reject.
    #[cfg(feature = "cloud")]
    pub fn expand(url: &str, emit: &mut dyn FnMut(&str, Result<PathBuf, Item>)) {
        use govtext_dataset::store::Remote;
        match Remote::open(url).and_then(|r| r.list().map(|keys| (r, keys))) {
            Ok((r, keys)) => {
                for (key, _) in keys {
                    emit(&key, Ok(PathBuf::from(r.url_of(&key))));
                }
            }
            Err(e) => emit(
                url,
                Err(reject(url, None, Reason::IoError, format!("source: {e:#}"))),
            ),
        }
    }

    #[cfg(feature = "cloud")]
    pub fn read(url: &str, e: &str, opts: &SourceOptions, mut emit: impl FnMut(Item)) {
        use govtext_dataset::store::Remote;
        let got = Remote::open(url).and_then(|r| r.get(""));
        let bytes = match got {
            Ok(Some((b, _))) => b,
            Ok(None) => {
                emit(reject(
                    url,
                    None,
                    Reason::IoError,
                    format!("source: {url}: no such object"),
                ));
                return;
            }
            Err(err) => {
                emit(reject(
                    url,
                    None,
                    Reason::IoError,
                    format!("source: {err:#}"),
                ));
                return;
            }
        };
        if json_lines(e) {
            read_jsonl(std::io::Cursor::new(bytes), url, opts, emit);
            return;
        }
        emit(file_item(url.to_string(), e, bytes, opts));
    }

    #[cfg(not(feature = "cloud"))]
    pub fn expand(url: &str, emit: &mut dyn FnMut(&str, Result<PathBuf, Item>)) {
        emit(
            url,
            Err(reject(url, None, Reason::IoError, unsupported(url))),
        );
    }

    #[cfg(not(feature = "cloud"))]
    pub fn read(url: &str, _e: &str, _opts: &SourceOptions, mut emit: impl FnMut(Item)) {
        emit(reject(url, None, Reason::IoError, unsupported(url)));
    }

    #[cfg(not(feature = "cloud"))]
    fn unsupported(url: &str) -> String {
        format!(
            "source: {url}: this govtext was built without the `cloud` feature (object storage)"
        )
    }
}

/// A document handed over in memory (the Python package's bytes, text and table rows),
/// named `path`: its bytes checked as a file's are (the size cap, empty, binary), HTML when
/// it starts with `<`, as a JSON Lines record's text is.
pub fn from_memory(path: &str, bytes: Vec<u8>, hints: Hints, opts: &SourceOptions) -> Item {
    let html = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    let format = if html { Format::Html } else { Format::Text };
    checked(path.to_string(), bytes, format, hints, opts)
}

fn empty_or_binary(bytes: &[u8]) -> Option<String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Some(if bytes.is_empty() {
            "empty: 0 bytes".into()
        } else {
            "empty: only whitespace".into()
        });
    }
    sniff_binary(bytes)
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_jsonl(mut r: impl BufRead, shown: &str, opts: &SourceOptions, mut emit: impl FnMut(Item)) {
    let mut line = Vec::new();
    let mut lineno = 0u64;
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                emit(reject(
                    shown,
                    None,
                    Reason::IoError,
                    format!("source: reading {shown} after line {lineno}: {err}"),
                ));
                break;
            }
        }
        lineno += 1;
        let path = format!("{shown}#L{lineno}");
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue; // blank lines separate nothing in JSON Lines
        }
        let n = line.len() as u64;
        if n > opts.max_bytes {
            emit(reject(
                &path,
                Some(n),
                Reason::TooLarge,
                format!(
                    "source: record of {n} bytes exceeds the cap of {}",
                    opts.max_bytes
                ),
            ));
            continue;
        }
        let v: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => {
                emit(reject(
                    &path,
                    Some(n),
                    Reason::BadRecord,
                    format!("source: line {lineno} is not JSON: {e}"),
                ));
                continue;
            }
        };
        let text = match v.get("text") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                emit(reject(
                    &path,
                    Some(n),
                    Reason::BadRecord,
                    format!("source: line {lineno}: field \"text\" is not a string"),
                ));
                continue;
            }
            None => {
                emit(reject(
                    &path,
                    Some(n),
                    Reason::BadRecord,
                    format!("source: line {lineno}: no field \"text\""),
                ));
                continue;
            }
        };
        if text.trim().is_empty() {
            emit(reject(
                &path,
                Some(n),
                Reason::Empty,
                format!("source: line {lineno}: \"text\" is empty"),
            ));
            continue;
        }
        let hints = Hints {
            id: str_field(&v, "id"),
            title: str_field(&v, "title"),
            url: str_field(&v, "url"),
            date: str_field(&v, "date"),
        };
        let format = if text.trim_start().starts_with('<') {
            Format::Html
        } else {
            Format::Text
        };
        emit(Item::Doc(RawDoc {
            source_path: path,
            bytes: line.clone(),
            format,
            text: Some(text),
            hints,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shard is chosen by the path below the input directory: the same wherever the corpus
    /// is mounted, and for a file named on its own, its name.
    #[test]
    fn keys_do_not_depend_on_where_the_corpus_is() {
        for root in ["/mnt/a/corpus", "corpus", "../x/corpus/"] {
            let root = Path::new(root);
            assert_eq!(
                key(root, &root.join("anhui/hefei/1.txt")),
                "anhui/hefei/1.txt"
            );
        }
        let f = Path::new("/data/in/report.txt");
        assert_eq!(key(f, f), "report.txt");
    }

    fn collect_jsonl(s: &str) -> Vec<Item> {
        let mut out = Vec::new();
        read_jsonl(s.as_bytes(), "x.jsonl", &SourceOptions::default(), |i| {
            out.push(i)
        });
        out
    }

    #[test]
    fn jsonl_records_and_bad_lines() {
        let items = collect_jsonl(
            "{\"id\":\"a\",\"text\":\"甲县新闻\",\"title\":\"标题\"}\n\nnot json\n{\"id\":2,\"text\":5}\n{\"x\":1}\n",
        );
        assert_eq!(items.len(), 4);
        match &items[0] {
            Item::Doc(d) => {
                assert_eq!(d.source_path, "x.jsonl#L1");
                assert_eq!(d.text.as_deref(), Some("甲县新闻"));
                assert_eq!(d.hints.title.as_deref(), Some("标题"));
            }
            other => panic!("{other:?}"),
        }
        let reasons: Vec<(String, Reason)> = items[1..]
            .iter()
            .map(|i| match i {
                Item::Reject(r) => (r.source_path.clone(), r.reason),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("x.jsonl#L3".into(), Reason::BadRecord),
                ("x.jsonl#L4".into(), Reason::BadRecord),
                ("x.jsonl#L5".into(), Reason::BadRecord),
            ]
        );
    }

    #[test]
    fn binary_signatures() {
        assert!(sniff_binary(b"\x89PNG\r\n\x1a\n....")
            .unwrap()
            .contains("PNG"));
        assert!(sniff_binary(b"abc\0def\0\0\0xyz").unwrap().contains("NUL"));
        let le: Vec<u8> = "青禾县报告"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(sniff_binary(&le), None);
        assert_eq!(
            empty_or_binary(b"  \n\t").as_deref(),
            Some("empty: only whitespace")
        );
    }
}
