//! JSON body checks: `subset` (the body contains an expected JSON value;
//! every place where it does not is a failure of its own) and `value` (what
//! a selector picks satisfies a [`ValueRule`]).
//!
//! SCIM attribute names are case-insensitive (RFC 7643 §2.1), so object keys
//! match ignoring case; arrays match in any order (multi-valued attributes
//! have no defined order). A JSON pointer selects one value; a JSONPath
//! selects a list of values, judged as one array.

use std::cmp::Ordering;

use serde_json::Value;

use super::{CheckKind, Failure, show};
use crate::case::Selector;
use crate::case::model::{JsonType, ValueRule};

/// Does `actual` contain `expected`? One failure for every place where it
/// does not, so that one mismatch never hides another.
pub fn subset(expected: &Value, actual: &Value) -> Vec<Failure> {
    let mut found = Vec::new();
    mismatches(expected, actual, "", &mut found);
    found
        .into_iter()
        .map(|(path, want, got)| {
            let at = if path.is_empty() {
                "the body".to_string()
            } else {
                format!("`{path}`")
            };
            Failure::new(
                CheckKind::Json,
                format!("at {at}: expected {want}, got {got}"),
            )
            .expected(want)
            .actual(got)
        })
        .collect()
}

/// Whether `expected` is contained in `actual` (the same rule as [`subset`]).
pub fn contains(expected: &Value, actual: &Value) -> bool {
    let mut found = Vec::new();
    mismatches(expected, actual, "", &mut found);
    found.is_empty()
}

/// Every (place, expected, actual) where `actual` does not contain `expected`.
fn mismatches(
    expected: &Value,
    actual: &Value,
    path: &str,
    out: &mut Vec<(String, String, String)>,
) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                let here = format!("{path}/{key}");
                match got.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                    Some((_, got_value)) => mismatches(want_value, got_value, &here, out),
                    None => out.push((here, show(want_value), "(absent)".into())),
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            for item in want {
                if !got.iter().any(|g| contains(item, g)) {
                    out.push((
                        path.to_string(),
                        format!("an element containing {}", show(item)),
                        show(actual),
                    ));
                }
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (want, got) if want == got => {}
        (want, got) => out.push((path.to_string(), show(want), show(got))),
    }
}

/// Checks what `selector` picks in `json` against every part of `rule`.
pub fn value(selector: &Selector, rule: &ValueRule<Value>, json: &Value) -> Vec<Failure> {
    let picked = selector.select(json);
    let mut failures = Vec::new();
    let mut fail = |message: String, expected: String, actual: String| {
        failures.push(
            Failure::new(CheckKind::Value, format!("`{selector}`: {message}"))
                .expected(expected)
                .actual(actual),
        );
    };
    let subject: Option<Value> = if selector.is_pointer() {
        picked.first().map(|v| (*v).clone())
    } else {
        Some(Value::Array(picked.iter().map(|v| (*v).clone()).collect()))
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
    let value = match (subject, rule.judges_value()) {
        (_, false) => return failures,
        (Some(value), true) if found || !selector.is_pointer() => value,
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
    if let Some(expected) = &rule.equals_ignoring_case {
        let expected = expected
            .as_str()
            .map_or_else(|| expected.to_string(), str::to_string);
        if value
            .as_str()
            .is_none_or(|s| s.to_lowercase() != expected.to_lowercase())
        {
            fail(
                format!("expected `{expected}` in any letter case, got {got}"),
                expected.clone(),
                got.clone(),
            );
        }
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
    if let Some(pattern) = &rule.matches
        && !value.as_str().is_some_and(|s| pattern.is_match(s))
    {
        fail(
            format!(
                "expected a string matching `{}`, got {got}",
                pattern.as_str()
            ),
            pattern.as_str().to_string(),
            got.clone(),
        );
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
    if let Some(pointer) = &rule.counts {
        let elements = json
            .pointer(pointer)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if value.as_u64() != Some(elements as u64) {
            fail(
                format!("expected {elements}, the number of elements in {pointer}, got {got}"),
                elements.to_string(),
                got.clone(),
            );
        }
    }
    if let Some(min) = &rule.min
        && order(&value, min).is_none_or(|o| o == Ordering::Less)
    {
        fail(
            format!("expected at least {}, got {got}", show(min)),
            format!(">= {}", show(min)),
            got.clone(),
        );
    }
    if let Some(max) = &rule.max
        && order(&value, max).is_none_or(|o| o == Ordering::Greater)
    {
        fail(
            format!("expected at most {}, got {got}", show(max)),
            format!("<= {}", show(max)),
            got.clone(),
        );
    }
    failures
}

/// How a value orders against a bound: numbers by value, RFC 3339
/// date-times as instants (whatever their offsets); anything else cannot
/// be ordered, so a bound on it is never met.
fn order(value: &Value, bound: &Value) -> Option<Ordering> {
    use crate::scim::datetime::instant;
    match (value, bound) {
        (Value::String(v), Value::String(b)) => Some(instant(v)?.cmp(&instant(b)?)),
        _ => value.as_f64()?.partial_cmp(&bound.as_f64()?),
    }
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
            .is_empty()
        );
        let failures = subset(&json!({"name": {"givenName": "B"}}), &body);
        assert_eq!(
            failures[0].message,
            r#"at `/name/givenName`: expected "B", got "A""#
        );
        let failures = subset(&json!({"title": "x"}), &body);
        assert_eq!(
            failures[0].message,
            r#"at `/title`: expected "x", got (absent)"#
        );
        assert!(subset(&json!({"n": 1.0}), &json!({"n": 1})).is_empty());
    }

    #[test]
    fn subset_reports_every_mismatch() {
        let error =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 400});
        let messages: Vec<String> = subset(
            &json!({"status": "400", "scimType": "invalidFilter"}),
            &error,
        )
        .into_iter()
        .map(|f| f.message)
        .collect();
        assert_eq!(
            messages,
            [
                r#"at `/status`: expected "400", got 400"#,
                r#"at `/scimType`: expected "invalidFilter", got (absent)"#
            ]
        );
    }

    /// A rule as a case file writes it, compiled by the loader's own code.
    fn rule(yaml: &str) -> ValueRule<Value> {
        let text = format!(
            "name: n\nrule: rfc7644#3.3\nlevel: MUST\nsteps:\n  - request: {{method: GET, path: /}}\n    expect: {{values: {{/x: {yaml}}}}}\n"
        );
        let source = crate::case::Source {
            id: "t".into(),
            path: "t.yaml".into(),
            text,
        };
        let case = crate::case::load_sources(vec![source]).unwrap().remove(0);
        let (_, expected) = &case.steps[0].expect.values[0];
        expected
            .rule
            .try_map(|t| t.render(&minijinja::Value::UNDEFINED))
            .unwrap()
    }

    fn check(selector: &str, rule_yaml: &str, body: &Value) -> Vec<String> {
        value(&Selector::parse(selector).unwrap(), &rule(rule_yaml), body)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn value_rules() {
        let body = json!({"id": "1", "active": false, "totalResults": 2,
            "Resources": [{"userName": "a"}, {"userName": "b"}], "emails": [{"type": "work", "value": "a@x"}]});
        assert!(check("/id", "{exists: true, type: string, equals: \"1\"}", &body).is_empty());
        // `counts`: a number against another array's length (0 when absent).
        assert!(check("/totalResults", "{counts: /Resources}", &body).is_empty());
        assert_eq!(
            check("/totalResults", "{counts: /missing}", &body),
            ["`/totalResults`: expected 0, the number of elements in /missing, got 2"]
        );
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

    #[test]
    fn date_time_bounds_compare_instants_across_offsets() {
        let body = json!({"meta": {"created": "2026-12-03T16:00:00Z", "lastModified": "2026-12-03T17:00:00.5Z"}});
        // 18:00+02:00 is 16:00Z: the same instant as created, later as text.
        let same = "{min: \"2026-12-03T18:00:00+02:00\", max: \"2026-12-03T06:00:00-10:00\"}";
        assert!(check("/meta/created", same, &body).is_empty());
        assert_eq!(
            check("/meta/created", "{min: \"2026-12-03T16:30:00Z\"}", &body),
            [
                "`/meta/created`: expected at least \"2026-12-03T16:30:00Z\", got \"2026-12-03T16:00:00Z\""
            ]
        );
        // A value that is no date-time never meets a date-time bound.
        assert!(!check("/meta/lastModified", "{min: yesterday}", &body).is_empty());
    }
}
