//! Discovery in depth (RFC 7644 §4, RFC 7643 §7), generated from what the
//! target lists:
//!
//! - `discovery.by-id`: each schema of `/Schemas` and each resource type of
//!   `/ResourceTypes` is served alone at `/Schemas/{id}` and
//!   `/ResourceTypes/{id}` ("Individual schema definitions can be returned
//!   by appending the schema URI"), and is the same document;
//! - `discovery.definitions`: every attribute definition of `/Schemas`
//!   carries what RFC 7643 §7 requires of it: a `name`, a `type` among the
//!   defined ones, a boolean `multiValued` (REQUIRED in the schema of
//!   schemas, §8.7.2), and valid keywords for the characteristics it gives.

use serde_json::Value;

use crate::client::{Exchange, Outgoing, percent_encode};
use crate::run::property::{Counterexample, Env, Exploration, Violations};

/// The documents a discovery list holds, or why it holds none.
fn listed(env: &Env, path: &str) -> Result<(Exchange, Vec<Value>), Counterexample> {
    let exchange = env.probe.send(Outgoing::get(path, &[]));
    let resources = exchange
        .json()
        .filter(|_| exchange.status() == Some(200))
        .and_then(crate::scim::list::ListPage::read)
        .map(|page| page.resources.to_vec());
    match resources {
        Some(resources) => Ok((exchange, resources)),
        None => Err(
            Counterexample::new(format!("GET {path} is not a ListResponse"), &exchange)
                .expected("200 with `Resources` (RFC 7644 §4: ListResponse format)")
                .actual(exchange.excerpt(200)),
        ),
    }
}

/// A document as compared: `meta.location` may be relative in one place
/// and absolute in another.
fn comparable(document: &Value) -> Value {
    let mut out = document.clone();
    if let Some(meta) = out.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("location");
    }
    out
}

/// `discovery.by-id`.
pub fn by_id(env: &Env) -> Exploration {
    let mut endpoints = Vec::new();
    if env.profile.discovery.schemas {
        endpoints.push("/Schemas");
    }
    if env.profile.discovery.resource_types {
        endpoints.push("/ResourceTypes");
    }
    if endpoints.is_empty() {
        return Exploration::Skipped(format!(
            "profile {} serves neither /Schemas nor /ResourceTypes",
            env.profile.name
        ));
    }
    let mut findings = Violations::new();
    for endpoint in endpoints {
        let (_, documents) = match listed(env, endpoint) {
            Ok(listed) => listed,
            Err(cx) => {
                findings.push((format!("GET {endpoint}"), cx));
                continue;
            }
        };
        let ids: Vec<String> = documents
            .iter()
            .filter_map(|d| d["id"].as_str().map(str::to_string))
            .collect();
        let requests = ids
            .iter()
            .map(|id| Outgoing::get(&format!("{endpoint}/{}", percent_encode(id)), &[]))
            .collect();
        for ((id, document), answer) in ids.iter().zip(&documents).zip(env.probe.send_all(requests))
        {
            let same = answer.status() == Some(200)
                && answer.json().map(comparable) == Some(comparable(document));
            if !same {
                let cx = Counterexample::new(
                    format!("GET {endpoint}/{id} does not answer the document {endpoint} lists"),
                    &answer,
                )
                .expected(format!(
                    "200 with {}",
                    crate::client::excerpt(&document.to_string(), 200)
                ))
                .actual(answer.excerpt(200));
                findings.push((format!("{endpoint}/{id}"), cx));
            }
        }
    }
    Exploration::from_findings(findings)
}

/// The data types of RFC 7643 §2.3 (and §7's list).
const TYPES: &[&str] = &[
    "string",
    "boolean",
    "decimal",
    "integer",
    "dateTime",
    "binary",
    "reference",
    "complex",
];

/// What is wrong with one attribute definition, if anything.
fn defects(definition: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    if !definition["name"].is_string() {
        wrong.push("no string `name`".to_string());
    }
    match definition["type"].as_str() {
        Some(t) if TYPES.contains(&t) => {}
        Some(t) => wrong.push(format!("`type` {t:?} is not one of {}", TYPES.join(", "))),
        None => wrong.push("no `type`".into()),
    }
    if !definition["multiValued"].is_boolean() {
        wrong.push("no boolean `multiValued`".into());
    }
    for (key, allowed) in [
        (
            "mutability",
            &["readOnly", "readWrite", "immutable", "writeOnly"][..],
        ),
        ("returned", &["always", "never", "default", "request"][..]),
        ("uniqueness", &["none", "server", "global"][..]),
    ] {
        match &definition[key] {
            Value::Null => {}
            Value::String(k) if allowed.contains(&k.as_str()) => {}
            other => wrong.push(format!(
                "`{key}` {other} is not one of {}",
                allowed.join(", ")
            )),
        }
    }
    for key in ["required", "caseExact"] {
        if !definition[key].is_null() && !definition[key].is_boolean() {
            wrong.push(format!("`{key}` {} is not a boolean", definition[key]));
        }
    }
    wrong
}

/// `discovery.definitions`.
pub fn definitions(env: &Env) -> Exploration {
    if !env.profile.discovery.schemas {
        return Exploration::Skipped(format!("profile {} serves no /Schemas", env.profile.name));
    }
    let (exchange, schemas) = match listed(env, "/Schemas") {
        Ok(listed) => listed,
        Err(cx) => return Exploration::Failures(vec![("GET /Schemas".into(), cx)]),
    };
    let mut findings = Violations::new();
    for schema in &schemas {
        let id = schema["id"].as_str().unwrap_or("?");
        let mut stack: Vec<(String, &Value)> = schema["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (String::new(), a))
            .collect();
        while let Some((parent, definition)) = stack.pop() {
            let name = format!("{parent}{}", definition["name"].as_str().unwrap_or("?"));
            let wrong = defects(definition);
            if !wrong.is_empty() {
                let cx = Counterexample::new(
                    format!(
                        "the definition of `{name}` in {id} is incomplete: {}",
                        wrong.join("; ")
                    ),
                    &exchange,
                )
                .expected("name, type and multiValued (RFC 7643 §7, §8.7.2), valid keywords")
                .actual(crate::client::excerpt(&definition.to_string(), 300));
                findings.push((format!("{id} `{name}`"), cx));
            }
            stack.extend(
                definition["subAttributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| (format!("{name}."), s)),
            );
        }
    }
    Exploration::from_findings(findings)
}
