//! JUnit XML (quick-junit): one testcase per case, classname by area, the
//! failure text with the evidence, skipped cases with their reason. A case
//! that failed only for the harness's own trouble (a template error, a
//! request the guard refused) is an `<error>`, not a `<failure>`: it says
//! nothing of the target. A SHOULD or MAY failure does not fail the run
//! without `--strict`: JUnit has no warning, so it is a passing testcase
//! with a `warning` property and the evidence in its output, and CI
//! dashboards do not show red for a run that passed.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::evidence::failure_text;
use super::model::{CheckOut, CheckStatus, RunReport};

/// Renders a run's report as JUnit XML.
pub fn render(report: &RunReport) -> String {
    let suite_name = &report.run.profile;
    let mut junit = Report::new("scimcheck");
    let mut areas: Vec<&str> = report.checks.iter().map(|c| c.area.as_str()).collect();
    // A suite holding a failed security check comes first (then by name).
    let insecure = |area: &str| {
        (report.checks.iter())
            .any(|c| c.area == area && c.security && c.status == CheckStatus::Failed)
    };
    areas.sort();
    areas.dedup();
    areas.sort_by_key(|a| !insecure(a));
    for area in areas {
        let mut suite = TestSuite::new(format!("{suite_name}.{area}"));
        if report.run.insecure {
            suite.add_property(quick_junit::Property::new(
                "warning",
                "TLS certificate verification was off (--insecure)",
            ));
        }
        for check in report.checks.iter().filter(|c| c.area == area) {
            let warning = check.is_warning(report.run.strict);
            let status = match warning {
                true => TestCaseStatus::success(),
                false => status(check),
            };
            let mut case = TestCase::new(check.id.clone(), status);
            case.set_classname(format!("{suite_name}.{area}"));
            case.set_time(Duration::from_millis(check.duration_ms));
            case.properties
                .push(quick_junit::Property::new("rule", check.rules.join(", ")));
            case.properties
                .push(quick_junit::Property::new("level", check.level));
            case.properties
                .push(quick_junit::Property::new("file", check.file.clone()));
            // A snapshot change is not a failure of the check: it is told
            // in the testcase's output, and counted in the property.
            let changes: Vec<String> = check
                .snapshot_changes
                .iter()
                .map(|change| {
                    format!(
                        "{}: snapshot change in {}: {}",
                        change.location, change.step, change.message
                    )
                })
                .collect();
            let mut output = Vec::new();
            if warning {
                let first = check.failures.first().map(|f| f.message.as_str());
                case.properties.push(quick_junit::Property::new(
                    "warning",
                    format!(
                        "{} failure, not failing the run without --strict: {}",
                        check.level,
                        first.unwrap_or_default()
                    ),
                ));
                output.push(format!("warning: {}", failure_text(check, false)));
            }
            if !changes.is_empty() {
                case.properties.push(quick_junit::Property::new(
                    "snapshot-changes",
                    changes.len().to_string(),
                ));
                output.extend(changes);
            }
            if !output.is_empty() {
                case.set_system_out(output.join("\n"));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot render JUnit: {e} -->"))
}

fn status(check: &CheckOut) -> TestCaseStatus {
    let reason = check.reason.clone().unwrap_or_default();
    match check.status {
        CheckStatus::Failed => {
            let kind = match check.failures.iter().all(|f| f.harness) {
                true => NonSuccessKind::Error,
                false => NonSuccessKind::Failure,
            };
            let mut status = TestCaseStatus::non_success(kind);
            let first = check.failures.first().map(|f| f.message.clone());
            status.set_message(first.unwrap_or_default());
            status.set_type(check.level);
            status.set_description(failure_text(check, false));
            status
        }
        CheckStatus::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason);
            status
        }
        // JUnit has no "waived": a skip that says so, with the evidence kept.
        CheckStatus::Waived => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("waived: {reason}"));
            status.set_description(failure_text(check, false));
            status
        }
        CheckStatus::Passed => TestCaseStatus::success(),
    }
}
