//! `scimcheck snapshots review | accept | reject`: pending snapshots
//! (`.snap.new`, written by `--update-snapshots`) shown one by one with their
//! diff, then accepted (they replace the `.snap`) or rejected (deleted).
//! The files are insta's, so `cargo insta review` works on them too.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use insta::Snapshot;

use super::diff;

/// A snapshot file that could not be read, written or removed.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {why}", path.display())]
pub struct Error {
    pub action: &'static str,
    pub path: PathBuf,
    pub why: String,
}

/// One pending snapshot: the `.snap.new` file and the `.snap` it would replace.
#[derive(Debug, Clone)]
pub struct Pending {
    pub new: PathBuf,
    pub current: PathBuf,
}

impl Pending {
    /// `target/case__step`, for display and for selecting by name.
    pub fn name(&self, root: &Path) -> String {
        let relative = self.current.strip_prefix(root).unwrap_or(&self.current);
        relative
            .to_string_lossy()
            .trim_end_matches(".snap")
            .to_string()
    }

    fn text(path: &Path) -> Option<String> {
        Snapshot::from_file(path)
            .ok()
            .and_then(|s| s.as_text().map(|t| t.to_string()))
    }

    /// The change, as a diff against the current snapshot (or the whole new one).
    pub fn diff(&self) -> String {
        let new = Pending::text(&self.new).unwrap_or_default();
        match Pending::text(&self.current) {
            Some(old) => diff(&old, &new),
            None => format!("(new snapshot)\n{new}\n"),
        }
    }

    /// Replaces the current snapshot with the pending one (written by insta,
    /// which drops the pending file's extra metadata).
    pub fn accept(&self) -> Result<(), Error> {
        let snapshot = Snapshot::from_file(&self.new).map_err(|e| Error {
            action: "read",
            path: self.new.clone(),
            why: e.to_string(),
        })?;
        snapshot.save(&self.current).map_err(|e| Error {
            action: "write",
            path: self.current.clone(),
            why: e.to_string(),
        })?;
        self.reject()
    }

    pub fn reject(&self) -> Result<(), Error> {
        std::fs::remove_file(&self.new).map_err(|e| Error {
            action: "remove",
            path: self.new.clone(),
            why: e.to_string(),
        })
    }
}

/// Every pending snapshot under `root`, in name order.
pub fn pending(root: &Path) -> Vec<Pending> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(name) = path.to_str().and_then(|p| p.strip_suffix(".new"))
                && name.ends_with(".snap")
            {
                out.push(Pending {
                    current: PathBuf::from(name),
                    new: path.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.new.cmp(&b.new));
    out
}

/// The pending snapshots selected by name fragments (all when none given).
pub fn select(root: &Path, names: &[String]) -> Vec<Pending> {
    pending(root)
        .into_iter()
        .filter(|p| names.is_empty() || names.iter().any(|n| p.name(root).contains(n.as_str())))
        .collect()
}

/// Shows each pending snapshot; on a terminal, asks what to do with it.
/// Returns how many were accepted and rejected.
pub fn review(root: &Path, names: &[String]) -> Result<(usize, usize), Error> {
    let selected = select(root, names);
    let interactive = std::io::stdin().is_terminal();
    let (mut accepted, mut rejected) = (0, 0);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for (index, pending) in selected.iter().enumerate() {
        println!(
            "[{}/{}] {}\n{}",
            index + 1,
            selected.len(),
            pending.name(root),
            pending.diff()
        );
        if !interactive {
            continue;
        }
        print!("accept (a), reject (r), skip (s)? ");
        let _ = std::io::stdout().flush();
        let answer = lines.next().transpose().map_err(|e| Error {
            action: "read an answer from",
            path: PathBuf::from("stdin"),
            why: e.to_string(),
        })?;
        match answer {
            Some(answer) if answer.trim() == "a" => {
                pending.accept()?;
                accepted += 1;
            }
            Some(answer) if answer.trim() == "r" => {
                pending.reject()?;
                rejected += 1;
            }
            Some(_) => {}
            None => break,
        }
    }
    if !interactive && !selected.is_empty() {
        println!(
            "(not a terminal: nothing applied; use `scimcheck snapshots accept` or `reject`, optionally with names)"
        );
    }
    Ok((accepted, rejected))
}
