//! SCIM shape checks: a resource (RFC 7643 §3: `schemas`, `id`, `meta`), a
//! ListResponse (RFC 7644 §3.4.2: schema URN, `totalResults`, `Resources`,
//! `startIndex`, `itemsPerPage`) and an Error (RFC 7644 §3.12: Error URN and
//! `status` as a string).

use serde_json::Value;

use super::{CheckKind, Failure, show};
use crate::case::model::Shape;
use crate::scim::urn::{self, ERROR as ERROR_URN, LIST_RESPONSE as LIST_URN};

/// Checks the shape named by the case.
pub fn shape(shape: Shape, json: &Value) -> Vec<Failure> {
    match shape {
        Shape::Resource => resource(json),
        Shape::List => list(json),
        Shape::Error => error(json),
    }
}

fn field<'a>(json: &'a Value, name: &str) -> Option<&'a Value> {
    json.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn fail(what: &str, message: String, expected: &str, json: &Value) -> Failure {
    Failure::new(CheckKind::Shape, format!("not a SCIM {what}: {message}"))
        .expected(expected)
        .actual(show(json))
}

/// A resource has a non-empty `schemas` array, a string `id` and a `meta` object.
pub fn resource(json: &Value) -> Vec<Failure> {
    let mut failures = Vec::new();
    if !json.is_object() {
        return vec![fail(
            "resource",
            "the body is not a JSON object".into(),
            "an object",
            json,
        )];
    }
    if !field(json, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty() && s.iter().all(Value::is_string))
    {
        failures.push(fail(
            "resource",
            "`schemas` is missing or not a non-empty array of URNs".into(),
            "schemas: [URN, ...]",
            json,
        ));
    }
    if field(json, "id").is_none_or(|id| id.as_str().is_none_or(|s| s.is_empty())) {
        failures.push(fail(
            "resource",
            "`id` is missing or not a non-empty string".into(),
            "id: \"...\"",
            json,
        ));
    }
    if !field(json, "meta").is_some_and(Value::is_object) {
        failures.push(fail(
            "resource",
            "`meta` is missing or not an object".into(),
            "meta: {...}",
            json,
        ));
    }
    failures
}

/// A ListResponse carries its URN, `totalResults` and `Resources` (an
/// array, which may be omitted only when `totalResults` is 0); `startIndex`
/// and `itemsPerPage` are "REQUIRED when partial results are returned due
/// to pagination" (RFC 7644 §3.4.2), and integers whenever present.
pub fn list(json: &Value) -> Vec<Failure> {
    let mut failures = Vec::new();
    if !urn::declares(json, LIST_URN) {
        failures.push(fail(
            "ListResponse",
            format!("`schemas` does not contain `{LIST_URN}`"),
            LIST_URN,
            json,
        ));
    }
    let total = field(json, "totalResults");
    if !total.is_some_and(|t| t.is_u64()) {
        failures.push(fail(
            "ListResponse",
            "`totalResults` is missing or not a non-negative integer".into(),
            "totalResults: N",
            json,
        ));
    }
    let total = total.and_then(Value::as_u64);
    let held = match field(json, "Resources") {
        Some(Value::Array(items)) => items.len() as u64,
        None if total == Some(0) => 0,
        _ => {
            failures.push(fail(
                "ListResponse",
                "`Resources` is missing or not an array".into(),
                "Resources: [...]",
                json,
            ));
            0
        }
    };
    let partial = total.is_some_and(|t| t > held);
    for name in ["startIndex", "itemsPerPage"] {
        match field(json, name) {
            Some(value) if value.is_u64() => {}
            Some(_) => failures.push(fail(
                "ListResponse",
                format!("`{name}` is not a non-negative integer"),
                &format!("{name}: N"),
                json,
            )),
            None if partial => failures.push(fail(
                "ListResponse",
                format!(
                    "`{name}` is missing, and this page holds {held} of {} results",
                    total.unwrap_or_default()
                ),
                &format!("{name}: N (required when results are paginated)"),
                json,
            )),
            None => {}
        }
    }
    failures
}

/// An Error carries the Error URN and `status` as a string holding the HTTP code.
pub fn error(json: &Value) -> Vec<Failure> {
    let mut failures = Vec::new();
    if !urn::declares(json, ERROR_URN) {
        failures.push(fail(
            "Error",
            format!("`schemas` does not contain `{ERROR_URN}`"),
            ERROR_URN,
            json,
        ));
    }
    match field(json, "status") {
        Some(Value::String(s)) if s.parse::<u16>().is_ok() => {}
        Some(other) => failures.push(fail(
            "Error",
            format!(
                "`status` must be a string such as \"400\", got {}",
                show(other)
            ),
            "status: \"400\"",
            json,
        )),
        None => failures.push(fail(
            "Error",
            "`status` is missing".into(),
            "status: \"400\"",
            json,
        )),
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resource_shape() {
        assert!(resource(&json!({"schemas": ["urn:x"], "id": "1", "meta": {}})).is_empty());
        let failures = resource(&json!({"schemas": [], "id": 1}));
        assert_eq!(failures.len(), 3);
        assert!(failures[1].message.contains("`id`"));
    }

    #[test]
    fn list_shape() {
        let ok =
            json!({"schemas": [LIST_URN], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0});
        assert!(list(&ok).is_empty());
        let bad =
            json!({"schemas": [LIST_URN], "totalResults": 2, "startIndex": 1, "itemsPerPage": "2"});
        let messages: Vec<_> = list(&bad).into_iter().map(|f| f.message).collect();
        assert_eq!(
            messages,
            [
                "not a SCIM ListResponse: `Resources` is missing or not an array",
                "not a SCIM ListResponse: `itemsPerPage` is not a non-negative integer",
            ]
        );
        // Not paginated: the paging attributes may be left out.
        let whole = json!({"schemas": [LIST_URN], "totalResults": 1, "Resources": [{}]});
        assert!(list(&whole).is_empty());
        let partial = json!({"schemas": [LIST_URN], "totalResults": 2, "Resources": [{}]});
        let messages: Vec<_> = list(&partial).into_iter().map(|f| f.message).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`startIndex` is missing, and this page holds 1 of 2 results")
        );
    }

    #[test]
    fn error_shape() {
        assert!(error(&json!({"schemas": [ERROR_URN], "status": "404"})).is_empty());
        let failures = error(&json!({"schemas": [ERROR_URN], "status": 404}));
        assert_eq!(
            failures[0].message,
            "not a SCIM Error: `status` must be a string such as \"400\", got 404"
        );
        assert_eq!(error(&json!({"detail": "x"})).len(), 2);
    }
}
