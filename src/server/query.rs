//! Listing (RFC 7644 §3.4.2): which filters the profile claims (anything
//! else is 400 `invalidFilter`), which resources a filter selects (from the
//! unique attribute's index where it can, by a scan otherwise), and the
//! page `startIndex` and `count` cut from them.

use serde_json::Value;

use super::store::{Collection, DEFAULT_PAGE_SIZE, Store};
use crate::profile::Profile;
use crate::scim::filter::{Collation, Filter, Op, user_collation};
use crate::scim::projection::Projection;
use crate::scim::sort::{self, Order};
use crate::scim::{ResourceType, ScimError, ScimType};

/// One page of a list.
pub struct Page {
    pub total: usize,
    pub start_index: usize,
    pub items_per_page: usize,
    pub resources: Vec<Value>,
}

/// What a list request asks for, from its URL or a SearchRequest body.
#[derive(Debug, Default)]
pub struct Query {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    /// `sortBy`, `sortOrder` (RFC 7644 §3.4.2.3).
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    /// `attributes` / `excludedAttributes`.
    pub projection: Projection,
}

impl Query {
    /// Reads one query parameter (name in any letter case); unknown ones
    /// are ignored (RFC 7644 §3.4.2: servers "SHOULD ignore any query
    /// parameters they do not recognize").
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ScimError> {
        let number = |v: &str| {
            v.trim().parse::<i64>().map_err(|_| {
                ScimError::bad(
                    ScimType::InvalidValue,
                    format!("`{name}` must be an integer, got `{v}`"),
                )
            })
        };
        match name.to_ascii_lowercase().as_str() {
            "filter" => self.filter = Some(value.to_string()),
            "startindex" => self.start_index = Some(number(value)?),
            "count" => self.count = Some(number(value)?),
            "sortby" => self.sort_by = Some(value.to_string()),
            "sortorder" => self.sort_order = Some(value.to_string()),
            "attributes" | "excludedattributes" => {
                let attributes = name.eq_ignore_ascii_case("attributes");
                // The two are "mutually exclusive" (RFC 7644 §3.9).
                let other = match (&self.projection, attributes) {
                    (Projection::Excluded(_), true) | (Projection::Attributes(_), false) => {
                        Some("")
                    }
                    _ => None,
                };
                self.projection = match attributes {
                    true => Projection::parse(Some(value), other)?,
                    false => Projection::parse(other, Some(value))?,
                };
            }
            _ => {}
        }
        Ok(())
    }

    /// From a SearchRequest body (RFC 7644 §3.4.3): the same parameters,
    /// `attributes` and `excludedAttributes` as arrays of strings.
    pub fn from_search(body: &Value) -> Result<Query, ScimError> {
        if !crate::scim::urn::declares(body, crate::scim::urn::SEARCH_REQUEST) {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                format!(
                    "a search body must carry the schema `{}`",
                    crate::scim::urn::SEARCH_REQUEST
                ),
            ));
        }
        let mut query = Query::default();
        for (name, value) in body.as_object().into_iter().flatten() {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => continue,
            };
            query.set(name, &text)?;
        }
        Ok(query)
    }
}

/// GET on a collection: the filter applied, then the page cut.
pub fn list(store: &Store, resource: ResourceType, query: &Query) -> Result<Page, ScimError> {
    let faults = &store.faults;
    let filter = match &query.filter {
        Some(_) if resource == ResourceType::Group && !faults.filters_groups() => None,
        Some(text) => {
            if text.contains("].") && !faults.reads_sub_attribute_filters() {
                return Err(ScimError::bad(
                    ScimType::InvalidFilter,
                    "a value path cannot be followed by a sub-attribute in a filter",
                ));
            }
            let strict = faults.rejects_unknown_filter_attribute(store.profile().features.interop);
            let filter = faults.filter(text, read(store.profile(), resource, text, strict))?;
            if let Some(filter) = &filter {
                faults.manager_filter(filter)?;
            }
            filter
        }
        None => None,
    };
    faults.start_index(query.start_index)?;
    let collection = store.collection(resource);
    // Sorting where the profile claims it; elsewhere `sortBy` is a
    // parameter the server does not recognize, and is ignored.
    let sort = match (&query.sort_by, store.profile().features.sort) {
        (Some(by), true) => {
            let order = match &query.sort_order {
                Some(text) => Order::parse(text).ok_or_else(|| {
                    ScimError::bad(
                        ScimType::InvalidValue,
                        format!("`sortOrder` must be ascending or descending, not `{text}`"),
                    )
                })?,
                None => Order::Ascending,
            };
            Some((by.as_str(), faults.sort_order(order)))
        }
        _ => None,
    };
    let collation = |dotted: &str| {
        let rfc = match user_collation(dotted) {
            Collation::Exact
                if dotted.eq_ignore_ascii_case("externalId")
                    && faults.external_id_ignores_case() =>
            {
                Collation::IgnoreCase
            }
            other => other,
        };
        faults.collation(dotted, rfc)
    };
    // Decided once for the request, not for every resource it reads.
    let nobody = filter
        .as_ref()
        .is_some_and(|f| faults.selects_nobody(resource, f));
    let selects = |filter: &Filter, r: &Value| {
        !nobody && filter.matches(&faults.filtered_view(r), &collation)
    };
    let max = store
        .profile()
        .paging
        .max_page_size
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let start = match resource == ResourceType::Group && !faults.pages_groups() {
        true => 1,
        false => query.start_index.unwrap_or(1).max(1) as usize,
    };
    // RFC 7644 §3.4.2.4: a negative count is 0; no count, or more than the
    // server's maximum, is the maximum.
    let count = query
        .count
        .map_or(max, |c| c.max(0) as usize)
        .min(faults.page_cap(max));
    let (skip, take) = faults.window(start, count);
    let (resources, matched): (Vec<Value>, usize) = match &filter {
        Some(_) | None if sort.is_some() => {
            let (by, order) = sort.expect("checked");
            let exact = faults.sorts_case_exact(collation(by) == Collation::Exact);
            let mut matching: Vec<&Value> = collection
                .items
                .values()
                .filter(|r| filter.as_ref().is_none_or(|f| selects(f, r)))
                .collect();
            matching
                .sort_by(|a, b| sort::compare(sort::key(a, by), sort::key(b, by), exact, order));
            let page = matching
                .iter()
                .skip(skip)
                .take(take)
                .map(|r| (*r).clone())
                .collect();
            (page, matching.len())
        }
        // No filter: the page is cut from the collection without copying it.
        None => (
            collection
                .items
                .values()
                .skip(skip)
                .take(take)
                .cloned()
                .collect(),
            collection.items.len(),
        ),
        Some(filter) => {
            let pool: Vec<&Value> = match candidates(collection, filter) {
                Some(seqs) => seqs.iter().map(|seq| &collection.items[seq]).collect(),
                None => collection.items.values().collect(),
            };
            let matching: Vec<&Value> = pool.into_iter().filter(|r| selects(filter, r)).collect();
            (
                matching
                    .iter()
                    .skip(skip)
                    .take(take)
                    .map(|r| (*r).clone())
                    .collect(),
                matching.len(),
            )
        }
    };
    Ok(Page {
        total: faults.total(matched, resources.len()),
        start_index: faults.echoed_start(start),
        items_per_page: faults.items_per_page(resources.len(), query.count),
        resources,
    })
}

/// Parses a filter and rejects what the profile does not claim
/// (RFC 7644 §3.4.2.2: 400 with scimType invalidFilter).
/// With `strict` (the SCIM Interoperability Profile's §Filtering), a
/// User attribute no schema defines is 400 invalidFilter too.
fn read(
    profile: &Profile,
    resource: ResourceType,
    text: &str,
    strict: bool,
) -> Result<Filter, ScimError> {
    let filter = Filter::parse(text).map_err(|e| {
        ScimError::bad(
            ScimType::InvalidFilter,
            format!("cannot parse the filter: {e}"),
        )
    })?;
    let supported = &profile.filter;
    for op in filter.operators() {
        let ok = match op {
            "and" | "or" | "not" => supported.logical.iter().any(|l| l == op),
            "[]" => supported.complex,
            op => supported.operators.iter().any(|o| o == op),
        };
        if !ok {
            return Err(ScimError::bad(
                ScimType::InvalidFilter,
                format!("the filter operator `{op}` is not supported"),
            ));
        }
    }
    // The profile names the User attributes it filters on; a Group filters
    // on its own (displayName, members).
    for attribute in filter
        .attributes()
        .into_iter()
        .filter(|_| resource == ResourceType::User)
    {
        let top = attribute.split('.').next().unwrap_or_default();
        let defined = crate::scim::urn::split(&attribute).0.is_some()
            || crate::scim::schema::user_attribute(&attribute).is_some();
        if strict && !defined {
            return Err(ScimError::bad(
                ScimType::InvalidFilter,
                format!("`{attribute}` is no attribute of the User schemas"),
            ));
        }
        if !profile.filterable(&attribute) && !profile.filterable(top) {
            return Err(ScimError::bad(
                ScimType::InvalidFilter,
                format!("filtering on `{attribute}` is not supported"),
            ));
        }
    }
    Ok(filter)
}

/// The resources a filter can only match, from the unique attribute's
/// (case-insensitive) index: a superset the filter then narrows. `None`
/// when the filter needs a scan. Sorted by sequence (the list order).
fn candidates(collection: &Collection, filter: &Filter) -> Option<Vec<u64>> {
    let mut seqs: Vec<u64> = match filter {
        Filter::Compare {
            path,
            op,
            value: Value::String(value),
        } if path.sub.is_none() && path.name.eq_ignore_ascii_case(collection.kind.unique) => {
            match op {
                Op::Eq => collection.named(value).collect(),
                Op::Sw => collection.prefixed(value).collect(),
                _ => return None,
            }
        }
        Filter::And(terms) => return terms.iter().find_map(|t| candidates(collection, t)),
        _ => return None,
    };
    seqs.sort_unstable();
    Some(seqs)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::server::fault::{Fault, Faults};

    fn store(profile: &str, users: usize, faults: &[Fault]) -> Store {
        let faults: HashSet<Fault> = faults.iter().copied().collect();
        let mut store = Store::new(Profile::load(profile).unwrap(), Faults::new(faults));
        store.seed(users, "u");
        store
    }

    fn names(page: &Page) -> Vec<&str> {
        page.resources
            .iter()
            .map(|r| r["userName"].as_str().unwrap())
            .collect()
    }

    fn query(filter: Option<&str>, start: Option<i64>, count: Option<i64>) -> Query {
        Query {
            filter: filter.map(str::to_string),
            start_index: start,
            count,
            ..Query::default()
        }
    }

    #[test]
    fn eq_and_sw_on_user_name_ignore_case() {
        let s = store("rfc7644", 12, &[]);
        let page = list(
            &s,
            ResourceType::User,
            &query(Some(r#"userName eq "U3@EXAMPLE.org""#), None, None),
        )
        .unwrap();
        assert_eq!(names(&page), ["u3@example.org"]);
        let page = list(
            &s,
            ResourceType::User,
            &query(Some(r#"userName sw "U1""#), None, None),
        )
        .unwrap();
        assert_eq!(
            names(&page),
            ["u1@example.org", "u10@example.org", "u11@example.org"]
        );
        let page = list(
            &s,
            ResourceType::User,
            &query(Some(r#"name.familyName eq "user7""#), None, None),
        )
        .unwrap();
        assert_eq!(page.total, 1);
    }

    #[test]
    fn paging_follows_rfc_7644_3_4_2_4() {
        let s = store("rfc7644", 5, &[]);
        let page = list(&s, ResourceType::User, &query(None, Some(2), Some(2))).unwrap();
        assert_eq!(
            (page.total, page.start_index, page.items_per_page),
            (5, 2, 2)
        );
        assert_eq!(names(&page), ["u1@example.org", "u2@example.org"]);
        let below = list(&s, ResourceType::User, &query(None, Some(-3), Some(1))).unwrap();
        assert_eq!(
            (below.start_index, names(&below)),
            (1, vec!["u0@example.org"])
        );
        let none = list(&s, ResourceType::User, &query(None, None, Some(-1))).unwrap();
        assert_eq!((none.total, none.items_per_page), (5, 0));
        let faulty = store("rfc7644", 5, &[Fault::PagingOffByOne]);
        let page = list(&faulty, ResourceType::User, &query(None, Some(1), Some(1))).unwrap();
        assert_eq!(names(&page), ["u1@example.org"]);
    }

    #[test]
    fn what_the_profile_does_not_claim_or_cannot_parse_is_invalid_filter() {
        let s = store("insightly", 1, &[]);
        for filter in [
            r#"userName co "u""#,
            r#"displayName eq "x""#,
            "userName eq",
            "((((userName pr",
        ] {
            let error = list(&s, ResourceType::User, &query(Some(filter), None, None))
                .err()
                .unwrap();
            assert_eq!(
                (error.status, error.scim_type),
                (400, Some(ScimType::InvalidFilter)),
                "{filter}"
            );
        }
        let deep = format!("{}userName pr{}", "(".repeat(20_000), ")".repeat(20_000));
        let error = list(
            &store("rfc7644", 1, &[]),
            ResourceType::User,
            &query(Some(&deep), None, None),
        )
        .err()
        .unwrap();
        assert_eq!(error.scim_type, Some(ScimType::InvalidFilter));
        assert!(error.detail.contains("nests more than"), "{}", error.detail);
    }
}
