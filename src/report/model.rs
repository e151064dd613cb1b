//! The report model: everything a run produced, in one serializable value
//! that every machine and human format renders, built from the runner's
//! [`RunResult`] and the run's [`RunInfo`]. Its JSON form *is* the
//! documented report schema (`docs/report.schema.json`, version
//! [`SCHEMA`]); checks are in id order and every list has a stable order.

use serde::Serialize;

pub use super::cleanup::{Cleanup, LeftOut};
use super::exchange::exchange_out;
pub use super::exchange::{ExchangeOut, RetryOut};

use crate::check::Failure;
use crate::result::{CaseResult, RunResult, SnapshotState, Status, StepResult, Summary};
use crate::rules;
use crate::waiver::Waiver;

/// The report schema's identifier; bumped on any incompatible change.
pub const SCHEMA: &str = "https://github.com/scimcheck/scimcheck/report/v2";

/// What the run was, independent of its results.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInfo {
    pub id: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    pub target_url: String,
    /// The embedded reference server, or a `--url`.
    pub embedded_server: bool,
    pub profile: String,
    /// SHA-256 of the profile as applied (for `auto`: as inferred).
    pub profile_digest: String,
    /// SHA-256 of the case files run (paths and contents, in order).
    pub cases_digest: String,
    /// The property checks' seed (`--seed` reproduces them); a string,
    /// since JSON numbers above 2^53 lose digits in many parsers.
    pub seed: String,
    pub strict: bool,
    /// TLS certificate verification was turned off (`--insecure`).
    pub insecure: bool,
    /// Why the run stopped before its end (Ctrl-C, `--run-timeout`), if it did.
    pub stopped: Option<String>,
    /// Where this target's snapshots live, unless `--no-snapshots`.
    pub snapshots_dir: Option<String>,
    /// What the run covered: mode, filters, checks by level and outcome.
    pub scope: super::scope::Scope,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Failed checks whose level is MUST.
    pub failed_must: usize,
    /// Failed checks that failed only for the harness's own trouble (no
    /// verdict on the target; a JUnit `<error>`).
    pub harness_errors: usize,
    pub waived: usize,
    pub skipped: usize,
    /// Responses that differ from their pinned snapshot (or have none in
    /// CI): changes against a baseline, counted apart from failures.
    pub snapshot_changes: usize,
    /// Cases that failed only under parallel load (they passed alone).
    pub under_load: usize,
    /// Discovery claims the target's behaviour contradicts.
    pub contradictions: usize,
    /// Warnings of client flows: RFC behaviour the client tolerates the lack of.
    pub warnings: usize,
    /// Checks not carried out because the run was stopping (skipped in
    /// the per-check lists, counted apart here).
    pub not_run: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub id: String,
    pub group: String,
    pub text: String,
    /// `failed` if any covering check failed, else `waived`, else `passed`,
    /// else `skipped`; `uncovered` when no check covers the row.
    pub status: &'static str,
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureOut {
    /// The kind of check: `status`, `json`, `property`, ...
    pub check: &'static str,
    /// The harness's own trouble (a template error, a request the guard
    /// refused), not a verdict on the target.
    pub harness: bool,
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// `path:line:col` of the expectation in the case file.
    pub location: String,
    /// The step (or property run) it happened in.
    pub step: String,
    /// That step's exchange: its index in the check's `exchanges`.
    pub exchange: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckOut {
    pub id: String,
    pub name: String,
    pub kind: CheckKindOut,
    pub file: String,
    pub area: String,
    pub rules: Vec<String>,
    pub level: &'static str,
    pub status: CheckStatus,
    /// Why it was skipped, or the waiver's reason.
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub failures: Vec<FailureOut>,
    /// Differences from pinned snapshots: changes, not failures.
    pub snapshot_changes: Vec<FailureOut>,
    /// In a client flow: RFC behaviour the client tolerates the lack of, that did not hold.
    pub warnings: Vec<FailureOut>,
    pub exchanges: Vec<ExchangeOut>,
    /// An authentication check: failed, it is listed first in every report.
    pub security: bool,
}

/// How a check ended, as the reports spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Failed,
    Waived,
    Skipped,
}

impl CheckStatus {
    fn of(status: &Status) -> CheckStatus {
        match status {
            Status::Passed => CheckStatus::Passed,
            Status::Failed => CheckStatus::Failed,
            Status::Waived { .. } => CheckStatus::Waived,
            // JSON, JUnit and HTML have no fourth outcome: a check the run
            // never carried out is skipped, its reason saying so.
            Status::Skipped { .. } | Status::NotRun { .. } => CheckStatus::Skipped,
        }
    }
}

impl CheckOut {
    /// A failure that does not fail the run: a SHOULD or MAY check, unless
    /// `--strict`. Shown as a warning, not as red.
    pub fn is_warning(&self, strict: bool) -> bool {
        self.status == CheckStatus::Failed && self.level != "MUST" && !strict
    }

    /// Failed only for the harness's own trouble: no verdict on the target.
    pub fn is_harness_error(&self) -> bool {
        self.status == CheckStatus::Failed
            && !self.failures.is_empty()
            && self.failures.iter().all(|f| f.harness)
    }
}

/// A case file's steps, or a property check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKindOut {
    Case,
    Property,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverOut {
    pub id: String,
    pub reason: String,
    pub expires: Option<String>,
    /// Where the waiver is written.
    pub at: String,
    /// The checks it waived (empty for stale and expired waivers).
    pub waived: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waivers {
    pub applied: Vec<WaiverOut>,
    pub stale: Vec<WaiverOut>,
    pub expired: Vec<WaiverOut>,
}

/// The run's snapshots by what happened to each (see `snapshot_changes`
/// of each check for the differences).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SnapshotsOut {
    pub dir: String,
    pub matched: usize,
    /// Different from the pinned baseline.
    pub changed: usize,
    /// No baseline, and CI mode records none.
    pub missing: usize,
    /// No baseline yet: recorded as one.
    pub recorded: usize,
    /// Written as `.snap.new` for review.
    pub pending: usize,
    /// Not compared: no baseline folder for this target, none asked for.
    pub unpinned: usize,
}

impl SnapshotsOut {
    fn of(dir: &str, results: &[CaseResult]) -> Option<SnapshotsOut> {
        let mut out = SnapshotsOut {
            dir: dir.to_string(),
            ..SnapshotsOut::default()
        };
        let steps = results.iter().flat_map(|r| &r.steps);
        for state in steps.filter_map(|s| s.snapshot) {
            *match state {
                SnapshotState::Matched => &mut out.matched,
                SnapshotState::Changed => &mut out.changed,
                SnapshotState::Missing => &mut out.missing,
                SnapshotState::Recorded => &mut out.recorded,
                SnapshotState::Pending => &mut out.pending,
                SnapshotState::Unpinned => &mut out.unpinned,
            } += 1;
        }
        let any =
            out.matched + out.changed + out.missing + out.recorded + out.pending + out.unpinned;
        (any > 0).then_some(out)
    }
}

/// One run, as every report renders it.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema: &'static str,
    pub scimcheck_version: &'static str,
    /// `pass`, `fail`, or `error` (exit 2: only the harness's own trouble
    /// failed checks): what the exit code says.
    pub verdict: &'static str,
    pub exit_code: u8,
    pub run: RunInfo,
    pub totals: Totals,
    pub matrix: Vec<MatrixRow>,
    pub checks: Vec<CheckOut>,
    pub waivers: Waivers,
    pub cleanup: Cleanup,
    /// The run's snapshots, counted by what happened to them (unless `--no-snapshots`).
    pub snapshots: Option<SnapshotsOut>,
    /// What the run found besides the checks' verdicts.
    pub findings: super::findings::Findings,
    /// The client compatibility verdict, when the run replayed a client's flows.
    pub client: Option<super::clients::ClientReport>,
    /// Every exchange the run made, by scope, when it kept them all
    /// (`--bundle`): the HAR's entries. Not in `report.json`, whose checks
    /// carry their own exchanges and `cleanup.requests` the count.
    #[serde(skip)]
    pub journal: Vec<(String, super::exchange::ExchangeOut)>,
}

impl RunReport {
    pub fn new(run: RunInfo, result: &RunResult, exit_code: u8) -> RunReport {
        let results = &result.cases;
        let waivers = &result.waivers;
        let summary = Summary::of_run(result);
        // A vendor guide's rows (`insightly.*`) describe that vendor's profile:
        // shown when judging by it, never as "passed" for another server.
        let guide = format!("{}.", run.profile);
        let matrix = rules::rows(results.iter().map(|r| (r.id.as_str(), r.rules.as_slice())))
            .into_iter()
            .filter(|row| row.group == rules::RFC_GROUP || row.id.starts_with(&guide))
            .map(|row| MatrixRow {
                status: row_status(&row.cases, results),
                id: row.id,
                group: row.group,
                text: row.text,
                checks: row.cases,
            })
            .collect();
        let mut ordered: Vec<&CaseResult> = results.iter().collect();
        ordered.sort_by(|a, b| CaseResult::report_order(a, b));
        let checks: Vec<CheckOut> = ordered.into_iter().map(check_out).collect();
        let waiver_out = |w: &Waiver, waived: &[String]| WaiverOut {
            id: w.id.clone(),
            reason: w.reason.clone(),
            expires: w.expires.map(|d| d.to_string()),
            at: w.at.to_string(),
            waived: waived.to_vec(),
        };
        let snapshots = run
            .snapshots_dir
            .as_deref()
            .and_then(|dir| SnapshotsOut::of(dir, results));
        RunReport {
            schema: SCHEMA,
            snapshots,
            scimcheck_version: env!("CARGO_PKG_VERSION"),
            verdict: match exit_code {
                0 if !run.scope.complete => "limited-pass",
                0 => "pass",
                2 => "error",
                _ => "fail",
            },
            exit_code,
            run,
            totals: Totals {
                total: results.len(),
                passed: summary.passed,
                failed: summary.failed,
                failed_must: summary.failed_required,
                harness_errors: summary.harness_failed,
                waived: summary.waived,
                skipped: summary.skipped,
                snapshot_changes: summary.snapshot_changes,
                under_load: summary.under_load,
                contradictions: summary.contradictions,
                warnings: results.iter().map(|r| r.warnings().count()).sum(),
                not_run: summary.not_run,
            },
            matrix,
            checks,
            waivers: Waivers {
                applied: waivers
                    .applied
                    .iter()
                    .map(|(w, ids)| waiver_out(w, ids))
                    .collect(),
                stale: waivers.stale.iter().map(|w| waiver_out(w, &[])).collect(),
                expired: waivers.expired.iter().map(|w| waiver_out(w, &[])).collect(),
            },
            cleanup: super::cleanup::of(&result.leftovers),
            findings: super::findings::Findings::of(result),
            client: super::clients::of(result),
            journal: result
                .journal
                .iter()
                .map(|j| {
                    let what = format!(
                        "{} {}",
                        j.exchange.request.method.as_str(),
                        j.exchange.request.url
                    );
                    (
                        j.scope.to_string(),
                        super::exchange::exchange_out(&what, &j.exchange),
                    )
                })
                .collect(),
        }
    }

    /// Whether a property check ran (was not filtered out nor skipped).
    pub fn properties_ran(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.kind == CheckKindOut::Property && c.status != CheckStatus::Skipped)
    }

    /// The failed checks (not waived), for summaries.
    pub fn failed(&self) -> impl Iterator<Item = &CheckOut> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
    }
}

fn row_status(ids: &[String], results: &[CaseResult]) -> &'static str {
    let statuses: Vec<&str> = results
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| r.status.as_str())
        .collect();
    ["failed", "waived", "passed", "skipped"]
        .into_iter()
        .find(|s| statuses.contains(s))
        .unwrap_or("uncovered")
}

/// One check as the reports show it; also what the live output renders a
/// failure from, as soon as its case ends.
pub fn check_out(result: &CaseResult) -> CheckOut {
    // A failure names its step's exchange by its index among the exchanges.
    let mut index = 0;
    let mut exchange_of = Vec::new();
    for step in result.steps.iter() {
        exchange_of.push(step.exchange.as_ref().map(|_| index));
        index += usize::from(step.exchange.is_some());
    }
    let of_steps = |pick: fn(&StepResult) -> Vec<&Failure>| -> Vec<FailureOut> {
        result
            .steps
            .iter()
            .zip(&exchange_of)
            .flat_map(|(step, at)| {
                pick(step)
                    .into_iter()
                    .map(move |failure| failure_out(step, failure, *at))
            })
            .collect()
    };
    let exchanges = result
        .steps
        .iter()
        .chain(&result.cleanup)
        .filter_map(|step| Some(exchange_out(&step.label, step.exchange.as_ref()?)))
        .collect();
    let reason = match &result.status {
        Status::Skipped { reason } | Status::Waived { reason, .. } => Some(reason.clone()),
        Status::NotRun { reason } => Some(format!("not run: {reason}")),
        _ => None,
    };
    CheckOut {
        id: result.id.clone(),
        name: result.name.clone(),
        kind: match result.property {
            true => CheckKindOut::Property,
            false => CheckKindOut::Case,
        },
        file: result.path.to_string(),
        area: result.area.clone(),
        rules: result.rules.clone(),
        level: result.level.as_str(),
        status: CheckStatus::of(&result.status),
        reason,
        duration_ms: result.duration.as_millis() as u64,
        failures: of_steps(|s| s.failures.iter().collect()),
        snapshot_changes: of_steps(|s| s.snapshot_change.iter().collect()),
        warnings: of_steps(|s| s.warnings.iter().collect()),
        exchanges,
        security: result.security,
    }
}

fn failure_out(step: &StepResult, failure: &Failure, exchange: Option<usize>) -> FailureOut {
    FailureOut {
        check: failure.kind.as_str(),
        harness: failure.kind.is_harness(),
        message: failure.message.clone(),
        expected: failure.expected.clone(),
        actual: failure.actual.clone(),
        location: failure.location.to_string(),
        step: step.label.clone(),
        exchange,
    }
}
