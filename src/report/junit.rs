//! JUnit XML (quick-junit): one testcase per case, classname by area, the
//! failure text with the evidence, skipped cases with their reason. A case
//! that failed only for the harness's own trouble (a template error, a
//! request the guard refused) is an `<error>`, not a `<failure>`: it says
//! nothing of the target.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::terminal::failure_text;
use crate::result::{CaseResult, Status};

/// Renders the results of a run as JUnit XML.
pub fn render(results: &[CaseResult], suite_name: &str, insecure: bool) -> String {
    let mut report = Report::new("scimcheck");
    let mut areas: Vec<&str> = results.iter().map(|r| r.area.as_str()).collect();
    areas.sort();
    areas.dedup();
    for area in areas {
        let mut suite = TestSuite::new(format!("{suite_name}.{area}"));
        if insecure {
            suite.add_property(quick_junit::Property::new(
                "warning",
                "TLS certificate verification was off (--insecure)",
            ));
        }
        for result in results.iter().filter(|r| r.area == area) {
            let status = match &result.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Failed => {
                    let harness = result.failures().all(|(_, f)| f.kind.is_harness());
                    let kind = match harness {
                        true => NonSuccessKind::Error,
                        false => NonSuccessKind::Failure,
                    };
                    let mut status = TestCaseStatus::non_success(kind);
                    let first = result
                        .failures()
                        .next()
                        .map(|(_, f)| f.message.clone())
                        .unwrap_or_default();
                    status.set_message(first);
                    status.set_type(result.level.as_str());
                    status.set_description(failure_text(result, false));
                    status
                }
                Status::Skipped { reason } => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(reason.clone());
                    status
                }
                // JUnit has no "waived": a skip that says so, with the evidence kept.
                Status::Waived { reason, .. } => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(format!("waived: {reason}"));
                    status.set_description(failure_text(result, false));
                    status
                }
            };
            let mut case = TestCase::new(result.id.clone(), status);
            case.set_classname(format!("{suite_name}.{area}"));
            case.set_time(result.duration);
            case.properties
                .push(quick_junit::Property::new("rule", result.rules.join(", ")));
            case.properties
                .push(quick_junit::Property::new("level", result.level.as_str()));
            case.properties
                .push(quick_junit::Property::new("file", result.path.to_string()));
            // A snapshot change is not a failure of the check: it is told
            // in the testcase's output, and counted in the property.
            let changes: Vec<String> = result
                .snapshot_changes()
                .map(|(step, change)| {
                    format!(
                        "{}: snapshot change in {}: {}",
                        change.location, step.label, change.message
                    )
                })
                .collect();
            if !changes.is_empty() {
                case.properties.push(quick_junit::Property::new(
                    "snapshot-changes",
                    changes.len().to_string(),
                ));
                case.set_system_out(changes.join("\n"));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot render JUnit: {e} -->"))
}
