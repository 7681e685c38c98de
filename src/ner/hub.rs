//! Model directories from the Hugging Face hub (`--model owner/name`), for users who are online.
//! Compiled only with the `hub` cargo feature; without it, a hub id gets a clear error.
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Whether `spec` looks like a hub id (`owner/name`) rather than a local directory.
pub fn is_hub_id(spec: &Path) -> bool {
    let s = spec.to_string_lossy();
    !spec.exists()
        && !s.starts_with(['.', '/', '~'])
        && s.split('/').count() == 2
        && s.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
}

/// Download (or find in the cache) `config.json`, `vocab.txt` and `rust_model.ot` of a hub model
/// and return the directory that holds them.
#[cfg(feature = "hub")]
pub fn fetch(id: &str) -> Result<PathBuf> {
    use rust_bert::resources::{RemoteResource, ResourceProvider};
    let mut dir: Option<PathBuf> = None;
    for file in ["config.json", "vocab.txt", "rust_model.ot"] {
        let url = format!("https://huggingface.co/{id}/resolve/main/{file}");
        let r = RemoteResource::new(&url, &format!("newsgraph/{id}"));
        let p = r.get_local_path().map_err(|e| {
            Error::model(
                id,
                format!("cannot download {file} from the hub (offline? wrong id?): {e}"),
            )
        })?;
        dir = p.parent().map(Path::to_path_buf);
    }
    dir.ok_or_else(|| Error::model(id, "no files downloaded"))
}

#[cfg(not(feature = "hub"))]
pub fn fetch(id: &str) -> Result<PathBuf> {
    Err(Error::model(id, "is not a local model directory, and this build cannot load hub ids: rebuild with `cargo build --release --features hub` (needs network access)"))
}
