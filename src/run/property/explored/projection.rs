//! `projection.subsets` (RFC 7644 §3.4.2.5, §3.9): for generated sets of
//! attribute names (top-level and sub-attributes of the user the property
//! creates), `GET /Users/{id}?attributes=…` is the full resource cut to
//! those attributes plus the minimum set (`id`, `schemas`), and
//! `excludedAttributes=…` is the full resource without them (the minimum set
//! kept). The cut is [`crate::scim::projection`], the oracle the reference
//! server shares.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::client::Outgoing;
use crate::run::property::population::{self, Person};
use crate::run::property::{Counterexample, Env, Exploration, Verdict, explore, runner};
use crate::scim::projection::{Projection, without_unassigned};

/// One generated request: the names, and which parameter carries them.
#[derive(Debug, Clone)]
struct Input {
    names: Vec<String>,
    excluded: bool,
}

pub fn subsets(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let (id, full) = match create(env) {
        Ok(created) => created,
        Err(cx) => return Exploration::Setup(cx),
    };
    let names = candidates(&full);
    if names.is_empty() {
        return Exploration::Skipped("the user shows no attribute to project".into());
    }
    let input = (
        prop::sample::subsequence(names.clone(), 1..=names.len().min(4)),
        any::<bool>(),
    )
        .prop_map(|(names, excluded)| Input { names, excluded });
    explore(env, &mut runner, &[], input, |input| {
        check(env, &id, &full, input)
    })
}

/// Creates the user and reads it back whole (no projection asked).
fn create(env: &Env) -> Result<(String, Value), Counterexample> {
    let person = Person {
        given: "Pro".into(),
        family: "Jection".into(),
        word: "projection".into(),
    };
    let user_name = format!("{}-cut@example.com", env.stem);
    let mut body = population::user_body(&user_name, &person, &format!("{}-cut", env.stem));
    for (attribute, value) in [
        ("title", json!("Projectionist")),
        ("nickName", json!("Pro")),
    ] {
        if env.profile.has_attribute(attribute) {
            body[attribute] = value;
        }
    }
    let id = population::create_one(env, body, "the user to project")?;
    let read = env.probe.send(Outgoing::get(&format!("/Users/{id}"), &[]));
    match read.json().filter(|_| read.status() == Some(200)) {
        Some(full) => Ok((id, full.clone())),
        None => Err(Counterexample::new("could not read the user back", &read)
            .expected("200 with the user")
            .actual(read.excerpt(200))),
    }
}

/// Names to project: each top-level attribute the user shows (but the
/// minimum set), and each sub-attribute of its complex ones.
fn candidates(full: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for (key, value) in full.as_object().into_iter().flatten() {
        if ["id", "schemas"].contains(&key.as_str()) || key.starts_with("urn:") {
            continue;
        }
        names.push(key.clone());
        let first = match value {
            Value::Array(items) => items.first(),
            other => Some(other),
        };
        for sub in first
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            names.push(format!("{key}.{sub}"));
        }
    }
    names
}

fn check(env: &Env, id: &str, full: &Value, input: &Input) -> Verdict {
    let list = input.names.join(",");
    let (parameter, projection) = match input.excluded {
        true => (
            "excludedAttributes",
            Projection::Excluded(input.names.clone()),
        ),
        false => ("attributes", Projection::Attributes(input.names.clone())),
    };
    // `{}` and absent are the same state (RFC 7643 §2.5): compared without.
    let expected = without_unassigned(projection.apply(full.clone(), &|_| false));
    let answer = env.probe.send(Outgoing::get(
        &format!("/Users/{id}"),
        &[(parameter, &list)],
    ));
    let got = answer
        .json()
        .filter(|_| answer.status() == Some(200))
        .map(|j| without_unassigned(j.clone()));
    if got.as_ref() != Some(&expected) {
        return Err(Counterexample::new(
            format!("`{parameter}={list}` does not cut the user as RFC 7644 §3.9 says"),
            &answer,
        )
        .expected(crate::client::excerpt(&expected.to_string(), 300))
        .actual(answer.excerpt(300)));
    }
    Ok(())
}
