//! Attribute characteristics (RFC 7643 §2.2, §7) and the core schemas as
//! data: which attributes a resource has, their types, whether they are
//! multi-valued, case-exact, writable, returned. The reference server stores
//! and presents by them; the checks judge by them.

use serde_json::{Value, json};

/// RFC 7643 §2.3 data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl Type {
    pub fn as_str(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Boolean => "boolean",
            Type::Decimal => "decimal",
            Type::Integer => "integer",
            Type::DateTime => "dateTime",
            Type::Binary => "binary",
            Type::Reference => "reference",
            Type::Complex => "complex",
        }
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §7 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// RFC 7643 §7 `uniqueness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

impl Uniqueness {
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute's characteristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Type,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: &'static [&'static str],
    /// For a `reference`: the resource types it may point at (`external`, `uri`, `User`, ...).
    pub reference_types: &'static [&'static str],
    pub sub_attributes: &'static [Attribute],
}

/// A readWrite, optional, case-insensitive, single-valued string: the
/// default of RFC 7643 §2.2, from which every attribute is written.
pub const fn string(name: &'static str) -> Attribute {
    Attribute {
        name,
        kind: Type::String,
        multi_valued: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical_values: &[],
        reference_types: &[],
        sub_attributes: &[],
    }
}

pub const fn of(kind: Type, name: &'static str) -> Attribute {
    Attribute {
        kind,
        ..string(name)
    }
}

/// A reference to the given kinds of resource.
pub const fn reference(name: &'static str, reference_types: &'static [&'static str]) -> Attribute {
    Attribute {
        reference_types,
        case_exact: true,
        ..of(Type::Reference, name)
    }
}

pub const fn complex(name: &'static str, sub_attributes: &'static [Attribute]) -> Attribute {
    Attribute {
        sub_attributes,
        ..of(Type::Complex, name)
    }
}

pub const fn multi(name: &'static str, sub_attributes: &'static [Attribute]) -> Attribute {
    Attribute {
        multi_valued: true,
        ..complex(name, sub_attributes)
    }
}

pub const fn typed(canonical_values: &'static [&'static str]) -> Attribute {
    Attribute {
        canonical_values,
        ..string("type")
    }
}

pub const fn read_only(attribute: Attribute) -> Attribute {
    Attribute {
        mutability: Mutability::ReadOnly,
        ..attribute
    }
}

/// The sub-attributes RFC 7643 §2.4 gives every multi-valued attribute,
/// with the canonical `type` values of each one.
macro_rules! values {
    ($value:expr, [$($canonical:literal),*]) => {
        &[$value, string("display"), typed(&[$($canonical),*]), of(Type::Boolean, "primary")]
    };
}

/// The core User schema, RFC 7643 §4.1 (characteristics as in §8.7.1).
pub const USER: &[Attribute] = &[
    Attribute {
        required: true,
        uniqueness: Uniqueness::Server,
        ..string("userName")
    },
    complex(
        "name",
        &[
            string("formatted"),
            string("familyName"),
            string("givenName"),
            string("middleName"),
            string("honorificPrefix"),
            string("honorificSuffix"),
        ],
    ),
    string("displayName"),
    string("nickName"),
    reference("profileUrl", &["external"]),
    string("title"),
    string("userType"),
    string("preferredLanguage"),
    string("locale"),
    string("timezone"),
    of(Type::Boolean, "active"),
    Attribute {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..string("password")
    },
    multi(
        "emails",
        values!(string("value"), ["work", "home", "other"]),
    ),
    multi(
        "phoneNumbers",
        values!(
            string("value"),
            ["work", "home", "mobile", "fax", "pager", "other"]
        ),
    ),
    multi(
        "ims",
        values!(
            string("value"),
            ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]
        ),
    ),
    multi(
        "photos",
        values!(reference("value", &["external"]), ["photo", "thumbnail"]),
    ),
    multi(
        "addresses",
        &[
            string("formatted"),
            string("streetAddress"),
            string("locality"),
            string("region"),
            string("postalCode"),
            string("country"),
            typed(&["work", "home", "other"]),
            of(Type::Boolean, "primary"),
        ],
    ),
    read_only(multi(
        "groups",
        &[
            read_only(string("value")),
            read_only(reference("$ref", &["User", "Group"])),
            read_only(string("display")),
            read_only(typed(&["direct", "indirect"])),
        ],
    )),
    multi("entitlements", values!(string("value"), [])),
    multi("roles", values!(string("value"), [])),
    multi("x509Certificates", values!(of(Type::Binary, "value"), [])),
];

/// The core Group schema, RFC 7643 §4.2 (characteristics as in §8.7.1):
/// a member's `value`, `$ref` and `type` are set when it is added and
/// never changed.
pub const GROUP: &[Attribute] = &[
    Attribute {
        required: true,
        ..string("displayName")
    },
    multi(
        "members",
        &[
            Attribute {
                mutability: Mutability::Immutable,
                case_exact: true,
                ..string("value")
            },
            Attribute {
                mutability: Mutability::Immutable,
                ..reference("$ref", &["User", "Group"])
            },
            Attribute {
                mutability: Mutability::Immutable,
                ..typed(&["User", "Group"])
            },
            string("display"),
        ],
    ),
];

/// The enterprise User extension, RFC 7643 §4.3 (characteristics as in §8.7.1).
pub const ENTERPRISE_USER: &[Attribute] = &[
    string("employeeNumber"),
    string("costCenter"),
    string("organization"),
    string("division"),
    string("department"),
    complex(
        "manager",
        &[
            string("value"),
            reference("$ref", &["User"]),
            read_only(string("displayName")),
        ],
    ),
];

/// The attributes every resource has (RFC 7643 §3.1): `id`, `externalId`, `meta`.
pub const COMMON: &[Attribute] = &[
    Attribute {
        case_exact: true,
        mutability: Mutability::ReadOnly,
        returned: Returned::Always,
        uniqueness: Uniqueness::Server,
        ..string("id")
    },
    Attribute {
        case_exact: true,
        ..string("externalId")
    },
    read_only(complex(
        "meta",
        &[
            read_only(Attribute {
                case_exact: true,
                ..string("resourceType")
            }),
            read_only(of(Type::DateTime, "created")),
            read_only(of(Type::DateTime, "lastModified")),
            read_only(reference("location", &["uri"])),
            read_only(Attribute {
                case_exact: true,
                ..string("version")
            }),
        ],
    )),
];

/// The attribute named `name` (any letter case) among `attributes`.
pub fn find<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// The characteristics of a User attribute by dotted path (`name.givenName`,
/// `emails.value`, `id`), common attributes included.
pub fn user_attribute(dotted: &str) -> Option<&'static Attribute> {
    let (top, sub) = match dotted.split_once('.') {
        Some((top, sub)) => (top, Some(sub)),
        None => (dotted, None),
    };
    let parent = find(USER, top).or_else(|| find(COMMON, top))?;
    match sub {
        Some(sub) => find(parent.sub_attributes, sub),
        None => Some(parent),
    }
}

/// The attributes of a schema extension scimcheck knows (RFC 7643 §4.3).
pub fn extension(urn: &str) -> Option<&'static [Attribute]> {
    urn.eq_ignore_ascii_case(super::urn::ENTERPRISE_USER)
        .then_some(ENTERPRISE_USER)
}

/// The characteristics of an attribute by dotted path among `attributes`.
pub fn find_path<'a>(attributes: &'a [Attribute], dotted: &str) -> Option<&'a Attribute> {
    match dotted.split_once('.') {
        Some((top, sub)) => find(find(attributes, top)?.sub_attributes, sub),
        None => find(attributes, dotted),
    }
}

/// Whether string comparisons on a User attribute are exact (RFC 7643
/// §2.2 caseExact); dotted path in any letter case. Unknown attributes
/// compare ignoring case, the RFC's default.
pub fn user_case_exact(dotted: &str) -> bool {
    user_attribute(dotted).is_some_and(|a| a.case_exact)
}

impl Attribute {
    /// The attribute as a `/Schemas` document writes it (RFC 7643 §7),
    /// without sub-attributes.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "name": self.name,
            "type": self.kind.as_str(),
            "multiValued": self.multi_valued,
            "description": format!("The {} attribute (RFC 7643).", self.name),
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability.as_str(),
            "returned": self.returned.as_str(),
            "uniqueness": self.uniqueness.as_str(),
        });
        if !self.canonical_values.is_empty() {
            out["canonicalValues"] = json!(self.canonical_values);
        }
        if self.kind == Type::Reference {
            out["referenceTypes"] = json!(self.reference_types);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characteristics_follow_the_rfc() {
        assert!(
            user_case_exact("id")
                && user_case_exact("externalId")
                && user_case_exact("meta.version")
        );
        assert!(!user_case_exact("userName") && !user_case_exact("emails.value"));
        assert!(!user_case_exact("noSuchThing"));
        let password = user_attribute("password").unwrap();
        assert_eq!(
            (password.mutability, password.returned),
            (Mutability::WriteOnly, Returned::Never)
        );
        assert_eq!(
            user_attribute("groups.value").unwrap().mutability,
            Mutability::ReadOnly
        );
        assert_eq!(
            user_attribute("phoneNumbers.type")
                .unwrap()
                .canonical_values
                .len(),
            6
        );
        assert_eq!(
            user_attribute("addresses.locality").unwrap().kind,
            Type::String
        );
    }
}
