//! Reading a ListResponse (RFC 7644 §3.4.2): its `totalResults` and its
//! `Resources`, attribute names matched ignoring case (RFC 7643 §2.1), as
//! every reader of a search answer needs them.

use serde_json::Value;

use super::urn;

/// One page of a search answer.
#[derive(Debug, Clone, Copy)]
pub struct ListPage<'a> {
    /// `totalResults`, when it is a non-negative integer.
    pub total: Option<u64>,
    /// `Resources` (absent: none, as the RFC allows when the total is 0).
    pub resources: &'a [Value],
}

impl<'a> ListPage<'a> {
    /// The page, if `json` is a JSON object that reads as a ListResponse
    /// (its `schemas` may be missing: the reader is lenient, the checks are not).
    pub fn read(json: &'a Value) -> Option<ListPage<'a>> {
        let object = json.as_object()?;
        let field = |name: &str| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        let listed = field("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn::LIST_RESPONSE)));
        let resources = match field("Resources") {
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => return None,
            None if listed || field("totalResults").is_some() => &[],
            None => return None,
        };
        Some(ListPage {
            total: field("totalResults").and_then(Value::as_u64),
            resources,
        })
    }

    /// Whether this page holds every result (`totalResults` not above it).
    pub fn is_whole(&self) -> bool {
        self.total.is_none_or(|t| t <= self.resources.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_page_whatever_the_letter_case() {
        let json =
            json!({"schemas": [urn::LIST_RESPONSE], "TotalResults": 3, "resources": [{"id": "a"}]});
        let page = ListPage::read(&json).unwrap();
        assert_eq!(
            (page.total, page.resources.len(), page.is_whole()),
            (Some(3), 1, false)
        );
        let empty = json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 0});
        assert!(ListPage::read(&empty).unwrap().is_whole());
        assert!(ListPage::read(&json!({"id": "u1"})).is_none());
        assert!(ListPage::read(&json!([1])).is_none());
    }
}
