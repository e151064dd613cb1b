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
        let (names, keep) = match self {
            Projection::Default => return resource,
            Projection::Attributes(names) => (names, true),
            Projection::Excluded(names) => (names, false),
        };
        let Value::Object(fields) = resource else {
            return resource;
        };
        let names: Vec<Named> = names.iter().map(|n| named(n)).collect();
        let always =
            |key: &str| ALWAYS.iter().any(|a| a.eq_ignore_ascii_case(key)) || returned_always(key);
        let mut out = Map::new();
        for (key, value) in fields {
            if always(&key) {
                out.insert(key, value);
                continue;
            }
            let extension = key.len() > 4 && key[..4].eq_ignore_ascii_case("urn:");
            let projected = match extension {
                // An extension's object is projected member by member.
                true => match (value, whole_extension(&names, &key)) {
                    (value, true) => keep.then_some(value),
                    (Value::Object(inner), _) => {
                        let kept: Map<String, Value> = inner
                            .into_iter()
                            .filter_map(|(k, v)| {
                                Some((k.clone(), cut(v, asked(&names, Some(&key), &k), keep)?))
                            })
                            .collect();
                        (!kept.is_empty()).then_some(Value::Object(kept))
                    }
                    (other, _) => Some(other),
                },
                false => cut(value, asked(&names, None, &key), keep),
            };
            if let Some(value) = projected {
                out.insert(key, value);
            }
        }
        Value::Object(out)
    }
}

/// The resource without its unassigned attributes: RFC 7643 §2.5 holds
/// "Unassigned attributes, the null value, or empty array" equivalent, and a
/// complex value cut to no sub-attribute (`{}`) is one too. Inside an
/// extension's object likewise. Compare projections after this.
pub fn without_unassigned(resource: Value) -> Value {
    fn vacant(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Object(fields) => fields.values().all(vacant),
            Value::Array(items) => items.iter().all(vacant),
            _ => false,
        }
    }
    match resource {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(_, v)| !vacant(v))
                .map(|(k, v)| match v {
                    inner @ Value::Object(_)
                        if k.len() > 4 && k[..4].eq_ignore_ascii_case("urn:") =>
                    {
                        (k, without_unassigned(inner))
                    }
                    other => (k, other),
                })
                .collect(),
        ),
        other => other,
    }
}

/// How the names a request lists speak of one attribute: not at all, as a
/// whole, or by some of its sub-attributes.
enum Asked<'a> {
    No,
    Whole,
    Subs(Vec<&'a str>),
}

/// What `names` say of `attribute` in `scope` (an extension URN, or core).
fn asked<'a>(names: &'a [Named], scope: Option<&str>, attribute: &str) -> Asked<'a> {
    let mine: Vec<&Named> = names
        .iter()
        .filter(|n| same_scope(n, scope) && n.attribute.eq_ignore_ascii_case(attribute))
        .collect();
    if mine.is_empty() {
        Asked::No
    } else if mine.iter().any(|n| n.sub.is_none()) {
        Asked::Whole
    } else {
        Asked::Subs(mine.iter().filter_map(|n| n.sub).collect())
    }
}

/// An attribute's value under `attributes=` (`keep`) or
/// `excludedAttributes=`: `None` when it goes.
fn cut(value: Value, asked: Asked, keep: bool) -> Option<Value> {
    match (asked, keep) {
        (Asked::No, true) | (Asked::Whole, false) => None,
        (Asked::No, false) | (Asked::Whole, true) => Some(value),
        (Asked::Subs(subs), true) => Some(only(value, &subs)),
        (Asked::Subs(subs), false) => Some(without(value, &subs)),
    }
}

/// Whether the extension's URN alone is named (all its attributes):
/// `urn:…:enterprise:2.0:User` splits as (`urn:…:enterprise:2.0`, `User`).
fn whole_extension(names: &[Named], urn: &str) -> bool {
    names.iter().any(|n| {
        n.extension
            .is_some_and(|e| format!("{e}:{}", n.attribute).eq_ignore_ascii_case(urn))
    })
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

    #[test]
    fn an_attribute_cut_to_nothing_is_unassigned() {
        let cut = json!({"id": "1", "name": {}, "emails": [{}], "title": null, "x": [],
            "urn:x:2.0:User": {"a": {}, "b": 1}, "active": false});
        assert_eq!(
            without_unassigned(cut),
            json!({"id": "1", "urn:x:2.0:User": {"b": 1}, "active": false})
        );
    }

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
