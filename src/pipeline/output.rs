//! Writing a run's outputs, every one from the one [`RunReport`]: the
//! report files the flags ask for, the bundle, and the GitHub Actions
//! extras. The terminal's closing block is rendered from the same value
//! ([`crate::report::terminal::closing`]).

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::Error;
use crate::report::model::RunReport;
use crate::report::{github, html, json, junit, markdown};

/// Which outputs a run writes.
#[derive(Default)]
pub struct Outputs {
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub html: Option<PathBuf>,
    /// `--html-template`, read before the run.
    pub html_template: Option<String>,
    pub bundle: Option<PathBuf>,
    /// Signs the bundle (`--sign-key`), read before the run.
    pub sign_key: Option<SigningKey>,
}

/// Checks, before the run, that every report file can be written where
/// the flags say: a run is not lost at its end for a mistyped folder.
pub fn check(outputs: &Outputs) -> Result<(), Error> {
    let files = [
        &outputs.junit,
        &outputs.json,
        &outputs.markdown,
        &outputs.html,
    ];
    for path in files.into_iter().flatten() {
        let why = if path.is_dir() {
            Some("it is a directory".to_string())
        } else {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            match parent {
                Some(dir) if !dir.is_dir() => {
                    Some(format!("its folder {} does not exist", dir.display()))
                }
                _ => None,
            }
        };
        if let Some(why) = why {
            return Err(Error::Write {
                path: path.clone(),
                source: std::io::Error::other(why),
            });
        }
    }
    Ok(())
}

/// Writes every output `outputs` asks for.
pub fn write(outputs: &Outputs, report: &RunReport) -> Result<(), Error> {
    type Render = fn(&RunReport) -> String;
    let formats: [(&Option<PathBuf>, Render); 3] = [
        (&outputs.junit, junit::render),
        (&outputs.json, json::render),
        (&outputs.markdown, markdown::render),
    ];
    for (path, render) in formats {
        if let Some(path) = path {
            file(path, &render(report))?;
        }
    }
    let template = outputs.html_template.as_deref();
    if let Some(path) = &outputs.html {
        file(path, &html::render(report, template))?;
    }
    if let Some(dir) = &outputs.bundle {
        let manifest = crate::bundle::write(dir, report, template, outputs.sign_key.as_ref())?;
        let signed = match &manifest.signature {
            Some(s) => format!("signed by {}", s.key),
            None => "unsigned".to_string(),
        };
        println!(
            "scimcheck: bundle {} ({} files, sha256 {}, {signed}): `scimcheck verify {}` checks it",
            dir.display(),
            manifest.files.len() + 1 + usize::from(manifest.signature.is_some()),
            &manifest.bundle_digest[..16],
            dir.display()
        );
    }
    if github::active() {
        print!("{}", github::annotations(report));
        github::step_summary(&markdown::render(report)).map_err(Error::StepSummary)?;
    }
    Ok(())
}

fn file(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}
