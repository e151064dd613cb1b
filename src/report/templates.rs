//! The report templates (minijinja). Names ending in `.html` are
//! autoescaped as HTML; the Markdown template escapes table cells itself.

use minijinja::{Environment, Value};

use super::model::RunReport;

pub const HTML: &str = include_str!("templates/report.html");
pub const MARKDOWN: &str = include_str!("templates/report.md");

/// Renders a template with the report as `report`; a broken template gives
/// its error as the output (with the line), never a panic.
pub fn render(name: &str, source: &str, report: &RunReport) -> String {
    render_with(name, source, report, Value::UNDEFINED)
}

/// [`render`], with one more value in the context (`seal`: a bundle's
/// digest and signer, for the HTML certificate).
pub fn render_with(name: &str, source: &str, report: &RunReport, seal: Value) -> String {
    let mut env = Environment::new();
    env.add_filter("cell", cell);
    if let Err(e) = env.add_template(name, source) {
        return format!("template error: {e:#}");
    }
    let template = env.get_template(name).expect("added above");
    template
        .render(minijinja::context! { report => Value::from_serialize(report), seal => seal })
        .unwrap_or_else(|e| format!("template error: {e:#}"))
}

/// Text safe inside a Markdown table cell: pipes escaped, one line.
fn cell(text: String) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
