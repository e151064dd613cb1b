//! `--report-json`: the report model as JSON. The shape is documented in
//! `docs/report.schema.json`; `schema` names its version.

use super::model::RunReport;

pub fn render(report: &RunReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serializing plain data cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"cannot render the report: {e}\"}}")
    });
    text.push('\n');
    text
}
