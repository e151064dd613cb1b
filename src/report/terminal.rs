//! Terminal output, rendered from the report model like every other
//! format: failures read like compiler diagnostics (the case file and line
//! of the expectation, expected against actual, the request and a curl line
//! to reproduce it), and the closing block of a run. Colour only on a TTY
//! and never with NO_COLOR.

use std::collections::HashMap;
use std::fmt::Write;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::cleanup::Cleanup;
use super::findings::{Findings, RerunOut};
use super::model::{CheckOut, RunReport, Totals, Waivers, check_out};
use crate::client::excerpt;
use crate::result::CaseResult;
use crate::run::{Event, Observer};

/// The live output of a run, beside libtest's line per case: each failure's
/// evidence (rendered from the report model, as every report renders it),
/// the rerun phase, a long case's progress every few seconds, and the final
/// cleanup. On stderr, but a failure's text, which libtest prints.
pub struct Live {
    pub color: bool,
    /// When each long case last told its progress.
    told: Mutex<HashMap<String, Instant>>,
}

/// How often a long case tells how far it has got.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

impl Live {
    pub fn new(color: bool) -> Live {
        Live {
            color,
            told: Mutex::default(),
        }
    }
}

impl Observer for Live {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::Progress { case, done, total } => {
                let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let last = *told.entry(case.to_string()).or_insert(now);
                if done < total && now.duration_since(last) >= PROGRESS_EVERY {
                    told.insert(case.to_string(), now);
                    eprintln!("scimcheck: {case}: {done} of {total} requests answered");
                }
            }
            Event::Rerun { cases, parallel } => println!(
                "\nscimcheck: {cases} case(s) met server errors or dropped connections with {parallel} cases running at once; rerunning them one at a time, and judging them by the rerun"
            ),
            Event::CleanupStarted { created: 0 } => {}
            Event::CleanupStarted { created } => eprintln!(
                "scimcheck: cases done: removing what remains of the {created} resource(s) this run created, and asking the target what is left"
            ),
        }
    }

    fn failure_text(&self, result: &CaseResult) -> String {
        failure_text(&check_out(result), self.color)
    }
}

/// Whether stdout gets ANSI colours.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The evidence for a failed check: each failure where its expectation is
/// written, expected against actual; then, once per step, the request, the
/// response and a curl line that sends the request again.
pub fn failure_text(check: &CheckOut, color: bool) -> String {
    let mut out = String::new();
    let rules = check.rules.join(", ");
    let _ = writeln!(out, "{} [{} {}]", check.name, check.level, rules);
    let mut failures = check.failures.iter().peekable();
    while let Some(first) = failures.next() {
        let mut of_step = vec![first];
        while let Some(next) =
            failures.next_if(|f| f.step == first.step && f.exchange == first.exchange)
        {
            of_step.push(next);
        }
        for failure in of_step {
            let _ = writeln!(
                out,
                "{}: {} {}",
                paint(&failure.location, "1", color),
                paint("error:", "1;31", color),
                failure.message
            );
            if !failure.expected.is_empty() || !failure.actual.is_empty() {
                let _ = writeln!(out, "  expected: {}", paint(&failure.expected, "32", color));
                let _ = writeln!(out, "  actual:   {}", paint(&failure.actual, "31", color));
            }
        }
        let _ = writeln!(out, "  in {}", first.step);
        if let Some(exchange) = first.exchange.and_then(|i| check.exchanges.get(i)) {
            let _ = writeln!(out, "  request:  {} {}", exchange.method, exchange.url);
            if let Some(status) = exchange.status {
                let body = exchange.response_body.as_deref().unwrap_or_default();
                let _ = writeln!(out, "  response: {status} {}", excerpt(body, 400));
            }
            // A request the guard kept back never reached the target.
            if exchange.sent {
                let _ = writeln!(out, "  reproduce: {}", exchange.curl);
            }
        }
    }
    out
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
/// and discovery claims the behaviour contradicts.
pub fn findings_text(findings: &Findings) -> String {
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
    if let Some(first) = findings.conflicts.first() {
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

/// Everything the terminal says once a run has ended, after libtest's own
/// lines: waivers, the seed, snapshots, findings, the client's verdict, the
/// cleanup, and the counts with the exit code.
pub fn closing(report: &RunReport, color: bool) -> String {
    let mut out = waiver_text(&report.waivers);
    if report.properties_ran() {
        let seed = &report.run.seed;
        let _ = writeln!(
            out,
            "scimcheck: property checks used seed {seed} (reproduce with --seed {seed})"
        );
    }
    out.push_str(&snapshot_text(report, color));
    out.push_str(&findings_text(&report.findings));
    if let Some(client) = &report.client {
        out.push_str(&super::clients::text(client));
    }
    out.push_str(&cleanup_text(&report.cleanup));
    if !report.run.scope.complete {
        let _ = writeln!(out, "scimcheck: scope: {}", report.run.scope.sentence());
    }
    out.push_str(&summary_text(&report.totals, report.exit_code));
    out
}

/// The closing lines of a run, with the exit code it ends with.
pub fn summary_text(totals: &Totals, exit: u8) -> String {
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
    let harness = match totals.harness_errors {
        0 => String::new(),
        n => format!(", {n} of them the harness's own trouble"),
    };
    format!(
        "scimcheck: {} passed, {} failed ({} MUST{harness}), {} waived, {} skipped{changes}; exit {exit}\n{} passed, {} failed, {} skipped\n",
        totals.passed,
        totals.failed,
        totals.failed_must,
        totals.waived,
        totals.skipped,
        totals.passed,
        totals.failed,
        totals.skipped
    )
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
