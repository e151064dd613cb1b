//! The fault points of the SCIM Interoperability Profile's rules
//! (draft-zollner-scim-interop-profile), which the reference server keeps
//! when its profile claims the draft (`features.interop`): each point says
//! whether this server breaks one of them.

use serde_json::{Value, json};

use super::{Fault, Faults};

impl Faults {
    /// The ServiceProviderConfig of a server that claims conformance
    /// (§Scope and Conformance: `interopProfileConformant: true`).
    pub fn interop_config(&self, mut config: Value, claimed: bool) -> Value {
        if claimed && !self.has(Fault::InteropFlagMissing) {
            config["interopProfileConformant"] = json!(true);
        }
        config
    }

    /// The ResourceType documents as served (§Discovery Endpoints: `id`
    /// equals `name`).
    pub fn resource_type_ids(&self, mut types: Vec<Value>) -> Vec<Value> {
        if self.has(Fault::ResourceTypeIdDiffers) {
            for rt in &mut types {
                let lower = rt["name"].as_str().unwrap_or_default().to_ascii_lowercase();
                rt["id"] = json!(lower);
            }
        }
        types
    }

    /// An attribute definition as `/Schemas` serves it (§Canonical Values
    /// for Typed Attributes).
    pub fn canonical_values(&self, dotted: &str, mut definition: Value) -> Value {
        if self.has(Fault::CanonicalValuesMissing)
            && dotted.eq_ignore_ascii_case("emails.type")
            && let Some(fields) = definition.as_object_mut()
        {
            fields.remove("canonicalValues");
        }
        definition
    }

    /// Whether a write naming what no schema defines is rejected (§Attribute
    /// and Schema Handling), on a server held to the draft.
    pub fn rejects_unknown(&self, strict: bool) -> bool {
        strict && !self.has(Fault::UnknownAttributeDropped)
    }

    /// Whether a PATCH operation without a path is rejected (§Mandatory Use
    /// of the 'path' Attribute), on a server held to the draft.
    pub fn requires_patch_path(&self, strict: bool) -> bool {
        strict && !self.has(Fault::PathlessPatchAccepted)
    }

    /// Whether a `replace` of a whole complex attribute replaces it (§Singular
    /// Attributes: "replace the entire complex attribute"), rather than
    /// merging as RFC 7644 §3.5.2.3 does.
    pub fn replaces_complex_whole(&self, strict: bool) -> bool {
        strict && !self.has(Fault::ComplexReplaceMerges)
    }

    /// Whether `externalId` compares ignoring case (it is caseExact).
    pub fn external_id_ignores_case(&self) -> bool {
        self.has(Fault::ExternalIdCaseInsensitive)
    }

    /// Whether a User is found by its userName in the URL path.
    pub fn addresses_by_user_name(&self) -> bool {
        self.has(Fault::UserNameAddressable)
    }

    /// Whether a filter naming an undefined attribute is 400 invalidFilter
    /// (§Filtering), on a server held to the draft.
    pub fn rejects_unknown_filter_attribute(&self, strict: bool) -> bool {
        strict && !self.has(Fault::UnknownFilterAttributeEmpty)
    }

    /// A user was deleted: its userName stays taken under the fault.
    pub fn retire(&self, user_name: &str) {
        if self.has(Fault::UserNameKeptAfterDelete) {
            self.retired
                .lock()
                .expect("not poisoned")
                .insert(user_name.to_ascii_lowercase());
        }
    }

    /// Whether a userName is still taken by a deleted user (only under
    /// the fault: every create asks, so a correct server takes no lock).
    pub fn retired(&self, user_name: &str) -> bool {
        self.has(Fault::UserNameKeptAfterDelete)
            && self
                .retired
                .lock()
                .expect("not poisoned")
                .contains(&user_name.to_ascii_lowercase())
    }
}
