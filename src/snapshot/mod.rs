//! Snapshot checks: a step with `snapshot: true` pins its normalized
//! response in `snapshots/<target>/<case>__<step>.snap` (insta's format).
//!
//! insta does the file handling and the comparison, set up at start-up so
//! that it works inside the shipped binary: an absolute snapshot path,
//! explicit names, the workspace root set (`INSTA_WORKSPACE_ROOT`), its own
//! output and hints silenced (`INSTA_OUTPUT=none`); scimcheck prints its own
//! diff. Modes ([`Mode`]):
//!
//! - `Compare` (default): a matching snapshot passes; a different one is
//!   reported with a diff and nothing is written; a missing one is recorded
//!   when the target's folder already holds a baseline or `--snapshots DIR`
//!   asked for one, and otherwise left alone (`Unpinned`): a run against a
//!   real target does not litter the working directory unasked.
//! - `Update` (`--update-snapshots`): new and changed snapshots are written
//!   as pending `.snap.new` files, for `scimcheck snapshots review`.
//! - `Ci` (the `CI` environment variable is set): nothing is written; a
//!   change, or a snapshot missing from a pinned folder, fails the run. A
//!   target with no baseline folder has nothing pinned: reported, not failed.

pub mod normalize;
pub mod review;

use std::path::{Path, PathBuf};

use insta::internals::TextSnapshotContents;
use insta::{Snapshot, TextSnapshotKind};

use crate::case::model::Snapshot as Spec;
use crate::check::{CheckKind, Failure};
use crate::client::Exchange;
use crate::diag::Location;

/// What the run does with snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Compare,
    Update,
    Ci,
}

impl Mode {
    /// The mode for this run: `--update-snapshots`, else `CI` in the environment, else compare.
    pub fn from_flags(update: bool) -> Mode {
        if update {
            Mode::Update
        } else if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
        {
            Mode::Ci
        } else {
            Mode::Compare
        }
    }
}

/// Where and how a run keeps its snapshots.
#[derive(Debug, Clone)]
pub struct Snapshots {
    /// `<root>/<target>`, absolute.
    pub dir: PathBuf,
    pub target: String,
    pub mode: Mode,
    pub base_url: String,
    pub run_prefix: String,
    /// The folder held a baseline (a `.snap` file) when the run started.
    pub pinned: bool,
    /// Missing snapshots are recorded (compare mode): the folder is pinned,
    /// or `--snapshots DIR` asked for a baseline.
    pub record: bool,
}

/// Whether `dir` holds a baseline: at least one `.snap` file.
pub fn has_baseline(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "snap"))
    })
}

/// The headers a snapshot keeps: the ones whose change a client would notice.
const PINNED_HEADERS: &[&str] = &["content-type", "location", "etag"];

/// Sets insta up for use inside the binary. Call once, before any thread
/// starts (it sets environment variables insta reads once and caches).
pub fn init(root: &Path, mode: Mode) {
    let update = match mode {
        // Only missing snapshots ever reach insta in this mode (see `check`).
        Mode::Compare => "always",
        Mode::Update => "new",
        Mode::Ci => "no",
    };
    // SAFETY: called from `pipeline::run` before the runtime or any other thread
    // exists, so nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("INSTA_WORKSPACE_ROOT", root);
        std::env::set_var("INSTA_UPDATE", update);
        std::env::set_var("INSTA_OUTPUT", "none");
        std::env::set_var("INSTA_FORCE_PASS", "1");
        // The run's own CI detection already chose the mode.
        std::env::remove_var("INSTA_REQUIRE_FULL_MATCH");
    }
}

/// The file name (without `.snap`) of a case step's snapshot.
pub fn name(case_id: &str, step: usize) -> String {
    format!("{}__{}", case_id.replace('/', "__"), step + 1)
}

/// What comparing one response with its snapshot came to.
#[derive(Debug)]
pub enum Comparison {
    Matched,
    /// A new snapshot was written (compare mode).
    Recorded,
    /// A new or changed snapshot was written as `.snap.new` (update mode).
    Pending,
    /// The response differs from the pinned one: the diff, as evidence.
    Changed(Failure),
    /// No snapshot in a pinned folder, and CI mode records none.
    Missing(Failure),
    /// Nothing pinned for this target and no baseline asked for: not compared.
    Unpinned,
}

/// One snapshot to take.
pub struct Shot<'a> {
    pub case_id: &'a str,
    pub case_path: &'a str,
    pub step: usize,
    /// Where the step's `snapshot:` is written.
    pub location: Location,
    pub spec: &'a Spec,
    pub captured: Vec<(String, serde_json::Value)>,
    /// The attempt's stem and the stem it is pinned under (they differ in a rerun).
    pub stem: (String, String),
}

impl Snapshots {
    /// Normalizes the exchange's response and compares it with the stored snapshot.
    pub fn check(&self, shot: &Shot, exchange: &Exchange) -> Comparison {
        let Ok(response) = &exchange.response else {
            return Comparison::Matched;
        };
        let pinned = normalize::Pinned {
            status: response.status,
            headers: PINNED_HEADERS
                .iter()
                .filter_map(|h| Some((h.to_string(), response.header(h)?.to_string())))
                .collect(),
            body: response.json.clone(),
            text: response.json.is_none().then(|| response.body.clone()),
        };
        let context = normalize::Context {
            captured: shot.captured.clone(),
            base_url: &self.base_url,
            run_prefix: &self.run_prefix,
            stem: (&shot.stem.0, &shot.stem.1),
            redact: &shot.spec.redact,
        };
        let text = normalize::render(&normalize::normalize(pinned, &context));
        let name = name(shot.case_id, shot.step);
        let path = self.dir.join(format!("{name}.snap"));
        let new = TextSnapshotContents::new(text.clone(), TextSnapshotKind::File);
        let old = Snapshot::from_file(&path).ok();
        let old = old.as_ref().and_then(Snapshot::as_text);
        if old.is_some_and(|old| old.matches_latest(&new)) {
            return Comparison::Matched;
        }
        let old_text = old.map(ToString::to_string);
        let shown = path.display().to_string();
        match (self.mode, old_text) {
            (Mode::Ci, None) if !self.pinned => Comparison::Unpinned,
            (Mode::Compare, None) if !self.record => Comparison::Unpinned,
            (Mode::Ci, None) => Comparison::Missing(
                Failure::new(
                    CheckKind::Snapshot,
                    format!("no snapshot `{shown}` (CI: snapshots are never recorded here; record them locally and commit them)"),
                )
                .expected("a recorded snapshot")
                .actual("(missing)")
                .at(shot.location.clone()),
            ),
            (Mode::Compare | Mode::Ci, Some(old)) => Comparison::Changed(
                Failure::new(
                    CheckKind::Snapshot,
                    format!(
                        "the response differs from snapshot `{shown}`:\n{}",
                        diff(&old, &text)
                    ),
                )
                .expected("the pinned response (- lines)")
                .actual("this response (+ lines); run with --update-snapshots, then `scimcheck snapshots review`")
                .at(shot.location.clone()),
            ),
            (Mode::Compare, None) | (Mode::Update, _) => {
                self.write(&name, shot, &text);
                if self.mode == Mode::Update {
                    Comparison::Pending
                } else {
                    Comparison::Recorded
                }
            }
        }
    }

    /// Writes through insta: `.snap` in compare mode (a new snapshot),
    /// `.snap.new` in update mode.
    fn write(&self, name: &str, shot: &Shot, text: &str) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&self.dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(format!(
            "{} step {} against {}",
            shot.case_path,
            shot.step + 1,
            self.target
        ));
        settings.set_input_file(shot.case_path);
        settings.bind(|| {
            insta::assert_snapshot!(name, text);
        });
    }
}

/// A unified diff of two snapshot texts, `-` for the pinned one.
pub fn diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("snapshot", "response")
        .to_string()
}

/// A target name usable as a folder: letters, digits, `.`, `-`, `_`.
pub fn target_name(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}
