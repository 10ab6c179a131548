//! The grammar of Chinese text that every stage reads, in one leaf module that imports no
//! other module of the crate: what a Chinese character is (`chars`), dates as documents
//! write them (`dates`), heading markers (`markers`) and the character-level
//! traditional→simplified table with the converter it is read from (`t2s`).

pub mod chars;
pub mod dates;
pub mod markers;
pub mod t2s;
