//! Specification profiles: the SCIM 2.0 Interoperability Profile
//! (draft-zollner-scim-interop-profile) as a list of [`Requirement`]s,
//! each a capability a conforming service provider must claim, with the
//! section that says so.
//!
//! Judging a target by such a profile ([`overlay`]) starts from what the
//! target declares (the `auto` inference: its own /Schemas say which
//! attributes it holds, so nothing beyond the text is required) and adds
//! every requirement as a claim. A profile that documents a target
//! (Insightly's guide) is compared with the requirements ([`conflicts`]),
//! so that a report names where the two disagree instead of hiding it.

use serde::{Deserialize, Serialize};

use super::{DeleteMode, Profile};

/// One requirement of a specification profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The capability a conforming target claims: `delete.hard`, `filter.and`.
    pub capability: String,
    /// Where it is written: `draft-zollner-scim-interop-profile-02 §Resource Lifecycle`.
    pub section: String,
    /// The requirement, in the text's words.
    pub text: String,
}

/// A requirement a documented profile contradicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The specification profile: `scim-interop`.
    pub profile: String,
    pub requirement: Requirement,
    /// What the documented profile claims instead.
    pub documented: String,
}

/// `inferred` with every requirement of `spec` claimed: what a target
/// conforming to `spec` must do, on top of what it declares.
pub fn overlay(mut inferred: Profile, spec: &Profile) -> Profile {
    for requirement in &spec.requires {
        claim(&mut inferred, &requirement.capability);
    }
    inferred.name = spec.name.clone();
    inferred.description = spec.description.clone();
    inferred.requires = spec.requires.clone();
    inferred
}

/// Makes `profile` claim `capability`.
fn claim(profile: &mut Profile, capability: &str) {
    let push = |list: &mut Vec<String>, item: &str| {
        if !list.iter().any(|i| i == item) {
            list.push(item.to_string());
        }
    };
    match capability.split_once('.') {
        Some(("filter", logical @ ("and" | "or" | "not"))) => {
            push(&mut profile.filter.logical, logical);
        }
        Some(("filter", op)) => push(&mut profile.filter.operators, op),
        Some(("patch", op)) => push(&mut profile.patch.ops, op),
        Some(("delete", "hard")) => profile.delete = DeleteMode::Hard,
        Some(("delete", "soft")) => profile.delete = DeleteMode::Soft,
        Some(("discovery", "service-provider-config")) => {
            profile.discovery.service_provider_config = true;
        }
        Some(("discovery", "resource-types")) => profile.discovery.resource_types = true,
        Some(("discovery", "schemas")) => profile.discovery.schemas = true,
        Some(("users" | "groups", _)) => push(&mut profile.operations, capability),
        None if capability == "paging" => profile.paging.supported = true,
        None if capability == "scim-interop" => profile.features.interop = true,
        _ => {}
    }
}

/// The requirements of `spec` that `documented` does not claim.
pub fn conflicts(documented: &Profile, spec: &Profile) -> Vec<Conflict> {
    if documented.name == spec.name {
        return vec![];
    }
    spec.requires
        .iter()
        .filter(|r| r.capability != "scim-interop" && !documented.supports(&r.capability))
        .map(|requirement| Conflict {
            profile: spec.name.clone(),
            documented: describe(documented, &requirement.capability),
            requirement: requirement.clone(),
        })
        .collect()
}

/// What a profile says where it lacks `capability`.
fn describe(profile: &Profile, capability: &str) -> String {
    let name = &profile.name;
    match capability.split_once('.') {
        Some(("delete", "hard")) => format!("{name}: DELETE only deactivates (delete: soft)"),
        Some(("filter", _)) => format!(
            "{name}: filters {} with {} only",
            profile.filter.attributes.join(", "),
            [&profile.filter.operators[..], &profile.filter.logical[..]]
                .concat()
                .join(", ")
        ),
        Some(("patch", _)) => format!(
            "{name}: PATCH supports {} only",
            profile.patch.ops.join(", ")
        ),
        Some(("discovery", endpoint)) => format!("{name}: no {endpoint} endpoint documented"),
        _ => format!("{name} does not claim `{capability}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insightly_conflicts_with_the_interop_profile_where_its_guide_differs() {
        let spec = Profile::load("scim-interop").unwrap();
        let insightly = Profile::load("insightly").unwrap();
        let all = conflicts(&insightly, &spec);
        let found: Vec<&str> = all
            .iter()
            .map(|c| c.requirement.capability.as_str())
            .collect();
        for capability in [
            "delete.hard",
            "filter.and",
            "patch.add",
            "discovery.resource-types",
        ] {
            assert!(found.contains(&capability), "{capability}: {found:?}");
        }
        assert!(conflicts(&spec, &spec).is_empty());
        let rfc = Profile::load("rfc7644").unwrap();
        assert!(
            conflicts(&rfc, &spec).is_empty(),
            "{:?}",
            conflicts(&rfc, &spec)
        );
    }

    #[test]
    fn the_overlay_claims_every_requirement() {
        let spec = Profile::load("scim-interop").unwrap();
        let insightly = Profile::load("insightly").unwrap();
        let judged = overlay(insightly, &spec);
        assert_eq!(judged.name, "scim-interop");
        for requirement in &spec.requires {
            assert!(judged.supports(&requirement.capability), "{requirement:?}");
        }
    }
}
