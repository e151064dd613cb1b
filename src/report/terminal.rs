//! Terminal output: failures read like compiler diagnostics (the case file
//! and line of the expectation, expected against actual, the request and a
//! curl line to reproduce it). Colour only on a TTY and never with NO_COLOR.

use std::fmt::Write;
use std::io::IsTerminal;

use crate::client::excerpt;
use crate::result::{CaseResult, Leftovers, Remaining, SnapshotState, Summary};
use crate::scim::ResourceType;

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

/// The evidence for a failed case: each failure where its expectation is
/// written, expected against actual; then, once per step, the request, the
/// response and a curl line that sends the request again.
pub fn failure_text(result: &CaseResult, color: bool) -> String {
    let mut out = String::new();
    let rules = result.rules.join(", ");
    let _ = writeln!(out, "{} [{} {}]", result.name, result.level.as_str(), rules);
    for step in result.steps.iter().filter(|s| !s.failures.is_empty()) {
        for failure in &step.failures {
            let at = failure.location.to_string();
            let _ = writeln!(
                out,
                "{}: {} {}",
                paint(&at, "1", color),
                paint("error:", "1;31", color),
                failure.message
            );
            if !failure.expected.is_empty() || !failure.actual.is_empty() {
                let _ = writeln!(out, "  expected: {}", paint(&failure.expected, "32", color));
                let _ = writeln!(out, "  actual:   {}", paint(&failure.actual, "31", color));
            }
        }
        let _ = writeln!(out, "  in {}", step.label);
        if let Some(exchange) = &step.exchange {
            let request = format!(
                "{} {}",
                exchange.request.method.as_str(),
                exchange.request.url
            );
            let _ = writeln!(out, "  request:  {request}");
            match &exchange.response {
                Ok(response) => {
                    let _ = writeln!(
                        out,
                        "  response: {} {}",
                        response.status,
                        excerpt(&response.body, 400)
                    );
                    let _ = writeln!(out, "  reproduce: {}", exchange.curl());
                }
                // A request the guard kept back never reached the target.
                Err(crate::client::NoResponse::Refused(_)) => {}
                Err(crate::client::NoResponse::Transport(_)) => {
                    let _ = writeln!(out, "  reproduce: {}", exchange.curl());
                }
            }
        }
    }
    out
}

/// The run's snapshots: how many matched, each change against the pinned
/// baseline with its diff (a change, not a failure of the case), and where
/// new ones were recorded.
pub fn snapshot_text(results: &[CaseResult], dir: &std::path::Path, color: bool) -> String {
    let states: Vec<SnapshotState> = results
        .iter()
        .flat_map(|r| r.steps.iter().filter_map(|s| s.snapshot))
        .collect();
    if states.is_empty() {
        return String::new();
    }
    let count = |state| states.iter().filter(|s| **s == state).count();
    let mut out = String::new();
    for result in results {
        for step in result
            .steps
            .iter()
            .filter(|s| s.snapshot == Some(SnapshotState::Changed))
        {
            let Some(change) = &step.snapshot_change else {
                continue;
            };
            let (headline, diff) = change
                .message
                .split_once('\n')
                .unwrap_or((&change.message, ""));
            let _ = writeln!(
                out,
                "{}: {} {headline}\n  in {} of {}",
                paint(&change.location.to_string(), "1", color),
                paint("snapshot change:", "1;33", color),
                step.label,
                result.id
            );
            for line in diff.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if count(SnapshotState::Changed) > 0 {
        out.push_str("  (to accept a change: run with --update-snapshots, then `scimcheck snapshots review`)\n");
    }
    let missing = count(SnapshotState::Missing);
    if missing > 0 {
        let _ = writeln!(
            out,
            "scimcheck: {missing} snapshot(s) have no baseline in {}, and CI mode records none: record them with a local run and commit them",
            dir.display()
        );
    }
    let changed = count(SnapshotState::Changed) + missing;
    let _ = write!(
        out,
        "scimcheck: snapshots in {}: {} matched, {} changed against the pinned baseline",
        dir.display(),
        count(SnapshotState::Matched),
        changed
    );
    if changed > 0 {
        out.push_str(" (a change is reported, not a failure; in CI it fails the run)");
    }
    out.push('\n');
    let recorded = count(SnapshotState::Recorded);
    if recorded > 0 {
        let _ = writeln!(
            out,
            "scimcheck: recorded {recorded} new snapshot(s) in {}: commit them to pin this server's answers (later runs, and CI, compare against them)",
            dir.display()
        );
    }
    let pending = count(SnapshotState::Pending);
    if pending > 0 {
        let _ = writeln!(
            out,
            "scimcheck: {pending} snapshot(s) pending review in {}: `scimcheck snapshots review`",
            dir.display()
        );
    }
    out
}

/// The findings besides the verdicts: failures only under parallel load,
/// and discovery claims the behaviour contradicts.
pub fn findings_text(result: &crate::result::RunResult) -> String {
    let mut out = String::new();
    let concurrency = &result.concurrency;
    let under_load: Vec<&crate::result::Rerun> = concurrency.under_load().collect();
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
    if let Some(first) = result.conflicts.first() {
        // One line: the reports hold each requirement's text.
        let mut parts: Vec<String> = Vec::new();
        for c in &result.conflicts {
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
    for contradiction in &result.contradictions {
        let _ = writeln!(
            out,
            "scimcheck: finding: claims vs behaviour (RFC 7643 §5): {}, but {}; judged by what the server does",
            contradiction.claim, contradiction.observed
        );
    }
    out
}

/// Warnings about waivers that no longer match or no longer apply.
pub fn waiver_text(outcome: &crate::waiver::Report) -> String {
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

/// `1 user`, `3 groups`.
fn count(n: usize, kind: ResourceType) -> String {
    let noun = kind.name().to_lowercase();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// What the run left on the target, in one sentence: what a GET of each
/// created resource and the survey of the run's prefix found after all
/// cleanup, whatever the run believes or the profile claims.
pub fn leftovers_sentence(leftovers: &Leftovers) -> String {
    if leftovers.created == 0 {
        return "this run created nothing".to_string();
    }
    let created: Vec<String> = leftovers
        .created_by_kind
        .iter()
        .map(|(kind, n)| count(*n, *kind))
        .collect();
    let mut out = format!("{} created by this run", created.join(" and "));
    let asked = match leftovers.asked.as_slice() {
        [] => String::new(),
        asked => format!(", and nothing else is found by {}", asked.join(" or by ")),
    };
    if leftovers.remaining.is_empty() {
        out.push_str(&format!(", all gone: a GET of each answers 404{asked}"));
    } else {
        let mut parts = Vec::new();
        if leftovers.gone > 0 {
            parts.push(format!("{} gone", leftovers.gone));
        }
        let remain = |n: usize| if n == 1 { "remains" } else { "remain" };
        for (kind, _) in &leftovers.created_by_kind {
            let of = |state: &str| {
                leftovers
                    .remaining
                    .iter()
                    .filter(|r| r.kind == *kind && r.state.as_str() == state)
                    .count()
            };
            let (inactive, active, unknown) = (of("inactive"), of("active"), of("unknown"));
            if inactive > 0 {
                let noun = kind.name().to_lowercase();
                let what = if inactive == 1 {
                    format!("an inactive {noun}")
                } else {
                    format!("inactive {noun}s")
                };
                parts.push(format!(
                    "{inactive} {} as {what}: this server deactivates on DELETE",
                    remain(inactive)
                ));
            }
            if active > 0 {
                parts.push(format!(
                    "{} {} active (a GET still answers 200)",
                    count(active, *kind),
                    remain(active)
                ));
            }
            if unknown > 0 {
                let why = leftovers
                    .remaining
                    .iter()
                    .find_map(|r| match &r.state {
                        Remaining::Unknown(why) if r.kind == *kind => Some(why.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                parts.push(format!(
                    "{} may remain (the server did not say: {why})",
                    count(unknown, *kind)
                ));
            }
        }
        out.push_str("; ");
        out.push_str(&parts.join("; "));
        if !leftovers.asked.is_empty() {
            out.push_str(&format!(
                " (asked by a GET of each and by {})",
                leftovers.asked.join(" and by ")
            ));
        }
    }
    if leftovers.found_at_end > 0 {
        out.push_str(&format!(
            " ({} whose create got no answer in time found only then, and deleted)",
            leftovers.found_at_end
        ));
    }
    if leftovers.removed_at_end > 0 {
        out.push_str(&format!(
            " ({} deleted by the final safety net)",
            leftovers.removed_at_end
        ));
    }
    out
}

/// What the run left on the target, with what to do about it.
pub fn cleanup_text(leftovers: &Leftovers) -> String {
    if leftovers.created == 0 {
        return String::new();
    }
    let mut out = format!("scimcheck: cleanup: {}", leftovers_sentence(leftovers));
    if leftovers.count("active") + leftovers.count("unknown") > 0 {
        out.push_str("; remove them with `scimcheck sweep --url URL --delete`");
    }
    if leftovers.retry_wait.as_millis() > 0 {
        out.push_str(&format!(
            "; {:.1} s spent waiting on Retry-After",
            leftovers.retry_wait.as_secs_f64()
        ));
    }
    out + "\n"
}

/// The closing lines of a run, with the exit code it ends with.
pub fn summary_text(summary: &Summary, exit: crate::exit::Exit) -> String {
    let exit = exit as u8;
    let mut changes = String::new();
    for (n, what) in [
        (summary.snapshot_changes, "snapshot change(s)"),
        (summary.under_load, "failing only under load"),
        (summary.contradictions, "contradicted claim(s)"),
    ] {
        if n > 0 {
            changes.push_str(&format!(", {n} {what}"));
        }
    }
    format!(
        "scimcheck: {} passed, {} failed ({} MUST), {} waived, {} skipped{changes}; exit {exit}\n{} passed, {} failed, {} skipped\n",
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

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
