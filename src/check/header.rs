//! The `header` check: a header is present, absent, equal to a value, not
//! equal to one, or matches a regular expression. `Content-Type` compares as a media type
//! (case-insensitive, parameters such as `charset` ignored).

use super::{CheckKind, Failure};
use crate::case::model::HeaderRule;
use crate::client::Response;

pub fn header(name: &str, rule: &HeaderRule<String>, response: &Response) -> Option<Failure> {
    let actual = response.header(name);
    let (ok, expected) = match rule {
        HeaderRule::Present => (actual.is_some(), "present".to_string()),
        HeaderRule::Absent => (actual.is_none(), "absent".to_string()),
        HeaderRule::Equals(expected) => (
            actual.is_some_and(|actual| {
                if name.eq_ignore_ascii_case("content-type") {
                    media_type(actual).eq_ignore_ascii_case(media_type(expected))
                } else {
                    actual == expected
                }
            }),
            format!("`{expected}`"),
        ),
        HeaderRule::NotEquals(other) => (
            actual.is_some_and(|actual| actual != other),
            format!("present and not `{other}`"),
        ),
        HeaderRule::Matches(re) => (
            actual.is_some_and(|a| re.is_match(a)),
            format!("a value matching `{}`", re.as_str()),
        ),
    };
    if ok {
        return None;
    }
    let shown = actual.map_or_else(|| "(absent)".to_string(), |v| format!("`{v}`"));
    Some(
        Failure::new(
            CheckKind::Header,
            format!("header {name}: expected {expected}, got {shown}"),
        )
        .expected(expected)
        .actual(shown),
    )
}

/// `application/scim+json; charset=utf-8` → `application/scim+json`.
fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&str, &str)]) -> Response {
        Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: String::new(),
            json: None,
            truncated: false,
        }
    }

    #[test]
    fn present_absent_equals_matches() {
        let r = response(&[
            ("content-type", "application/scim+json; charset=utf-8"),
            ("Location", "http://x/Users/1"),
        ]);
        let equals = |t: &str| HeaderRule::Equals(t.to_string());
        assert!(header("Content-Type", &equals("application/scim+json"), &r).is_none());
        let wrong = header("content-type", &equals("application/json"), &r).unwrap();
        assert_eq!(
            wrong.message,
            "header content-type: expected `application/json`, got `application/scim+json; charset=utf-8`"
        );
        assert!(header("location", &HeaderRule::Present, &r).is_none());
        assert!(header("etag", &HeaderRule::Present, &r).is_some());
        assert!(header("etag", &HeaderRule::Absent, &r).is_none());
        assert!(header("location", &HeaderRule::Absent, &r).is_some());
        let rule = HeaderRule::Matches(regex::Regex::new("/Users/[^/]+$").unwrap());
        assert!(header("location", &rule, &r).is_none());
        assert!(header("etag", &rule, &r).is_some());
    }
}
