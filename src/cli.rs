//! The command line: the only place that knows about flags. Each subcommand turns its
//! arguments into a config once and returns the process exit code.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use govtext::pipeline::{self, Resources, StageTimes};
use govtext::schema;
use govtext::source::{self, Item, SourceOptions};
use govtext::{validate, Config};
use std::path::PathBuf;

/// Exit codes: 0 every input became a document (or a shard was written); 3 some inputs
/// were rejected (the dataset is still committed); 1 a fatal error; 2 bad arguments.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FATAL: i32 = 1;
pub const EXIT_REJECTS: i32 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "govtext",
    version,
    about = "Chinese government documents → hive-partitioned Parquet tables"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the main job: inputs → documents, sections, sentences, indicators, rejects.
    Run {
        /// Files and directories (walked recursively), `.txt`, `.html`, `.jsonl`; `-` reads
        /// JSON Lines from stdin; object-store prefixes (`s3://bucket/prefix`, `gs://…`,
        /// `az://…`; credentials and endpoint from the usual `AWS_*`, `GOOGLE_*`, `AZURE_*`
        /// variables). Default: the bundled sample corpus `samples/`.
        inputs: Vec<PathBuf>,
        /// Output dataset directory, or an object-store prefix (`s3://bucket/prefix`): the
        /// dataset is staged locally, then published into the store (see the README).
        #[arg(short, long, default_value = "output")]
        output: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Inputs larger than this many bytes are rejected as too_large.
        #[arg(long, default_value_t = 512 << 20)]
        max_bytes: u64,
        /// No progress line, even on a terminal.
        #[arg(short, long)]
        quiet: bool,
        /// Process every input again. By default a run keeps the rows of inputs whose path
        /// and bytes are unchanged since the dataset in OUTPUT was written (by this same
        /// build), processes new and changed inputs, and drops the rows of removed ones.
        #[arg(long)]
        full_refresh: bool,
        /// Also write `documents.text_original`, the cleaned text in its source script
        /// before traditional→simplified conversion (null without this flag).
        #[arg(long)]
        keep_original: bool,
        /// Process one shard of the inputs: I/N (0 ≤ I < N), or auto/N with I from a Slurm
        /// array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).
        /// Inputs are split by a hash of their path relative to the input directory they are
        /// found under. The shard is written beside OUTPUT, not published: `govtext commit
        /// OUTPUT` publishes all N as one dataset. Every input of a shard is processed.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Publish the shards of a run (`govtext run --shard I/N -o DIR`, for every I) as one
    /// dataset in DIR, atomically: the rows one run over all the inputs would have written.
    Commit {
        #[arg(default_value = "output")]
        dir: PathBuf,
    },
    /// One document through every stage, printed: metadata, what each stage did, the
    /// section tree, the indicators.
    Inspect { file: PathBuf },
    /// The table schemas: JSON (one file per table with --write), Markdown, or DuckDB views.
    Schema {
        #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
        format: SchemaFormat,
        /// Write schemas/<table>.json into this directory instead of printing.
        #[arg(long)]
        write: Option<PathBuf>,
        /// Dataset directory the DuckDB views read.
        #[arg(default_value = "output")]
        dir: PathBuf,
    },
    /// Check a dataset against its manifest; exits 1 on any mismatch.
    Validate {
        #[arg(default_value = "output")]
        dir: PathBuf,
    },
    /// Build the target-versus-outcome panel (region × year × indicator) into DIR/panel/
    /// (needs the `analytics` feature: polars). Run it again after each `govtext run`.
    Panel {
        #[arg(default_value = "output")]
        dir: PathBuf,
    },
    /// Summary of a dataset: documents by year and level, rejects by reason, truncation,
    /// unrepaired mojibake, GDP target and outcome coverage of the work reports.
    Stats {
        #[arg(default_value = "output")]
        dir: PathBuf,
        /// One JSON object, for schedulers.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaFormat {
    Json,
    Markdown,
    /// `CREATE VIEW`s over the dataset in DIR
    Duckdb,
    /// `CREATE TABLE`s with the matching column types
    Postgres,
}

/// The bundled sample corpus, found from the working directory or beside the executable's
/// source tree.
fn default_inputs() -> Result<Vec<PathBuf>> {
    let here = PathBuf::from("samples");
    if here.is_dir() {
        return Ok(vec![here]);
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    if beside.is_dir() {
        return Ok(vec![beside]);
    }
    bail!("no inputs given and no samples/ directory here; run from the govtext checkout or name the inputs")
}

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

fn print_summary(r: &govtext::RunReport, out: &std::path::Path) {
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "govtext: {} documents, {} rejected, {:.1} MB in {:.2} s ({:.1} MB/s, {:.0} docs/s) → {}",
        r.documents,
        r.rejects,
        mb(r.input_bytes),
        secs,
        mb(r.input_bytes) / secs,
        (r.documents + r.rejects) as f64 / secs,
        out.display()
    );
    match &r.full_because {
        None => eprintln!(
            "  incremental: {} documents unchanged and kept, {} inputs processed",
            r.reused,
            r.documents + r.rejects - r.reused
        ),
        Some(why) if why != govtext::sink::carry::NO_DATASET => {
            eprintln!("  full run: {why}")
        }
        Some(_) => {}
    }
    print_outcome(r.unchanged, &r.tables, out);
    if !r.rejects_by_reason.is_empty() {
        let rs: Vec<String> = r
            .rejects_by_reason
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!(
            "  rejected: {} (see {}/rejects/)",
            rs.join(", "),
            out.display()
        );
    }
    let st = stage_line(&r.stage_times);
    if !st.is_empty() {
        eprintln!(
            "  CPU time by stage (all threads; {:.2} CPU-s in all, {:.1} cores busy on average): {st}",
            r.cpu.as_secs_f64(),
            r.cpu.as_secs_f64() / secs
        );
    }
}

/// `what` works on a dataset in a folder: an object-store URL gets a clear error rather
/// than a file not found.
fn local_dir(dir: &std::path::Path, what: &str) -> Result<()> {
    if dir.to_str().is_some_and(govtext::sink::is_store_url) {
        bail!(
            "{what} reads a dataset in a folder, and {} is in object storage: copy it down, or read it in place (DuckDB, polars, pyarrow read s3:// directly)",
            dir.display()
        );
    }
    Ok(())
}

/// What a run or a commit left in `out`: whether anything was replaced, the rows per table.
fn print_outcome(
    unchanged: bool,
    tables: &std::collections::BTreeMap<String, u64>,
    out: &std::path::Path,
) {
    if unchanged {
        eprintln!(
            "  unchanged: the dataset in {} already holds exactly this; nothing replaced",
            out.display()
        );
    }
    let rows: Vec<String> = tables.iter().map(|(t, n)| format!("{t} {n}")).collect();
    eprintln!("  rows: {}", rows.join(", "));
}

/// Stages in pipeline order, each with its CPU time and share: the next thing to make
/// faster is the one with the biggest share.
fn stage_line(t: &StageTimes) -> String {
    const ORDER: [&str; 14] = [
        "setup", "read", "hash", "decode", "repair", "clean", "convert", "meta", "segment",
        "extract", "rows", "accept", "write", "commit",
    ];
    let total: u64 = t.0.values().sum::<u64>().max(1);
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    let mut v: Vec<(&&str, &u64)> = t.0.iter().collect();
    v.sort_by_key(|(k, _)| rank(k));
    v.iter()
        .map(|(k, n)| {
            format!(
                "{k} {:.2}s ({:.0}%)",
                **n as f64 / 1e9,
                **n as f64 * 100.0 / total as f64
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn main_with(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run {
            inputs,
            output,
            jobs,
            max_bytes,
            quiet,
            full_refresh,
            keep_original,
            shard,
        } => {
            let shard = shard
                .map(|s| govtext::sink::Shard::parse(&s, &|k| std::env::var(k).ok()))
                .transpose()?;
            let inputs = if inputs.is_empty() {
                default_inputs()?
            } else {
                inputs
            };
            let jobs = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
            let cfg = Config {
                inputs,
                output: output.clone(),
                jobs,
                max_bytes,
                full_refresh,
                keep_original,
                shard,
            };
            let mut progress = crate::progress::Progress::new(!quiet, &cfg.inputs, shard);
            let report = govtext::run_observed(&cfg, &mut progress)?;
            print_summary(&report, &output);
            if let Some(s) = shard {
                eprintln!(
                    "  shard {s} written to {}; `govtext commit {}` publishes it once every shard is done",
                    govtext::sink::shards::area(&output)?.display(),
                    output.display()
                );
                // a scheduler takes a non-zero exit for a failed task: a shard that wrote
                // its files succeeded, and `commit` reports the run's rejects
                return Ok(EXIT_OK);
            }
            Ok(if report.rejects > 0 {
                EXIT_REJECTS
            } else {
                EXIT_OK
            })
        }
        Command::Commit { dir } => {
            local_dir(&dir, "commit")?;
            let c = govtext::sink::shards::commit(&dir, &govtext::TOOL)?;
            eprintln!(
                "govtext: {} shards committed: {} documents, {} rejected{} → {}",
                c.shards,
                c.documents,
                c.rejects,
                if c.duplicates > 0 {
                    format!(
                        " ({} duplicates of documents in other shards)",
                        c.duplicates
                    )
                } else {
                    String::new()
                },
                dir.display()
            );
            print_outcome(c.unchanged, &c.tables, &dir);
            Ok(if c.rejects > 0 { EXIT_REJECTS } else { EXIT_OK })
        }
        Command::Inspect { file } => inspect(&file),
        Command::Schema { format, write, dir } => {
            match (format, write) {
                (SchemaFormat::Json, Some(dir)) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    for t in schema::all_tables() {
                        let p = dir.join(format!("{t}.json"));
                        std::fs::write(&p, schema::schema_json(t))
                            .with_context(|| format!("writing {}", p.display()))?;
                    }
                }
                (SchemaFormat::Json, None) => {
                    for t in schema::all_tables() {
                        print!("{}", schema::schema_json(t));
                    }
                }
                (SchemaFormat::Markdown, _) => print!("{}", schema::schema_markdown()),
                (SchemaFormat::Duckdb, _) => {
                    print!("{}", schema::duckdb_ddl(&dir.to_string_lossy()))
                }
                (SchemaFormat::Postgres, _) => print!("{}", schema::postgres_ddl()),
            }
            Ok(EXIT_OK)
        }
        Command::Panel { dir } => {
            local_dir(&dir, "panel")?;
            panel(&dir)
        }
        Command::Stats { dir, json } => {
            local_dir(&dir, "stats")?;
            let s = govtext::stats::stats(&dir)?;
            if json {
                println!("{}", serde_json::to_string(&s)?);
            } else {
                print!("{}", govtext::stats::render(&s));
            }
            Ok(EXIT_OK)
        }
        Command::Validate { dir } => {
            local_dir(&dir, "validate")?;
            let problems = validate::validate(&dir)?;
            if problems.is_empty() {
                eprintln!("govtext: {} is valid", dir.display());
                Ok(EXIT_OK)
            } else {
                for p in &problems {
                    eprintln!("govtext: {}: {p}", dir.display());
                }
                Ok(EXIT_FATAL)
            }
        }
    }
}

fn inspect(file: &std::path::Path) -> Result<i32> {
    let res = Resources::load();
    let mut items = Vec::new();
    source::read(file, &SourceOptions::default(), |i| items.push(i));
    let mut any_reject = false;
    for item in items {
        let raw = match item {
            Item::Doc(d) => d,
            Item::Reject(r) => {
                println!(
                    "{}: rejected ({}): {}",
                    r.source_path,
                    r.reason.as_str(),
                    r.message
                );
                any_reject = true;
                continue;
            }
        };
        let mut times = StageTimes::default();
        let (result, trace) = pipeline::process_traced(raw, &res, &mut times);
        let rows = match result {
            Ok(rows) => rows,
            Err(r) => {
                println!(
                    "{}: rejected ({}): {}",
                    r.source_path,
                    r.reason.as_str(),
                    r.message
                );
                any_reject = true;
                continue;
            }
        };
        let d = &rows.document;
        println!("== {} ({})", d.source_path, d.doc_id);
        println!("title        {}", d.title.as_deref().unwrap_or("-"));
        println!("doc_type     {}", d.doc_type.as_str());
        println!(
            "region       {} / {} / {}  code {} ({})  partition {}",
            d.province.as_deref().unwrap_or("-"),
            d.city.as_deref().unwrap_or("-"),
            d.county.as_deref().unwrap_or("-"),
            d.admin_code.as_deref().unwrap_or("-"),
            d.admin_level.map_or("-", |l| l.as_str()),
            rows.partition.dir()
        );
        println!(
            "years        report {:?}  review {:?}  meeting {} {}",
            d.report_year,
            d.review_year,
            d.meeting_date
                .map(govtext::zh::dates::civil_from_days)
                .unwrap_or("-".into()),
            d.meeting.as_deref().unwrap_or("-")
        );
        println!(
            "speaker      {} {}",
            d.speaker_title.as_deref().unwrap_or("-"),
            d.speaker.as_deref().unwrap_or("-")
        );
        println!(
            "decode       {} ({} malformed)",
            d.encoding, d.decode_errors
        );
        println!(
            "repair       pinyin removed {}, mojibake repaired {} / unrepaired {}",
            d.pinyin_removed, d.mojibake_repaired, d.mojibake_unrepaired
        );
        println!(
            "clean        {} chars of chrome removed; truncated {} {} declared {:?}",
            d.boilerplate_chars,
            d.is_truncated,
            d.truncation.map_or("-", |t| t.as_str()),
            d.declared_chars
        );
        println!(
            "convert      script {}, {} chars converted",
            d.script.as_str(),
            d.converted_chars
        );
        println!(
            "counts       {} chars, {} sections, {} sentences, {} indicators",
            d.char_count, d.section_count, d.sentence_count, d.indicator_count
        );
        // what repair and clean changed, with examples, so a figure can be traced back
        println!("-- repair: {} hard wraps joined", trace.wraps_joined);
        for (found, fixed) in trace.mojibake_spans.iter().take(20) {
            if found == fixed {
                println!("   mojibake left as found: {found}");
            } else {
                println!("   mojibake {found} → {fixed}");
            }
        }
        println!("-- clean: {} lines or notes removed", trace.removed.len());
        for (rule, line) in trace.removed.iter().take(12) {
            let short: String = line.chars().take(60).collect();
            println!("   [{}] {short}", rule.as_str());
        }
        println!("-- sections");
        for s in &rows.sections {
            println!(
                "{}{} {}{} [{}]",
                "  ".repeat(s.level.max(1) as usize - 1),
                s.path,
                s.marker,
                s.title,
                s.part.map_or("-", |p| p.as_str())
            );
        }
        println!("-- indicators");
        for i in &rows.indicators {
            println!(
                "{:<28} {:<10} value {:?} {} growth {:?} {} {} {} year {:?} | {}",
                i.subject.as_ref().map_or("-", |s| s.text(&d.text)),
                i.indicator.unwrap_or("-"),
                i.value,
                i.unit.as_deref().unwrap_or(""),
                i.growth_pct,
                i.kind.as_str(),
                i.qualifier
                    .map(govtext::model::Qualifier::as_str)
                    .unwrap_or(""),
                i.commitment
                    .map(govtext::model::Commitment::as_str)
                    .unwrap_or(""),
                i.period_year,
                &rows.document.text[i.mention.clone()]
            );
        }
        println!("-- stage time: {}", stage_line(&times));
    }
    Ok(if any_reject { EXIT_REJECTS } else { EXIT_OK })
}

#[cfg(feature = "analytics")]
fn panel(dir: &std::path::Path) -> Result<i32> {
    let (rows, changed) = govtext::panel::publish(dir)?;
    eprintln!(
        "govtext: panel of {rows} rows → {}/{}{}",
        dir.display(),
        govtext::panel::PANEL_FILE,
        if changed { "" } else { " (unchanged)" }
    );
    Ok(EXIT_OK)
}

#[cfg(not(feature = "analytics"))]
fn panel(_dir: &std::path::Path) -> Result<i32> {
    anyhow::bail!(
        "panel: this govtext was built without the `analytics` feature (polars); build it with the default features"
    )
}
