//! `etag.sequence` (RFC 7644 §3.14, RFC 7232 §3.1): over a generated
//! sequence of reads and updates of one user, plain and conditional, a
//! PATCH whose `If-Match` names a version the resource has left is 412 and
//! changes nothing, and one that names the current version is applied.
//! ("Left" is judged by what the server said: a version is stale once a
//! later read showed another; whether every change moves the ETag is the
//! SHOULD case `etag/changes-with-the-resource`.)

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::run::property::population::{self, Person};
use crate::run::property::{Counterexample, Env, Exploration, Verdict, explore, runner};
use crate::scim::urn;

#[derive(Debug, Clone, Copy)]
enum Action {
    /// A PATCH with no precondition.
    Patch,
    /// A PATCH with `If-Match` naming the current version.
    Current,
    /// A PATCH with `If-Match` naming an older version, when there is one.
    Stale,
}

pub fn sequence(env: &Env) -> Exploration {
    // Every input is a chain of round trips one after another: a few
    // sequences of up to four updates find what longer ones would.
    let settings = env.settings.chained(4);
    let mut runner = runner(&settings, &env.case.id);
    let person = Person {
        given: "Version".into(),
        family: "Check".into(),
        word: "etag".into(),
    };
    let user_name = format!("{}-etag@example.com", env.stem);
    let body = population::user_body(&user_name, &person, &format!("{}-etag", env.stem));
    let id = match population::create_one(env, body, "the user to version") {
        Ok(id) => id,
        Err(cx) => return Exploration::Setup(cx),
    };
    let actions = prop::collection::vec(
        prop_oneof![
            Just(Action::Patch),
            Just(Action::Current),
            Just(Action::Stale)
        ],
        2..=4,
    );
    let edge = vec![Action::Patch, Action::Stale, Action::Current];
    explore(env, &mut runner, &[edge], actions, |actions| {
        run(env, &id, actions)
    })
}

/// The current version and display name, read with a GET.
fn read(env: &Env, path: &str) -> Result<(String, Value, Exchange), Counterexample> {
    let answer = env.probe.send(Outgoing::get(path, &[]));
    let etag = answer
        .response
        .as_ref()
        .ok()
        .and_then(|r| r.header("etag"))
        .map(str::to_string);
    match (etag, answer.json().filter(|_| answer.status() == Some(200))) {
        (Some(etag), Some(json)) => {
            let name = json["displayName"].clone();
            Ok((etag, name, answer))
        }
        _ => Err(
            Counterexample::new("a read of the user has no ETag", &answer)
                .expected("200 with an ETag header (RFC 7644 §3.14: MUST)")
                .actual(answer.excerpt(200)),
        ),
    }
}

fn patch(env: &Env, path: &str, value: &str, if_match: Option<&str>) -> Exchange {
    let body = json!({
        "schemas": [urn::PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": value}],
    });
    let mut out = Outgoing::json(Method::PATCH, path, body);
    if let Some(tag) = if_match {
        out.headers.push(("If-Match".into(), tag.into()));
    }
    env.probe.send(out)
}

fn run(env: &Env, id: &str, actions: &[Action]) -> Verdict {
    let path = format!("/Users/{id}");
    let (mut current, _, _) = read(env, &path)?;
    let mut older: Vec<String> = Vec::new();
    for (step, action) in actions.iter().enumerate() {
        let value = format!("Version {step} {}", env.stem.len() + step);
        match action {
            Action::Patch | Action::Current => {
                let tag = matches!(action, Action::Current).then_some(current.as_str());
                let answer = patch(env, &path, &value, tag);
                if !answer.status().is_some_and(|s| (200..300).contains(&s)) {
                    return Err(Counterexample::new(
                        format!(
                            "a PATCH with If-Match naming the current version {current} is refused"
                        ),
                        &answer,
                    )
                    .expected("2xx, the change applied (RFC 7232 §3.1)")
                    .actual(answer.excerpt(200)));
                }
                let (now, name, evidence) = read(env, &path)?;
                if name != json!(value) {
                    return Err(Counterexample::new("the PATCH was not applied", &evidence)
                        .expected(format!("displayName {value:?}"))
                        .actual(name.to_string()));
                }
                if now != current {
                    older.push(std::mem::replace(&mut current, now));
                }
            }
            Action::Stale => {
                let Some(stale) = older.last().cloned() else {
                    continue;
                };
                let answer = patch(env, &path, &value, Some(&stale));
                let (now, name, evidence) = read(env, &path)?;
                if answer.status() != Some(412) {
                    return Err(Counterexample::new(
                        format!(
                            "a PATCH with If-Match naming the older version {stale} is not refused"
                        ),
                        &answer,
                    )
                    .expected("412 Precondition Failed (RFC 7232 §3.1: MUST NOT perform)")
                    .actual(answer.excerpt(200)));
                }
                if name == json!(value) || now != current {
                    return Err(
                        Counterexample::new("a refused PATCH changed the user", &evidence)
                            .expected(format!("the user as it was, version {current}"))
                            .actual(format!("version {now}, displayName {name}")),
                    );
                }
            }
        }
    }
    Ok(())
}
