//! The grammar of Chinese text that every stage reads, in one leaf module that imports no
//! other module of the crate: what a Chinese character is (`chars`), dates as documents
//! write them (`dates`), heading markers (`markers`) and the character-level
//! traditional→simplified table with the converter it is read from (`t2s`).

pub mod chars;
pub mod dates;
pub mod markers;
pub mod t2s;

/// A regex whose lazy DFA keeps at most 256 KB of states per thread (the crate's default
/// is 2 MB per regex, forward and reverse, per thread: with thirty patterns over a corpus's
/// ever new lines, the caches grow with the corpus).
pub fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(256 << 10)
        .build()
}
