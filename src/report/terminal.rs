//! Terminal output, rendered from the report model like every other
//! format: failures read like compiler diagnostics (the case file and line
//! of the expectation, expected against actual, the request and a curl line
//! to reproduce it), and the closing block of a run. Colour only on a TTY
//! and never with NO_COLOR.

use std::fmt::Write;
use std::io::IsTerminal;

use super::cleanup::Cleanup;
pub use super::evidence::failure_text;
use super::evidence::paint;
use super::findings::{Findings, RerunOut};
pub use super::live::{Live, LiveOptions, Verbosity};
use super::model::{RunReport, Waivers};

/// Whether stdout gets ANSI colours.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// The run's snapshots: how many matched, each change against the pinned
/// baseline with its diff (a change, not a failure of the case), and where
/// new ones were recorded.
pub fn snapshot_text(report: &RunReport, color: bool) -> String {
    let Some(counts) = &report.snapshots else {
        return String::new();
    };
    let dir = &counts.dir;
    let mut out = String::new();
    for check in &report.checks {
        for change in &check.snapshot_changes {
            let (headline, diff) = change
                .message
                .split_once('\n')
                .unwrap_or((&change.message, ""));
            let _ = writeln!(
                out,
                "{}: {} {headline}\n  in {} of {}",
                paint(&change.location, "1", color),
                paint("snapshot change:", "1;33", color),
                change.step,
                check.id
            );
            for line in diff.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if counts.changed > 0 {
        out.push_str("  (to accept a change: run with --update-snapshots, then `scimcheck snapshots review`)\n");
    }
    let missing = counts.missing;
    if missing > 0 {
        let _ = writeln!(
            out,
            "scimcheck: {missing} snapshot(s) have no baseline in {dir}, and CI mode records none: record them with a local run and commit them",
        );
    }
    let changed = counts.changed + missing;
    if counts.matched + changed > 0 {
        let _ = write!(
            out,
            "scimcheck: snapshots in {dir}: {} matched, {changed} changed against the pinned baseline",
            counts.matched,
        );
        if changed > 0 {
            out.push_str(" (a change is reported, not a failure; in CI it fails the run)");
        }
        out.push('\n');
    }
    if counts.unpinned > 0 {
        let _ = writeln!(
            out,
            "scimcheck: no baseline in {dir}: {} snapshot(s) not compared and nothing written (`--snapshots DIR` records a baseline to commit)",
            counts.unpinned
        );
    }
    if counts.recorded > 0 {
        let _ = writeln!(
            out,
            "scimcheck: recorded {} new snapshot(s) in {dir}: commit them to pin this server's answers (later runs, and CI, compare against them)",
            counts.recorded
        );
    }
    if counts.pending > 0 {
        let _ = writeln!(
            out,
            "scimcheck: {} snapshot(s) pending review in {dir}: `scimcheck snapshots review`",
            counts.pending
        );
    }
    out
}

/// The findings besides the verdicts: failures only under parallel load,
/// and discovery claims the behaviour contradicts; with `verbose`, also
/// where the judged profile conflicts with the interop profile (named in
/// every report, judging nothing).
pub fn findings_text(findings: &Findings, verbose: bool) -> String {
    let mut out = String::new();
    let concurrency = &findings.concurrency;
    let under_load: Vec<&RerunOut> = concurrency
        .reruns
        .iter()
        .filter(|r| r.finding == "under-load")
        .collect();
    if !under_load.is_empty() {
        let _ = writeln!(
            out,
            "scimcheck: finding: with {} cases running at once the server answered with errors or dropped connections in {} case(s) that pass alone (identity providers provision in parallel):",
            concurrency.parallel,
            under_load.len()
        );
        for rerun in under_load.iter().take(5) {
            let _ = writeln!(
                out,
                "  {}: {} answered {}",
                rerun.case, rerun.step, rerun.answer
            );
        }
        if under_load.len() > 5 {
            let _ = writeln!(
                out,
                "  … and {} more (every one is in the reports)",
                under_load.len() - 5
            );
        }
    }
    let again = concurrency.reruns.len() - under_load.len();
    if again > 0 {
        let _ = writeln!(
            out,
            "scimcheck: {again} case(s) met server errors or dropped connections alone too: their rerun's verdict stands"
        );
    }
    if let Some(first) = findings.conflicts.first().filter(|_| verbose) {
        // One line: the reports hold each requirement's text.
        let mut parts: Vec<String> = Vec::new();
        for c in &findings.conflicts {
            let part = format!("{} ({})", c.documented, c.requirement.section);
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        let _ = writeln!(
            out,
            "scimcheck: conflicts with the {} profile (named, not failures): {}",
            first.profile,
            parts.join("; ")
        );
    }
    for contradiction in &findings.contradictions {
        let _ = writeln!(
            out,
            "scimcheck: finding: claims vs behaviour (RFC 7643 §5): {}, but {}; judged by what the server does",
            contradiction.claim, contradiction.observed
        );
    }
    out
}

/// Warnings about waivers that no longer match or no longer apply.
pub fn waiver_text(waivers: &Waivers) -> String {
    let mut out = String::new();
    for waiver in &waivers.applied {
        out.push_str(&format!(
            "scimcheck: waived {} ({}): {}\n",
            waiver.waived.join(", "),
            waiver.at,
            waiver.reason
        ));
    }
    for waiver in &waivers.stale {
        out.push_str(&format!(
            "scimcheck: warning: stale waiver `{}` at {} matches no failure: remove it\n",
            waiver.id, waiver.at
        ));
    }
    for waiver in &waivers.expired {
        out.push_str(&format!(
            "scimcheck: warning: waiver `{}` at {} expired on {}: no longer applied\n",
            waiver.id,
            waiver.at,
            waiver.expires.as_deref().unwrap_or_default()
        ));
    }
    out
}

/// What the run left on the target, with what to do about it.
pub fn cleanup_text(cleanup: &Cleanup) -> String {
    if cleanup.created == 0 {
        return String::new();
    }
    let mut out = format!("scimcheck: cleanup: {}", cleanup.summary);
    if cleanup.count("active") + cleanup.count("unknown") > 0 {
        out.push_str("; remove them with `scimcheck sweep --url URL --delete`");
    }
    if cleanup.retry_wait_ms > 0 {
        out.push_str(&format!(
            "; {:.1} s spent waiting on Retry-After",
            cleanup.retry_wait_ms as f64 / 1000.0
        ));
    }
    out + "\n"
}

/// Everything the terminal says once a run has ended, after the line of
/// each check: waivers, the seed, snapshots, findings, the client's
/// verdict, the cleanup, the scope of a limited run, and one line of
/// counts with the exit code.
pub fn closing(report: &RunReport, color: bool, verbosity: Verbosity) -> String {
    let mut out = waiver_text(&report.waivers);
    if report.properties_ran() {
        let seed = &report.run.seed;
        let _ = writeln!(
            out,
            "scimcheck: property checks used seed {seed} (reproduce with --seed {seed})"
        );
    }
    out.push_str(&snapshot_text(report, color));
    out.push_str(&findings_text(
        &report.findings,
        verbosity == Verbosity::Verbose,
    ));
    if let Some(client) = &report.client {
        out.push_str(&super::clients::text(client));
    }
    out.push_str(&cleanup_text(&report.cleanup));
    let insecure: Vec<&str> = (report.checks.iter())
        .filter(|c| c.security && c.status == super::model::CheckStatus::Failed)
        .map(|c| c.id.as_str())
        .collect();
    if !insecure.is_empty() {
        let _ = writeln!(
            out,
            "scimcheck: SECURITY: requests were served without valid credentials ({}): see their evidence above; any resource they created was removed with the run's own",
            insecure.join(", ")
        );
    }
    if !report.run.scope.complete {
        let _ = writeln!(out, "scimcheck: scope: {}", report.run.scope.sentence());
    }
    out.push_str(&summary_text(report));
    out
}

/// The one closing line: the counts and the exit code. Without
/// `--strict`, a SHOULD or MAY failure is a warning, counted apart.
pub fn summary_text(report: &RunReport) -> String {
    let totals = &report.totals;
    let strict = report.run.strict;
    let failing: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status == super::model::CheckStatus::Failed && !c.is_warning(strict))
        .collect();
    let warned = totals.failed - failing.len();
    let harness = failing.iter().filter(|c| c.is_harness_error()).count();
    let mut failed = format!("{} failed", failing.len());
    let must = totals.failed_must;
    match (strict, harness) {
        (true, 0) => failed.push_str(&format!(" ({must} MUST)")),
        (true, n) => failed.push_str(&format!(
            " ({must} MUST, {n} of them the harness's own trouble)"
        )),
        (false, 0) => {}
        (false, n) => failed.push_str(&format!(" ({n} of them the harness's own trouble)")),
    }
    if warned > 0 {
        failed.push_str(&format!(
            ", {warned} warning(s) (SHOULD/MAY failures: --strict fails them)"
        ));
    }
    let mut changes = String::new();
    for (n, what) in [
        (totals.snapshot_changes, "snapshot change(s)"),
        (totals.under_load, "failing only under load"),
        (totals.contradictions, "contradicted claim(s)"),
        (totals.not_run, "not run (the run was cut short)"),
    ] {
        if n > 0 {
            changes.push_str(&format!(", {n} {what}"));
        }
    }
    format!(
        "scimcheck: {} passed, {failed}, {} waived, {} skipped{changes}; exit {}\n",
        totals.passed, totals.waived, totals.skipped, report.exit_code
    )
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
