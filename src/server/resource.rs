//! The resource types the reference server hosts, as data ([`Kind`]: the
//! core schema, the schema extensions, the attribute kept unique and
//! indexed), and what it holds of one under its profile ([`Model`]: which
//! attributes and sub-attributes, which extensions). A second resource
//! type is a second [`Kind`], not a copy of the code.

use crate::profile::Profile;
use crate::scim::schema::{
    self, Attribute, Mutability, Returned, Type, Uniqueness, complex, of, read_only, string,
};
use crate::scim::{ResourceType, urn};

/// A schema extension (RFC 7643 §3.3): its URN and attributes.
#[derive(Debug)]
pub struct Extension {
    pub urn: &'static str,
    pub name: &'static str,
    pub attributes: &'static [Attribute],
}

/// The enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE: Extension = Extension {
    urn: urn::ENTERPRISE_USER,
    name: "EnterpriseUser",
    attributes: schema::ENTERPRISE_USER,
};

/// A vendor extension of the reference server's own, as real servers have:
/// it gives the schema-driven checks what no RFC schema has: an immutable
/// attribute, one returned only on request, integer, dateTime and boolean ones. Hosted by a server
/// that serves every RFC 7643 attribute (a profile without `attributes:`).
pub const BADGE: Extension = Extension {
    urn: "urn:scimcheck:schemas:extension:badge:1.0:User",
    name: "Badge",
    attributes: &[
        Attribute {
            mutability: Mutability::Immutable,
            uniqueness: Uniqueness::None,
            case_exact: true,
            ..string("badgeNumber")
        },
        of(Type::Integer, "floor"),
        of(Type::DateTime, "issued"),
        of(Type::Boolean, "visitor"),
        Attribute {
            returned: Returned::Request,
            ..string("clearance")
        },
        complex("escort", &[string("value"), read_only(string("display"))]),
    ],
};

/// One resource type the server hosts.
#[derive(Debug)]
pub struct Kind {
    pub resource: ResourceType,
    /// The core schema's attribute characteristics.
    pub schema: &'static [Attribute],
    /// The schema extensions the server can host for it.
    pub extensions: &'static [&'static Extension],
    /// The attribute the server indexes (for `eq` and `sw` filters).
    pub unique: &'static str,
    /// Whether that attribute is unique (`/Schemas` then declares
    /// `uniqueness: server` for it).
    pub enforces_unique: bool,
}

/// Users (RFC 7643 §4.1).
pub const USER: Kind = Kind {
    resource: ResourceType::User,
    schema: schema::USER,
    extensions: &[&ENTERPRISE, &BADGE],
    unique: "userName",
    enforces_unique: true,
};

/// Groups (RFC 7643 §4.2).
pub const GROUP: Kind = Kind {
    resource: ResourceType::Group,
    schema: schema::GROUP,
    extensions: &[],
    unique: "displayName",
    // RFC 7643 §4.2 does not require it, but Entra ID matches groups by
    // displayName and requires it unique ("Groups must have uniqueness on
    // the 'displayName' value"), as many servers keep it.
    enforces_unique: true,
};

/// Every kind the server can host (a profile decides which it does).
pub const KINDS: &[&Kind] = &[&USER, &GROUP];

/// What the server holds of one kind under its profile.
#[derive(Debug, Clone)]
pub struct Model {
    pub kind: &'static Kind,
    profile: Profile,
    /// The extensions hosted: those the profile claims, and the server's
    /// own where it serves every RFC attribute.
    pub extensions: Vec<&'static Extension>,
}

impl Model {
    pub fn new(kind: &'static Kind, profile: &Profile) -> Model {
        let extensions = kind
            .extensions
            .iter()
            .copied()
            .filter(|e| {
                profile.has_extension(e.urn) || (e.urn == BADGE.urn && profile.attributes.is_none())
            })
            .collect();
        Model {
            kind,
            profile: profile.clone(),
            extensions,
        }
    }

    /// A hosted extension by URN (any letter case).
    /// Whether the server holds writes to the SCIM Interoperability
    /// Profile's stricter rules (its profile claims the draft).
    pub fn strict(&self) -> bool {
        self.profile.features.interop
    }

    pub fn extension(&self, urn: &str) -> Option<&'static Extension> {
        // OneLogin's pre-RFC name of the enterprise extension is the same one.
        let urn = if urn.eq_ignore_ascii_case(urn::LEGACY_ENTERPRISE) {
            urn::ENTERPRISE_USER
        } else {
            urn
        };
        self.extensions
            .iter()
            .copied()
            .find(|e| e.urn.eq_ignore_ascii_case(urn))
    }

    /// The attributes of the core schema (with the common `externalId`) or of an extension.
    pub fn attributes(&self, extension: Option<&Extension>) -> Vec<&'static Attribute> {
        match extension {
            Some(e) => self
                .extension(e.urn)
                .map(|e| e.attributes.iter().collect())
                .unwrap_or_default(),
            None => {
                let external = schema::find(schema::COMMON, "externalId");
                self.kind.schema.iter().chain(external).collect()
            }
        }
    }

    /// Whether the profile speaks of this kind's attributes (it documents
    /// User attributes; any other kind holds its whole schema).
    fn profiled(&self) -> bool {
        self.kind.resource == ResourceType::User
    }

    /// Whether the profile hosts this kind at all (Users always; Groups
    /// where it claims their operations).
    pub fn hosted(&self) -> bool {
        match self.kind.resource {
            ResourceType::User => true,
            ResourceType::Group => self
                .profile
                .operations
                .iter()
                .any(|o| o.starts_with("groups.")),
        }
    }

    /// The attribute at `dotted` (core, or inside `extension`) if the server
    /// holds it under its profile.
    pub fn supported(
        &self,
        extension: Option<&Extension>,
        dotted: &str,
    ) -> Option<&'static Attribute> {
        let (top, sub) = match dotted.split_once('.') {
            Some((top, sub)) => (top, Some(sub)),
            None => (dotted, None),
        };
        let attribute = *self
            .attributes(extension)
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(top))?;
        let found = match sub {
            Some(sub) => schema::find(attribute.sub_attributes, sub)?,
            None => attribute,
        };
        let path = match (extension, sub) {
            (Some(e), _) => format!("{}:{dotted}", e.urn),
            (None, _) => dotted.to_string(),
        };
        let held = match extension {
            _ if !self.profiled() => true,
            // The server's own extension is all or nothing.
            Some(e) if e.urn == BADGE.urn => true,
            // RFC 7643 §3.1: the common attributes "MUST be defined for all
            // resources", whatever a guide documents.
            None if attribute.name == "externalId" => true,
            _ => self.profile.has_attribute(&path),
        };
        // A complex attribute is held when any of its sub-attributes is.
        let held = held
            || (sub.is_none()
                && found.sub_attributes.iter().any(|s| {
                    let sub = format!("{path}.{}", s.name);
                    self.profile.has_attribute(&sub)
                }));
        held.then_some(found)
    }

    /// The sub-attributes of a complex attribute that the server holds.
    pub fn supported_subs(
        &self,
        extension: Option<&Extension>,
        attribute: &Attribute,
    ) -> Vec<&'static Attribute> {
        let parent = self.supported(extension, attribute.name);
        parent
            .into_iter()
            .flat_map(|p| p.sub_attributes.iter())
            .filter(|s| {
                self.supported(extension, &format!("{}.{}", attribute.name, s.name))
                    .is_some()
            })
            .collect()
    }

    /// Whether clients may not write the attribute: read-only in its schema
    /// or in the profile.
    pub fn read_only(&self, extension: Option<&Extension>, dotted: &str) -> bool {
        let attribute = self.supported(extension, dotted);
        attribute.is_some_and(|a| a.mutability == Mutability::ReadOnly)
            || (extension.is_none() && self.profiled() && self.profile.is_read_only(dotted))
    }

    /// The profile's required attributes and the schema's (RFC 7643 §2.2).
    pub fn required(&self) -> Vec<String> {
        let mut required = match self.profiled() {
            true => self.profile.required.clone(),
            false => vec![],
        };
        for attribute in self.kind.schema.iter().filter(|a| a.required) {
            if !required
                .iter()
                .any(|r| r.eq_ignore_ascii_case(attribute.name))
            {
                required.push(attribute.name.to_string());
            }
        }
        required
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_decides_what_is_held() {
        let insightly = Model::new(&USER, &Profile::load("insightly").unwrap());
        assert!(insightly.supported(None, "name.givenName").is_some());
        assert!(insightly.supported(None, "name").is_some());
        assert!(insightly.supported(None, "name.middleName").is_none());
        assert!(insightly.supported(None, "nickName").is_none());
        assert!(
            insightly.supported(None, "externalId").is_some(),
            "common to every resource"
        );
        assert!(insightly.extensions.is_empty());
        assert!(insightly.read_only(None, "emails"));
        let full = Model::new(&USER, &Profile::load("rfc7644").unwrap());
        assert!(full.supported(None, "x509Certificates.value").is_some());
        assert!(full.supported(None, "externalId").is_some());
        assert_eq!(full.extensions.len(), 2);
        assert!(full.supported(Some(&ENTERPRISE), "manager.value").is_some());
        assert!(full.read_only(Some(&ENTERPRISE), "manager.displayName"));
        assert_eq!(
            full.supported(Some(&BADGE), "badgeNumber")
                .unwrap()
                .mutability,
            Mutability::Immutable
        );
    }
}
