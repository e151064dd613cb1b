//! Sorting, as RFC 7644 §3.4.2.3 words it: by the `sortBy` attribute's
//! value; a multi-valued attribute by its primary value, "if any, or else
//! the first value in the list, if any"; a complex one only through a
//! sub-attribute path (`name.givenName`); resources without a value "are
//! ordered last if ascending and first if descending"; ascending unless
//! `sortOrder` says `descending`; strings compared ignoring case unless the
//! attribute is case-exact. One rule for the reference server and the
//! checks (the sort property's oracle).

use std::cmp::Ordering;

use serde_json::Value;

/// `sortOrder` (RFC 7644 §3.4.2.3: "SHALL default to ascending").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Ascending,
    Descending,
}

impl Order {
    /// `ascending` or `descending` (any letter case); anything else is `None`.
    pub fn parse(text: &str) -> Option<Order> {
        match text.to_ascii_lowercase().as_str() {
            "ascending" => Some(Order::Ascending),
            "descending" => Some(Order::Descending),
            _ => None,
        }
    }
}

/// The value a resource is sorted by, if it has one.
pub fn key<'a>(resource: &'a Value, sort_by: &str) -> Option<&'a Value> {
    let (top, sub) = match sort_by.split_once('.') {
        Some((top, sub)) => (top, Some(sub)),
        None => (sort_by, None),
    };
    let value = field(resource, top)?;
    let value = match value {
        // Multi-valued: the primary value, else the first.
        Value::Array(items) => items
            .iter()
            .find(|i| field(i, "primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first())?,
        other => other,
    };
    let value = match (value, sub) {
        (Value::Object(_), Some(sub)) => field(value, sub)?,
        // A multi-valued complex attribute sorts by its values' `value`.
        (Value::Object(_), None) => field(value, "value")?,
        (other, None) => other,
        (_, Some(_)) => return None,
    };
    (!value.is_null()).then_some(value)
}

/// A member of an object by name, in any letter case (RFC 7643 §2.1).
fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// How two sort keys compare under `order`: missing keys last when
/// ascending, first when descending.
pub fn compare(a: Option<&Value>, b: Option<&Value>, case_exact: bool, order: Order) -> Ordering {
    let ordering = match (a, b) {
        (None, None) => Ordering::Equal,
        // Missing sorts last ascending; descending reverses it to first.
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => values(a, b, case_exact),
    };
    match order {
        Order::Ascending => ordering,
        Order::Descending => ordering.reverse(),
    }
}

fn values(a: &Value, b: &Value, case_exact: bool) -> Ordering {
    match (a, b) {
        (Value::String(a), Value::String(b)) if case_exact => a.cmp(b),
        (Value::String(a), Value::String(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (a, b) => a.to_string().cmp(&b.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_and_order_follow_the_rfc() {
        let user = json!({"name": {"givenName": "Ada"}, "emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]});
        assert_eq!(key(&user, "name.givenName"), Some(&json!("Ada")));
        assert_eq!(
            key(&user, "emails"),
            Some(&json!("a@x")),
            "the primary value"
        );
        assert_eq!(key(&user, "emails.value"), Some(&json!("a@x")));
        assert_eq!(key(&user, "title"), None);
        let (ada, bob) = (json!("ada"), json!("Bob"));
        assert_eq!(
            compare(Some(&ada), Some(&bob), false, Order::Ascending),
            Ordering::Less
        );
        assert_eq!(
            compare(Some(&ada), Some(&bob), true, Order::Ascending),
            Ordering::Greater
        );
        assert_eq!(
            compare(None, Some(&bob), false, Order::Ascending),
            Ordering::Greater
        );
        assert_eq!(
            compare(None, Some(&bob), false, Order::Descending),
            Ordering::Less
        );
    }
}
