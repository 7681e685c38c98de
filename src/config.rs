//! A validated run configuration, built from the command-line flags.
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use tch::Device;

/// Directory name of the model shipped in `models/`.
pub const DEFAULT_MODEL: &str = "ner-distilbert-cased";
/// Alias table shipped in `data/`.
pub const DEFAULT_ALIASES: &str = "aliases.tsv";

/// Where the repository's shipped files are: the current directory if it holds them, else the
/// directory of the binary (a bundle made by `scripts/bundle`), else the source tree the binary
/// was built from.
pub fn shipped(rel: &str) -> PathBuf {
    let here = Path::new(rel);
    if here.exists() {
        return here.to_path_buf();
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        let beside = dir.join(rel);
        if beside.exists() {
            return beside;
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `--device auto|cpu|cuda`.
pub fn parse_device(s: &str) -> Result<Device> {
    match s {
        "auto" => Ok(Device::cuda_if_available()),
        "cpu" => Ok(Device::Cpu),
        "cuda" => {
            if tch::Cuda::is_available() {
                Ok(Device::Cuda(0))
            } else {
                Err(Error::Config(
                    "--device cuda: no CUDA device is available to libtorch".into(),
                ))
            }
        }
        other => Err(Error::Config(format!(
            "--device {other}: expected auto, cpu or cuda"
        ))),
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub corpus: PathBuf,
    pub out: PathBuf,
    pub model: PathBuf,
    pub manifest: Option<PathBuf>,
    pub aliases: Option<PathBuf>,
    /// Class/id word lists for the HTML reader (default: the shipped data/html-hints.tsv).
    pub html_hints: Option<PathBuf>,
    /// Rows added to the measure table data/measures.tsv.
    pub measures: Option<PathBuf>,
    /// Rows added to the credit-line table data/credits.tsv.
    pub credits: Option<PathBuf>,
    /// Most days between the publication dates of two documents of one story.
    pub story_days: i64,
    pub threads: usize,
    pub device: Device,
    pub force: bool,
    /// `--backend`: auto, torch, onnx or onnx-int8.
    pub backend: String,
    /// Relative tolerance for approximate figures in comparisons.
    pub tolerance: f64,
}

impl Config {
    /// Check paths and values up front, so a run fails before any work.
    pub fn validate(self) -> Result<Config> {
        let jsonl_file = self.corpus.is_file()
            && self
                .corpus
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        if !self.corpus.is_dir() && !jsonl_file {
            return Err(Error::input(
                &self.corpus,
                if self.corpus.is_file() {
                    "a corpus is a directory or a .jsonl file"
                } else {
                    "corpus directory not found"
                },
            ));
        }
        if let Some(m) = &self.manifest {
            if !m.is_file() {
                return Err(Error::input(m, "manifest file not found"));
            }
        }
        if let Some(a) = &self.aliases {
            if !a.is_file() {
                return Err(Error::input(a, "alias table not found"));
            }
        }
        if let Some(h) = &self.html_hints {
            if !h.is_file() {
                return Err(Error::input(h, "HTML hints file not found"));
            }
        }
        if let Some(m) = &self.measures {
            if !m.is_file() {
                return Err(Error::input(m, "measure table not found"));
            }
        }
        if let Some(c) = &self.credits {
            if !c.is_file() {
                return Err(Error::input(c, "credit table not found"));
            }
        }
        if self.story_days < 0 {
            return Err(Error::Config("--story-days must be at least 0".into()));
        }
        // An output inside the corpus would be read back as articles by the next run.
        let abs = |p: &std::path::Path| {
            std::path::absolute(p)
                .map(|a| a.components().collect::<PathBuf>())
                .unwrap_or_else(|_| p.to_path_buf())
        };
        let corpus = self
            .corpus
            .canonicalize()
            .unwrap_or_else(|_| abs(&self.corpus));
        let out_parent = self
            .out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.canonicalize().unwrap_or_else(|_| abs(p)))
            .unwrap_or_else(|| abs(std::path::Path::new(".")));
        let out = out_parent.join(self.out.file_name().unwrap_or_default());
        if out.starts_with(&corpus) {
            return Err(Error::Config(format!(
                "--out {} is inside the corpus {}: its files would be read as articles next time; write it elsewhere",
                self.out.display(),
                self.corpus.display()
            )));
        }
        if self.threads == 0 {
            return Err(Error::Config("--threads must be at least 1".into()));
        }
        if !(0.0..1.0).contains(&self.tolerance) {
            return Err(Error::Config("--tolerance must be in [0, 1)".into()));
        }
        Ok(self)
    }
}
