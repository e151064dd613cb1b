//! `--report-html`: one self-contained HTML file (no external scripts,
//! fonts or styles), readable offline: the verdict, the compatibility
//! matrix, and each failure with its evidence and a curl reproducer.
//! `--html-template FILE` replaces the built-in template (minijinja,
//! autoescaped), so a vendor can restyle it. In a bundle ([`Seal`]) the
//! certificate also shows the bundle's digest and who signed it.

use serde::Serialize;

use super::model::RunReport;
use super::templates;

/// What a bundle's HTML certificate says of the bundle it is part of.
#[derive(Debug, Clone, Serialize)]
pub struct Seal {
    /// SHA-256 over the digests of the bundle's evidence files.
    pub digest: String,
    /// The fingerprint of the public key whose secret key signs the
    /// manifest; `None`: unsigned.
    pub signed_by: Option<String>,
}

pub fn render(report: &RunReport, template: Option<&str>) -> String {
    templates::render("report.html", template.unwrap_or(templates::HTML), report)
}

/// The certificate of a bundle: [`render`], with the bundle's seal.
pub fn render_sealed(report: &RunReport, template: Option<&str>, seal: &Seal) -> String {
    templates::render_with(
        "report.html",
        template.unwrap_or(templates::HTML),
        report,
        minijinja::Value::from_serialize(seal),
    )
}
