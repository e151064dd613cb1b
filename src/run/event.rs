//! Events: what the engine reports while it runs. Reporters consume them;
//! the engine never prints.

use std::time::Duration;

use crate::case::Level;
use crate::check::Failure;
use crate::client::Exchange;

/// What the engine emits.
#[derive(Debug, Clone)]
pub enum Event {
    /// A case ran (or was skipped) to its end, cleanup included.
    CaseFinished(CaseResult),
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Skipped {
        reason: String,
    },
    /// Failed, but a waiver accepts the deviation (with its reason).
    Waived {
        reason: String,
    },
}

impl Status {
    /// `passed`, `failed`, `skipped` or `waived`, as reports spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped { .. } => "skipped",
            Status::Waived { .. } => "waived",
        }
    }
}

/// One request of a case (a step or a cleanup request) and its verdict.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// `step 2: PATCH /Users/{{ id }}` or the step's own name.
    pub label: String,
    pub exchange: Option<Exchange>,
    pub failures: Vec<Failure>,
    /// What happened to the step's snapshot, if it takes one.
    pub snapshot: Option<SnapshotState>,
}

/// A step's snapshot after the step ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotState {
    Matched,
    Recorded,
    Pending,
    Failed,
}

/// Everything known about one case after it ran.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    pub path: String,
    pub area: String,
    pub level: Level,
    pub rules: Vec<String>,
    pub status: Status,
    pub steps: Vec<StepResult>,
    /// Cleanup requests: reported, but their answers never fail the case.
    pub cleanup: Vec<StepResult>,
    pub duration: Duration,
}

impl CaseResult {
    /// The result of `case`, with what its run produced.
    pub fn of(
        case: &crate::case::Case,
        status: Status,
        steps: Vec<StepResult>,
        cleanup: Vec<StepResult>,
        duration: Duration,
    ) -> CaseResult {
        CaseResult {
            id: case.id.clone(),
            name: case.name.clone(),
            path: case.path.clone(),
            area: case.area().to_string(),
            level: case.level,
            rules: case.rules.clone(),
            status,
            steps,
            cleanup,
            duration,
        }
    }

    /// Every failure of the case's steps, with the step it belongs to.
    pub fn failures(&self) -> impl Iterator<Item = (&StepResult, &Failure)> {
        self.steps
            .iter()
            .flat_map(|s| s.failures.iter().map(move |f| (s, f)))
    }
}
