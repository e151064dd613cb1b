//! What the schema says comes back, and when: `schema.never-returned`
//! (RFC 7643 §7 "never: The attribute is never returned"; §4.1.1, the
//! password "SHALL NOT be returnable") and `schema.returned-request`
//! (RFC 7643 §7 "request: ... The attribute is returned in a SCIM query
//! operation only if specified in the "attributes" parameter").

use serde_json::Value;

use super::declared::Declared;
use super::{body, create, get, over, values, writes};
use crate::client::Outgoing;
use crate::run::property::{Counterexample, Env, Exploration, Violations, population};

/// `schema.never-returned`.
pub fn never_returned(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        let judged = a.returned == "never" && a.mutability != "readOnly";
        judged.then(|| values::value(a, 0, &env.stem)).flatten()
    };
    over(env, "no attribute that is never returned", pick, |judged| {
        let written = writes(&judged, |v| v);
        let (id, answer) = match create(env, body(env, "never", &written)) {
            Ok(created) => created,
            Err(refused) => {
                let cx = Counterexample::new(
                    "a create with the never-returned attributes is refused",
                    &refused,
                )
                .expected("201")
                .actual(refused.excerpt(200));
                return Exploration::Failures(vec![("create".into(), cx)]);
            }
        };
        let user_name = format!("{}-never@example.com", env.stem);
        let filter = format!("userName eq {}", population::quote(&user_name));
        let listed = env
            .probe
            .send(Outgoing::get("/Users", &[("filter", &filter)]));
        let mut findings = Violations::new();
        for (exchange, when, at) in [
            (&answer, "in the create's answer", None),
            (&get(env, &id), "in a GET", None),
            (&listed, "in a list", Some("/Resources/0")),
        ] {
            let Some(json) = exchange.json() else {
                continue;
            };
            let resource = match at {
                Some(pointer) => json.pointer(pointer).unwrap_or(&Value::Null),
                None => json,
            };
            for (attribute, _) in &judged {
                if let Some(value) = attribute.value_in(resource) {
                    let cx = Counterexample::new(
                        format!(
                            "`{}` ({}) is returned {when}",
                            attribute.path(),
                            attribute.describe()
                        ),
                        exchange,
                    )
                    .expected("absent (RFC 7643 §7: \"never: The attribute is never returned\")")
                    .actual(value.to_string());
                    findings.push((format!("`{}` {when}", attribute.path()), cx));
                }
            }
        }
        Exploration::from_findings(findings)
    })
}

/// `schema.returned-request`.
pub fn returned_request(env: &Env) -> Exploration {
    let pick = |a: &Declared| {
        let judged =
            a.returned == "request" && matches!(a.mutability.as_str(), "readWrite" | "immutable");
        judged.then(|| values::value(a, 0, &env.stem)).flatten()
    };
    over(
        env,
        "no attribute returned only on request",
        pick,
        |judged| {
            let written = writes(&judged, |v| v);
            let id = match create(env, body(env, "asked", &written)) {
                Ok((id, _)) => id,
                Err(refused) => {
                    let cx = Counterexample::new(
                        "a create with the attributes returned on request is refused",
                        &refused,
                    )
                    .expected("201")
                    .actual(refused.excerpt(200));
                    return Exploration::Failures(vec![("create".into(), cx)]);
                }
            };
            let plain = get(env, &id);
            let names: Vec<String> = judged.iter().map(|(a, _)| a.path()).collect();
            let asked = env.probe.send(Outgoing::get(
                &format!("/Users/{id}"),
                &[("attributes", &names.join(","))],
            ));
            let mut findings = Violations::new();
            for (attribute, value) in &judged {
                let path = attribute.path();
                if let Some(shown) = plain.json().and_then(|j| attribute.value_in(j)) {
                    let cx = Counterexample::new(
                        format!(
                            "`{path}` ({}) is returned without being asked for",
                            attribute.describe()
                        ),
                        &plain,
                    )
                    .expected("absent from a GET without attributes=")
                    .actual(shown.to_string());
                    findings.push((format!("`{path}` unasked"), cx));
                }
                let got = asked.json().and_then(|j| attribute.value_in(j));
                if !values::holds(attribute, value, got) {
                    let cx = Counterexample::new(
                        format!(
                            "`{path}` ({}) is not returned when asked for",
                            attribute.describe()
                        ),
                        &asked,
                    )
                    .expected(value.to_string())
                    .actual(got.map_or("absent".into(), Value::to_string));
                    findings.push((format!("`{path}` asked"), cx));
                }
            }
            Exploration::from_findings(findings)
        },
    )
}
