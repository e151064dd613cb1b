//! The resource types the reference server hosts, as data: which
//! attributes it keeps for each (and declares in `/Schemas`, with which
//! sub-attributes), which attribute is unique and indexed. A second
//! resource type is a second [`Kind`], not a copy of the code.

use crate::scim::ResourceType;
use crate::scim::schema::{self, Attribute, Mutability, Returned};

/// One resource type the server hosts.
#[derive(Debug)]
pub struct Kind {
    pub resource: ResourceType,
    /// The core schema's attribute characteristics.
    pub schema: &'static [Attribute],
    /// The attributes the server keeps, in the order `/Schemas` lists them,
    /// with the sub-attributes it declares for each; anything else a client
    /// sends is ignored (RFC 7644 §3.3 lets a server drop what it does not
    /// support).
    pub kept: &'static [(&'static str, &'static [&'static str])],
    /// The attribute the server keeps unique and indexes (`uniqueness: server`).
    pub unique: &'static str,
}

/// Users (RFC 7643 §4.1).
pub const USER: Kind = Kind {
    resource: ResourceType::User,
    schema: schema::USER,
    kept: &[
        ("userName", &[]),
        ("name", &["givenName", "familyName"]),
        ("displayName", &[]),
        ("active", &[]),
        ("emails", &["value", "type", "primary"]),
        ("externalId", &[]),
        ("nickName", &[]),
        ("title", &[]),
        ("userType", &[]),
        ("preferredLanguage", &[]),
        ("locale", &[]),
        ("timezone", &[]),
        ("password", &[]),
        ("phoneNumbers", &["value", "type"]),
    ],
    unique: "userName",
};

/// Every kind the server hosts.
pub const KINDS: &[&Kind] = &[&USER];

impl Kind {
    /// The kind served at a resource type's endpoint.
    pub fn of(resource: ResourceType) -> Option<&'static Kind> {
        KINDS.iter().copied().find(|k| k.resource == resource)
    }

    /// The kept attribute's canonical name, for a name in any letter case.
    pub fn kept(&self, name: &str) -> Option<&'static str> {
        self.kept
            .iter()
            .map(|(n, _)| *n)
            .find(|n| n.eq_ignore_ascii_case(name))
    }

    /// The characteristics of a top-level attribute (common ones included).
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        schema::find(self.schema, name).or_else(|| schema::find(schema::COMMON, name))
    }

    pub fn is_multi_valued(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| a.multi_valued)
    }

    /// Whether clients can never write the attribute (schema `readOnly`).
    pub fn is_read_only(&self, name: &str) -> bool {
        self.attribute(name)
            .is_some_and(|a| a.mutability == Mutability::ReadOnly)
    }

    /// Attributes a response never carries (`returned: never`).
    pub fn never_returned(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kept
            .iter()
            .filter(|(name, _)| {
                self.attribute(name)
                    .is_some_and(|a| a.returned == Returned::Never)
            })
            .map(|(name, _)| *name)
    }
}
