//! The requests group checks share, explored or generated: members made
//! in one batch, a group made with them, its members read back, and the
//! PATCH operations that change them (RFC 7644 §3.5.2).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::population::{self, Person};
use super::{Counterexample, Env};
use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::scim::urn;

/// Creates `count` users named `<stem>-<tag><k>`, many at a time: their ids.
pub fn users(env: &Env, tag: &str, count: usize) -> Result<Vec<String>, Counterexample> {
    let person = Person {
        given: "Group".into(),
        family: "Member".into(),
        word: tag.into(),
    };
    let requests = (0..count)
        .map(|k| {
            let name = format!("{}-{tag}{k}@example.com", env.stem);
            let body = population::user_body(&name, &person, &format!("{}-{tag}{k}", env.stem));
            Outgoing::json(Method::POST, "/Users", body)
        })
        .collect();
    env.probe
        .send_all(requests)
        .into_iter()
        .map(|answer| {
            population::made_id(&answer).ok_or_else(|| {
                Counterexample::new("could not create the users to make members of", &answer)
                    .expected("201")
                    .actual(answer.excerpt(200))
            })
        })
        .collect()
}

/// Creates a group named `<stem>-<tag>` with these members: its id.
pub fn group(env: &Env, tag: &str, members: &[String]) -> Result<String, Counterexample> {
    let mut body = json!({
        "schemas": [urn::GROUP],
        "displayName": format!("{}-{tag}", env.stem),
    });
    if !members.is_empty() {
        body["members"] = json!(
            members
                .iter()
                .map(|m| json!({"value": m}))
                .collect::<Vec<_>>()
        );
    }
    let answer = env
        .probe
        .send(Outgoing::json(Method::POST, "/Groups", body));
    population::made_id(&answer).ok_or_else(|| {
        Counterexample::new("could not create the group", &answer)
            .expected("201")
            .actual(answer.excerpt(200))
    })
}

/// The group's member ids, read with a GET.
pub fn members(env: &Env, group: &str) -> Result<(BTreeSet<String>, Exchange), Counterexample> {
    let answer = env
        .probe
        .send(Outgoing::get(&format!("/Groups/{group}"), &[]));
    let Some(json) = answer.json().filter(|_| answer.status() == Some(200)) else {
        return Err(Counterexample::new("the group cannot be read", &answer)
            .expected("200 with the group")
            .actual(answer.excerpt(200)));
    };
    let ids = json["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str().map(str::to_string))
        .collect();
    Ok((ids, answer))
}

/// A PATCH of the group with these operations.
pub fn patch(group: &str, operations: Vec<Value>) -> Outgoing {
    let body = json!({"schemas": [urn::PATCH_OP], "Operations": operations});
    Outgoing::json(Method::PATCH, &format!("/Groups/{group}"), body)
}

/// An `add` of these members.
pub fn add(members: &[String]) -> Value {
    json!({"op": "add", "path": "members", "value": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()})
}

/// A `remove` of one member by a value filter.
pub fn remove(member: &str) -> Value {
    json!({"op": "remove", "path": format!("members[value eq \"{member}\"]")})
}

pub fn ok(answer: &Exchange) -> bool {
    answer.status().is_some_and(|s| (200..300).contains(&s))
}
