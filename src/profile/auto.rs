//! The `auto` profile: what a target claims in its discovery documents
//! (`/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`) and what it was
//! seen to do when probed ([`Observed`]). Where the two disagree, the
//! behaviour decides: a feature is judged by what the server does, and the
//! disagreement is reported on its own (the runner's discovery). Pure: the
//! run command fetches the documents and sends the probes. Every inference
//! comes with a note saying where it came from.

use serde_json::Value;

use super::{
    BulkLimits, DeleteMode, Discovery, Features, FilterSupport, OPERATIONS, Paging, PatchSupport,
    Profile,
};
use crate::scim::{schema, urn};

/// The discovery documents a target answered (200 with JSON), if it did.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    pub service_provider_config: Option<Value>,
    pub schemas: Option<Value>,
    pub resource_types: Option<Value>,
}

impl Documents {
    /// `ServiceProviderConfig`'s `<feature>.supported`, when it says.
    pub fn claims(&self, feature: &str) -> Option<bool> {
        self.service_provider_config
            .as_ref()?
            .get(feature)?
            .get("supported")?
            .as_bool()
    }

    /// The schema document with this id in `/Schemas`, if it lists one.
    pub fn schema(&self, id: &str) -> Option<&Value> {
        let schemas = self.schemas.as_ref()?;
        let list = match schemas.get("Resources") {
            Some(Value::Array(list)) => list.as_slice(),
            _ => schemas.as_array()?.as_slice(),
        };
        list.iter()
            .find(|s| s["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    /// The core User schema of `/Schemas`, if it lists one.
    pub fn user_schema(&self) -> Option<&Value> {
        self.schema(urn::USER)
    }

    /// Whether `/ResourceTypes` lists the resource type (a target without
    /// the document is taken to serve Users only).
    pub fn serves(&self, kind: crate::scim::ResourceType) -> bool {
        self.resource_type_list()
            .any(|t| t["schema"] == kind.schema() || t["name"] == kind.name())
    }

    /// The ResourceType documents, from a ListResponse or a bare array.
    fn resource_type_list(&self) -> impl Iterator<Item = &Value> {
        let types = self.resource_types.as_ref();
        let list = types
            .and_then(|t| t.get("Resources").or(Some(t)))
            .and_then(Value::as_array);
        list.into_iter().flatten()
    }

    /// The schema extensions the User resource type lists in `/ResourceTypes`.
    pub fn user_extensions(&self) -> Vec<String> {
        self.resource_type_list()
            .filter(|t| t["schema"] == urn::USER)
            .flat_map(|t| t["schemaExtensions"].as_array().into_iter().flatten())
            .filter_map(|e| e["schema"].as_str().map(str::to_string))
            .collect()
    }

    /// The User attributes `/Schemas` declares, as a profile lists them
    /// (`None`: no User schema): a complex attribute by its name when it
    /// declares every sub-attribute RFC 7643 gives it, else by each dotted
    /// sub-attribute it declares; an extension's behind its URN.
    pub fn declared(&self) -> Option<Vec<String>> {
        let mut out = declared_attributes(self.user_schema()?, "", schema::USER);
        // Common to every resource (RFC 7643 §3.1), so in a schema's list
        // only where the server chooses to put it: identity providers match
        // users on it.
        if !out.iter().any(|a| a.eq_ignore_ascii_case("externalId")) {
            out.push("externalId".into());
        }
        for extension in self.user_extensions() {
            if let Some(document) = self.schema(&extension) {
                let known = schema::extension(&extension).unwrap_or_default();
                out.extend(declared_attributes(
                    document,
                    &format!("{extension}:"),
                    known,
                ));
            }
        }
        Some(out)
    }
}

/// The attributes one schema document declares, each behind `prefix`.
fn declared_attributes(document: &Value, prefix: &str, known: &[schema::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in document["attributes"].as_array().into_iter().flatten() {
        let Some(name) = attribute["name"].as_str() else {
            continue;
        };
        let subs: Vec<&str> = attribute["subAttributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["name"].as_str())
            .collect();
        let expected = schema::find(known, name).map_or(&[][..], |a| a.sub_attributes);
        let whole = expected
            .iter()
            .all(|e| subs.iter().any(|s| s.eq_ignore_ascii_case(e.name)));
        if whole || subs.is_empty() {
            out.push(format!("{prefix}{name}"));
        } else {
            out.extend(subs.iter().map(|sub| format!("{prefix}{name}.{sub}")));
        }
    }
    out
}

/// What probing the target showed (`None`: not probed).
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The filter features a probe answered with a ListResponse.
    pub filter: Option<FilterSupport>,
    /// The PATCH ops a probe saw applied (read back with a GET).
    pub patch: Option<Vec<String>>,
    /// Whether `POST /Users/.search` answered a ListResponse.
    pub search: Option<bool>,
    /// Whether `GET /Me` answered anything but 501.
    pub me: Option<bool>,
}

/// The optional features: what ServiceProviderConfig declares, what the
/// probes showed, and projection, which every service provider MUST
/// support (RFC 7644 §3.4.2.5).
fn features(documents: &Documents, observed: &Observed, notes: &mut Vec<String>) -> Features {
    let claims = |feature: &str| documents.claims(feature) == Some(true);
    let bulk = documents
        .service_provider_config
        .as_ref()
        .and_then(|c| c.get("bulk"))
        .filter(|b| b["supported"] == true)
        .map(|b| BulkLimits {
            max_operations: b["maxOperations"].as_u64().unwrap_or(0) as usize,
            max_payload_size: b["maxPayloadSize"].as_u64().unwrap_or(0) as usize,
        });
    let features = Features {
        projection: true,
        sort: claims("sort"),
        search: observed.search.unwrap_or(false),
        etag: claims("etag"),
        bulk,
        me: observed.me.unwrap_or(false),
        change_password: claims("changePassword"),
        // A claim of conformance to the SCIM Interoperability Profile
        // (its §Scope and Conformance): judged by the profile's rules.
        interop: documents
            .service_provider_config
            .as_ref()
            .is_some_and(|c| c["interopProfileConformant"] == true),
    };
    let mut on: Vec<&str> = vec!["projection (every service provider MUST support it)"];
    for (claimed, name) in [
        (features.sort, "sort"),
        (features.etag, "etag"),
        (features.bulk.is_some(), "bulk"),
        (features.change_password, "changePassword"),
        (features.interop, "interopProfileConformant"),
    ] {
        if claimed {
            on.push(name);
        }
    }
    if features.search {
        on.push(".search (as probed)");
    }
    if features.me {
        on.push("/Me (as probed)");
    }
    notes.push(format!("features: [{}]", on.join(", ")));
    features
}

/// A profile inferred from the documents and the probes, with one line per
/// inference.
pub fn infer(documents: &Documents, observed: &Observed) -> (Profile, Vec<String>) {
    let mut notes = Vec::new();
    let filter = match (&observed.filter, documents.claims("filter")) {
        (Some(seen), _) => {
            notes.push(format!(
                "filter: as probed — operators [{}], logical [{}], complex {}, attributes [{}]",
                seen.operators.join(", "),
                seen.logical.join(", "),
                if seen.complex { "yes" } else { "no" },
                seen.attributes.join(", ")
            ));
            seen.clone()
        }
        (None, Some(true)) => {
            notes.push("filter: every operator on any attribute (ServiceProviderConfig filter.supported=true)".into());
            FilterSupport {
                operators: ["eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le"]
                    .map(String::from)
                    .to_vec(),
                attributes: vec!["*".into()],
                logical: ["and", "or", "not"].map(String::from).to_vec(),
                complex: true,
            }
        }
        (None, claim) => {
            notes.push(format!(
                "filter: only `userName eq` ({})",
                if claim.is_some() {
                    "filter.supported=false"
                } else {
                    "no ServiceProviderConfig: conservative default"
                }
            ));
            FilterSupport {
                operators: vec!["eq".into()],
                attributes: vec!["userName".into()],
                logical: vec![],
                complex: false,
            }
        }
    };
    let patch = match (&observed.patch, documents.claims("patch")) {
        (Some(ops), _) => {
            notes.push(format!("patch: [{}] (as probed)", ops.join(", ")));
            PatchSupport { ops: ops.clone() }
        }
        (None, claim) => {
            let ops: Vec<String> = match claim {
                Some(true) => vec!["add".into(), "remove".into(), "replace".into()],
                Some(false) => vec![],
                None => vec!["replace".into()],
            };
            notes.push(format!(
                "patch: [{}] (ServiceProviderConfig; not probed)",
                ops.join(", ")
            ));
            PatchSupport { ops }
        }
    };
    let max_page_size = documents
        .service_provider_config
        .as_ref()
        .and_then(|c| c.pointer("/filter/maxResults"))
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let (mut required, mut read_only) = (vec![], vec!["id".to_string(), "meta".to_string()]);
    match documents
        .user_schema()
        .and_then(|s| s["attributes"].as_array())
    {
        Some(attributes) => {
            for attribute in attributes {
                let name = attribute["name"].as_str().unwrap_or_default();
                if attribute["required"] == true {
                    required.push(name.to_string());
                }
                if attribute["mutability"] == "readOnly" && !read_only.iter().any(|r| r == name) {
                    read_only.push(name.to_string());
                }
                for sub in attribute["subAttributes"].as_array().into_iter().flatten() {
                    if sub["required"] == true && attribute["multiValued"] != true {
                        required.push(format!(
                            "{name}.{}",
                            sub["name"].as_str().unwrap_or_default()
                        ));
                    }
                }
            }
            notes.push(format!(
                "required: [{}], read-only: [{}] (from /Schemas)",
                required.join(", "),
                read_only.join(", ")
            ));
        }
        None => {
            required.push("userName".into());
            notes.push(
                "required: [userName], read-only: [id, meta] (no User schema in /Schemas: RFC 7643 defaults)".into(),
            );
        }
    }
    let attributes = documents.declared();
    if let Some(declared) = &attributes {
        notes.push(format!(
            "attributes: [{}] (declared in /Schemas)",
            declared.join(", ")
        ));
    }
    let extensions = documents.user_extensions();
    if !extensions.is_empty() {
        notes.push(format!(
            "extensions: [{}] (from /ResourceTypes)",
            extensions.join(", ")
        ));
    }
    notes.push("delete: hard (RFC 7644 §3.6; discovery cannot tell soft delete)".into());
    if documents.serves(crate::scim::ResourceType::Group) {
        notes.push("groups: served (/ResourceTypes lists Group)".into());
    }
    let found = |d: &Option<Value>| d.is_some();
    let profile = Profile {
        name: "auto".into(),
        description: "inferred from the target's discovery endpoints and probes".into(),
        operations: OPERATIONS
            .iter()
            .filter(|op| {
                !op.starts_with("groups.") || documents.serves(crate::scim::ResourceType::Group)
            })
            .map(|op| op.to_string())
            .collect(),
        filter,
        patch,
        delete: DeleteMode::Hard,
        paging: Paging {
            supported: true,
            max_page_size,
        },
        required,
        read_only,
        attributes,
        extensions,
        features: features(documents, observed, &mut notes),
        discovery: Discovery {
            service_provider_config: found(&documents.service_provider_config),
            resource_types: found(&documents.resource_types),
            schemas: found(&documents.schemas),
        },
        create_sets_active: false,
        requires: vec![],
    };
    notes.push(format!(
        "discovery: ServiceProviderConfig {}, ResourceTypes {}, Schemas {}",
        yes(found(&documents.service_provider_config)),
        yes(found(&documents.resource_types)),
        yes(found(&documents.schemas))
    ));
    (profile, notes)
}

fn yes(found: bool) -> &'static str {
    if found { "found" } else { "missing" }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn documents(filter_supported: bool) -> Documents {
        Documents {
            service_provider_config: Some(json!({
                "filter": {"supported": filter_supported, "maxResults": 50},
                "patch": {"supported": false},
            })),
            schemas: Some(json!({"Resources": [{
                "id": urn::USER,
                "attributes": [
                    {"name": "userName", "required": true},
                    {"name": "name", "subAttributes": [{"name": "givenName", "required": true}]},
                ],
            }]})),
            resource_types: None,
        }
    }

    #[test]
    fn behaviour_decides_where_the_claims_disagree() {
        let seen = FilterSupport {
            operators: vec!["eq".into(), "co".into()],
            attributes: vec!["userName".into()],
            logical: vec!["and".into()],
            complex: false,
        };
        let observed = Observed {
            filter: Some(seen.clone()),
            patch: Some(vec!["replace".into()]),
            ..Observed::default()
        };
        let (profile, notes) = infer(&documents(false), &observed);
        assert_eq!(profile.filter, seen);
        assert_eq!(profile.patch.ops, ["replace"]);
        assert!(profile.supports("filter.co") && profile.supports("patch.replace"));
        assert!(notes.iter().any(|n| n.contains("as probed")), "{notes:?}");
    }

    #[test]
    fn without_probes_the_claims_and_schemas_decide() {
        let (profile, _) = infer(&documents(true), &Observed::default());
        assert!(profile.supports("filter.any-attribute"));
        assert!(profile.patch.ops.is_empty());
        assert_eq!(profile.paging.max_page_size, Some(50));
        assert_eq!(profile.required, ["userName", "name.givenName"]);
        // Only what /Schemas declares is the target's: of name, givenName.
        assert_eq!(
            profile.attributes.as_deref(),
            Some(
                &[
                    "userName".to_string(),
                    "name.givenName".to_string(),
                    "externalId".to_string()
                ][..]
            )
        );
        assert!(!profile.discovery.resource_types);
    }
}
