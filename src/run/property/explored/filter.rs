//! Filter properties (RFC 7644 §3.4.2.2), over the property's own population.
//!
//! - `filter.eq-any-case`: `userName eq` finds exactly the user, whatever the
//!   letter case of the value (userName is caseExact=false, RFC 7643 §4.1.1).
//! - `filter.eq-not-substring`: a strict substring, prefix or suffix of a
//!   userName is not `eq` to it.
//! - `filter.escaping`: userNames with quotes, backslashes, `@`, `+`, spaces
//!   and non-ASCII characters are found through JSON escaping and URL encoding.
//! - `filter.no-match`: a filter that selects nobody is 200 with an empty
//!   ListResponse and `totalResults` 0.
//! - `filter.name-case`: attribute names and operators are case-insensitive.
//! - `filter.expressions`: generated expressions (in `expressions.rs`).
//! - `filter.unsupported`: what the profile does not claim is answered 400
//!   with `scimType: invalidFilter`.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::run::property::population::{self, Population, quote};
use crate::run::property::{Counterexample, Env, Exploration, Page, Verdict, explore, runner};
use crate::scim::ScimType;
use crate::scim::urn::{self, LIST_RESPONSE as LIST_URN};

/// A generated filter query, shown as the text that was sent.
#[derive(Clone)]
pub struct Query {
    pub filter: String,
    /// The member the query is about, if any.
    pub member: Option<usize>,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "filter={}", self.filter)
    }
}

/// Flips the case of the ASCII letters the mask selects (non-ASCII letters
/// keep theirs: Unicode case folding is beyond what SCIM pins down).
fn flip_case(text: &str, mask: &[bool]) -> String {
    text.chars()
        .zip(mask.iter().chain(std::iter::repeat(&false)))
        .map(|(c, flip)| match (flip, c.is_ascii_lowercase()) {
            (true, true) => c.to_ascii_uppercase(),
            (true, false) => c.to_ascii_lowercase(),
            (false, _) => c,
        })
        .collect()
}

fn mask() -> impl Strategy<Value = Vec<bool>> {
    prop::collection::vec(any::<bool>(), 96)
}

/// The population's query `<text>` must return exactly `member` (and the
/// answer must be a ListResponse that says so).
fn finds_exactly(env: &Env, population: &Population, query: &Query) -> Verdict {
    let member = &population.members[query.member.expect("a query about a member")];
    let page = search(env, &query.filter, population.members.len())?;
    let ids = page.ids();
    if page.total == Some(1) && ids == [member.id.clone()] {
        return Ok(());
    }
    Err(Counterexample::new(
        format!(
            "`{}` does not find exactly the user `{}`",
            query.filter, member.user_name
        ),
        &page.exchange,
    )
    .expected(format!("totalResults 1 and Resources [{}]", member.id))
    .actual(format!(
        "totalResults {} and Resources [{}]",
        page.total.map_or("(absent)".into(), |t| t.to_string()),
        ids.join(", ")
    )))
}

/// `GET /Users?filter=...` with room for `count` results, checked to be a ListResponse.
pub(super) fn search(env: &Env, filter: &str, count: usize) -> Result<Page, Counterexample> {
    let page = env.probe.list(&[
        ("filter", filter.to_string()),
        ("count", count.max(1).to_string()),
    ])?;
    let json = page
        .exchange
        .response
        .as_ref()
        .ok()
        .and_then(|r| r.json.as_ref());
    if json.is_some_and(|j| urn::declares(j, LIST_URN)) {
        return Ok(page);
    }
    let schemas = json
        .and_then(|j| j.get("schemas"))
        .cloned()
        .unwrap_or(Value::Null);
    Err(Counterexample::new(
        format!("`{filter}` is not answered with a ListResponse"),
        &page.exchange,
    )
    .expected(format!("schemas [\"{LIST_URN}\"]"))
    .actual(format!("schemas {schemas}")))
}

pub fn eq_any_case(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    match population::plain(env, &mut runner, 4) {
        Ok(population) => found_in_any_case(env, &mut runner, &population),
        Err(cx) => Exploration::Setup(cx),
    }
}

/// `userName eq <a member's name, letters in any case>` finds exactly that member.
fn found_in_any_case(env: &Env, runner: &mut TestRunner, population: &Population) -> Exploration {
    let names = population.user_names();
    let strategy = (0..names.len(), mask()).prop_map(move |(k, mask)| Query {
        filter: format!("userName eq {}", quote(&flip_case(&names[k], &mask))),
        member: Some(k),
    });
    explore(env, runner, &[], strategy, |query| {
        finds_exactly(env, population, query)
    })
}

pub fn eq_not_substring(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let population = match population::plain(env, &mut runner, 3) {
        Ok(population) => population,
        Err(cx) => return Exploration::Setup(cx),
    };
    let names = population.user_names();
    let lowered: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let strategy = (0..names.len(), any::<Index>(), any::<Index>())
        .prop_map(move |(k, from, length)| {
            let chars: Vec<char> = names[k].chars().collect();
            // A strict part: it starts at `from` and leaves at least one character out.
            let from = from.index(chars.len());
            let longest = if from == 0 {
                chars.len() - 1
            } else {
                chars.len() - from
            };
            let length = 1 + length.index(longest.max(1));
            let part: String = chars[from..(from + length).min(chars.len())]
                .iter()
                .collect();
            Query {
                filter: format!("userName eq {}", quote(&part)),
                member: Some(k),
            }
        })
        .prop_filter("a part that is itself a member's userName", move |q| {
            !lowered
                .iter()
                .any(|n| q.filter.to_lowercase().ends_with(&quote(n)))
        });
    explore(env, &mut runner, &[], strategy, |query| {
        let page = search(env, &query.filter, population.members.len())?;
        let wrong: Vec<String> = page
            .ids()
            .into_iter()
            .filter_map(|id| population.member(&id).map(|m| m.user_name.clone()))
            .collect();
        if wrong.is_empty() {
            return Ok(());
        }
        Err(Counterexample::new(
            format!("`{}` matches a userName it is only part of", query.filter),
            &page.exchange,
        )
        .expected("no user of the population (eq compares whole values)")
        .actual(wrong.join(", ")))
    })
}

/// The characters a userName must survive, one of them in every member.
const AWKWARD: &[&str] = &["\"", "\\", "'", " ", "+", "@", "é", "名"];

pub fn escaping(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let tails: Vec<String> = (0..AWKWARD.len())
        .map(|_| crate::run::property::draw(&mut runner, "[a-z\"\\\\' +@éü名()]{0,4}"))
        .collect();
    match population::create(env, &mut runner, AWKWARD.len(), |stem, k, _| {
        format!("{stem}-{k}{}{}", AWKWARD[k], tails[k])
    }) {
        Ok(population) => found_in_any_case(env, &mut runner, &population),
        Err(cx) => Exploration::Setup(cx),
    }
}

pub fn no_match(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let stem = env.stem.clone();
    let strategy = "[a-z0-9]{1,8}".prop_map(move |word| Query {
        filter: format!(
            "userName eq {}",
            quote(&format!("{stem}-absent-{word}@example.com"))
        ),
        member: None,
    });
    explore(env, &mut runner, &[], strategy, |query| {
        let page = search(env, &query.filter, 1)?;
        if page.total == Some(0) && page.resources().is_empty() {
            return Ok(());
        }
        Err(Counterexample::new(
            format!(
                "`{}` selects nobody, yet the answer is not empty",
                query.filter
            ),
            &page.exchange,
        )
        .expected("200, totalResults 0, no Resources")
        .actual(format!(
            "totalResults {}, {} resources",
            page.total.map_or("(absent)".into(), |t| t.to_string()),
            page.resources().len()
        )))
    })
}

pub fn name_case(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let population = match population::plain(env, &mut runner, 3) {
        Ok(population) => population,
        Err(cx) => return Exploration::Setup(cx),
    };
    let names = population.user_names();
    let strategy = (0..names.len(), mask(), mask()).prop_map(move |(k, attr, op)| Query {
        filter: format!(
            "{} {} {}",
            flip_case("userName", &attr),
            flip_case("eq", &op),
            quote(&names[k])
        ),
        member: Some(k),
    });
    explore(env, &mut runner, &[], strategy, |query| {
        finds_exactly(env, &population, query)
    })
}

/// A filter feature the profile does not claim, and a filter that uses it
/// (`{v}` stands for a quoted value).
#[derive(Debug, Clone)]
struct Unclaimed {
    feature: String,
    template: &'static str,
}

fn unclaimed(env: &Env) -> Vec<Unclaimed> {
    let claimed = |c: &str| env.profile.supports(c);
    let features: [(&str, &str); 13] = [
        ("filter.ne", "userName ne {v}"),
        ("filter.co", "userName co {v}"),
        ("filter.sw", "userName sw {v}"),
        ("filter.ew", "userName ew {v}"),
        ("filter.gt", "userName gt {v}"),
        ("filter.ge", "userName ge {v}"),
        ("filter.lt", "userName lt {v}"),
        ("filter.le", "userName le {v}"),
        ("filter.pr", "userName pr"),
        ("filter.and", "userName eq {v} and userName eq {v}"),
        ("filter.or", "userName eq {v} or userName eq {v}"),
        ("filter.not", "not (userName eq {v})"),
        ("filter.complex", "emails[value eq {v}]"),
    ];
    let attributes: [(&str, &'static str); 3] = [
        ("displayName", "displayName eq {v}"),
        ("name.familyName", "name.familyName eq {v}"),
        ("emails.value", "emails.value eq {v}"),
    ];
    let operators = features
        .into_iter()
        .filter(|(feature, _)| !claimed(feature))
        .map(|(feature, template)| Unclaimed {
            feature: feature.to_string(),
            template,
        });
    let attributes = attributes
        .into_iter()
        .filter(|(attribute, _)| !env.profile.filterable(attribute))
        .map(|(attribute, template)| Unclaimed {
            feature: format!("filtering on {attribute}"),
            template,
        });
    operators.chain(attributes).collect()
}

pub fn unsupported(env: &Env) -> Exploration {
    let features = unclaimed(env);
    if features.is_empty() {
        return Exploration::Skipped(format!(
            "profile {} claims every filter operator and attribute",
            env.profile.name
        ));
    }
    let mut runner = runner(&env.settings, &env.case.id);
    let stem = env.stem.clone();
    let strategy =
        (prop::sample::select(features), "[a-z]{1,6}").prop_map(move |(unclaimed, word)| {
            let value = quote(&format!("{stem}-{word}@example.com"));
            let query = Query {
                filter: unclaimed.template.replace("{v}", &value),
                member: None,
            };
            (unclaimed.feature, query)
        });
    explore(env, &mut runner, &[], strategy, |(feature, query)| {
        let exchange = env.probe.send(crate::client::Outgoing::get(
            "/Users",
            &[("filter", query.filter.as_str())],
        ));
        let (status, json) = match &exchange.response {
            Ok(r) => (r.status, r.json.as_ref()),
            Err(_) => (0, None),
        };
        let rejected = json.is_some_and(|j| {
            urn::declares(j, urn::ERROR)
                && j.get("scimType") == Some(&json!(ScimType::InvalidFilter.as_str()))
        });
        if status == 400 && rejected {
            return Ok(());
        }
        let body = exchange.excerpt(200);
        Err(Counterexample::new(
            format!(
                "`{}` uses {feature}, which the profile does not claim, and is not rejected",
                query.filter
            ),
            &exchange,
        )
        .expected("400 with a SCIM Error, scimType invalidFilter")
        .actual(format!("{status} {body}")))
    })
}
