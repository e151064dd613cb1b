//! Terminal output: failures read like compiler diagnostics (the case file
//! and line of the expectation, expected against actual, the request and a
//! curl line to reproduce it). Colour only on a TTY and never with NO_COLOR.

use std::fmt::Write;
use std::io::IsTerminal;

use super::Summary;
use crate::check::excerpt;
use crate::run::{CaseResult, SnapshotState};

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

/// The evidence for a failed case, one block per failure.
pub fn failure_text(result: &CaseResult, color: bool) -> String {
    let mut out = String::new();
    let rules = result.rules.join(", ");
    let _ = writeln!(out, "{} [{} {}]", result.name, result.level.as_str(), rules);
    for (step, failure) in result.failures() {
        let at = format!("{}:{}:{}", result.path, failure.loc.line, failure.loc.col);
        let _ = writeln!(
            out,
            "{}: {} {}",
            paint(&at, "1", color),
            paint("error:", "1;31", color),
            failure.message
        );
        let _ = writeln!(out, "  in {}", step.label);
        if !failure.expected.is_empty() || !failure.actual.is_empty() {
            let _ = writeln!(out, "  expected: {}", paint(&failure.expected, "32", color));
            let _ = writeln!(out, "  actual:   {}", paint(&failure.actual, "31", color));
        }
        if let Some(exchange) = &step.exchange {
            let _ = writeln!(
                out,
                "  request:  {} {}",
                exchange.request.method.as_str(),
                exchange.request.url
            );
            if let Ok(response) = &exchange.response {
                let _ = writeln!(
                    out,
                    "  response: {} {}",
                    response.status,
                    excerpt(&response.body, 400)
                );
            }
            let _ = writeln!(out, "  reproduce: {}", exchange.curl());
        }
    }
    out
}

/// One line on the run's snapshots, when it took any.
pub fn snapshot_text(results: &[CaseResult], dir: &std::path::Path) -> String {
    let states: Vec<SnapshotState> = results
        .iter()
        .flat_map(|r| r.steps.iter().filter_map(|s| s.snapshot))
        .collect();
    if states.is_empty() {
        return String::new();
    }
    let count = |state| states.iter().filter(|s| **s == state).count();
    let mut line = format!(
        "scimcheck: snapshots in {}: {} matched, {} differ",
        dir.display(),
        count(SnapshotState::Matched),
        count(SnapshotState::Failed)
    );
    if count(SnapshotState::Recorded) > 0 {
        line.push_str(&format!(
            ", {} recorded (new)",
            count(SnapshotState::Recorded)
        ));
    }
    if count(SnapshotState::Pending) > 0 {
        line.push_str(&format!(
            ", {} pending review (`scimcheck snapshots review`)",
            count(SnapshotState::Pending)
        ));
    }
    line + "\n"
}

/// Warnings about waivers that no longer match or no longer apply.
pub fn waiver_text(outcome: &crate::waiver::Outcome) -> String {
    let mut out = String::new();
    for (waiver, ids) in &outcome.applied {
        out.push_str(&format!(
            "scimcheck: waived {} ({}): {}\n",
            ids.join(", "),
            waiver.at,
            waiver.reason
        ));
    }
    for waiver in &outcome.stale {
        out.push_str(&format!(
            "scimcheck: warning: stale waiver `{}` at {} matches no failure: remove it\n",
            waiver.id, waiver.at
        ));
    }
    for waiver in &outcome.expired {
        out.push_str(&format!(
            "scimcheck: warning: waiver `{}` at {} expired on {}: no longer applied\n",
            waiver.id,
            waiver.at,
            waiver.expires.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    out
}

/// What the run left on the target.
pub fn cleanup_text(cleanup: &crate::report::model::Cleanup) -> String {
    if cleanup.created == 0 {
        return String::new();
    }
    let mut out = format!(
        "scimcheck: cleanup: {} user(s) created by this run",
        cleanup.created
    );
    if cleanup.left.is_empty() {
        out.push_str(", all deleted");
    } else {
        out.push_str(&format!(
            ", {} NOT deleted: {} (remove them with `scimcheck sweep --url URL --delete`)",
            cleanup.left.len(),
            cleanup.left.join(", ")
        ));
    }
    if cleanup.removed_at_end > 0 {
        out.push_str(&format!(
            " ({} by the final safety net)",
            cleanup.removed_at_end
        ));
    }
    if cleanup.deactivated_only {
        out.push_str("; this server deactivates on DELETE, so they remain as inactive users named scimcheck-<run>-…");
    }
    if cleanup.retry_wait_ms > 0 {
        out.push_str(&format!(
            "; {:.1} s spent waiting on Retry-After",
            cleanup.retry_wait_ms as f64 / 1000.0
        ));
    }
    out + "\n"
}

/// The closing lines of a run.
pub fn summary_text(summary: &Summary, strict: bool) -> String {
    let exit = summary.exit(strict) as u8;
    format!(
        "scimcheck: {} passed, {} failed ({} MUST), {} waived, {} skipped; exit {exit}\n{} passed, {} failed, {} skipped\n",
        summary.passed,
        summary.failed,
        summary.failed_required,
        summary.waived,
        summary.skipped,
        summary.passed,
        summary.failed,
        summary.skipped
    )
}
