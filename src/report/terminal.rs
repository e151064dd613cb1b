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

/// The evidence for a failed case, one block per failure.
pub fn failure_text(result: &CaseResult, color: bool) -> String {
    let mut out = String::new();
    let rules = result.rules.join(", ");
    let _ = writeln!(out, "{} [{} {}]", result.name, result.level.as_str(), rules);
    for (step, failure) in result.failures() {
        let at = failure.location.to_string();
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
/// created resource answered after all cleanup, whatever the profile claims.
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
    if leftovers.remaining.is_empty() {
        out.push_str(", all gone (a GET of each answers 404)");
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
                let plural = if inactive == 1 { "" } else { "s" };
                parts.push(format!(
                    "{inactive} {} as inactive {noun}{plural}: this server deactivates on DELETE",
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
                    "{} may remain (the GET did not say: {why})",
                    count(unknown, *kind)
                ));
            }
        }
        out.push_str("; ");
        out.push_str(&parts.join("; "));
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
