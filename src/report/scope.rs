//! What a run covered: its mode, its filters, what it ran, skipped and
//! waived by level, and the digest of the cases that ran. A certificate
//! is only as good as its scope, so the report, the bundle's manifest and
//! `verify` all state it, and a limited run's verdict says `limited`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::result::{CaseResult, Status};

/// How the run was asked to limit itself (from the flags).
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub read_only: bool,
    /// The name filter, `--exact`, `--skip`.
    pub selection: crate::plan::Selection,
    /// `--large-group` below the suite's default.
    pub large_group: Option<usize>,
    /// SHA-256 of the waivers file, when one was given (a waiver that
    /// applies limits the run; a file alone does not).
    pub waivers_digest: Option<String>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
}

/// Checks of one level by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub run: usize,
    pub skipped: usize,
    pub waived: usize,
    pub not_run: usize,
}

/// The scope of a run, as the JSON report and the manifest record it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Every applicable case ran unfiltered, writes included, to the end.
    pub complete: bool,
    /// What limited the run, one phrase each (`read-only`, `filter "users/"`).
    pub limits: Vec<String>,
    pub read_only: bool,
    pub filter: Option<String>,
    pub skip: Vec<String>,
    pub waivers_digest: Option<String>,
    /// Checks by level (`MUST`, `SHOULD`, `MAY`) and outcome.
    pub checks: BTreeMap<String, Counts>,
    /// SHA-256 over the case files of the checks that ran (each file's
    /// id and digest, in id order): two bundles with the same value ran the
    /// same cases.
    pub cases_run_digest: String,
}

impl Scope {
    /// The scope of `results`, run under `limits`; `files` maps each case
    /// file's id to the SHA-256 of its text.
    pub fn of(limits: &Limits, results: &[CaseResult], files: &BTreeMap<String, String>) -> Scope {
        let mut phrases = Vec::new();
        if limits.read_only {
            phrases.push("read-only: no check that writes ran".to_string());
        }
        let selection = &limits.selection;
        if let Some(filter) = &selection.filter {
            let how = if selection.exact {
                "exactly"
            } else {
                "containing"
            };
            phrases.push(format!("only checks named {how} \"{filter}\""));
        }
        for skip in &selection.skip {
            phrases.push(format!("checks named \"{skip}\" left out (--skip)"));
        }
        if let Some(n) = limits.large_group {
            phrases.push(format!("--large-group {n}: the largest group not built"));
        }
        if let Some(stopped) = &limits.stopped {
            phrases.push(format!("stopped early: {stopped}"));
        }
        let mut checks: BTreeMap<String, Counts> = BTreeMap::new();
        let mut ran = std::collections::BTreeSet::new();
        for result in results {
            let counts = checks.entry(result.level.as_str().to_string()).or_default();
            match &result.status {
                Status::Passed | Status::Failed => counts.run += 1,
                Status::Waived { .. } => counts.waived += 1,
                Status::Skipped { .. } => counts.skipped += 1,
                Status::NotRun { .. } => counts.not_run += 1,
            }
            if matches!(
                result.status,
                Status::Passed | Status::Failed | Status::Waived { .. }
            ) {
                ran.insert(result.id.clone());
            }
        }
        let waived: usize = checks.values().map(|c| c.waived).sum();
        if waived > 0 {
            phrases.push(format!("{waived} failed check(s) waived"));
        }
        Scope {
            complete: phrases.is_empty(),
            limits: phrases,
            read_only: limits.read_only,
            filter: selection.filter.clone(),
            skip: selection.skip.clone(),
            waivers_digest: limits.waivers_digest.clone(),
            checks,
            cases_run_digest: digest(&ran, files),
        }
    }

    /// One line: `complete`, or `limited: read-only; only checks named …`,
    /// then what ran by level.
    pub fn sentence(&self) -> String {
        let head = if self.complete {
            "complete".to_string()
        } else {
            format!("limited: {}", self.limits.join("; "))
        };
        let levels: Vec<String> = self
            .checks
            .iter()
            .map(|(level, c)| {
                format!(
                    "{level} {} run, {} skipped, {} waived{}",
                    c.run,
                    c.skipped,
                    c.waived,
                    if c.not_run > 0 {
                        format!(", {} not run", c.not_run)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        format!("{head} ({})", levels.join("; "))
    }
}

/// A case's id is its file's id, so the cases that ran name their files.
fn digest(ids: &std::collections::BTreeSet<String>, files: &BTreeMap<String, String>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for id in ids {
        hasher.update(id.as_bytes());
        hasher.update([0]);
        hasher.update(files.get(id).map_or("", String::as_str).as_bytes());
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())
}
