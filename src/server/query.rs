//! Listing (RFC 7644 §3.4.2): which filters the profile claims (anything
//! else is 400 `invalidFilter`), which resources a filter selects (from the
//! unique attribute's index where it can, by a scan otherwise), and the
//! page `startIndex` and `count` cut from them.

use serde_json::Value;

use super::store::{Collection, DEFAULT_PAGE_SIZE, Store};
use crate::profile::Profile;
use crate::scim::filter::{Filter, Op};
use crate::scim::schema::user_case_exact;
use crate::scim::{ResourceType, ScimError, ScimType};

/// One page of a list.
pub struct Page {
    pub total: usize,
    pub start_index: usize,
    pub items_per_page: usize,
    pub resources: Vec<Value>,
}

/// What a list request asks for.
#[derive(Debug, Default)]
pub struct Query {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
}

/// GET on a collection: the filter applied, then the page cut.
pub fn list(store: &Store, resource: ResourceType, query: &Query) -> Result<Page, ScimError> {
    let faults = &store.faults;
    let filter = match &query.filter {
        Some(text) => faults.filter(read(store.profile(), text))?,
        None => None,
    };
    faults.start_index(query.start_index)?;
    let collection = store.collection(resource);
    let case_exact = |dotted: &str| faults.case_exact(dotted, user_case_exact(dotted));
    let max = store
        .profile()
        .paging
        .max_page_size
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let start = query.start_index.unwrap_or(1).max(1) as usize;
    // RFC 7644 §3.4.2.4: a negative count is 0; no count, or more than the
    // server's maximum, is the maximum.
    let count = query
        .count
        .map_or(max, |c| c.max(0) as usize)
        .min(faults.page_cap(max));
    let (skip, take) = faults.window(start, count);
    let (resources, matched): (Vec<Value>, usize) = match &filter {
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
            let matching: Vec<&Value> = pool
                .into_iter()
                .filter(|r| filter.matches(r, &case_exact))
                .collect();
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
        start_index: start,
        items_per_page: faults.items_per_page(resources.len(), query.count),
        resources,
    })
}

/// Parses a filter and rejects what the profile does not claim
/// (RFC 7644 §3.4.2.2: 400 with scimType invalidFilter).
fn read(profile: &Profile, text: &str) -> Result<Filter, ScimError> {
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
    for attribute in filter.attributes() {
        let top = attribute.split('.').next().unwrap_or_default();
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
