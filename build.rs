//! Bakes the libtorch library directory into the binary's rpath, so that
//! `newsgraph` runs without LD_LIBRARY_PATH.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Some(root) = std::env::var_os("LIBTORCH") {
        let lib = PathBuf::from(root).join("lib");
        // Resolve the .venv/libtorch symlink so the rpath survives a moved venv link.
        let lib = lib.canonicalize().unwrap_or(lib);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    } else {
        println!("cargo:warning=LIBTORCH is not set: run scripts/setup, which installs libtorch into .venv");
    }
}
