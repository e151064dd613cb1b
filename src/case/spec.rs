//! The values of a case file that take more than one form — a rule or a
//! list of rules, `snapshot: true` or its options, a status code, class or
//! list, a header rule — each read by a visitor of its own. Unlike serde's
//! untagged enums, a visitor reads the value in place, so a wrong value is
//! reported at its own `path:line:col`, with what was expected.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// A string or a list of strings.
#[derive(Debug, Clone)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(text.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut many = Vec::new();
                while let Some(one) = seq.next_element::<String>()? {
                    many.push(one);
                }
                Ok(OneOrMany::Many(many))
            }
        }
        deserializer.deserialize_any(Read)
    }
}

/// How a step's response is snapshotted: `true`, or its options.
#[derive(Debug, Clone)]
pub enum SnapshotSpec {
    On(bool),
    With(SnapshotOptions),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotOptions {
    #[serde(default)]
    pub redact: IndexMap<String, String>,
}

impl<'de> Deserialize<'de> for SnapshotSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = SnapshotSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false`, or `{redact: {SELECTOR: PLACEHOLDER}}`")
            }
            fn visit_bool<E: de::Error>(self, on: bool) -> Result<SnapshotSpec, E> {
                Ok(SnapshotSpec::On(on))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SnapshotSpec, A::Error> {
                SnapshotOptions::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SnapshotSpec::With)
            }
        }
        deserializer.deserialize_any(Read)
    }
}

/// `201`, `[200, 204]`, a class such as `2xx`, or a list mixing them.
#[derive(Debug, Clone)]
pub enum StatusSpec {
    Exact(u16),
    AnyOf(Vec<u16>),
    Class(String),
    /// Codes and classes mixed: `[2xx, 404]`.
    Mixed(Vec<StatusItem>),
}

/// One member of a status list.
#[derive(Debug, Clone)]
pub enum StatusItem {
    Code(u16),
    Class(String),
}

const STATUS: &str = "a status code (`201`), a class (`4xx`), or a list of them";

/// A status code from a YAML integer: 100 to 599.
fn code<E: de::Error>(number: u64) -> Result<u16, E> {
    u16::try_from(number)
        .ok()
        .filter(|c| (100..600).contains(c))
        .ok_or_else(|| E::custom(format!("`{number}` is no HTTP status code (100 to 599)")))
}

impl<'de> Deserialize<'de> for StatusItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = StatusItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status code (`201`) or a class (`4xx`)")
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<StatusItem, E> {
                code(number).map(StatusItem::Code)
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<StatusItem, E> {
                code(u64::try_from(number).unwrap_or(0)).map(StatusItem::Code)
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<StatusItem, E> {
                Ok(StatusItem::Class(text.to_string()))
            }
        }
        deserializer.deserialize_any(Read)
    }
}

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(STATUS)
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<StatusSpec, E> {
                code(number).map(StatusSpec::Exact)
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<StatusSpec, E> {
                code(u64::try_from(number).unwrap_or(0)).map(StatusSpec::Exact)
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<StatusSpec, E> {
                Ok(StatusSpec::Class(text.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StatusSpec, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<StatusItem>()? {
                    items.push(item);
                }
                let codes: Option<Vec<u16>> = items
                    .iter()
                    .map(|i| match i {
                        StatusItem::Code(c) => Some(*c),
                        StatusItem::Class(_) => None,
                    })
                    .collect();
                Ok(match codes {
                    Some(codes) => StatusSpec::AnyOf(codes),
                    None => StatusSpec::Mixed(items),
                })
            }
        }
        deserializer.deserialize_any(Read)
    }
}

/// A header rule: `present`, `absent`, a value to equal,
/// `{matches: REGEX}` or `{not_equals: VALUE}`.
#[derive(Debug, Clone)]
pub enum HeaderSpec {
    Text(String),
    Matches { matches: String },
    NotEquals { not_equals: String },
}

impl<'de> Deserialize<'de> for HeaderSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = HeaderSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "`present`, `absent`, a value to equal, `{matches: REGEX}` or `{not_equals: VALUE}`",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<HeaderSpec, E> {
                Ok(HeaderSpec::Text(text.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderSpec, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::invalid_length(0, &self));
                };
                let value: String = map.next_value()?;
                let rule = match key.as_str() {
                    "matches" => HeaderSpec::Matches { matches: value },
                    "not_equals" => HeaderSpec::NotEquals { not_equals: value },
                    other => {
                        return Err(de::Error::unknown_field(other, &["matches", "not_equals"]));
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "a header rule has one key: `matches` or `not_equals`",
                    ));
                }
                Ok(rule)
            }
        }
        deserializer.deserialize_any(Read)
    }
}
