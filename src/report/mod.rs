//! Reporters: turn a finished run into terminal text, JUnit XML, JSON,
//! Markdown, HTML, GitHub annotations and an exit code. One module per
//! format; JSON, Markdown and HTML render the same [`model::RunReport`].
//! Reporters never execute anything.

pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod templates;
pub mod terminal;

use crate::case::Level;
use crate::exit::Exit;
use crate::run::{CaseResult, Status};

/// Counts over a finished run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    /// Failed cases whose rule is a MUST.
    pub failed_required: usize,
    pub skipped: usize,
    /// Failed cases a waiver accepts: reported, never failing the run.
    pub waived: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut summary = Summary::default();
        for result in results {
            match result.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => {
                    summary.failed += 1;
                    if result.level == Level::MUST {
                        summary.failed_required += 1;
                    }
                }
                Status::Skipped { .. } => summary.skipped += 1,
                Status::Waived { .. } => summary.waived += 1,
            }
        }
        summary
    }

    /// 1 when a required check failed (or, with `strict`, any check).
    pub fn exit(&self, strict: bool) -> Exit {
        let failing = if strict {
            self.failed
        } else {
            self.failed_required
        };
        if failing > 0 {
            Exit::Failed
        } else {
            Exit::Passed
        }
    }
}
