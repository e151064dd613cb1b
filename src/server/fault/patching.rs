//! The fault points of PATCH's details (RFC 7644 §3.5.2): where a server
//! reads a path's attribute names by letter case, applies the operations
//! out of order, drops the dotted keys of a path-less value, refuses a
//! `null` sub-attribute or the unchanged read-only `id` it is sent.

use serde_json::Value;

use super::{Fault, Faults};
use crate::scim::{ScimError, ScimType};

impl Faults {
    /// Whether the operations run in the order sent (`patch-ops-reversed`:
    /// last first, so of two replaces of one attribute the first wins).
    pub fn patches_in_order(&self) -> bool {
        !self.has(Fault::PatchOpsReversed)
    }

    /// Refuses a path whose attribute name is not spelled as the server
    /// spells it (`patch-path-case-sensitive`); `canonical` is the server's
    /// spelling, if it knows the attribute.
    pub fn patch_path_name(&self, written: &str, canonical: Option<&str>) -> Result<(), ScimError> {
        match canonical {
            Some(name) if self.has(Fault::PatchPathCaseSensitive) && name != written => Err(
                ScimError::bad(ScimType::InvalidPath, format!("no attribute `{written}`")),
            ),
            _ => Ok(()),
        }
    }

    /// Whether a path-less value's dotted key (`"name.givenName"`) is
    /// written (`dotted-keys-ignored`: it is skipped).
    pub fn writes_dotted_keys(&self) -> bool {
        !self.has(Fault::DottedKeysIgnored)
    }

    /// Refuses a value holding a `null` sub-attribute (`null-ref-refused`:
    /// Entra ID's `{"value": "…", "$ref": null}`), which the RFC reads as
    /// unassigned (RFC 7643 §2.5).
    pub fn null_members(&self, value: Option<&Value>) -> Result<(), ScimError> {
        let nulls = |item: &Value| {
            item.as_object()
                .is_some_and(|o| o.values().any(Value::is_null))
        };
        let holds = match value {
            Some(Value::Array(items)) => items.iter().any(nulls),
            Some(item) => nulls(item),
            None => false,
        };
        if self.has(Fault::NullRefRefused) && holds {
            return Err(ScimError::bad(
                ScimType::InvalidValue,
                "a sub-attribute cannot be null",
            ));
        }
        Ok(())
    }

    /// Whether a path-less value may carry a read-only attribute at the
    /// value it already has (`pathless-id-refused`: 400 mutability).
    pub fn tolerates_unchanged_read_only(&self) -> bool {
        !self.has(Fault::PathlessIdRefused)
    }
}
