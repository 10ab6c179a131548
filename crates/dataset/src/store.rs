//! Object storage: inputs read from, and datasets published to, `s3://bucket/prefix` (any
//! S3-compatible store: endpoint, region and credentials from the usual `AWS_*` variables,
//! `AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP=true` for a store on plain HTTP), `gs://` and
//! `az://` (their own `GOOGLE_*` and `AZURE_*` variables), through the `object_store` crate.
//!
//! A run into a store writes its dataset in a local staging directory as always, then
//! `publish` puts it in the store so that a reader of the manifest never sees half a run:
//!
//! 1. every data file is uploaded under a name no manifest has listed unless it held the same
//!    bytes: `part-00000-<first 16 hex of its sha256>.parquet` (a file the dataset already
//!    has, byte for byte, is not uploaded again);
//! 2. `_manifest.json` is replaced with a conditional put (`If-Match` the version this run
//!    read, `If-None-Match: *` when there was none): a run that lost the race to another
//!    fails, names it, and removes the files only it uploaded;
//! 3. `_SUCCESS` (`manifest_sha256=…`) is written, vouching for that manifest;
//! 4. the files the previous manifest listed and the new one does not are deleted, last.
//!
//! A reader that reads `_manifest.json` and then the files it lists gets one whole dataset,
//! the old or the new (or, for a file deleted in step 4 after it read the old manifest, a
//! not-found it answers by reading the manifest again). A reader that lists
//! `s3://…/indicators/**/*.parquet` sees exactly the dataset outside a publish; between the
//! first upload and the last delete it may see the new files beside the old ones.

use crate::sink::commit::Manifest;
use anyhow::{bail, Context, Result};
use futures::TryStreamExt;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

pub use crate::is_store_url as is_url;

/// A place in an object store: the store (one per bucket, shared) and the prefix in it.
#[derive(Clone)]
pub struct Remote {
    pub url: String,
    store: Arc<dyn ObjectStore>,
    prefix: StorePath,
}

/// The stores opened so far, by scheme and bucket: a run reads thousands of inputs from one.
fn stores() -> &'static Mutex<HashMap<String, Arc<dyn ObjectStore>>> {
    static S: OnceLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// One runtime for every blocking call into the stores (the pipeline's threads are plain
/// threads).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("govtext-store")
            .enable_all()
            .build()
            .expect("starting the object store's runtime")
    })
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

impl Remote {
    /// Opens `url` (`s3://bucket/prefix`…), configured from the environment.
    pub fn open(url: &str) -> Result<Remote> {
        let (scheme, rest) = url.split_once("://").context("not a URL")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("{url}: no bucket");
        }
        let key = format!("{scheme}://{bucket}");
        let mut all = stores().lock().expect("stores");
        let store = match all.get(&key) {
            Some(s) => s.clone(),
            None => {
                let s: Arc<dyn ObjectStore> = match scheme {
                    "s3" | "s3a" => Arc::new(
                        object_store::aws::AmazonS3Builder::from_env()
                            .with_url(&key)
                            .build()
                            .with_context(|| format!("{url}: opening the S3 store"))?,
                    ),
                    "gs" => Arc::new(
                        object_store::gcp::GoogleCloudStorageBuilder::from_env()
                            .with_url(&key)
                            .build()
                            .with_context(|| format!("{url}: opening the GCS store"))?,
                    ),
                    "az" | "abfs" | "abfss" => Arc::new(
                        object_store::azure::MicrosoftAzureBuilder::from_env()
                            .with_url(&key)
                            .build()
                            .with_context(|| format!("{url}: opening the Azure store"))?,
                    ),
                    "memory" => Arc::new(object_store::memory::InMemory::new()),
                    other => bail!("{url}: unknown object store scheme {other}://"),
                };
                all.insert(key, s.clone());
                s
            }
        };
        Ok(Remote {
            url: url.trim_end_matches('/').to_string(),
            store,
            prefix: StorePath::from(prefix.trim_matches('/')),
        })
    }

    fn at(&self, rel: &str) -> StorePath {
        let mut p = self.prefix.clone();
        for part in rel.split('/').filter(|s| !s.is_empty()) {
            p = p.join(part);
        }
        p
    }

    /// The URL of the object `rel` below the prefix.
    pub fn url_of(&self, rel: &str) -> String {
        format!("{}/{rel}", self.url)
    }

    /// Every object below the prefix: (its key relative to the prefix, its size), sorted by
    /// key; names starting with `.` or `_` below the prefix are left out (as a walk leaves
    /// them out of a directory).
    pub fn list(&self) -> Result<Vec<(String, u64)>> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let metas: Vec<object_store::ObjectMeta> = block(self.store.list(prefix).try_collect())
            .with_context(|| format!("listing {}", self.url))?;
        let skip = |rel: &str| {
            rel.split('/')
                .any(|s| s.starts_with('.') || s.starts_with('_'))
        };
        let mut out: Vec<(String, u64)> = metas
            .into_iter()
            .filter_map(|m| {
                let rel = m
                    .location
                    .prefix_match(&self.prefix)?
                    .map(|p| p.as_ref().to_string())
                    .collect::<Vec<_>>()
                    .join("/");
                (!rel.is_empty() && !skip(&rel)).then_some((rel, m.size))
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// The bytes of `rel`, or `None` when there is no such object.
    pub fn get(&self, rel: &str) -> Result<Option<(Vec<u8>, UpdateVersion)>> {
        let got = block(async {
            match self.store.get(&self.at(rel)).await {
                Ok(r) => {
                    let v = UpdateVersion {
                        e_tag: r.meta.e_tag.clone(),
                        version: r.meta.version.clone(),
                    };
                    Ok(Some((r.bytes().await?.to_vec(), v)))
                }
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        got.with_context(|| format!("reading {}", self.url_of(rel)))
    }

    fn put(&self, rel: &str, bytes: Vec<u8>, mode: PutMode) -> object_store::Result<()> {
        let opts = PutOptions {
            mode,
            ..PutOptions::default()
        };
        block(
            self.store
                .put_opts(&self.at(rel), PutPayload::from(bytes), opts),
        )
        .map(|_| ())
    }

    fn delete(&self, rels: &[String]) -> Result<()> {
        for rel in rels {
            match block(self.store.delete(&self.at(rel))) {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e).with_context(|| format!("deleting {}", self.url_of(rel))),
            }
        }
        Ok(())
    }

    /// Publishes the dataset staged in `local` (its `manifest`, files named as the writer
    /// named them) into the store, in the order the module's comment gives. Returns false,
    /// writing nothing, when the store already holds exactly this dataset.
    pub fn publish(&self, local: &Path, manifest: &Manifest) -> Result<bool> {
        match self.plan(manifest)? {
            Some(plan) => self.apply(local, plan).map(|()| true),
            None => Ok(false),
        }
    }

    /// What publishing `manifest` takes, from what the store holds now; `None` when it
    /// already holds exactly this.
    fn plan(&self, manifest: &Manifest) -> Result<Option<Plan>> {
        let mut m = manifest.clone();
        let mut renames: Vec<(String, String)> = Vec::new();
        for f in &mut m.files {
            let named = content_name(&f.path, &f.sha256);
            renames.push((f.path.clone(), named.clone()));
            f.path = named;
        }
        let mut body = Vec::new();
        m.to_json(&mut body)?;
        body.push(b'\n');
        let sha = crate::sink::writer::hex(&<sha2::Sha256 as sha2::Digest>::digest(&body));
        let previous = self.get("_manifest.json")?;
        let had: Vec<String> = match &previous {
            Some((bytes, _)) => serde_json::from_slice::<Manifest>(bytes)
                .with_context(|| format!("{}: the manifest there is not govtext's", self.url))?
                .files
                .into_iter()
                .map(|f| f.path)
                .collect(),
            None => {
                if !self.list()?.is_empty() {
                    bail!(
                        "{} holds objects but no govtext dataset (_manifest.json); refusing to write into it",
                        self.url
                    );
                }
                Vec::new()
            }
        };
        let success = format!("manifest_sha256={sha}\n");
        if previous.as_ref().is_some_and(|(b, _)| *b == body)
            && self
                .get("_SUCCESS")?
                .is_some_and(|(s, _)| s == success.as_bytes())
        {
            return Ok(None);
        }
        Ok(Some(Plan {
            renames,
            now: m.files.into_iter().map(|f| f.path).collect(),
            body,
            success,
            had,
            version: previous.map(|(_, v)| v),
        }))
    }

    fn apply(&self, local: &Path, plan: Plan) -> Result<()> {
        let had: HashSet<&str> = plan.had.iter().map(String::as_str).collect();
        // 1. the data files, under names no manifest lists unless with the same bytes
        let mut uploaded = Vec::new();
        for (from, to) in &plan.renames {
            if had.contains(to.as_str()) {
                continue;
            }
            let bytes = std::fs::read(local.join(from))
                .with_context(|| format!("reading {}", local.join(from).display()))?;
            self.put(to, bytes, PutMode::Overwrite)
                .with_context(|| format!("uploading {}", self.url_of(to)))?;
            uploaded.push(to.clone());
        }
        // 2. the manifest, only over the version this run read
        let mode = match &plan.version {
            Some(v) => PutMode::Update(v.clone()),
            None => PutMode::Create,
        };
        if let Err(e) = self.put("_manifest.json", plan.body, mode) {
            let lost = matches!(
                e,
                object_store::Error::Precondition { .. }
                    | object_store::Error::AlreadyExists { .. }
            );
            // the files only this run uploaded, less any the winner's manifest lists
            let theirs: HashSet<String> = match self.get("_manifest.json") {
                Ok(Some((b, _))) => serde_json::from_slice::<Manifest>(&b)
                    .map(|m| m.files.into_iter().map(|f| f.path).collect())
                    .unwrap_or_default(),
                _ => HashSet::new(),
            };
            let ours: Vec<String> = uploaded
                .into_iter()
                .filter(|p| !theirs.contains(p))
                .collect();
            let _ = self.delete(&ours);
            if lost {
                bail!(
                    "another run published to {} while this one ran; this run's dataset was not published (run it again)",
                    self.url
                );
            }
            return Err(e).with_context(|| format!("writing {}", self.url_of("_manifest.json")));
        }
        // 3. what vouches for it
        self.put("_SUCCESS", plan.success.into_bytes(), PutMode::Overwrite)
            .with_context(|| format!("writing {}", self.url_of("_SUCCESS")))?;
        // 4. the previous dataset's files this one does not list
        let now: HashSet<&str> = plan.now.iter().map(String::as_str).collect();
        let gone: Vec<String> = plan
            .had
            .iter()
            .filter(|p| !now.contains(p.as_str()))
            .cloned()
            .collect();
        self.delete(&gone)
    }
}

/// A publish worked out against the store's state when it was read.
struct Plan {
    /// (staged file, name in the store)
    renames: Vec<(String, String)>,
    /// the files the new manifest lists
    now: Vec<String>,
    /// the new manifest's bytes, and `_SUCCESS`'s
    body: Vec<u8>,
    success: String,
    /// the files the previous manifest listed, and its version
    had: Vec<String>,
    version: Option<UpdateVersion>,
}

/// `documents/year=2024/province_code=CN-LN/part-00000.parquet` with sha256 `ab12…` →
/// `documents/year=2024/province_code=CN-LN/part-00000-ab12….parquet` (16 hex digits).
fn content_name(path: &str, sha256: &str) -> String {
    let tag = &sha256[..sha256.len().min(16)];
    match path.strip_suffix(".parquet") {
        Some(stem) => format!("{stem}-{tag}.parquet"),
        None => format!("{path}-{tag}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::commit::Inputs;
    use crate::sink::writer::FileEntry;
    use crate::sink::{RowOptions, Tool};

    fn manifest(files: &[(&str, &str)]) -> Manifest {
        let files = files
            .iter()
            .map(|(p, sha)| FileEntry {
                table: p.split('/').next().unwrap().to_string(),
                path: p.to_string(),
                rows: 1,
                bytes: 1,
                sha256: sha.repeat(64 / sha.len()),
            })
            .collect();
        let tool = Tool {
            version: "0",
            build: "b",
        };
        Manifest::new(
            files,
            Inputs::Held(Vec::new()),
            &tool,
            RowOptions::default(),
        )
    }

    fn stage(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, b) in files {
            let p = d.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b).unwrap();
        }
        d
    }

    /// Publishes twice into an in-memory store: files under content names, the same file
    /// not uploaded again, the old files deleted only after the new manifest is in.
    #[test]
    fn publish_replaces_the_dataset_in_order() {
        let r = Remote::open("memory://bucket-a/data/set").unwrap();
        let one = stage(&[
            ("documents/y=1/part-00000.parquet", b"one"),
            ("rejects/part-00000.parquet", b"r"),
        ]);
        let m1 = manifest(&[
            ("documents/y=1/part-00000.parquet", "a1"),
            ("rejects/part-00000.parquet", "c3"),
        ]);
        assert!(r.publish(one.path(), &m1).unwrap());
        let keys: Vec<String> = r.list().unwrap().into_iter().map(|k| k.0).collect();
        assert_eq!(
            keys,
            [
                "documents/y=1/part-00000-a1a1a1a1a1a1a1a1.parquet",
                "rejects/part-00000-c3c3c3c3c3c3c3c3.parquet"
            ]
        );
        assert_eq!(
            r.get("documents/y=1/part-00000-a1a1a1a1a1a1a1a1.parquet")
                .unwrap()
                .unwrap()
                .0,
            b"one"
        );
        // the same dataset again: nothing written
        assert!(!r.publish(one.path(), &m1).unwrap());
        // a new documents file, the same rejects file: one upload, one delete
        let two = stage(&[
            ("documents/y=1/part-00000.parquet", b"two"),
            ("rejects/part-00000.parquet", b"r"),
        ]);
        let m2 = manifest(&[
            ("documents/y=1/part-00000.parquet", "b2"),
            ("rejects/part-00000.parquet", "c3"),
        ]);
        assert!(r.publish(two.path(), &m2).unwrap());
        let keys: Vec<String> = r.list().unwrap().into_iter().map(|k| k.0).collect();
        assert_eq!(
            keys,
            [
                "documents/y=1/part-00000-b2b2b2b2b2b2b2b2.parquet",
                "rejects/part-00000-c3c3c3c3c3c3c3c3.parquet"
            ]
        );
        let listed: Manifest =
            serde_json::from_slice(&r.get("_manifest.json").unwrap().unwrap().0).unwrap();
        assert_eq!(
            listed.files[0].path,
            "documents/y=1/part-00000-b2b2b2b2b2b2b2b2.parquet"
        );
        let success = String::from_utf8(r.get("_SUCCESS").unwrap().unwrap().0).unwrap();
        assert!(success.starts_with("manifest_sha256="));
    }

    #[test]
    fn a_run_that_loses_the_race_publishes_nothing() {
        let r = Remote::open("memory://bucket-b/x").unwrap();
        let one = stage(&[("documents/part-00000.parquet", b"one")]);
        assert!(r
            .publish(
                one.path(),
                &manifest(&[("documents/part-00000.parquet", "a1")])
            )
            .unwrap());
        // this run reads the store, then another run publishes before it is done
        let mine = stage(&[("documents/part-00000.parquet", b"mine")]);
        let plan = r
            .plan(&manifest(&[("documents/part-00000.parquet", "b2")]))
            .unwrap()
            .unwrap();
        let theirs = stage(&[("documents/part-00000.parquet", b"theirs")]);
        assert!(r
            .publish(
                theirs.path(),
                &manifest(&[("documents/part-00000.parquet", "c3")])
            )
            .unwrap());
        let e = r.apply(mine.path(), plan).unwrap_err();
        assert!(e.to_string().contains("another run published"), "{e}");
        // the winner's dataset, whole; this run's upload removed
        let keys: Vec<String> = r.list().unwrap().into_iter().map(|k| k.0).collect();
        assert_eq!(keys, ["documents/part-00000-c3c3c3c3c3c3c3c3.parquet"]);
        // and a prefix holding someone else's objects is never written into
        let other = Remote::open("memory://bucket-b/y").unwrap();
        other
            .put("notes.txt", b"x".to_vec(), PutMode::Overwrite)
            .unwrap();
        let e = other
            .publish(
                one.path(),
                &manifest(&[("documents/part-00000.parquet", "a1")]),
            )
            .unwrap_err();
        assert!(e.to_string().contains("no govtext dataset"), "{e}");
    }

    #[test]
    fn urls_and_listing() {
        assert!(
            is_url("s3://b/p") && is_url("gs://b") && !is_url("/data/s3/x") && !is_url("corpus")
        );
        let r = Remote::open("memory://bucket-c/in/").unwrap();
        for k in ["b/2.txt", "a.txt", "_meta.tsv", ".hidden/x.txt", "b/1.txt"] {
            r.put(k, b"x".to_vec(), PutMode::Overwrite).unwrap();
        }
        let keys: Vec<String> = r.list().unwrap().into_iter().map(|k| k.0).collect();
        assert_eq!(keys, ["a.txt", "b/1.txt", "b/2.txt"]);
        assert_eq!(r.url_of("a.txt"), "memory://bucket-c/in/a.txt");
        assert!(r.get("missing.txt").unwrap().is_none());
    }
}
