//! The fault points of filtering (RFC 7644 §3.4.2.2): where a server
//! ignores or mangles a filter, compares values the wrong way, reads the
//! logical operators wrongly, or sees only part of a resource.

use std::borrow::Cow;

use serde_json::Value;

use super::{Fault, Faults};
use crate::scim::filter::{AttrPath, Collation, Filter, Op};
use crate::scim::{ResourceType, ScimError, ScimType};

impl Faults {
    /// The filter the server applies, given how the RFC reads the client's
    /// `text`.
    pub fn filter(
        &self,
        text: &str,
        read: Result<Filter, ScimError>,
    ) -> Result<Option<Filter>, ScimError> {
        if self.has(Fault::FilterIgnored) {
            return Ok(None);
        }
        if self.has(Fault::LogicCaseSensitive) && read.is_ok() && shouts_logic(text) {
            return Err(ScimError::bad(
                ScimType::InvalidFilter,
                "unknown operator: logical operators are `and`, `or` and `not`",
            ));
        }
        match read {
            Err(_) if self.has(Fault::InvalidFilterAccepted) => Ok(None),
            Err(_) if self.has(Fault::InvalidFilter500) => {
                Err(ScimError::new(500, None, "internal error"))
            }
            Err(error) => Err(error),
            Ok(mut filter) => {
                if self.has(Fault::EqAsSubstring) {
                    filter = substring_eq(filter);
                }
                if self.has(Fault::LeftToRightLogic) {
                    filter = left_to_right(filter);
                }
                if self.has(Fault::ExtensionFilterMisread) {
                    filter = core_only(filter);
                }
                Ok(Some(filter))
            }
        }
    }

    /// How an attribute's values compare, given the RFC's answer.
    pub fn collation(&self, dotted: &str, rfc: Collation) -> Collation {
        let shouted = (self.has(Fault::FilterCaseSensitive)
            && dotted.eq_ignore_ascii_case("userName"))
            || (self.has(Fault::DisplayNameCaseSensitive)
                && dotted.eq_ignore_ascii_case("displayName"));
        match rfc {
            Collation::IgnoreCase if shouted => Collation::Exact,
            Collation::Instant if self.has(Fault::DatesAsText) => Collation::Exact,
            other => other,
        }
    }

    /// The resource as the filter sees it: whole, or distorted by
    /// `multi-valued-first-only` (each multi-valued attribute cut to its
    /// first value) or `present-on-empty` (a stored empty list counts as a
    /// value, so `pr` holds for it).
    pub fn filtered_view<'a>(&self, resource: &'a Value) -> Cow<'a, Value> {
        let (first, empty) = (
            self.has(Fault::MultiValuedFirstOnly),
            self.has(Fault::PresentOnEmpty),
        );
        if !(first || empty) {
            return Cow::Borrowed(resource);
        }
        let mut view = resource.clone();
        if let Some(object) = view.as_object_mut() {
            for value in object.values_mut() {
                match value {
                    Value::Array(items) if first => items.truncate(1),
                    Value::Array(items) if empty && items.is_empty() => {
                        items.push(Value::Bool(true));
                    }
                    _ => {}
                }
            }
        }
        Cow::Owned(view)
    }

    /// Whether the server answers a filter with nobody, as for an
    /// attribute it does not index: `external-id-unfilterable` on a filter
    /// naming `externalId`, `member-filter-empty` on a Group filter naming
    /// `members`.
    pub fn selects_nobody(&self, resource: ResourceType, filter: &Filter) -> bool {
        filter.attributes().iter().any(|dotted| {
            let top = dotted.split('.').next().unwrap_or(dotted);
            (self.has(Fault::ExternalIdUnfilterable) && top.eq_ignore_ascii_case("externalId"))
                || (self.has(Fault::MemberFilterEmpty)
                    && resource == ResourceType::Group
                    && top.eq_ignore_ascii_case("members"))
        })
    }
}

/// Whether a filter writes a logical operator in upper or mixed case
/// (outside its quoted values).
fn shouts_logic(text: &str) -> bool {
    let mut outside = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => quoted = !quoted,
            (false, _, c) => outside.push(c),
            _ => {}
        }
    }
    outside
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '[' || c == ']')
        .any(|word| {
            ["and", "or", "not"]
                .iter()
                .any(|op| word.eq_ignore_ascii_case(op) && word != *op)
        })
}

/// The `eq-as-substring` fault: every `eq` behaves like `co`.
fn substring_eq(filter: Filter) -> Filter {
    match filter {
        Filter::Compare {
            path,
            op: Op::Eq,
            value,
        } => Filter::Compare {
            path,
            op: Op::Co,
            value,
        },
        Filter::And(terms) => Filter::And(terms.into_iter().map(substring_eq).collect()),
        Filter::Or(terms) => Filter::Or(terms.into_iter().map(substring_eq).collect()),
        Filter::Not(inner) => Filter::Not(Box::new(substring_eq(*inner))),
        other => other,
    }
}

/// The `extension-filter-misread` fault: an attribute qualified by an
/// extension's URN is looked for at the top level of the resource, as a
/// server that drops the URN and knows only core attributes does.
fn core_only(filter: Filter) -> Filter {
    let core = |mut path: AttrPath| {
        if path.urn.is_some() {
            path.urn = Some(crate::scim::urn::USER.to_string());
        }
        path
    };
    match filter {
        Filter::Compare { path, op, value } => Filter::Compare {
            path: core(path),
            op,
            value,
        },
        Filter::Present(path) => Filter::Present(core(path)),
        Filter::And(terms) => Filter::And(terms.into_iter().map(core_only).collect()),
        Filter::Or(terms) => Filter::Or(terms.into_iter().map(core_only).collect()),
        Filter::Not(inner) => Filter::Not(Box::new(core_only(*inner))),
        Filter::ValuePath { path, filter } => Filter::ValuePath {
            path: core(path),
            filter,
        },
    }
}

/// The `left-to-right-logic` fault: `a or b and c` read as `(a or b) and c`,
/// as a parser that gives `and` and `or` one precedence reads it.
fn left_to_right(filter: Filter) -> Filter {
    match filter {
        Filter::Or(terms) => {
            let mut terms: Vec<Filter> = terms.into_iter().map(left_to_right).collect();
            match terms
                .iter()
                .skip(1)
                .position(|t| matches!(t, Filter::And(_)))
            {
                Some(k) => {
                    let Filter::And(mut and) = terms.remove(k + 1) else {
                        unreachable!("found an and")
                    };
                    let head = and.remove(0);
                    terms.insert(k + 1, head);
                    let mut outer = vec![Filter::Or(terms)];
                    outer.extend(and);
                    Filter::And(outer)
                }
                None => Filter::Or(terms),
            }
        }
        Filter::And(terms) => Filter::And(terms.into_iter().map(left_to_right).collect()),
        Filter::Not(inner) => Filter::Not(Box::new(left_to_right(*inner))),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_to_right_reads_and_and_or_at_one_precedence() {
        let read = |text: &str| left_to_right(Filter::parse(text).unwrap()).to_string();
        assert_eq!(
            read(r#"a eq "1" or b eq "2" and c eq "3""#),
            r#"(a eq "1" or b eq "2") and c eq "3""#
        );
        assert_eq!(
            read(r#"a eq "1" and b eq "2" or c eq "3""#),
            r#"(a eq "1" and b eq "2") or c eq "3""#
        );
    }

    #[test]
    fn shouted_logic_is_found_outside_quoted_values_only() {
        assert!(shouts_logic(r#"a eq "x" AND b eq "y""#));
        assert!(shouts_logic(r#"NOT (a eq "x")"#));
        assert!(!shouts_logic(r#"a eq "X AND Y" and not (b eq "\"OR\"")"#));
    }
}
