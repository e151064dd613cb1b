//! `--report-md`: a Markdown summary for a pull-request comment or a CI step
//! summary (also appended to `GITHUB_STEP_SUMMARY` in GitHub Actions).

use super::model::RunReport;
use super::templates;

pub fn render(report: &RunReport) -> String {
    templates::render("report.md", templates::MARKDOWN, report)
}
