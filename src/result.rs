//! The result of a run: the one hand-off from the runner to every reporter.
//!
//! [`RunResult`] holds each case's [`CaseResult`] (its steps and cleanup
//! requests with their exchanges and failures), what the waivers did, and
//! what the run left on the target ([`Leftovers`], as the server answered a
//! GET, not as the run hoped). [`Summary`] counts it and decides the exit
//! code.

use std::sync::Arc;
use std::time::Duration;

use crate::case::{Case, IdentityProvider, Level, Stage};
use crate::check::Failure;
use crate::client::Exchange;
use crate::exit::Exit;
use crate::scim::ResourceType;
use crate::waiver;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Skipped {
        reason: String,
    },
    /// Failed, but a waiver accepts the deviation.
    Waived {
        reason: String,
        /// The waiver's id (`case` or `case#kind`).
        waiver: String,
    },
    /// Not carried out: the run was stopping (Ctrl-C, `--run-timeout`)
    /// before the case could send what it judges. No verdict on the target.
    NotRun {
        reason: String,
    },
}

impl Status {
    /// `passed`, `failed`, `skipped`, `waived` or `not run`, as reports spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped { .. } => "skipped",
            Status::Waived { .. } => "waived",
            Status::NotRun { .. } => "not run",
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
    /// In a client flow: what the RFC asks that the client tolerates the
    /// lack of (a step's `warn:`), and did not hold.
    pub warnings: Vec<Failure>,
    /// What happened to the step's snapshot, if it takes one.
    pub snapshot: Option<SnapshotState>,
    /// How the response differs from its pinned snapshot (or that the
    /// baseline is missing): a change, not a failure of the case.
    pub snapshot_change: Option<Failure>,
}

impl StepResult {
    pub fn new(label: impl Into<String>, exchange: Option<Exchange>) -> StepResult {
        StepResult {
            label: label.into(),
            exchange,
            failures: vec![],
            warnings: vec![],
            snapshot: None,
            snapshot_change: None,
        }
    }
}

/// A step's snapshot after the step ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotState {
    Matched,
    /// No snapshot yet: this response was recorded as the baseline.
    Recorded,
    /// Written as `.snap.new`, for review (`--update-snapshots`).
    Pending,
    /// The response differs from the pinned baseline.
    Changed,
    /// No baseline in a pinned folder, and CI mode records none.
    Missing,
    /// Not compared: the target has no baseline folder and none was asked
    /// for (nothing is pinned, so nothing is judged or written).
    Unpinned,
}

/// Everything known about one case after it ran.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    pub path: Arc<str>,
    pub area: String,
    pub level: Level,
    pub rules: Vec<String>,
    /// A property check rather than steps.
    pub property: bool,
    pub status: Status,
    pub steps: Vec<StepResult>,
    /// Cleanup requests: reported, but their answers never fail the case.
    pub cleanup: Vec<StepResult>,
    pub duration: Duration,
    /// The identity-provider client whose flow this is, and its stage.
    pub flow: Option<(String, Stage)>,
    /// The client's validator whose check the flow replays.
    pub validator: Option<String>,
    /// In a client flow: each step's label and the client behaviour it replays.
    pub replays: Vec<(String, String)>,
    /// Tagged `security` (authentication): its failure is listed first.
    pub security: bool,
}

impl CaseResult {
    /// The result of `case`, with what its run produced.
    pub fn of(
        case: &Case,
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
            property: case.property.is_some(),
            status,
            steps,
            cleanup,
            duration,
            flow: case.client.clone().zip(case.stage),
            validator: case.validator.clone(),
            replays: case
                .steps
                .iter()
                .filter_map(|s| Some((s.label.clone(), s.replays.clone()?)))
                .collect(),
            security: case.tags.iter().any(|t| t == "security"),
        }
    }

    /// Whether this is a security check that failed: every report lists
    /// those first (a server that serves requests without credentials).
    pub fn security_failure(&self) -> bool {
        self.security && self.status == Status::Failed
    }

    /// The order results are reported in: security failures first, then by id.
    pub fn report_order(a: &CaseResult, b: &CaseResult) -> std::cmp::Ordering {
        (!a.security_failure(), &a.id).cmp(&(!b.security_failure(), &b.id))
    }

    /// Every warning of the case's steps (a client flow's `warn:`), with its step.
    pub fn warnings(&self) -> impl Iterator<Item = (&StepResult, &Failure)> {
        self.steps
            .iter()
            .flat_map(|s| s.warnings.iter().map(move |f| (s, f)))
    }

    /// Every failure of the case's steps, with the step it belongs to.
    pub fn failures(&self) -> impl Iterator<Item = (&StepResult, &Failure)> {
        self.steps
            .iter()
            .flat_map(|s| s.failures.iter().map(move |f| (s, f)))
    }

    /// Every difference from a pinned snapshot (or missing baseline), with its step.
    pub fn snapshot_changes(&self) -> impl Iterator<Item = (&StepResult, &Failure)> {
        self.steps
            .iter()
            .filter_map(|s| Some((s, s.snapshot_change.as_ref()?)))
    }
}

/// What a GET said of a resource the run created, after all cleanup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remaining {
    /// Still there, `active` true (or not said).
    Active,
    /// Still there with `active: false` (a server that deactivates on DELETE).
    Inactive,
    /// The GET did not say (an error, no answer): the resource may remain.
    Unknown(String),
}

impl Remaining {
    pub fn as_str(&self) -> &'static str {
        match self {
            Remaining::Active => "active",
            Remaining::Inactive => "inactive",
            Remaining::Unknown(_) => "unknown",
        }
    }
}

/// One resource the run created that the target still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remnant {
    pub kind: ResourceType,
    /// `None`: a name looked up without an answer that told.
    pub id: Option<String>,
    /// The unique name its create carried (`userName`, `displayName`).
    pub name: Option<String>,
    pub state: Remaining,
}

/// What the run left on the target, as the target answered.
#[derive(Debug, Clone, Default)]
pub struct Leftovers {
    /// Resources the run created.
    pub created: usize,
    /// The same, by resource type.
    pub created_by_kind: Vec<(ResourceType, usize)>,
    /// Of those, removed by the final safety net (not by their case's cleanup).
    pub removed_at_end: usize,
    /// Of those, found only by the final survey (creates whose answer was
    /// lost and no lookup found in time), and deleted then.
    pub found_at_end: usize,
    /// How the target was asked what remains, besides a GET of each
    /// created resource: `a search for userName sw "scimcheck-…"`.
    pub asked: Vec<String>,
    /// Of those, answered 404 after cleanup: gone.
    pub gone: usize,
    /// The rest: still there, and in what state.
    pub remaining: Vec<Remnant>,
    /// Total time spent waiting on `Retry-After`.
    pub retry_wait: Duration,
    /// HTTP requests the run sent (retries and cleanup included).
    pub requests: u64,
}

impl Leftovers {
    /// How many remaining resources are in `state`'s kind of state.
    pub fn count(&self, state: &str) -> usize {
        self.remaining
            .iter()
            .filter(|r| r.state.as_str() == state)
            .count()
    }
}

/// A case that met server errors or dropped connections while cases ran
/// in parallel, and was judged by a rerun alone.
#[derive(Debug, Clone)]
pub struct Rerun {
    pub case: String,
    /// The step that met the trouble in the parallel run.
    pub step: String,
    /// What came back: `500 {"detail": "database is locked"}`, or why nothing did.
    pub answer: String,
    pub exchange: Option<Exchange>,
    /// The rerun alone met the same kind of trouble: then it is the verdict,
    /// not an effect of parallel load.
    pub again: bool,
}

/// What the parallel phase showed of the server under load.
#[derive(Debug, Clone, Default)]
pub struct Concurrency {
    /// How many cases ran at once.
    pub parallel: usize,
    pub reruns: Vec<Rerun>,
}

impl Concurrency {
    /// The reruns that passed the trouble alone: failures only under load.
    pub fn under_load(&self) -> impl Iterator<Item = &Rerun> {
        self.reruns.iter().filter(|r| !r.again)
    }
}

/// A claim of the target's discovery documents that its behaviour
/// contradicts (RFC 7643 §5): the feature is judged by the behaviour.
#[derive(Debug, Clone)]
pub struct Contradiction {
    /// `ServiceProviderConfig filter.supported: false`.
    pub claim: String,
    /// `GET /Users?filter=userName eq "…" answered 200 with a ListResponse`.
    pub observed: String,
    pub exchange: Option<Exchange>,
}

/// Everything a run produced, for the reporters.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// One result per selected case, in id order.
    pub cases: Vec<CaseResult>,
    pub waivers: waiver::Report,
    pub leftovers: Leftovers,
    /// Why the run stopped before its end (Ctrl-C, `--run-timeout`), if it did.
    pub stopped: Option<crate::client::Stop>,
    /// Cases rerun alone after meeting trouble under parallel load.
    pub concurrency: Concurrency,
    /// Discovery claims the behaviour contradicts (the `auto` profile).
    pub contradictions: Vec<Contradiction>,
    /// The identity-provider client whose flows ran (`--client`).
    pub client: Option<IdentityProvider>,
    /// Where the judged profile contradicts the SCIM Interoperability
    /// Profile's requirements (Insightly's DELETE deactivates).
    pub conflicts: Vec<crate::profile::interop::Conflict>,
    /// Every exchange the run made, when it kept them all (`--bundle`).
    pub journal: Vec<crate::client::Journaled>,
}

/// Counts over a finished run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    /// Failed cases whose rule is a MUST.
    pub failed_required: usize,
    pub skipped: usize,
    /// Failed cases a waiver accepts: reported, never failing the run.
    pub waived: usize,
    /// Responses that differ from their pinned snapshot (or have none in CI).
    pub snapshot_changes: usize,
    /// Cases that failed only under parallel load (they passed that trouble alone).
    pub under_load: usize,
    /// Discovery claims the behaviour contradicts.
    pub contradictions: usize,
    /// Of the failed cases, those that failed only for the harness's own
    /// trouble (a template it could not render, a request its guard kept
    /// back): they say nothing of the target.
    pub harness_failed: usize,
    /// Of those, the MUST cases.
    pub harness_failed_required: usize,
    /// Cases the run did not carry out because it was stopping.
    pub not_run: usize,
}

impl Summary {
    /// The counts of a whole run, findings included.
    pub fn of_run(run: &RunResult) -> Summary {
        Summary {
            under_load: run.concurrency.under_load().count(),
            contradictions: run.contradictions.len(),
            ..Summary::of(&run.cases)
        }
    }

    /// The counts of some case results.
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut summary = Summary::default();
        for result in results {
            match result.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => {
                    summary.failed += 1;
                    let must = result.level == Level::MUST;
                    summary.failed_required += usize::from(must);
                    if result.failures().all(|(_, f)| f.kind.is_harness()) {
                        summary.harness_failed += 1;
                        summary.harness_failed_required += usize::from(must);
                    }
                }
                Status::Skipped { .. } => summary.skipped += 1,
                Status::Waived { .. } => summary.waived += 1,
                Status::NotRun { .. } => summary.not_run += 1,
            }
            summary.snapshot_changes += result.snapshot_changes().count();
        }
        summary
    }

    /// 1 when a required check failed (with `strict`, any check, any
    /// failure under load and any contradicted claim); when snapshots gate
    /// the run (CI), also when a snapshot changed. A check failed only for
    /// the harness's trouble is no verdict on the target: when such checks
    /// are all that would fail the run, it ends with 2, not 1.
    pub fn exit(&self, strict: bool, snapshots_gate: bool) -> Exit {
        let (failing, harness) = if strict {
            (
                self.failed - self.harness_failed + self.under_load + self.contradictions,
                self.harness_failed,
            )
        } else {
            (
                self.failed_required - self.harness_failed_required,
                self.harness_failed_required,
            )
        };
        if failing > 0 || (snapshots_gate && self.snapshot_changes > 0) {
            Exit::Failed
        } else if harness > 0 {
            Exit::Harness
        } else {
            Exit::Passed
        }
    }
}
