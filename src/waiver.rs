//! Waivers: known deviations a pipeline accepts for now (`--waivers FILE`).
//!
//! ```yaml
//! waivers:
//!   - id: filter/unsupported-co          # a case id: waives the case's failures
//!     reason: "accepts `co` although only `eq` is documented (RFC 7644 §3.4.2.2)"
//!     expires: 2027-03-31                # optional: the waiver stops applying after this day
//!   - id: users/create#header            # case#kind: waives only failures of that kind
//!     reason: "no Location header yet (RFC 7644 §3.3), VENDOR-123"
//! ```
//!
//! The runner asks [`Waivers::waiver_for`] once per failed case; a waived
//! failure is reported as waived, with its reason, and does not fail the
//! run. [`Waivers::report`] then says which waivers applied, which matched
//! nothing (stale: remove them) and which expired.

use serde::Deserialize;
use serde_saphyr::Spanned;
use time::Date;

use crate::check::CheckKind;
use crate::diag::{Diagnostic, Location, Pos, hint, parse_yaml};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    waivers: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
}

/// One waiver, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// `case-id` or `case-id#kind`.
    pub id: String,
    pub case: String,
    pub kind: Option<CheckKind>,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where it is written.
    pub at: Location,
}

impl Waiver {
    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|day| day < today)
    }

    /// Whether the waiver covers every failure of a failed case.
    fn covers(&self, case: &str, kinds: &[CheckKind]) -> bool {
        self.case == case
            && self
                .kind
                .is_none_or(|kind| kinds.iter().all(|k| *k == kind))
    }
}

/// The waivers of a run.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub list: Vec<Waiver>,
}

/// What the waivers did in one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Each waiver that applied, with the cases it waived.
    pub applied: Vec<(Waiver, Vec<String>)>,
    /// Waivers that matched no failure: the deviation is gone, remove them.
    pub stale: Vec<Waiver>,
    /// Waivers past their expiry date: they no longer apply.
    pub expired: Vec<Waiver>,
}

impl Waivers {
    /// Reads and validates a waivers file against the known case ids;
    /// every problem is reported at its position.
    pub fn load(path: &str, text: &str, cases: &[&str]) -> Result<Waivers, Vec<Diagnostic>> {
        let file: WaiverFile = parse_yaml(path, text).map_err(|e| vec![e])?;
        let file_at = Location::new(path, Pos::START);
        let mut errors = Vec::new();
        let mut error =
            |pos: Pos, message: String| errors.push(Diagnostic::new(file_at.at(pos), message));
        let mut list = Vec::new();
        for entry in file.waivers {
            let id = entry.id.value.trim().to_string();
            let at = Pos::of(&entry.id);
            let (case, kind) = id
                .split_once('#')
                .map_or((id.as_str(), None), |(c, k)| (c, Some(k)));
            if !cases.contains(&case) {
                error(
                    at,
                    format!(
                        "waiver for unknown case `{case}`{}",
                        hint(case, cases.iter().copied())
                    ),
                );
            }
            let kind = match kind.map(|k| (k, CheckKind::parse(k))) {
                None => None,
                Some((_, Some(kind))) => Some(kind),
                Some((name, None)) => {
                    let names: Vec<&str> = CheckKind::ALL.iter().map(|k| k.as_str()).collect();
                    error(
                        at,
                        format!("unknown check `{name}` (checks: {})", names.join(", ")),
                    );
                    None
                }
            };
            if entry.reason.value.trim().is_empty() {
                error(
                    Pos::of(&entry.reason),
                    "a waiver needs a reason (which rule the target breaks, and why that is accepted)".into(),
                );
            }
            let expires = entry.expires.as_ref().and_then(|day| {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                Date::parse(day.value.trim(), format)
                    .map_err(|_| {
                        error(
                            Pos::of(day),
                            format!("expiry `{}` is not a date like 2027-03-31", day.value),
                        )
                    })
                    .ok()
            });
            list.push(Waiver {
                case: case.to_string(),
                kind,
                id,
                reason: entry.reason.value.trim().to_string(),
                expires,
                at: file_at.at(at),
            });
        }
        if errors.is_empty() {
            Ok(Waivers { list })
        } else {
            Err(errors)
        }
    }

    /// The active waiver that covers a failed case, if one does.
    pub fn waiver_for(&self, case: &str, kinds: &[CheckKind], today: Date) -> Option<&Waiver> {
        self.list
            .iter()
            .find(|w| !w.expired(today) && w.covers(case, kinds))
    }

    /// What the waivers did, given which waiver (by id) waived which case.
    pub fn report(&self, waived: &[(String, String)], today: Date) -> Report {
        let mut report = Report::default();
        for waiver in &self.list {
            if waiver.expired(today) {
                report.expired.push(waiver.clone());
                continue;
            }
            let cases: Vec<String> = waived
                .iter()
                .filter(|(id, _)| *id == waiver.id)
                .map(|(_, case)| case.clone())
                .collect();
            if cases.is_empty() {
                report.stale.push(waiver.clone());
            } else {
                report.applied.push((waiver.clone(), cases));
            }
        }
        report
    }
}

/// Today's date (UTC), which expiry dates are compared with.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_apply_by_case_and_kind_and_report_stale_and_expired() {
        let text = "waivers:\n  - id: a#status\n    reason: r\n  - id: b\n    reason: r\n  - id: a\n    reason: old\n    expires: 2020-01-01\n";
        let waivers = Waivers::load("w.yaml", text, &["a", "b"]).unwrap();
        let today = today();
        assert_eq!(
            waivers
                .waiver_for("a", &[CheckKind::Status], today)
                .unwrap()
                .id,
            "a#status"
        );
        assert!(
            waivers
                .waiver_for("a", &[CheckKind::Status, CheckKind::Json], today)
                .is_none()
        );
        let report = waivers.report(&[("a#status".into(), "a".into())], today);
        assert_eq!(report.applied.len(), 1);
        assert_eq!(report.stale[0].id, "b");
        assert_eq!(report.expired[0].id, "a");
    }

    #[test]
    fn every_problem_is_reported_at_its_place() {
        let text = "waivers:\n  - id: c#stauts\n    reason: ''\n    expires: soon\n";
        let errors = Waivers::load("w.yaml", text, &["a", "b"]).unwrap_err();
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(
            lines[0].starts_with("w.yaml:2:9: waiver for unknown case `c`"),
            "{lines:?}"
        );
        assert!(lines[1].contains("unknown check `stauts`"), "{lines:?}");
    }
}
