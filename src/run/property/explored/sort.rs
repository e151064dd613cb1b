//! `sort.order` (RFC 7644 §3.4.2.3): over a generated population whose
//! values differ in letter case, lack the attribute now and then, and hold
//! several emails with the primary anywhere among them, a list with a
//! generated `sortBy`, `sortOrder` (or none) and `count` returns, page
//! after page, every member once and in the order the RFC's wording gives
//! ([`crate::scim::sort`], the oracle the reference server shares). Ties
//! may come in any order: only the sort keys are compared.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::case::Method;
use crate::client::Outgoing;
use crate::run::property::population::{self, Person, Population, Scope, quote};
use crate::run::property::{Counterexample, Env, Exploration, Verdict, draw, explore, runner};
use crate::scim::schema::user_case_exact;
use crate::scim::sort::{self, Order};

/// The attributes sorted by: a plain string, a sub-attribute, a string some
/// members lack, a multi-valued attribute.
const SORT_BY: [&str; 4] = ["userName", "name.familyName", "title", "emails"];

/// Family names whose order changes when letter case counts.
const FAMILIES: [&str; 6] = ["abbott", "Zhang", "de la Cruz", "Okafor", "ÉLISE", "müller"];

/// One generated query.
#[derive(Debug, Clone)]
struct Input {
    sort_by: &'static str,
    order: Option<Order>,
    count: i64,
}

/// One member's generated values.
#[derive(Debug, Clone)]
struct Shape {
    word: String,
    family: &'static str,
    title: Option<String>,
    primary: usize,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        "[a-zA-Z]{1,5}",
        prop::sample::select(FAMILIES.to_vec()),
        prop::option::of("[a-zA-Z]{1,6}"),
        0..3usize,
    )
        .prop_map(|(word, family, title, primary)| Shape {
            word,
            family,
            title,
            primary,
        })
}

pub fn order(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let mut shapes = draw(&mut runner, prop::collection::vec(shape(), 4..=7));
    // Whatever was drawn, two family names whose order depends on letter
    // case ("abbott" before "Zhang" only when case is ignored): a
    // case-sensitive sort is then always within reach of the edge inputs.
    shapes[0].family = FAMILIES[0];
    shapes[1].family = FAMILIES[1];
    let population = match create(env, &shapes) {
        Ok(p) => p,
        Err(cx) => return Exploration::Setup(cx),
    };
    let n = population.members.len() as i64;
    let input = (
        prop::sample::select(SORT_BY.to_vec()),
        prop::option::of(prop_oneof![Just(Order::Ascending), Just(Order::Descending)]),
        1..=n + 1,
    )
        .prop_map(|(sort_by, order, count)| Input {
            sort_by,
            order,
            count,
        });
    let edges = [
        Input {
            sort_by: "name.familyName",
            order: None,
            count: n,
        },
        Input {
            sort_by: "title",
            order: None,
            count: n,
        },
        Input {
            sort_by: "title",
            order: Some(Order::Descending),
            count: n,
        },
    ];
    explore(env, &mut runner, &edges, input, |input| {
        check(env, &population, input)
    })
}

/// Creates the population: distinct userNames under the stem, the shapes' values.
fn create(env: &Env, shapes: &[Shape]) -> Result<Population, Counterexample> {
    let bodies: Vec<(String, Value)> = shapes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let user_name = format!("{}-{}{k}@example.com", env.stem, s.word);
            let person = Person {
                given: "Sort".into(),
                family: s.family.into(),
                word: s.word.clone(),
            };
            let mut body = population::user_body(&user_name, &person, &format!("{}-{k}", env.stem));
            let emails: Vec<Value> = (0..3)
                .map(|e| {
                    let kind = ["work", "home", "other"][e];
                    json!({
                        "value": format!("{}-{k}-{}@example.com", env.stem, ["b", "c", "a"][e]),
                        "type": kind,
                        "primary": e == s.primary,
                    })
                })
                .collect();
            body["emails"] = Value::Array(emails);
            if let Some(title) = &s.title {
                body["title"] = json!(title);
            }
            (user_name, body)
        })
        .collect();
    let requests = bodies
        .iter()
        .map(|(_, body)| Outgoing::json(Method::POST, "/Users", body.clone()))
        .collect();
    let mut members = Vec::new();
    for ((user_name, _), answer) in bodies.iter().zip(env.probe.send_all(requests)) {
        let id = answer
            .json()
            .and_then(|j| j["id"].as_str())
            .map(str::to_string);
        match id.filter(|_| answer.status() == Some(201)) {
            Some(id) => members.push(population::Member {
                id,
                user_name: user_name.clone(),
            }),
            None => {
                return Err(Counterexample::new(
                    "could not create the population to sort",
                    &answer,
                )
                .expected("201")
                .actual(answer.excerpt(200)));
            }
        }
    }
    Ok(Population {
        stem: env.stem.clone(),
        scope: Scope::Prefix,
        members,
    })
}

/// Walks the pages of one sorted query.
fn check(env: &Env, population: &Population, input: &Input) -> Verdict {
    let n = population.members.len();
    let order = input.order.unwrap_or_default();
    let case_exact = user_case_exact(input.sort_by);
    let mut seen: Vec<Value> = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut start = 1i64;
    let filter = format!("userName sw {}", quote(&population.stem));
    for _ in 0..=n + 1 {
        let mut query = vec![
            ("filter", filter.clone()),
            ("sortBy", input.sort_by.to_string()),
            ("startIndex", start.to_string()),
            ("count", input.count.to_string()),
        ];
        if let Some(order) = input.order {
            let word = if order == Order::Ascending {
                "ascending"
            } else {
                "descending"
            };
            query.push(("sortOrder", word.to_string()));
        }
        let page = env.probe.list(&query)?;
        for resource in page.resources() {
            let id = crate::run::property::id_of(resource);
            if population.member(&id).is_none() || !ids.insert(id.clone()) {
                return Err(Counterexample::new(
                    format!("sorted pages return `{id}` twice or outside the population"),
                    &page.exchange,
                )
                .expected("each member of the population once")
                .actual(id));
            }
            let key = sort::key(resource, input.sort_by);
            if let Some(previous) = seen.last() {
                let previous = (!previous.is_null()).then_some(previous);
                if sort::compare(previous, key, case_exact, order) == Ordering::Greater {
                    return Err(Counterexample::new(
                        format!(
                            "`{}` comes after `{}` in a list sorted by {} {}",
                            shown(key),
                            shown(previous),
                            input.sort_by,
                            if order == Order::Ascending {
                                "ascending"
                            } else {
                                "descending"
                            }
                        ),
                        &page.exchange,
                    )
                    .expected(format!(
                        "RFC 7644 §3.4.2.3 order ({}; no value {})",
                        if case_exact {
                            "case-exact"
                        } else {
                            "ignoring case"
                        },
                        if order == Order::Ascending {
                            "last"
                        } else {
                            "first"
                        }
                    ))
                    .actual(format!("{} then {}", shown(previous), shown(key))));
                }
            }
            seen.push(key.cloned().unwrap_or(Value::Null));
        }
        let returned = page.resources().len() as i64;
        if returned == 0 || ids.len() == n {
            break;
        }
        start += returned;
    }
    if ids.len() != n {
        let page = env.probe.list(&[("filter", filter.clone())])?;
        return Err(Counterexample::new(
            format!("the sorted pages hold {} of the {n} members", ids.len()),
            &page.exchange,
        )
        .expected(format!("all {n}"))
        .actual(format!("{}", ids.len())));
    }
    Ok(())
}

fn shown(value: Option<&Value>) -> String {
    value.map_or("(no value)".into(), Value::to_string)
}
