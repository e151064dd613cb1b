//! Where cases come from: the built-in suite embedded at build time (see
//! `build.rs`), or a user's own case directory (`--cases DIR`).

use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/suite.rs"));

/// A case file's text and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The id: the path under the case root, without `.yaml`.
    pub id: String,
    /// The path shown in messages.
    pub path: String,
    pub text: String,
}

/// The built-in suite's sources, shown as `cases/<path>`.
pub fn builtin() -> Vec<Source> {
    CASES
        .iter()
        .map(|(path, text)| Source {
            id: path.trim_end_matches(".yaml").to_string(),
            path: format!("cases/{path}"),
            text: text.to_string(),
        })
        .collect()
}

/// SHA-256 over the sources' paths and contents, in order: names the exact
/// case set a report was produced with.
pub fn digest(sources: &[Source]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for source in sources {
        hasher.update(source.id.as_bytes());
        hasher.update([0]);
        hasher.update(source.text.as_bytes());
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())
}

/// Every `*.yaml` file under `dir`, recursively, in path order.
pub fn from_dir(dir: &Path) -> Result<Vec<Source>, String> {
    let mut files = Vec::new();
    walk(dir, &mut files)
        .map_err(|e| format!("{}: cannot read the case directory: {e}", dir.display()))?;
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let relative = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            Ok(Source {
                id: relative
                    .trim_end_matches(".yaml")
                    .trim_end_matches(".yml")
                    .to_string(),
                path: file.display().to_string(),
                text,
            })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
