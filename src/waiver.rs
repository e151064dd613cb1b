//! Waivers: known deviations a pipeline accepts for now (`--waivers FILE`).
//!
//! ```yaml
//! waivers:
//!   - id: filter/unsupported-co          # a case id: waives the case's failures
//!     reason: "accepts `co` although only `eq` is documented (RFC 7644 §3.4.2.2)"
//!     expires: 2027-03-31                # optional: the waiver stops applying after this day
//!   - id: users/create#header            # case#check: waives only failures of that check
//!     reason: "no Location header yet (RFC 7644 §3.3), VENDOR-123"
//! ```
//!
//! A waived failure is reported as waived, with its reason, and does not
//! fail the run. A waiver that matched no failure is reported as stale (so it
//! gets removed); an expired one no longer applies and is reported as such.

use serde::Deserialize;
use serde_saphyr::Spanned;
use time::Date;

use crate::case::{Case, LoadError, Loc, did_you_mean};
use crate::run::{CaseResult, Status};

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

/// The names of checks a `case#check` waiver can name.
pub const CHECKS: &[&str] = &[
    "response", "status", "header", "json", "value", "shape", "capture", "template", "snapshot",
    "property",
];

/// One waiver, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// `case-id` or `case-id#check`.
    pub id: String,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where it is written: `path:line:col`.
    pub at: String,
}

impl Waiver {
    fn case(&self) -> &str {
        self.id.split_once('#').map_or(&self.id, |(case, _)| case)
    }

    fn check(&self) -> Option<&str> {
        self.id.split_once('#').map(|(_, check)| check)
    }

    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|day| day < today)
    }

    /// Whether the waiver covers every failure of a failed case.
    fn covers(&self, result: &CaseResult) -> bool {
        // A case another waiver already waived still counts as matched.
        let failed = matches!(result.status, Status::Failed | Status::Waived { .. });
        if self.case() != result.id || !failed {
            return false;
        }
        match self.check() {
            None => true,
            Some(check) => result.failures().all(|(_, f)| f.check == check),
        }
    }
}

/// Reads and validates a waivers file; every problem is reported at its position.
pub fn load(path: &str, text: &str, cases: &[Case]) -> Result<Vec<Waiver>, Vec<LoadError>> {
    let file: WaiverFile = crate::case::load::parse_yaml(path, text).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut error = |loc: Loc, message: String| {
        errors.push(LoadError {
            path: path.to_string(),
            loc,
            message,
        })
    };
    let mut waivers = Vec::new();
    for entry in file.waivers {
        let id = entry.id.value.trim().to_string();
        let (case, check) = id
            .split_once('#')
            .map_or((id.as_str(), None), |(c, k)| (c, Some(k)));
        if !cases.iter().any(|c| c.id == case) {
            let hint = did_you_mean(case, cases.iter().map(|c| c.id.as_str()))
                .map(|best| format!(", did you mean `{best}`?"))
                .unwrap_or_default();
            error(
                Loc::of(&entry.id),
                format!("waiver for unknown case `{case}`{hint}"),
            );
        }
        if let Some(check) = check
            && !CHECKS.contains(&check)
        {
            error(
                Loc::of(&entry.id),
                format!("unknown check `{check}` (checks: {})", CHECKS.join(", ")),
            );
        }
        if entry.reason.value.trim().is_empty() {
            error(
                Loc::of(&entry.reason),
                "a waiver needs a reason (which rule the target breaks, and why that is accepted)"
                    .into(),
            );
        }
        let expires = match &entry.expires {
            None => None,
            Some(day) => match Date::parse(
                day.value.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            ) {
                Ok(date) => Some(date),
                Err(_) => {
                    error(
                        Loc::of(day),
                        format!("expiry `{}` is not a date like 2027-03-31", day.value),
                    );
                    None
                }
            },
        };
        let at = Loc::of(&entry.id);
        waivers.push(Waiver {
            at: format!("{path}:{}:{}", at.line, at.col),
            id,
            reason: entry.reason.value.trim().to_string(),
            expires,
        });
    }
    if errors.is_empty() {
        Ok(waivers)
    } else {
        Err(errors)
    }
}

/// What the waivers did in one run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Each waiver that applied, with the cases it waived.
    pub applied: Vec<(Waiver, Vec<String>)>,
    /// Waivers that matched no failure: the deviation is gone, remove them.
    pub stale: Vec<Waiver>,
    /// Waivers past their expiry date: they no longer apply.
    pub expired: Vec<Waiver>,
}

/// Marks a failed case waived when an active waiver covers it.
pub fn waive(waivers: &[Waiver], result: &mut CaseResult, today: Date) {
    if let Some(waiver) = waivers
        .iter()
        .find(|w| !w.expired(today) && w.covers(result))
    {
        result.status = Status::Waived {
            reason: waiver.reason.clone(),
        };
    }
}

/// What the waivers did, from the finished results.
pub fn outcome(waivers: &[Waiver], results: &[CaseResult], today: Date) -> Outcome {
    let mut outcome = Outcome::default();
    for waiver in waivers {
        if waiver.expired(today) {
            outcome.expired.push(waiver.clone());
            continue;
        }
        let waived: Vec<String> = results
            .iter()
            .filter(|r| waiver.covers(r))
            .map(|r| r.id.clone())
            .collect();
        if waived.is_empty() {
            outcome.stale.push(waiver.clone());
        } else {
            outcome.applied.push((waiver.clone(), waived));
        }
    }
    outcome
}

/// Today's date (UTC), which expiry dates are compared with.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}
