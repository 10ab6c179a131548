//! govtext-core: a scraped Chinese government document in, typed rows out. The stages, in
//! the order the pipeline runs them: `decode` (+ `html`) → `repair` → `clean` → `convert` →
//! `meta` → `segment` → `extract`; `model` holds the row structs they fill. No Arrow, Parquet,
//! command line or printing: the `govtext` crate writes the rows and runs the command line.

pub mod clean;
pub mod convert;
pub mod decode;
pub mod extract;
pub mod html;
pub mod meta;
pub mod model;
pub mod process;
pub mod repair;
pub mod segment;
pub mod zh;
