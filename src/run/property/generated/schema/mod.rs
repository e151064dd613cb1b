//! Schema-driven checks, generated from what the target declares about its
//! User attributes ([`declared`]: `/Schemas`, or the profile where none is
//! served) with a valid value for each ([`values`]). Each check writes every
//! attribute it judges in as few requests as it can (one create, one PUT)
//! and names every attribute that breaks its declaration, with the
//! declaration as evidence:
//!
//! - `schema.round-trip`: a readWrite (or immutable) attribute returned by
//!   default comes back as written after create and after PUT (RFC 7643
//!   §2.2 and §7);
//! - `schema.read-only`: readOnly values sent on create or PUT are ignored
//!   (RFC 7644 §3.3 and §3.5.1: "SHALL be ignored");
//! - `schema.immutable`: an immutable attribute, once set, keeps its value
//!   through PUT and PATCH, and the PATCH is an error (RFC 7643 §2.2: "SHALL
//!   NOT be updated"; RFC 7644 §3.5.2);
//! - `schema.never-returned`: a `returned: never` attribute is in no answer
//!   (RFC 7643 §7); `schema.returned-request`: a `returned: request` one
//!   only when asked for (its own file, [`returned`]);
//! - `schema.required`: a create without a required attribute is 400
//!   (RFC 7643 §7, RFC 7644 §3.12 `invalidValue`).

pub mod declared;
mod returned;
pub mod values;

pub use returned::{never_returned, returned_request};

use serde_json::Value;

use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::run::property::{Counterexample, Env, Exploration, Violations, population};
use declared::Declared;

/// Attributes no schema check writes: the server's own, and the unique
/// name every check's user is found by.
const SERVER_OWNED: &[&str] = &["id", "meta", "schemas", "userName"];

/// Required attributes judged by their own cases (`users/create-missing-*`)
/// wherever the profile claims them required.
const JUDGED_ELSEWHERE: &[&str] = &[
    "userName",
    "displayName",
    "emails",
    "name.givenName",
    "name.familyName",
];

/// A valid user tagged `tag`, with `extra` attributes set (or, for `None`, removed).
pub(super) fn body(env: &Env, tag: &str, extra: &[(&Declared, Option<Value>)]) -> Value {
    let user_name = format!("{}-{tag}@example.com", env.stem);
    let person = population::Person {
        given: "Schema".into(),
        family: "Check".into(),
        word: tag.into(),
    };
    let mut body = population::user_body(&user_name, &person, &format!("{}-{tag}", env.stem));
    for (attribute, value) in extra {
        let container = match &attribute.extension {
            Some(urn) => {
                if let Some(schemas) = body["schemas"].as_array_mut()
                    && !schemas.iter().any(|s| s == urn.as_str())
                {
                    schemas.push(Value::String(urn.clone()));
                }
                &mut body[urn.as_str()]
            }
            None => &mut body,
        };
        match value {
            Some(value) => container[attribute.name.as_str()] = value.clone(),
            None => {
                if let Some(fields) = container.as_object_mut() {
                    fields.remove(&attribute.name);
                }
            }
        }
    }
    body
}

/// POSTs a user: its id and the answer, or the answer that did not create it.
pub(super) fn create(env: &Env, body: Value) -> Result<(String, Exchange), Box<Exchange>> {
    let exchange = env.probe.send(Outgoing::json(Method::POST, "/Users", body));
    let id = exchange
        .json()
        .and_then(|j| j["id"].as_str())
        .map(str::to_string);
    match id {
        Some(id) if exchange.status() == Some(201) => Ok((id, exchange)),
        _ => Err(Box::new(exchange)),
    }
}

pub(super) fn get(env: &Env, id: &str) -> Exchange {
    env.probe.send(Outgoing::get(&format!("/Users/{id}"), &[]))
}

/// The attribute's value in an answer, as text for evidence.
fn shown(attribute: &Declared, exchange: &Exchange) -> String {
    exchange
        .json()
        .and_then(|j| attribute.value_in(j))
        .map_or("absent".into(), Value::to_string)
}

/// Creates a user with every `(attribute, value)`; when the server refuses
/// them together, finds which it refuses alone (each a finding).
fn create_with(
    env: &Env,
    tag: &str,
    written: &[(&Declared, Option<Value>)],
) -> Result<String, Violations> {
    match create(env, body(env, tag, written)) {
        Ok((id, _)) => Ok(id),
        Err(together) => {
            let requests = written
                .iter()
                .enumerate()
                .map(|(i, one)| {
                    Outgoing::json(
                        Method::POST,
                        "/Users",
                        body(env, &format!("{tag}{i}"), std::slice::from_ref(one)),
                    )
                })
                .collect();
            let mut findings: Violations = written
                .iter()
                .zip(env.probe.send_all(requests))
                .filter(|(_, alone)| alone.status() != Some(201))
                .map(|((attribute, value), alone)| {
                    let value = value.as_ref().map_or("nothing".into(), Value::to_string);
                    let cx = Counterexample::new(
                        format!(
                            "a create with `{}` ({}) is refused",
                            attribute.path(),
                            attribute.describe()
                        ),
                        &alone,
                    )
                    .expected(format!("201, with {value}"))
                    .actual(alone.excerpt(200));
                    (format!("create with `{}`", attribute.path()), cx)
                })
                .collect();
            if findings.is_empty() {
                findings.push((
                    "create".into(),
                    Counterexample::new(
                        "a create with every judged attribute is refused (each alone is accepted)",
                        &together,
                    )
                    .expected("201")
                    .actual(together.excerpt(200)),
                ));
            }
            Err(findings)
        }
    }
}

/// Whether an attribute takes values a client writes and reads back.
fn written_and_read(attribute: &Declared) -> bool {
    matches!(attribute.mutability.as_str(), "readWrite" | "immutable")
        && matches!(attribute.returned.as_str(), "default" | "always")
        && !SERVER_OWNED.contains(&attribute.name.as_str())
}

/// Runs a check over the declared attributes `pick` selects, each with
/// what the check writes for it; or says why there is nothing to judge.
pub(super) fn over<T>(
    env: &Env,
    nothing: &str,
    pick: impl Fn(&Declared) -> Option<T>,
    check: impl FnOnce(Vec<(&Declared, T)>) -> Exploration,
) -> Exploration {
    let declaration = match declared::read(env) {
        Ok(d) => d,
        Err(cx) => return Exploration::Setup(cx),
    };
    let judged: Vec<(&Declared, T)> = declaration
        .attributes
        .iter()
        .filter_map(|a| Some((a, pick(a)?)))
        .collect();
    if judged.is_empty() {
        return Exploration::Skipped(format!("{} declares {nothing}", declaration.source));
    }
    check(judged)
}

/// `schema.round-trip`.
pub fn round_trip(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        if !written_and_read(a) {
            return None;
        }
        let first = values::value(a, 0, &env.stem)?;
        let second = match a.mutability.as_str() {
            "immutable" => first.clone(),
            _ => values::value(a, 1, &env.stem)?,
        };
        Some((first, second))
    };
    over(
        env,
        "no attribute a client writes and reads back",
        pick,
        |judged| {
            let first = writes(&judged, |(v, _)| v);
            let id = match create_with(env, "trip", &first) {
                Ok(id) => id,
                Err(findings) => return Exploration::Failures(findings),
            };
            let mut findings = compare(env, &id, &first, "after create");
            let second = writes(&judged, |(_, v)| v);
            let put = env.probe.send(Outgoing::json(
                Method::PUT,
                &format!("/Users/{id}"),
                body(env, "trip", &second),
            ));
            if put.status() == Some(200) {
                findings.extend(compare(env, &id, &second, "after PUT"));
            } else {
                let cx = Counterexample::new("a PUT of every judged attribute is refused", &put)
                    .expected("200")
                    .actual(put.excerpt(200));
                findings.push(("PUT".into(), cx));
            }
            Exploration::from_findings(findings)
        },
    )
}

/// What a check writes: one value per judged attribute.
pub(super) fn writes<'d, T>(
    judged: &[(&'d Declared, T)],
    value: impl Fn(&T) -> &Value,
) -> Vec<(&'d Declared, Option<Value>)> {
    judged
        .iter()
        .map(|(a, t)| (*a, Some(value(t).clone())))
        .collect()
}

/// Reads the user back: a finding for each attribute that does not hold
/// what was written.
fn compare(env: &Env, id: &str, written: &[(&Declared, Option<Value>)], when: &str) -> Violations {
    let exchange = get(env, id);
    let Some(json) = exchange.json().filter(|_| exchange.status() == Some(200)) else {
        let cx = Counterexample::new(format!("the user cannot be read {when}"), &exchange)
            .expected("200 with the user")
            .actual(exchange.excerpt(200));
        return vec![(format!("GET {when}"), cx)];
    };
    written
        .iter()
        .filter_map(|(attribute, value)| {
            let value = value.as_ref()?;
            if values::holds(attribute, value, attribute.value_in(json)) {
                return None;
            }
            let cx = Counterexample::new(
                format!(
                    "`{}` ({}) does not come back as written {when}",
                    attribute.path(),
                    attribute.describe()
                ),
                &exchange,
            )
            .expected(value.to_string())
            .actual(shown(attribute, &exchange));
            Some((format!("`{}` {when}", attribute.path()), cx))
        })
        .collect()
}

/// `schema.read-only`.
pub fn read_only(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        let judged = a.mutability == "readOnly" && !SERVER_OWNED.contains(&a.name.as_str());
        judged
            .then(|| values::read_only_value(a, &env.stem))
            .flatten()
    };
    over(
        env,
        "no read-only attribute a client could send",
        pick,
        |judged| {
            // A required read-only attribute (Insightly's emails) must be sent
            // on create: it is judged on PUT only.
            let optional: Vec<_> = judged
                .iter()
                .filter(|(a, _)| !a.required)
                .cloned()
                .collect();
            let on_create = writes(&optional, |v| v);
            let (id, answer) = match create(env, body(env, "ro", &on_create)) {
                Ok(created) => created,
                Err(refused) => {
                    let names: Vec<String> = on_create.iter().map(|(a, _)| a.path()).collect();
                    let cx = Counterexample::new(
                        format!(
                            "a create carrying read-only [{}] is refused instead of ignoring them",
                            names.join(", ")
                        ),
                        &refused,
                    )
                    .expected("201, the read-only values ignored")
                    .actual(refused.excerpt(200));
                    return Exploration::Failures(vec![("create".into(), cx)]);
                }
            };
            let mut findings = ignored(&answer, &on_create, "in the create's answer");
            findings.extend(ignored(&get(env, &id), &on_create, "after create"));
            let all = writes(&judged, |v| v);
            let put = env.probe.send(Outgoing::json(
                Method::PUT,
                &format!("/Users/{id}"),
                body(env, "ro", &all),
            ));
            if put.status() == Some(200) {
                findings.extend(ignored(&get(env, &id), &all, "after PUT"));
            } else {
                let cx = Counterexample::new(
                    "a PUT carrying read-only values is refused instead of ignoring them",
                    &put,
                )
                .expected("200, the read-only values ignored")
                .actual(put.excerpt(200));
                findings.push(("PUT".into(), cx));
            }
            Exploration::from_findings(findings)
        },
    )
}

/// A finding for each read-only value an answer shows as stored.
fn ignored(exchange: &Exchange, sent: &[(&Declared, Option<Value>)], when: &str) -> Violations {
    let Some(json) = exchange.json() else {
        return vec![];
    };
    sent.iter()
        .filter_map(|(attribute, value)| {
            let value = value.as_ref()?;
            if !values::holds(attribute, value, attribute.value_in(json)) {
                return None;
            }
            let cx = Counterexample::new(
                format!(
                    "read-only `{}` ({}) took the value a client sent, {when}",
                    attribute.path(),
                    attribute.describe()
                ),
                exchange,
            )
            .expected(format!("not {value} (RFC 7644: \"SHALL be ignored\")"))
            .actual(shown(attribute, exchange));
            Some((format!("`{}` {when}", attribute.path()), cx))
        })
        .collect()
}

/// `schema.immutable`.
pub fn immutable(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        let judged = a.mutability == "immutable" && written_and_read(a);
        let values = || {
            Some((
                values::value(a, 0, &env.stem)?,
                values::value(a, 1, &env.stem)?,
            ))
        };
        judged.then(values).flatten()
    };
    over(env, "no immutable attribute", pick, |judged| {
        let first = writes(&judged, |(v, _)| v);
        let id = match create_with(env, "fixed", &first) {
            Ok(id) => id,
            Err(findings) => return Exploration::Failures(findings),
        };
        let path = format!("/Users/{id}");
        // The PUT's status is a SHOULD (400 `mutability`, RFC 7644 §3.5.1);
        // that the value stays is what §2.2 requires.
        let changed = writes(&judged, |(_, v)| v);
        env.probe.send(Outgoing::json(
            Method::PUT,
            &path,
            body(env, "fixed", &changed),
        ));
        let mut findings = compare(env, &id, &first, "after a PUT that tried to change it");
        if env.profile.supports("patch.replace") {
            for (attribute, (_, other)) in &judged {
                let patch = serde_json::json!({
                    "schemas": [crate::scim::urn::PATCH_OP],
                    "Operations": [{"op": "replace", "path": attribute.path(), "value": other}],
                });
                let answer = env.probe.send(Outgoing::json(Method::PATCH, &path, patch));
                if !answer.status().is_some_and(|s| (400..500).contains(&s)) {
                    let cx = Counterexample::new(
                        format!(
                            "a PATCH replacing immutable `{}` ({}) is not refused",
                            attribute.path(),
                            attribute.describe()
                        ),
                        &answer,
                    )
                    .expected("a 4xx error (RFC 7644 §3.5.2: \"SHALL return the appropriate HTTP response status code\")")
                    .actual(answer.excerpt(200));
                    findings.push((format!("PATCH `{}`", attribute.path()), cx));
                }
            }
            findings.extend(compare(
                env,
                &id,
                &first,
                "after a PATCH that tried to change it",
            ));
        }
        Exploration::from_findings(findings)
    })
}

/// `schema.required`.
pub fn required(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        let claimed = env.profile.supports(&format!("attr.required.{}", a.path()));
        let elsewhere = claimed && JUDGED_ELSEWHERE.contains(&a.path().as_str());
        (a.required && !elsewhere).then_some(())
    };
    let nothing = "no required attribute that another case does not judge";
    over(env, nothing, pick, |judged| {
        let requests = judged
            .iter()
            .enumerate()
            .map(|(i, (a, _))| {
                let without = body(env, &format!("req{i}"), &[(a, None)]);
                Outgoing::json(Method::POST, "/Users", without)
            })
            .collect();
        let findings = judged
            .iter()
            .zip(env.probe.send_all(requests))
            .filter(|(_, answer)| answer.status() != Some(400))
            .map(|((attribute, _), answer)| {
                let cx = Counterexample::new(
                    format!(
                        "a create without required `{}` ({}) is not refused",
                        attribute.path(),
                        attribute.describe()
                    ),
                    &answer,
                )
                .expected("400 invalidValue")
                .actual(answer.excerpt(200));
                (format!("create without `{}`", attribute.path()), cx)
            })
            .collect();
        Exploration::from_findings(findings)
    })
}

#[cfg(test)]
mod tests {
    use super::declared::Declared;
    use super::values;
    use serde_json::json;

    #[test]
    fn generated_values_fit_their_declaration_and_compare_by_type() {
        let issued = Declared::parse(None, &json!({"name": "issued", "type": "dateTime"})).unwrap();
        let value = values::value(&issued, 0, "s").unwrap();
        assert!(values::holds(
            &issued,
            &value,
            Some(&json!("2026-01-02T03:04:05.000+00:00"))
        ));
        assert!(!values::holds(
            &issued,
            &value,
            Some(&json!("2026-01-02T03:04:06Z"))
        ));
        let phones = Declared::parse(
            None,
            &json!({"name": "phoneNumbers", "type": "complex", "multiValued": true, "subAttributes": [
                {"name": "value", "type": "string"}, {"name": "type", "type": "string", "canonicalValues": ["work"]},
                {"name": "primary", "type": "boolean"}]}),
        )
        .unwrap();
        let sent = values::value(&phones, 0, "s").unwrap();
        let mut got = sent.clone();
        got[0]["display"] = json!("extra sub-attributes are fine");
        assert!(values::holds(&phones, &sent, Some(&got)));
        got[0].as_object_mut().unwrap().remove("type");
        assert!(!values::holds(&phones, &sent, Some(&got)));
        let manager = Declared::parse(
            None,
            &json!({"name": "manager", "type": "complex", "subAttributes": [
                {"name": "value", "type": "string"}, {"name": "$ref", "type": "reference", "referenceTypes": ["User"]}]}),
        )
        .unwrap();
        assert!(
            values::value(&manager, 0, "s").is_none(),
            "a reference to a User cannot be made up"
        );
    }
}
