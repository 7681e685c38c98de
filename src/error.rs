//! Typed errors of the library. Every error that concerns one input names it; the binary wraps
//! these in `anyhow` at the top.
use std::path::PathBuf;

/// What went wrong, with the file or model it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input file is malformed (bad JSONL line, bad manifest row, binary content...).
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    /// The NER model directory is missing a file or holds something unusable.
    #[error("model {path}: {message}")]
    Model { path: PathBuf, message: String },
    /// Running the model failed (tensor shapes, device).
    #[error("inference failed: {0}")]
    Inference(String),
    /// The output directory cannot be used as asked.
    #[error("output {path}: {message}")]
    Output { path: PathBuf, message: String },
    /// An invalid option value.
    #[error("{0}")]
    Config(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }
    pub fn model(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Model {
            path: path.into(),
            message: message.into(),
        }
    }
    pub fn output(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Output {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
