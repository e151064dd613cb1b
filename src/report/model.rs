//! The report model: everything a run produced, in one serializable value
//! that every machine and human format renders, built from the runner's
//! [`RunResult`] and the run's [`RunInfo`]. Its JSON form *is* the
//! documented report schema (`docs/report.schema.json`, version
//! [`SCHEMA`]); checks are in id order and every list has a stable order.

use serde::Serialize;

use super::exchange::exchange_out;
pub use super::exchange::{ExchangeOut, RetryOut};

use crate::check::Failure;
use crate::result::{CaseResult, Leftovers, RunResult, Status, StepResult, Summary};
use crate::rules;
use crate::waiver::Waiver;

/// The report schema's identifier; bumped on any incompatible change.
pub const SCHEMA: &str = "https://github.com/scimcheck/scimcheck/report/v2";

/// What the run was, independent of its results.
#[derive(Debug, Clone, Serialize)]
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
}

/// What the run left on the target, as the target answered after all
/// cleanup: a GET of each resource the run created, and the survey of the
/// run's prefix.
#[derive(Debug, Clone, Serialize)]
pub struct Cleanup {
    /// Resources the run created.
    pub created: usize,
    /// Of those, removed by the final safety net (not by their check's own cleanup).
    pub removed_at_end: usize,
    /// Of those, found only by the final survey of the run's prefix (their
    /// create's answer was lost), and deleted then.
    pub found_at_end: usize,
    /// How the target was asked what remains, besides a GET of each created resource.
    pub asked: Vec<String>,
    /// Of those, answered 404: gone.
    pub gone: usize,
    /// Of those, still on the target, with their state.
    pub left: Vec<LeftOut>,
    /// The whole story in one sentence, as the terminal says it.
    pub summary: String,
    /// Total time spent waiting on `Retry-After`.
    pub retry_wait_ms: u64,
    /// HTTP requests the run sent (retries and cleanup included).
    pub requests: u64,
}

/// One resource the run created that the target still holds.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// `User` or `Group`.
    pub resource: &'static str,
    /// `null`: a name whose lookup did not tell.
    pub id: Option<String>,
    /// The unique name its create carried.
    pub name: Option<String>,
    /// `active`, `inactive` or `unknown` (the GET did not say).
    pub state: &'static str,
    /// Why the state is unknown.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Failed checks whose level is MUST.
    pub failed_must: usize,
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
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// `path:line:col` of the expectation in the case file.
    pub location: String,
    /// The step (or property run) it happened in.
    pub step: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckOut {
    pub id: String,
    pub name: String,
    /// `case` or `property`.
    pub kind: &'static str,
    pub file: String,
    pub area: String,
    pub rules: Vec<String>,
    pub level: &'static str,
    /// `passed`, `failed`, `waived` or `skipped`.
    pub status: &'static str,
    /// Why it was skipped, or the waiver's reason.
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub failures: Vec<FailureOut>,
    /// Differences from pinned snapshots: changes, not failures.
    pub snapshot_changes: Vec<FailureOut>,
    /// In a client flow: RFC behaviour the client tolerates the lack of, that did not hold.
    pub warnings: Vec<FailureOut>,
    pub exchanges: Vec<ExchangeOut>,
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

/// One run, as every report renders it.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema: &'static str,
    pub scimcheck_version: &'static str,
    /// `pass` or `fail`: what the exit code says.
    pub verdict: &'static str,
    pub exit_code: u8,
    pub run: RunInfo,
    pub totals: Totals,
    pub matrix: Vec<MatrixRow>,
    pub checks: Vec<CheckOut>,
    pub waivers: Waivers,
    pub cleanup: Cleanup,
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
        let mut checks: Vec<CheckOut> = results.iter().map(check_out).collect();
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let waiver_out = |w: &Waiver, waived: &[String]| WaiverOut {
            id: w.id.clone(),
            reason: w.reason.clone(),
            expires: w.expires.map(|d| d.to_string()),
            at: w.at.to_string(),
            waived: waived.to_vec(),
        };
        RunReport {
            schema: SCHEMA,
            scimcheck_version: env!("CARGO_PKG_VERSION"),
            verdict: if exit_code == 0 { "pass" } else { "fail" },
            exit_code,
            run,
            totals: Totals {
                total: results.len(),
                passed: summary.passed,
                failed: summary.failed,
                failed_must: summary.failed_required,
                waived: summary.waived,
                skipped: summary.skipped,
                snapshot_changes: summary.snapshot_changes,
                under_load: summary.under_load,
                contradictions: summary.contradictions,
                warnings: results.iter().map(|r| r.warnings().count()).sum(),
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
            cleanup: cleanup_out(&result.leftovers),
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

    /// The failed checks (not waived), for summaries.
    pub fn failed(&self) -> impl Iterator<Item = &CheckOut> {
        self.checks.iter().filter(|c| c.status == "failed")
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

fn cleanup_out(leftovers: &Leftovers) -> Cleanup {
    Cleanup {
        created: leftovers.created,
        removed_at_end: leftovers.removed_at_end,
        found_at_end: leftovers.found_at_end,
        asked: leftovers.asked.clone(),
        gone: leftovers.gone,
        left: leftovers
            .remaining
            .iter()
            .map(|r| LeftOut {
                resource: r.kind.name(),
                id: r.id.clone(),
                name: r.name.clone(),
                state: r.state.as_str(),
                detail: match &r.state {
                    crate::result::Remaining::Unknown(why) => Some(why.clone()),
                    _ => None,
                },
            })
            .collect(),
        summary: super::terminal::leftovers_sentence(leftovers),
        retry_wait_ms: leftovers.retry_wait.as_millis() as u64,
        requests: leftovers.requests,
    }
}

fn check_out(result: &CaseResult) -> CheckOut {
    let failures = result
        .failures()
        .map(|(step, failure)| failure_out(step, failure))
        .collect();
    let exchanges = result
        .steps
        .iter()
        .chain(&result.cleanup)
        .filter_map(|step| Some(exchange_out(&step.label, step.exchange.as_ref()?)))
        .collect();
    let reason = match &result.status {
        Status::Skipped { reason } | Status::Waived { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    CheckOut {
        id: result.id.clone(),
        name: result.name.clone(),
        kind: if result.property { "property" } else { "case" },
        file: result.path.to_string(),
        area: result.area.clone(),
        rules: result.rules.clone(),
        level: result.level.as_str(),
        status: result.status.as_str(),
        reason,
        duration_ms: result.duration.as_millis() as u64,
        failures,
        snapshot_changes: result
            .snapshot_changes()
            .map(|(step, change)| failure_out(step, change))
            .collect(),
        warnings: result
            .warnings()
            .map(|(step, warning)| failure_out(step, warning))
            .collect(),
        exchanges,
    }
}

fn failure_out(step: &StepResult, failure: &Failure) -> FailureOut {
    FailureOut {
        check: failure.kind.as_str(),
        message: failure.message.clone(),
        expected: failure.expected.clone(),
        actual: failure.actual.clone(),
        location: failure.location.to_string(),
        step: step.label.clone(),
    }
}
