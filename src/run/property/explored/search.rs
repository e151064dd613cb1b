//! `search.same-as-get` (RFC 7644 §3.4.3): for generated queries over the
//! property's population (filter, startIndex, count, attributes or
//! excludedAttributes, and sortBy where the target sorts), `POST
//! /Users/.search` with a SearchRequest answers what `GET /Users` with the
//! same parameters answers: the same totals, the same page, the same
//! resources as projected.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::run::property::population::{self, Population, quote};
use crate::run::property::{Counterexample, Env, Exploration, Verdict, explore, runner};
use crate::scim::urn;

/// One generated query.
#[derive(Debug, Clone)]
struct Input {
    /// `None`: the whole population; `Some(k)`: member k by `userName eq`.
    member: Option<usize>,
    start_index: i64,
    count: i64,
    attributes: Option<&'static str>,
    excluded: Option<&'static str>,
    sort: bool,
}

pub fn same_as_get(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let population = match population::scoped(env, &mut runner, 3..=5) {
        Ok(p) => p,
        Err(cx) => return Exploration::Setup(cx),
    };
    let n = population.members.len();
    let sorts = env.profile.supports("sort");
    let projections = prop_oneof![
        Just((None, None)),
        Just((Some("userName"), None)),
        Just((Some("userName,name.familyName"), None)),
        Just((None, Some("emails"))),
    ];
    let input = (
        prop::option::of(0..n),
        1..=n as i64 + 1,
        0..=n as i64,
        projections,
        any::<bool>(),
    )
        .prop_map(
            move |(member, start_index, count, (attributes, excluded), sort)| Input {
                member,
                start_index,
                count,
                attributes,
                excluded,
                sort: sort && sorts,
            },
        );
    let edge = Input {
        member: None,
        start_index: 1,
        count: n as i64,
        attributes: None,
        excluded: None,
        sort: sorts,
    };
    explore(env, &mut runner, &[edge], input, |input| {
        check(env, &population, input)
    })
}

fn check(env: &Env, population: &Population, input: &Input) -> Verdict {
    let filter = match input.member {
        Some(k) => format!("userName eq {}", quote(&population.members[k].user_name)),
        None => population.filter(),
    };
    let mut query = vec![
        ("filter", filter.clone()),
        ("startIndex", input.start_index.to_string()),
        ("count", input.count.to_string()),
    ];
    let mut search = Map::new();
    search.insert("schemas".into(), json!([urn::SEARCH_REQUEST]));
    search.insert("filter".into(), json!(filter));
    search.insert("startIndex".into(), json!(input.start_index));
    search.insert("count".into(), json!(input.count));
    if let Some(attributes) = input.attributes {
        query.push(("attributes", attributes.to_string()));
        search.insert(
            "attributes".into(),
            json!(attributes.split(',').collect::<Vec<_>>()),
        );
    }
    if let Some(excluded) = input.excluded {
        query.push(("excludedAttributes", excluded.to_string()));
        search.insert(
            "excludedAttributes".into(),
            json!(excluded.split(',').collect::<Vec<_>>()),
        );
    }
    if input.sort {
        query.push(("sortBy", "userName".to_string()));
        search.insert("sortBy".into(), json!("userName"));
    }
    let got = env.probe.list(&query)?;
    let posted = env.probe.send(Outgoing::json(
        Method::POST,
        "/Users/.search",
        Value::Object(search),
    ));
    let (Some(get), Some(post)) = (comparable(&got.exchange), comparable(&posted)) else {
        return Err(
            Counterexample::new("the .search did not answer a ListResponse", &posted)
                .expected("200 with a ListResponse, as the GET")
                .actual(posted.excerpt(200)),
        );
    };
    if get != post {
        return Err(Counterexample::new(
            "POST .search answers otherwise than the equivalent GET",
            &posted,
        )
        .expected(crate::client::excerpt(&get.to_string(), 300))
        .actual(crate::client::excerpt(&post.to_string(), 300)));
    }
    Ok(())
}

/// A ListResponse as compared: its counts, and its resources without
/// `meta.location`; in a set's order unless the query was sorted (both
/// answers list the same collection in the same order anyway).
fn comparable(exchange: &Exchange) -> Option<Value> {
    let json = exchange.json().filter(|_| exchange.status() == Some(200))?;
    let mut resources: Vec<Value> = json["Resources"]
        .as_array()?
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(meta) = r.get_mut("meta").and_then(Value::as_object_mut) {
                meta.remove("location");
            }
            r
        })
        .collect();
    resources.sort_by_key(|r| r.to_string());
    Some(json!({
        "totalResults": json["totalResults"],
        "startIndex": json["startIndex"],
        "itemsPerPage": json["itemsPerPage"],
        "Resources": resources,
    }))
}
