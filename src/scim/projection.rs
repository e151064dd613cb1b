//! Attribute projection (RFC 7644 §3.4.2.5, §3.9): `attributes` replaces
//! the default set with the attributes asked for, `excludedAttributes`
//! removes some from it; neither touches the minimum set (`returned:
//! always`: `id`, and `schemas`). Names are in standard attribute notation
//! (§3.10): `userName`, `name.givenName`, `emails.value`, behind a schema
//! URN or not. A `returned: request` attribute appears only when asked for.
//! One rule for the reference server and the checks (the projection
//! property's oracle): an extension's attributes live in the object keyed
//! by its URN, and the caller says what else is returned always.

use serde_json::{Map, Value};

use super::{ScimError, ScimType, urn};

/// What a request asks to see of each resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Projection {
    #[default]
    Default,
    Attributes(Vec<String>),
    Excluded(Vec<String>),
}

/// One named path: the extension it lives in (`None`: core), the
/// attribute, and the sub-attribute.
struct Named<'a> {
    extension: Option<&'a str>,
    attribute: &'a str,
    sub: Option<&'a str>,
}

/// The minimum set (RFC 7643 §7 `returned: always`), besides the schema's own.
const ALWAYS: &[&str] = &["schemas", "id"];

impl Projection {
    /// From the query parameters; both at once is 400 (they are "mutually
    /// exclusive", RFC 7644 §3.9).
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        let list = |text: &str| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        match (attributes, excluded) {
            (Some(_), Some(_)) => Err(ScimError::bad(
                ScimType::InvalidValue,
                "`attributes` and `excludedAttributes` are mutually exclusive",
            )),
            (Some(a), None) => Ok(Projection::Attributes(list(a))),
            (None, Some(e)) => Ok(Projection::Excluded(list(e))),
            (None, None) => Ok(Projection::Default),
        }
    }

    /// Whether `attribute` (core, or in `extension`) is asked for by name.
    pub fn asks_for(&self, extension: Option<&str>, attribute: &str) -> bool {
        match self {
            Projection::Attributes(names) => names
                .iter()
                .map(|n| named(n))
                .any(|n| same_scope(&n, extension) && n.attribute.eq_ignore_ascii_case(attribute)),
            _ => false,
        }
    }

    /// The resource as the request asked to see it; `returned_always`
    /// names the attributes besides `id` and `schemas` that no projection
    /// removes.
    pub fn apply(&self, resource: Value, returned_always: &dyn Fn(&str) -> bool) -> Value {
        let Value::Object(fields) = resource else {
            return resource;
        };
        let always =
            |key: &str| ALWAYS.iter().any(|a| a.eq_ignore_ascii_case(key)) || returned_always(key);
        let extension = |key: &str| key.len() > 4 && key[..4].eq_ignore_ascii_case("urn:");
        match self {
            Projection::Default => Value::Object(fields),
            Projection::Attributes(names) => {
                let names: Vec<Named> = names.iter().map(|n| named(n)).collect();
                let mut out = Map::new();
                for (key, value) in fields {
                    if always(&key) {
                        out.insert(key, value);
                    } else if extension(&key) {
                        let kept = keep(value, &names, &key);
                        if !kept.as_object().is_none_or(Map::is_empty) {
                            out.insert(key, kept);
                        }
                    } else if names
                        .iter()
                        .any(|n| same_scope(n, None) && n.attribute.eq_ignore_ascii_case(&key))
                    {
                        let subs: Vec<&str> = names
                            .iter()
                            .filter(|n| {
                                same_scope(n, None) && n.attribute.eq_ignore_ascii_case(&key)
                            })
                            .filter_map(|n| n.sub)
                            .collect();
                        let whole = names.iter().any(|n| {
                            same_scope(n, None)
                                && n.attribute.eq_ignore_ascii_case(&key)
                                && n.sub.is_none()
                        });
                        out.insert(key, if whole { value } else { only(value, &subs) });
                    }
                }
                Value::Object(out)
            }
            Projection::Excluded(names) => {
                let names: Vec<Named> = names.iter().map(|n| named(n)).collect();
                let mut out = Map::new();
                for (key, value) in fields {
                    if always(&key) {
                        out.insert(key, value);
                        continue;
                    }
                    let value = match extension(&key) {
                        true => drop_from(value, &names, &key),
                        false => {
                            let whole = names.iter().any(|n| {
                                same_scope(n, None)
                                    && n.attribute.eq_ignore_ascii_case(&key)
                                    && n.sub.is_none()
                            });
                            if whole {
                                continue;
                            }
                            let subs: Vec<&str> = names
                                .iter()
                                .filter(|n| {
                                    same_scope(n, None) && n.attribute.eq_ignore_ascii_case(&key)
                                })
                                .filter_map(|n| n.sub)
                                .collect();
                            without(value, &subs)
                        }
                    };
                    out.insert(key, value);
                }
                Value::Object(out)
            }
        }
    }
}

/// `urn:…:User:name.givenName` → the extension (none for the core schema),
/// `name`, `givenName`. The URN alone names its whole extension.
fn named(text: &str) -> Named<'_> {
    let (written, path) = urn::split(text);
    let extension = written.filter(|u| !u.eq_ignore_ascii_case(urn::USER));
    let (attribute, sub) = match path.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (path, None),
    };
    Named {
        extension,
        attribute,
        sub,
    }
}

fn same_scope(named: &Named, extension: Option<&str>) -> bool {
    match (named.extension, extension) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// An extension object cut to the attributes asked for (all of them when
/// the URN itself is asked for).
fn keep(value: Value, names: &[Named], urn: &str) -> Value {
    // `urn:…:enterprise:2.0:User` alone splits as (`urn:…:enterprise:2.0`, `User`).
    let whole = names.iter().any(|n| {
        n.extension
            .is_some_and(|e| format!("{e}:{}", n.attribute).eq_ignore_ascii_case(urn))
    });
    if whole {
        return value;
    }
    let Value::Object(fields) = value else {
        return value;
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let asked: Vec<&Named> = names
            .iter()
            .filter(|n| same_scope(n, Some(urn)) && n.attribute.eq_ignore_ascii_case(&key))
            .collect();
        if asked.is_empty() {
            continue;
        }
        let subs: Vec<&str> = asked.iter().filter_map(|n| n.sub).collect();
        let whole = asked.iter().any(|n| n.sub.is_none());
        out.insert(key, if whole { value } else { only(value, &subs) });
    }
    Value::Object(out)
}

/// An extension object without the attributes excluded.
fn drop_from(value: Value, names: &[Named], urn: &str) -> Value {
    let Value::Object(fields) = value else {
        return value;
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let excluded: Vec<&Named> = names
            .iter()
            .filter(|n| same_scope(n, Some(urn)) && n.attribute.eq_ignore_ascii_case(&key))
            .collect();
        if excluded.iter().any(|n| n.sub.is_none()) {
            continue;
        }
        let subs: Vec<&str> = excluded.iter().filter_map(|n| n.sub).collect();
        out.insert(key, without(value, &subs));
    }
    Value::Object(out)
}

/// A complex value (or each value of a multi-valued one) cut to `subs`.
fn only(value: Value, subs: &[&str]) -> Value {
    map_objects(value, &|fields: Map<String, Value>| {
        fields
            .into_iter()
            .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .collect()
    })
}

/// A complex value (or each value of a multi-valued one) without `subs`.
fn without(value: Value, subs: &[&str]) -> Value {
    if subs.is_empty() {
        return value;
    }
    map_objects(value, &|fields: Map<String, Value>| {
        fields
            .into_iter()
            .filter(|(k, _)| !subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .collect()
    })
}

fn map_objects(value: Value, f: &dyn Fn(Map<String, Value>) -> Map<String, Value>) -> Value {
    match value {
        Value::Object(fields) => Value::Object(f(fields)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(fields) => Value::Object(f(fields)),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user() -> Value {
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER], "id": "1", "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x.org", "type": "work"}, {"value": "b@x.org", "type": "home"}],
            "title": "Countess", "meta": {"resourceType": "User"},
            urn::ENTERPRISE_USER: {"employeeNumber": "1", "department": "Maths"},
        })
    }

    #[test]
    fn attributes_keep_the_minimum_set_and_what_is_asked() {
        let asked = Projection::parse(
            Some("userName,name.givenName,emails.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
            None,
        )
        .unwrap();
        assert_eq!(
            asked.apply(user(), &|_| false),
            json!({
                "schemas": [urn::USER, urn::ENTERPRISE_USER], "id": "1", "userName": "ada",
                "name": {"givenName": "Ada"}, "emails": [{"value": "a@x.org"}, {"value": "b@x.org"}],
                urn::ENTERPRISE_USER: {"department": "Maths"},
            })
        );
        let excluded = Projection::parse(None, Some("id,emails,name.familyName,title")).unwrap();
        let shown = excluded.apply(user(), &|_| false);
        assert_eq!(
            shown["id"], "1",
            "returned always: excluding it has no effect"
        );
        assert!(shown.get("emails").is_none() && shown.get("title").is_none());
        assert_eq!(shown["name"], json!({"givenName": "Ada"}));
        assert!(Projection::parse(Some("a"), Some("b")).is_err());
    }
}
