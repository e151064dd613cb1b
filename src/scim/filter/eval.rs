//! The filter evaluator: does a resource (a JSON object) match a [`Filter`]?
//!
//! Attribute names match case-insensitively; a multi-valued attribute
//! matches when any of its values does; a complex value compares through its
//! `value` sub-attribute; strings compare ignoring case unless the attribute
//! is caseExact, and date-times as instants. Ordering operators on
//! booleans or objects never match. An attribute qualified by an extension's
//! URN is read from that extension's object; an unqualified name the core
//! schema lacks, from the extension that has it (RFC 7644 §3.10 lets clients
//! omit only core URNs, but Entra ID queries `manager eq` so).

use std::cmp::Ordering;

use serde_json::Value;

use super::{AttrPath, Collation, Filter, Op};
use crate::scim::datetime::instant;

pub fn matches(
    filter: &Filter,
    resource: &Value,
    collation: &dyn Fn(&str) -> Collation,
    parent: Option<&str>,
) -> bool {
    match filter {
        Filter::And(terms) => terms
            .iter()
            .all(|t| matches(t, resource, collation, parent)),
        Filter::Or(terms) => terms
            .iter()
            .any(|t| matches(t, resource, collation, parent)),
        Filter::Not(inner) => !matches(inner, resource, collation, parent),
        Filter::Present(path) => values(resource, path).iter().any(|v| present(v)),
        Filter::ValuePath { path, filter } => {
            let name = path.name.to_ascii_lowercase();
            let elements = attribute(resource, path);
            let mut items: Vec<&Value> = match elements {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(other) => vec![other],
                None => vec![],
            };
            items.retain(|item| matches(filter, item, collation, Some(&name)));
            !items.is_empty()
        }
        Filter::Compare { path, op, value } => {
            let dotted = match parent {
                Some(parent) => format!("{parent}.{}", path.dotted().to_ascii_lowercase()),
                None => path.dotted().to_ascii_lowercase(),
            };
            let collation = collation(&dotted);
            let found = values(resource, path);
            if *op == Op::Ne {
                // `ne` holds when no value equals (and for an absent attribute).
                return !found.iter().any(|v| compare(v, Op::Eq, value, collation));
            }
            found.iter().any(|v| compare(v, *op, value, collation))
        }
    }
}

fn get<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The value an attribute path names, in the core schema or the extension
/// holding it.
fn attribute<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Value> {
    match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => {
            get(get(resource, urn)?, &path.name)
        }
        Some(_) => get(resource, &path.name),
        None => get(resource, &path.name).or_else(|| {
            let object = resource.as_object()?;
            object
                .iter()
                .filter(|(key, value)| key.starts_with("urn:") && value.is_object())
                .find_map(|(_, extension)| get(extension, &path.name))
        }),
    }
}

/// Every leaf value an attribute path reaches (flattening multi-valued attributes).
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let top = attribute(resource, path);
    let mut push = |v: &'a Value| match (&path.sub, v) {
        (Some(sub), Value::Object(_)) => out.extend(get(v, sub)),
        (Some(_), _) => {}
        (None, Value::Object(_)) => out.extend(get(v, "value")),
        (None, other) => out.push(other),
    };
    match top {
        Some(Value::Array(items)) => items.iter().for_each(&mut push),
        Some(v) => push(v),
        None => {}
    }
    out
}

fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(actual: &Value, op: Op, expected: &Value, collation: Collation) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(e)) if collation == Collation::Instant => {
            match (instant(a), instant(e), op) {
                // Substring operators read the text as written.
                (_, _, Op::Co | Op::Sw | Op::Ew) | (None, _, _) | (_, None, _) => {
                    compare(actual, op, expected, Collation::Exact)
                }
                (Some(a), Some(e), Op::Eq) => a == e,
                (Some(a), Some(e), Op::Ne) => a != e,
                (Some(a), Some(e), _) => ordered(a.cmp(&e), op),
            }
        }
        (Value::String(a), Value::String(e)) => {
            let (a, e) = if collation == Collation::Exact {
                (a.clone(), e.clone())
            } else {
                (a.to_lowercase(), e.to_lowercase())
            };
            match op {
                Op::Eq => a == e,
                Op::Ne => a != e,
                Op::Co => a.contains(&e),
                Op::Sw => a.starts_with(&e),
                Op::Ew => a.ends_with(&e),
                _ => ordered(a.cmp(&e), op),
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            let (Some(a), Some(e)) = (a.as_f64(), e.as_f64()) else {
                return false;
            };
            match op {
                Op::Eq => a == e,
                Op::Ne => a != e,
                Op::Co | Op::Sw | Op::Ew => false,
                _ => a.partial_cmp(&e).is_some_and(|o| ordered(o, op)),
            }
        }
        (Value::Bool(a), Value::Bool(e)) => match op {
            Op::Eq => a == e,
            Op::Ne => a != e,
            _ => false,
        },
        (Value::Null, Value::Null) => op == Op::Eq,
        _ => false,
    }
}

fn ordered(ordering: Ordering, op: Op) -> bool {
    match op {
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        _ => false,
    }
}
