//! `--report-html`: one self-contained HTML file (no external scripts,
//! fonts or styles), readable offline: the verdict, the compatibility
//! matrix, and each failure with its evidence and a curl reproducer.
//! `--html-template FILE` replaces the built-in template (minijinja,
//! autoescaped), so a vendor can restyle it.

use super::model::RunReport;
use super::templates;

pub fn render(report: &RunReport, template: Option<&str>) -> String {
    templates::render("report.html", template.unwrap_or(templates::HTML), report)
}
