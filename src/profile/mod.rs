//! Profiles: what a target claims to support, as data (`profiles/*.yaml`).
//!
//! A [`Profile`] is read from YAML once and flattened into a set of
//! [`Capability`] names that cases refer to with `needs:` and `unless:`.
//! The reference server also reads the profile to decide how to behave;
//! [`auto`] infers one from a target's discovery documents.

pub mod auto;
pub mod interop;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Location, Pos, hint, parse_yaml};

/// A profile file as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Supported operations on `/Users` and `/Groups`: `users.list`,
    /// `users.get`, ..., `groups.create`, ...
    pub operations: Vec<String>,
    pub filter: FilterSupport,
    pub patch: PatchSupport,
    pub delete: DeleteMode,
    pub paging: Paging,
    /// Attributes a create must carry (dotted paths, e.g. `name.givenName`).
    #[serde(default)]
    pub required: Vec<String>,
    /// Attributes clients cannot change.
    #[serde(default)]
    pub read_only: Vec<String>,
    /// The User attributes the target supports, when it documents fewer
    /// than RFC 7643 §4.1 defines (absent: all of them). A name covers its
    /// sub-attributes (`name`), a dotted path only itself
    /// (`name.givenName`); an extension's attributes are written after its
    /// URN (`urn:…:enterprise:2.0:User:employeeNumber`, or the URN alone for
    /// all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
    /// The schema extensions of the User resource the target supports
    /// (their URNs, e.g. the enterprise User of RFC 7643 §4.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    pub discovery: Discovery,
    /// The optional protocol features of RFC 7644 the target supports.
    #[serde(default)]
    pub features: Features,
    /// The server sets `active` to true on create, whatever the client sent.
    #[serde(default)]
    pub create_sets_active: bool,
    /// A specification profile's requirements, each a capability a
    /// conforming target must claim (see [`interop`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<interop::Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSupport {
    /// Comparison operators: `eq`, `ne`, `co`, `sw`, `ew`, `pr`, `gt`, `ge`, `lt`, `le`.
    pub operators: Vec<String>,
    /// Filterable attributes, or `["*"]` for any.
    pub attributes: Vec<String>,
    /// Logical operators: `and`, `or`, `not`.
    #[serde(default)]
    pub logical: Vec<String>,
    /// Complex attribute filters such as `emails[type eq "work"]`.
    #[serde(default)]
    pub complex: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatchSupport {
    /// `add`, `remove`, `replace`.
    pub ops: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeleteMode {
    /// A later GET answers 404 and the user is gone from lists.
    Hard,
    /// A later GET answers 200 with `active=false`; the user is still listed.
    Soft,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    pub supported: bool,
    /// The most resources the server returns in one page, if it caps them.
    pub max_page_size: Option<usize>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    pub service_provider_config: bool,
    pub resource_types: bool,
    pub schemas: bool,
}

/// RFC 7644's optional features, as a ServiceProviderConfig declares them
/// (RFC 7643 §5), and the two that document themselves elsewhere.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).
    #[serde(default)]
    pub projection: bool,
    /// `sortBy` / `sortOrder` (§3.4.2.3).
    #[serde(default)]
    pub sort: bool,
    /// `POST .search` (§3.4.3).
    #[serde(default)]
    pub search: bool,
    /// ETags and preconditions (§3.14).
    #[serde(default)]
    pub etag: bool,
    /// Bulk operations (§3.7), with the server's limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk: Option<BulkLimits>,
    /// `/Me` (§3.11); without it `/Me` answers 501.
    #[serde(default)]
    pub me: bool,
    /// Changing a password with PATCH or PUT (RFC 7643 §5 `changePassword`).
    #[serde(default)]
    pub change_password: bool,
    /// The SCIM 2.0 Interoperability Profile's service-provider rules
    /// (draft-zollner-scim-interop-profile), stricter than the RFC's.
    #[serde(default)]
    pub interop: bool,
}

/// The limits a Bulk endpoint declares (RFC 7643 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BulkLimits {
    pub max_operations: usize,
    pub max_payload_size: usize,
}

/// A named thing a target can claim: `users.create`, `filter.co`, `delete.soft`,
/// `attr.readonly.emails`, ...
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capability(String);

/// The operations a profile can claim (its `operations:` list).
pub const OPERATIONS: &[&str] = &[
    "users.list",
    "users.get",
    "users.create",
    "users.replace",
    "users.patch",
    "users.delete",
    "groups.list",
    "groups.get",
    "groups.create",
    "groups.replace",
    "groups.patch",
    "groups.delete",
];

/// Every other capability name a case may use, besides `attr.readonly.*` and `attr.required.*`.
pub const VOCABULARY: &[&str] = &[
    "users.create-activates",
    "filter.eq",
    "filter.ne",
    "filter.co",
    "filter.sw",
    "filter.ew",
    "filter.pr",
    "filter.gt",
    "filter.ge",
    "filter.lt",
    "filter.le",
    "filter.and",
    "filter.or",
    "filter.not",
    "filter.complex",
    "filter.any-attribute",
    "patch.add",
    "patch.remove",
    "patch.replace",
    "delete.hard",
    "delete.soft",
    "paging",
    "discovery.service-provider-config",
    "discovery.resource-types",
    "discovery.schemas",
    "extension.enterprise",
    "projection",
    "sort",
    "search",
    "etag",
    "bulk",
    "me",
    "change-password",
    "scim-interop",
];

/// Capabilities about one attribute: `attr.readonly.emails`,
/// `attr.required.name.givenName`, `attr.filterable.displayName`,
/// `attr.supported.nickName`.
const ATTR_PREFIXES: &[&str] = &[
    "attr.readonly.",
    "attr.required.",
    "attr.filterable.",
    "attr.supported.",
];

/// A capability name no profile can claim.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown capability `{name}`{hint}")]
pub struct UnknownCapability {
    pub name: String,
    /// `, did you mean …?`, or nothing.
    hint: String,
}

impl Capability {
    /// Accepts a known capability name; the error suggests the closest one.
    pub fn parse(name: &str) -> Result<Capability, UnknownCapability> {
        let attr = ATTR_PREFIXES
            .iter()
            .any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
        if attr || OPERATIONS.contains(&name) || VOCABULARY.contains(&name) {
            return Ok(Capability(name.to_string()));
        }
        Err(UnknownCapability {
            name: name.to_string(),
            hint: hint(name, OPERATIONS.iter().chain(VOCABULARY).copied()),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The profiles shipped inside the binary, by name.
pub const SHIPPED: &[(&str, &str)] = &[
    ("insightly", include_str!("../../profiles/insightly.yaml")),
    ("rfc7644", include_str!("../../profiles/rfc7644.yaml")),
    (
        "scim-interop",
        include_str!("../../profiles/scim-interop.yaml"),
    ),
];

impl Profile {
    /// A shipped profile by name, or a profile file by path.
    pub fn load(name_or_path: &str) -> Result<Profile, Diagnostic> {
        if let Some((name, text)) = SHIPPED.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(&format!("profiles/{name}.yaml"), text);
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|e| {
            let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
            Diagnostic::new(
                Location::new(name_or_path, Pos::START),
                format!(
                    "not a shipped profile ({}, auto) and not a readable file: {e}",
                    names.join(", ")
                ),
            )
        })?;
        Self::parse(name_or_path, &text)
    }

    /// Parses and validates a profile file.
    pub fn parse(path: &str, text: &str) -> Result<Profile, Diagnostic> {
        let profile: Profile = parse_yaml(path, text)?;
        for name in profile.capabilities_unchecked() {
            Capability::parse(&name).map_err(|message| {
                Diagnostic::new(
                    Location::new(path, Pos::START),
                    format!("profile `{}`: {message}", profile.name),
                )
            })?;
        }
        Ok(profile)
    }

    /// Every capability the profile claims.
    pub fn capabilities(&self) -> BTreeSet<Capability> {
        self.capabilities_unchecked()
            .into_iter()
            .map(Capability)
            .collect()
    }

    fn capabilities_unchecked(&self) -> Vec<String> {
        let mut names: Vec<String> = self.operations.clone();
        if self.create_sets_active {
            names.push("users.create-activates".into());
        }
        names.extend(
            self.filter
                .operators
                .iter()
                .map(|op| format!("filter.{op}")),
        );
        names.extend(self.filter.logical.iter().map(|op| format!("filter.{op}")));
        if self.filter.complex {
            names.push("filter.complex".into());
        }
        if self.filter.attributes.iter().any(|a| a == "*") {
            names.push("filter.any-attribute".into());
        }
        names.extend(self.patch.ops.iter().map(|op| format!("patch.{op}")));
        names.push(match self.delete {
            DeleteMode::Hard => "delete.hard".into(),
            DeleteMode::Soft => "delete.soft".into(),
        });
        if self.paging.supported {
            names.push("paging".into());
        }
        let discovery = [
            (
                self.discovery.service_provider_config,
                "discovery.service-provider-config",
            ),
            (self.discovery.resource_types, "discovery.resource-types"),
            (self.discovery.schemas, "discovery.schemas"),
        ];
        names.extend(
            discovery
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| n.to_string()),
        );
        if self.has_extension(crate::scim::urn::ENTERPRISE_USER) {
            names.push("extension.enterprise".into());
        }
        let features = &self.features;
        for (on, name) in [
            (features.projection, "projection"),
            (features.sort, "sort"),
            (features.search, "search"),
            (features.etag, "etag"),
            (features.bulk.is_some(), "bulk"),
            (features.me, "me"),
            (features.change_password, "change-password"),
            (features.interop, "scim-interop"),
        ] {
            if on {
                names.push(name.into());
            }
        }
        names.extend(self.read_only.iter().map(|a| format!("attr.readonly.{a}")));
        names.extend(self.required.iter().map(|a| format!("attr.required.{a}")));
        names
    }

    pub fn supports(&self, capability: &str) -> bool {
        // Filterable and supported attributes are not lists to enumerate
        // ("*", or "all of RFC 7643"): asked one by one.
        if let Some(attribute) = capability.strip_prefix("attr.filterable.") {
            return self.filterable(attribute);
        }
        if let Some(attribute) = capability.strip_prefix("attr.supported.") {
            return self.has_attribute(attribute);
        }
        self.capabilities().iter().any(|c| c.as_str() == capability)
    }

    /// Whether the target supports the schema extension `urn`.
    pub fn has_extension(&self, urn: &str) -> bool {
        self.extensions.iter().any(|e| e.eq_ignore_ascii_case(urn))
    }

    /// Whether the profile claims a capability.
    pub fn claims(&self, capability: &Capability) -> bool {
        self.supports(capability.as_str())
    }

    /// Whether `attribute` (a dotted path, any case) may be filtered on.
    pub fn filterable(&self, attribute: &str) -> bool {
        self.filter
            .attributes
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(attribute))
    }

    /// Whether the target supports a User attribute: a dotted path in any
    /// letter case, an extension's behind its URN (`id` and `meta` always).
    pub fn has_attribute(&self, path: &str) -> bool {
        use crate::scim::{schema, urn};
        let (extension, dotted) = urn::split(path);
        let extension = extension.filter(|u| !u.eq_ignore_ascii_case(urn::USER));
        if let Some(extension) = extension
            && !self.has_extension(extension)
        {
            return false;
        }
        let top = dotted.split('.').next().unwrap_or(dotted);
        if extension.is_none() && ["id", "meta"].iter().any(|a| a.eq_ignore_ascii_case(top)) {
            return true;
        }
        let Some(list) = &self.attributes else {
            return match extension {
                None => schema::user_attribute(dotted).is_some(),
                // An extension scimcheck does not know: whatever it holds.
                Some(urn) => {
                    schema::extension(urn).is_none_or(|a| schema::find_path(a, dotted).is_some())
                }
            };
        };
        let path = path.to_ascii_lowercase();
        let unqualified = match extension {
            None => dotted.to_ascii_lowercase(),
            Some(_) => path.clone(),
        };
        list.iter().any(|entry| {
            let entry = entry.to_ascii_lowercase();
            let covers = |p: &str| {
                p == entry
                    || p.starts_with(&format!("{entry}."))
                    || p.starts_with(&format!("{entry}:"))
            };
            covers(&unqualified) || covers(&path)
        })
    }

    /// Whether `attribute` or one of its parents is read-only for clients.
    pub fn is_read_only(&self, attribute: &str) -> bool {
        self.read_only.iter().any(|a| {
            attribute.eq_ignore_ascii_case(a)
                || attribute
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}.", a.to_ascii_lowercase()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse() {
        for (name, _) in SHIPPED {
            let profile = Profile::load(name).unwrap();
            assert_eq!(&profile.name, name);
        }
    }

    #[test]
    fn insightly_claims_what_the_guide_documents() {
        let p = Profile::load("insightly").unwrap();
        assert!(p.supports("filter.eq") && !p.supports("filter.co"));
        assert!(p.supports("patch.replace") && !p.supports("patch.add"));
        assert!(p.supports("delete.soft") && !p.supports("delete.hard"));
        assert!(
            p.supports("discovery.schemas") && !p.supports("discovery.service-provider-config")
        );
        assert!(p.is_read_only("emails") && p.is_read_only("meta.created"));
        assert!(p.filterable("USERNAME") && !p.filterable("displayName"));
    }

    #[test]
    fn unknown_capability_suggests() {
        let error = Capability::parse("filter.eqq").unwrap_err().to_string();
        assert!(error.contains("did you mean `filter.eq`"), "{error}");
        assert!(Capability::parse("attr.readonly.emails").is_ok());
    }
}
