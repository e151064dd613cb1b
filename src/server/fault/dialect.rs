//! The fault points of identity-provider dialects: where a strict or
//! careless server breaks what Entra ID, Okta or OneLogin send, though
//! the RFC alone might let it. A well-behaved server accepts the dialect
//! (see `server::patch` and `server::store::accept`); each point says
//! whether this one does.

use super::{Fault, Faults};

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
}
