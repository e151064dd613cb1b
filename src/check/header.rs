//! The `header` check: a header is present, absent, equal to a value, or
//! matches a regular expression. `Content-Type` compares as a media type
//! (case-insensitive, parameters such as `charset` ignored).

use super::Failure;
use crate::case::model::HeaderRule;
use crate::client::Response;

pub fn header(name: &str, rule: &HeaderRule, response: &Response) -> Option<Failure> {
    let actual = response.header(name);
    let shown = actual.map_or_else(|| "(absent)".to_string(), |v| format!("`{v}`"));
    let fail = |expected: String| {
        Some(
            Failure::new(
                "header",
                format!("header {name}: expected {expected}, got {shown}"),
            )
            .expected(expected)
            .actual(shown.clone()),
        )
    };
    match rule {
        HeaderRule::Text(text) if text == "present" => match actual {
            Some(_) => None,
            None => fail("present".into()),
        },
        HeaderRule::Text(text) if text == "absent" => match actual {
            None => None,
            Some(_) => fail("absent".into()),
        },
        HeaderRule::Text(expected) => {
            let equal = actual.is_some_and(|actual| {
                if name.eq_ignore_ascii_case("content-type") {
                    media_type(actual).eq_ignore_ascii_case(media_type(expected))
                } else {
                    actual == expected
                }
            });
            if equal {
                None
            } else {
                fail(format!("`{expected}`"))
            }
        }
        HeaderRule::Matches { matches } => {
            let ok = match (regex::Regex::new(matches), actual) {
                (Ok(re), Some(actual)) => re.is_match(actual),
                _ => false,
            };
            if ok {
                None
            } else {
                fail(format!("a value matching `{matches}`"))
            }
        }
    }
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
        let text = |t: &str| HeaderRule::Text(t.into());
        assert!(header("Content-Type", &text("application/scim+json"), &r).is_none());
        let wrong = header("content-type", &text("application/json"), &r).unwrap();
        assert_eq!(
            wrong.message,
            "header content-type: expected `application/json`, got `application/scim+json; charset=utf-8`"
        );
        assert!(header("location", &text("present"), &r).is_none());
        assert!(header("etag", &text("present"), &r).is_some());
        assert!(header("etag", &text("absent"), &r).is_none());
        assert!(header("location", &text("absent"), &r).is_some());
        let rule = HeaderRule::Matches {
            matches: "/Users/[^/]+$".into(),
        };
        assert!(header("location", &rule, &r).is_none());
        assert!(header("etag", &rule, &r).is_some());
    }
}
