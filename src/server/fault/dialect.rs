//! The fault points of identity-provider dialects: where a strict or
//! careless server breaks what Entra ID, Okta or OneLogin send, though
//! the RFC alone might let it. A well-behaved server accepts the dialect
//! (see `server::patch` and `server::store::accept`); each point says
//! whether this one does.

use super::{Fault, Faults};
use crate::scim::ScimError;

impl Faults {
    /// Whether `"True"`/`"False"` strings are taken where a boolean belongs.
    pub fn accepts_string_booleans(&self) -> bool {
        !self.has(Fault::StringBooleansRejected)
    }

    /// Whether PATCH ops compare ignoring case (`Replace` is `replace`).
    pub fn ops_ignore_case(&self) -> bool {
        !self.has(Fault::CapitalisedOpsRefused)
    }

    /// Whether an `add` to `attr[filter].sub` that matches nothing creates
    /// the value the filter describes (else 400 noTarget).
    pub fn value_path_add_creates(&self) -> bool {
        !self.has(Fault::ValuePathAddNoTarget)
    }

    /// Whether a Group list honours `excludedAttributes`.
    pub fn group_lists_project(&self) -> bool {
        !self.has(Fault::GroupLookupExcludedIgnored)
    }

    /// Whether a filter that matches nothing answers an empty ListResponse (else 404).
    pub fn empty_result_listed(&self) -> bool {
        !self.has(Fault::EmptyResult404)
    }

    /// Whether an error answer says why (`detail`).
    pub fn error_detail(&self) -> bool {
        !self.has(Fault::ErrorDetailMissing)
    }

    /// Whether an Authorization header without a scheme is a 401 like any
    /// other wrong credential (else a 400).
    pub fn schemeless_authorization_unauthorized(&self) -> bool {
        !self.has(Fault::SchemelessAuthorization400)
    }

    /// Whether a body labelled `application/json` is read (else 415).
    pub fn reads_json_bodies(&self) -> bool {
        !self.has(Fault::JsonBodyRefused)
    }

    /// Whether `attr[filter].sub op value` is read (else 400 invalidFilter).
    pub fn reads_sub_attribute_filters(&self) -> bool {
        !self.has(Fault::SubAttributeFilterRefused)
    }

    /// Whether a PATCH may replace userName (else 400 mutability).
    pub fn renames_users(&self) -> bool {
        !self.has(Fault::UserNameRenameRefused)
    }

    /// A PATCH body as applied: with `active-patch-ignored`, every change
    /// of `active` (by path, or in a path-less value) is dropped.
    pub fn active_patch(&self, body: &serde_json::Value) -> serde_json::Value {
        let mut body = body.clone();
        if !self.has(Fault::ActivePatchIgnored) {
            return body;
        }
        if let Some(ops) = body.get_mut("Operations").and_then(|o| o.as_array_mut()) {
            ops.retain(|op| {
                !op["path"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case("active"))
            });
            for op in ops.iter_mut() {
                if let Some(value) = op.get_mut("value").and_then(|v| v.as_object_mut()) {
                    value.retain(|k, _| !k.eq_ignore_ascii_case("active"));
                }
            }
        }
        body
    }

    /// A Group list as served: with `group-paging-strings`, its paging
    /// fields are strings.
    pub fn group_paging(&self, mut list: serde_json::Value) -> serde_json::Value {
        if self.has(Fault::GroupPagingStrings) {
            for field in ["totalResults", "startIndex", "itemsPerPage"] {
                if let Some(n) = list.get(field).cloned() {
                    list[field] = serde_json::Value::String(n.to_string());
                }
            }
        }
        list
    }

    /// Whether users in a list carry `name` as a GET by id does.
    pub fn lists_name(&self) -> bool {
        !self.has(Fault::ListsWithoutName)
    }

    /// A PUT's replacement as stored: with `given-name-frozen`, name.givenName stays as it was.
    pub fn keep_given_name(
        &self,
        old: &serde_json::Value,
        mut replacement: serde_json::Value,
    ) -> serde_json::Value {
        if self.has(Fault::GivenNameFrozen)
            && let Some(given) = old.pointer("/name/givenName")
            && let Some(name) = replacement.get_mut("name").and_then(|n| n.as_object_mut())
        {
            name.insert("givenName".into(), given.clone());
        }
        replacement
    }

    /// Whether a Group's displayName is kept unique (else a duplicate is created).
    pub fn unique_group_names(&self) -> bool {
        !self.has(Fault::GroupDuplicateAccepted)
    }

    /// Whether a DELETE of a group the server does not hold is a 404
    /// (else a 204, as if it had been there).
    pub fn redelete_not_found(&self) -> bool {
        !self.has(Fault::RedeleteSucceeds)
    }

    /// Whether the read-only `manager.displayName` of the enterprise
    /// extension is ignored in a write (else 400 mutability).
    pub fn ignores_manager_name(&self) -> bool {
        !self.has(Fault::ManagerNameRefused)
    }

    /// Whether a list without filter, startIndex or count is served (else 400 tooMany).
    pub fn serves_unpaged_lists(&self) -> bool {
        !self.has(Fault::UnpagedList400)
    }

    /// Whether a PATCH of the enterprise `manager` reads a bare id (and an
    /// empty string as its removal), as Entra ID's validator sends it.
    pub fn reads_bare_manager(&self) -> bool {
        !self.has(Fault::BareManagerRefused)
    }

    /// Whether /Schemas lists the common attribute externalId in each core
    /// schema (RFC 7643 §3.1 allows either).
    pub fn lists_external_id(&self) -> bool {
        !self.has(Fault::ExternalIdUnlisted)
    }

    /// Whether a PATCH of the enterprise `manager` reads a list of one
    /// `{$ref, value}` as that manager, as Entra ID documents sending it.
    pub fn reads_manager_list(&self) -> bool {
        !self.has(Fault::ManagerListRefused)
    }

    /// Whether a filter may name an extension attribute without its URN
    /// (`manager eq …`, as Entra ID queries a reference); else 400 invalidFilter.
    pub fn manager_filter(&self, filter: &crate::scim::filter::Filter) -> Result<(), ScimError> {
        if self.has(Fault::ManagerFilterRefused)
            && filter
                .paths()
                .iter()
                .any(|p| p.urn.is_none() && p.name.eq_ignore_ascii_case("manager"))
        {
            return Err(ScimError::bad(
                crate::scim::ScimType::InvalidFilter,
                "`manager` is not a core attribute; qualify it with the enterprise extension's URN",
            ));
        }
        Ok(())
    }

    /// Refuses a PATCH value that is an empty string
    /// (`empty-string-refused`), as a server that validates every string
    /// non-empty does; Entra's validator empties attributes so.
    pub fn empty_string_patch(&self, value: Option<&serde_json::Value>) -> Result<(), ScimError> {
        if self.has(Fault::EmptyStringRefused) && value.and_then(|v| v.as_str()) == Some("") {
            return Err(ScimError::bad(
                crate::scim::ScimType::InvalidValue,
                "a value cannot be an empty string",
            ));
        }
        Ok(())
    }

    /// The `startIndex` a ListResponse says it starts at
    /// (`start-index-unechoed`: always 1, whatever page was served).
    pub fn echoed_start(&self, start: usize) -> usize {
        if self.has(Fault::StartIndexUnechoed) {
            1
        } else {
            start
        }
    }
}
