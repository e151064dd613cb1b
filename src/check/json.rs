//! JSON body checks: `subset` (the body contains an expected JSON value) and
//! `value` (what a selector picks satisfies a [`ValueRule`]).
//!
//! SCIM attribute names are case-insensitive (RFC 7643 §2.1), so object keys
//! match ignoring case; arrays match in any order (multi-valued attributes
//! have no defined order). A JSON pointer selects one value; a JSONPath
//! selects a list of values, judged as one array.

use serde_json::Value;

use super::{Failure, Selector, show};
use crate::case::model::{JsonType, ValueRule};

/// Does `actual` contain `expected`? The failure names the first place where it does not.
pub fn subset(expected: &Value, actual: &Value) -> Option<Failure> {
    mismatch(expected, actual, "").map(|(path, want, got)| {
        let at = if path.is_empty() {
            "the body".to_string()
        } else {
            format!("`{path}`")
        };
        Failure::new("json", format!("at {at}: expected {want}, got {got}"))
            .expected(show(expected))
            .actual(show(actual))
    })
}

/// Whether `expected` is contained in `actual` (the same rule as [`subset`]).
pub fn contains(expected: &Value, actual: &Value) -> bool {
    mismatch(expected, actual, "").is_none()
}

fn mismatch(expected: &Value, actual: &Value, path: &str) -> Option<(String, String, String)> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => want.iter().find_map(|(key, want_value)| {
            let here = format!("{path}/{key}");
            match got.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                Some((_, got_value)) => mismatch(want_value, got_value, &here),
                None => Some((here, show(want_value), "(absent)".into())),
            }
        }),
        (Value::Array(want), Value::Array(got)) => want.iter().find_map(|item| {
            (!got.iter().any(|g| mismatch(item, g, path).is_none())).then(|| {
                (
                    path.to_string(),
                    format!("an element containing {}", show(item)),
                    show(actual),
                )
            })
        }),
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (want, got) if want == got => None,
        (want, got) => Some((path.to_string(), show(want), show(got))),
    }
}

/// Checks what `selector` picks in `json` against every part of `rule`.
pub fn value(text: &str, selector: &Selector, rule: &ValueRule, json: &Value) -> Vec<Failure> {
    let picked = selector.select(json);
    let mut failures = Vec::new();
    let mut fail = |message: String, expected: String, actual: String| {
        failures.push(
            Failure::new("value", format!("`{text}`: {message}"))
                .expected(expected)
                .actual(actual),
        );
    };
    let subject: Option<Value> = match selector {
        Selector::Pointer(_) => picked.first().map(|v| (*v).clone()),
        Selector::Path(_) => Some(Value::Array(picked.iter().map(|v| (*v).clone()).collect())),
    };
    let found = !picked.is_empty();
    match rule.exists {
        Some(true) if !found => fail(
            "selects nothing".into(),
            "a value".into(),
            "(absent)".into(),
        ),
        Some(false) if found => fail(
            format!("expected absent, got {}", show(picked[0])),
            "(absent)".into(),
            show(picked[0]),
        ),
        _ => {}
    }
    let has_value_rules = rule.equals.is_some()
        || rule.equals_ignoring_case.is_some()
        || rule.not_equals.is_some()
        || rule.kind.is_some()
        || rule.contains.is_some()
        || rule.not_contains.is_some()
        || rule.matches.is_some()
        || rule.length.is_some()
        || rule.min.is_some()
        || rule.max.is_some();
    let value = match (subject, has_value_rules) {
        (_, false) => return failures,
        (Some(value), true) if found || matches!(selector, Selector::Path(_)) => value,
        _ => {
            fail(
                "selects nothing".into(),
                "a value".into(),
                "(absent)".into(),
            );
            return failures;
        }
    };
    let got = show(&value);
    if let Some(expected) = &rule.equals
        && !same(expected, &value)
    {
        fail(
            format!("expected {}, got {got}", show(expected)),
            show(expected),
            got.clone(),
        );
    }
    if let Some(expected) = &rule.equals_ignoring_case
        && value
            .as_str()
            .is_none_or(|s| s.to_lowercase() != expected.to_lowercase())
    {
        fail(
            format!("expected `{expected}` in any letter case, got {got}"),
            expected.clone(),
            got.clone(),
        );
    }
    if let Some(unexpected) = &rule.not_equals
        && same(unexpected, &value)
    {
        fail(
            format!("expected anything but {got}"),
            format!("not {got}"),
            got.clone(),
        );
    }
    if let Some(kind) = rule.kind
        && !kind.matches(&value)
    {
        fail(
            format!(
                "expected a {}, got a {} ({got})",
                kind.name(),
                JsonType::of(&value)
            ),
            kind.name().into(),
            got.clone(),
        );
    }
    if let Some(needle) = &rule.contains
        && !holds(needle, &value)
    {
        fail(
            format!("expected to contain {}, got {got}", show(needle)),
            show(needle),
            got.clone(),
        );
    }
    if let Some(needle) = &rule.not_contains
        && holds(needle, &value)
    {
        fail(
            format!("expected not to contain {}, got {got}", show(needle)),
            format!("no {}", show(needle)),
            got.clone(),
        );
    }
    if let Some(pattern) = &rule.matches {
        let ok = value
            .as_str()
            .is_some_and(|s| regex::Regex::new(pattern).is_ok_and(|re| re.is_match(s)));
        if !ok {
            fail(
                format!("expected a string matching `{pattern}`, got {got}"),
                pattern.clone(),
                got.clone(),
            );
        }
    }
    if let Some(length) = rule.length {
        let actual = match &value {
            Value::Array(items) => Some(items.len()),
            Value::String(s) => Some(s.chars().count()),
            _ => None,
        };
        if actual != Some(length) {
            let shown =
                actual.map_or_else(|| format!("no length ({got})"), |n| format!("{n} ({got})"));
            fail(
                format!("expected length {length}, got {shown}"),
                length.to_string(),
                got.clone(),
            );
        }
    }
    let number = value.as_f64();
    if let Some(min) = rule.min.as_ref().map(bound)
        && !number.is_some_and(|n| n >= min)
    {
        fail(
            format!("expected at least {min}, got {got}"),
            format!(">= {min}"),
            got.clone(),
        );
    }
    if let Some(max) = rule.max.as_ref().map(bound)
        && !number.is_some_and(|n| n <= max)
    {
        fail(
            format!("expected at most {max}, got {got}"),
            format!("<= {max}"),
            got.clone(),
        );
    }
    failures
}

/// A numeric bound; one that is not a number can never be met.
fn bound(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// An array with an element containing `needle`, or a string with it as a substring.
fn holds(needle: &Value, haystack: &Value) -> bool {
    match (haystack, needle) {
        (Value::Array(items), _) => items.iter().any(|item| contains(needle, item)),
        (Value::String(s), Value::String(n)) => s.contains(n.as_str()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_ignores_key_case_and_array_order() {
        let body = json!({"userName": "a", "name": {"givenName": "A"}, "emails": [{"value": "x", "type": "work"}, {"value": "y"}]});
        assert!(
            subset(
                &json!({"USERNAME": "a", "emails": [{"value": "y"}, {"type": "work"}]}),
                &body
            )
            .is_none()
        );
        let failure = subset(&json!({"name": {"givenName": "B"}}), &body).unwrap();
        assert_eq!(
            failure.message,
            r#"at `/name/givenName`: expected "B", got "A""#
        );
        let failure = subset(&json!({"title": "x"}), &body).unwrap();
        assert_eq!(
            failure.message,
            r#"at `/title`: expected "x", got (absent)"#
        );
        assert!(subset(&json!({"n": 1.0}), &json!({"n": 1})).is_none());
    }

    fn rule(yaml: &str) -> ValueRule {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn check(selector: &str, rule_yaml: &str, body: &Value) -> Vec<String> {
        let selector_parsed = Selector::parse(selector).unwrap();
        value(selector, &selector_parsed, &rule(rule_yaml), body)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn value_rules() {
        let body = json!({"id": "1", "active": false, "totalResults": 2,
            "Resources": [{"userName": "a"}, {"userName": "b"}], "emails": [{"type": "work", "value": "a@x"}]});
        assert!(check("/id", "{exists: true, type: string, equals: \"1\"}", &body).is_empty());
        assert_eq!(
            check("/password", "{exists: true}", &body),
            ["`/password`: selects nothing"]
        );
        assert_eq!(
            check("/id", "{exists: false}", &body),
            [r#"`/id`: expected absent, got "1""#]
        );
        assert_eq!(
            check("/active", "{equals: true}", &body),
            ["`/active`: expected true, got false"]
        );
        assert_eq!(
            check("/active", "{type: string}", &body),
            ["`/active`: expected a string, got a boolean (false)"]
        );
        assert!(check("$.Resources[*].userName", "{contains: b, length: 2}", &body).is_empty());
        assert!(!check("$.Resources[*].userName", "{not_contains: b}", &body).is_empty());
        assert!(check("/emails", "{contains: {type: work}, length: 1}", &body).is_empty());
        assert!(check("/totalResults", "{min: 2, max: 2, type: integer}", &body).is_empty());
        assert_eq!(
            check("/totalResults", "{min: 3}", &body),
            ["`/totalResults`: expected at least 3, got 2"]
        );
        assert!(check("/id", "{matches: \"^[0-9]+$\", not_equals: \"2\"}", &body).is_empty());
        assert!(check("/Resources/0/userName", "{equals_ignoring_case: A}", &body).is_empty());
    }
}
