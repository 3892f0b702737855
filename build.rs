//! Embeds every case file under `cases/` into the binary, so that `mcp-authspec` runs its
//! suite from anywhere and the library serves the same cases to a vendor's `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=cases");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("cases"), &mut files);
    files.sort();
    let mut out =
        String::from("/// `(path below the package root, contents)` of every case file.\n");
    out.push_str("pub const EMBEDDED_CASES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(root).expect("under the package root");
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.to_string_lossy()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_cases.rs");
    fs::write(dest, out).expect("write embedded_cases.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
}
