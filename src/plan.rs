//! Planning: which cases run against a target and which are skipped (and
//! why), given the capabilities its profile claims.

use std::sync::Arc;

use crate::case::Case;
use crate::profile::{Capability, Profile};

/// One case as planned.
#[derive(Debug, Clone)]
pub struct Planned {
    pub case: Arc<Case>,
    /// Why the case does not apply to this target, if it does not.
    pub skip: Option<String>,
}

/// The cases of a run, in order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub profile: Profile,
    pub cases: Vec<Planned>,
}

/// Decides for every case whether the profile's claims let it run; with
/// `read_only`, every case that would change the target is skipped and says so.
pub fn plan(cases: Vec<Case>, profile: Profile, read_only: bool) -> Plan {
    let cases = cases
        .into_iter()
        .map(|case| Planned {
            skip: skip_reason(&case, &profile).or_else(|| {
                (read_only && case.changes_target())
                    .then(|| "changes the target (--read-only)".to_string())
            }),
            case: Arc::new(case),
        })
        .collect();
    Plan { profile, cases }
}

fn skip_reason(case: &Case, profile: &Profile) -> Option<String> {
    let missing: Vec<&str> = case
        .needs
        .iter()
        .filter(|c| !profile.claims(c))
        .map(Capability::as_str)
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "needs {} (not claimed by profile {})",
            missing.join(", "),
            profile.name
        ));
    }
    let present: Vec<&str> = case
        .unless
        .iter()
        .filter(|c| profile.claims(c))
        .map(Capability::as_str)
        .collect();
    if !present.is_empty() {
        return Some(format!(
            "applies only without {} (claimed by profile {})",
            present.join(", "),
            profile.name
        ));
    }
    None
}

/// Which cases a run selects by name, as `cargo test` selects tests: those
/// whose id contains the filter (or is it, with `exact`), less those whose
/// id contains (or is, with `exact`) a `skip`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub filter: Option<String>,
    pub exact: bool,
    pub skip: Vec<String>,
}

impl Selection {
    pub fn selects(&self, id: &str) -> bool {
        let matches = |pattern: &str| match self.exact {
            true => id == pattern,
            false => id.contains(pattern),
        };
        self.filter.as_deref().is_none_or(matches) && !self.skip.iter().any(|s| matches(s))
    }
}

#[cfg(test)]
mod tests {
    use super::Selection;

    #[test]
    fn a_selection_filters_and_skips_by_substring_or_exactly() {
        let by = |filter: Option<&str>, exact, skip: &[&str]| Selection {
            filter: filter.map(str::to_string),
            exact,
            skip: skip.iter().map(|s| s.to_string()).collect(),
        };
        assert!(by(None, false, &[]).selects("users/create"));
        assert!(by(Some("users/"), false, &[]).selects("users/create"));
        assert!(!by(Some("users/"), false, &[]).selects("groups/create"));
        assert!(!by(Some("users/"), false, &["create"]).selects("users/create"));
        assert!(by(Some("users/create"), true, &[]).selects("users/create"));
        assert!(!by(Some("users/create"), true, &[]).selects("users/create-minimal"));
        assert!(by(None, true, &["users/create"]).selects("users/create-minimal"));
    }
}
