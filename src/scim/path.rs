//! PATCH paths (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]` and
//! `attr[filter].sub`, optionally behind a schema URN. One grammar for the
//! reference server's PATCH engine and for checks that reason about paths.
//! The value filter is a [`Filter`], so its nesting is bounded the same way.

use std::fmt;

use super::filter::Filter;
use super::urn;

/// A parsed PATCH path.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The schema URN written before the attribute, if any.
    pub urn: Option<String>,
    /// The top-level attribute: `name`, `emails`.
    pub attribute: String,
    /// `[type eq "work"]`: which values of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute: `givenName` in `name.givenName`, `value` in `emails[...].value`.
    pub sub: Option<String>,
}

/// Why a path does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl PatchPath {
    pub fn parse(text: &str) -> Result<PatchPath, PathError> {
        let invalid = |why: String| PathError {
            message: format!("invalid PATCH path `{text}`: {why}"),
        };
        let rest = urn::strip(text);
        let urn =
            (rest.len() < text.len()).then(|| text[..text.len() - rest.len() - 1].to_string());
        let (head, filter, tail) = match rest.find('[') {
            Some(open) => {
                let close = rest
                    .rfind(']')
                    .filter(|c| *c > open)
                    .ok_or_else(|| invalid("missing `]`".into()))?;
                let filter =
                    Filter::parse(&rest[open + 1..close]).map_err(|e| invalid(e.to_string()))?;
                let tail = &rest[close + 1..];
                let sub = match tail {
                    "" => None,
                    _ => Some(
                        tail.strip_prefix('.')
                            .filter(|s| valid_name(s))
                            .ok_or_else(|| {
                                invalid(format!("`{tail}` after `]` is not `.subAttribute`"))
                            })?,
                    ),
                };
                (&rest[..open], Some(filter), sub)
            }
            None => (rest, None, None),
        };
        let (attribute, sub) = match (head.split_once('.'), tail) {
            (Some(_), Some(_)) => {
                return Err(invalid("a sub-attribute on both sides of `[...]`".into()));
            }
            (Some((attribute, sub)), None) => (attribute, Some(sub)),
            (None, sub) => (head, sub),
        };
        if !valid_name(attribute) || sub.is_some_and(|s| !valid_name(s)) {
            return Err(invalid("not an attribute name".into()));
        }
        Ok(PatchPath {
            urn,
            attribute: attribute.to_string(),
            filter,
            sub: sub.map(str::to_string),
        })
    }

    /// `name.givenName`, `emails.value`: the attribute as profiles and
    /// schemas name it (no URN, no filter).
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}.{sub}", self.attribute),
            None => self.attribute.clone(),
        }
    }
}

/// RFC 7643 §2.1: `ALPHA *(nameChar)`; `$ref` is the one name with a `$`.
fn valid_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let p = PatchPath::parse(text).unwrap();
        (p.urn, p.attribute, p.filter.map(|f| f.to_string()), p.sub)
    }

    #[test]
    fn the_four_shapes_of_a_path() {
        assert_eq!(parts("title"), (None, "title".into(), None, None));
        assert_eq!(
            parts("name.givenName"),
            (None, "name".into(), None, Some("givenName".into()))
        );
        assert_eq!(
            parts(r#"emails[type eq "work"]"#),
            (
                None,
                "emails".into(),
                Some(r#"type eq "work""#.into()),
                None
            )
        );
        assert_eq!(
            parts(r#"addresses[type eq "home"].locality"#),
            (
                None,
                "addresses".into(),
                Some(r#"type eq "home""#.into()),
                Some("locality".into())
            )
        );
        assert_eq!(
            parts("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"),
            (
                Some(urn::ENTERPRISE_USER.into()),
                "employeeNumber".into(),
                None,
                None
            )
        );
    }

    #[test]
    fn malformed_and_deep_paths_are_errors() {
        for bad in [
            "",
            "emails[type eq",
            r#"emails[type eq "w"]x"#,
            "1abc",
            "a.b[c pr].d",
        ] {
            assert!(PatchPath::parse(bad).is_err(), "{bad}");
        }
        let deep = format!(
            "emails[{}type pr{}]",
            "(".repeat(20_000),
            ")".repeat(20_000)
        );
        let error = PatchPath::parse(&deep).unwrap_err();
        assert!(error.message.contains("nests more than"), "{error}");
    }
}
