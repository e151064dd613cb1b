//! GitHub Actions: with `GITHUB_ACTIONS=true`, each failure is also printed
//! as an `::error` workflow command pointing at the case file and line (a
//! SHOULD or MAY failure without `--strict` as a `::warning`), and
//! the Markdown summary is appended to `GITHUB_STEP_SUMMARY` when it is set.

use std::io::Write;

use super::model::RunReport;

/// Whether the run is inside GitHub Actions.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// One `::error` line per failure of a failed (not waived) check; a
/// `::warning` for a check whose failure does not fail the run.
pub fn annotations(report: &RunReport) -> String {
    let mut out = String::new();
    for check in report.failed() {
        let command = match check.is_warning(report.run.strict) {
            true => "warning",
            false => "error",
        };
        for failure in &check.failures {
            let mut parts = failure.location.rsplitn(3, ':');
            let col = parts.next().unwrap_or("1");
            let line = parts.next().unwrap_or("1");
            let file = parts.next().unwrap_or(&check.file);
            let mut message = failure.message.clone();
            if !failure.expected.is_empty() || !failure.actual.is_empty() {
                message.push_str(&format!(
                    "\nexpected: {}\nactual: {}",
                    failure.expected, failure.actual
                ));
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},title={}::{}\n",
                property(file),
                property(line),
                property(col),
                property(&format!("{} [{}]", check.id, check.level)),
                data(&message)
            ));
        }
    }
    out
}

/// Appends the Markdown summary to `GITHUB_STEP_SUMMARY`, if set.
pub fn step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()))
}

/// Escaping of a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
