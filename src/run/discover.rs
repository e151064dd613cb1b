//! Discovery for the `auto` profile: the target's discovery documents, and
//! probes of what it really does — a filter of each operator, logical
//! operator and attribute the suite uses (all selecting nobody), and, unless
//! the run is read-only, each PATCH op on a user created for the purpose
//! (read back with a GET, then deleted). Where `ServiceProviderConfig`
//! claims otherwise than the probes show, a [`Contradiction`] says so; the
//! profile follows the behaviour.

use serde_json::{Value, json};

use super::batch::send_all;
use super::property::population::{Person, quote, user_body};
use super::vars::RunId;
use crate::case::Method;
use crate::client::{Body, Client, Exchange, Outgoing, percent_encode};
use crate::profile::FilterSupport;
use crate::profile::auto::{Documents, Observed};
use crate::result::Contradiction;
use crate::scim::{ResourceType, urn};

/// What discovery found.
pub struct Discovered {
    pub documents: Documents,
    pub observed: Observed,
    pub contradictions: Vec<Contradiction>,
}

/// The filter probes: what each one shows, and the filter (`{v}` a quoted
/// value nobody has).
const FILTER_PROBES: &[(Feature, &str)] = &[
    (Feature::Operator("eq"), "userName eq {v}"),
    (Feature::Operator("ne"), "userName ne {v}"),
    (Feature::Operator("co"), "userName co {v}"),
    (Feature::Operator("sw"), "userName sw {v}"),
    (Feature::Operator("ew"), "userName ew {v}"),
    (Feature::Operator("gt"), "userName gt {v}"),
    (Feature::Operator("ge"), "userName ge {v}"),
    (Feature::Operator("lt"), "userName lt {v}"),
    (Feature::Operator("le"), "userName le {v}"),
    (Feature::Operator("pr"), "userName pr"),
    (
        Feature::Logical("and"),
        "userName eq {v} and userName eq {v}",
    ),
    (Feature::Logical("or"), "userName eq {v} or userName eq {v}"),
    (Feature::Logical("not"), "not (userName eq {v})"),
    (Feature::Complex, "emails[value eq {v}]"),
    (Feature::Attribute("displayName"), "displayName eq {v}"),
    (
        Feature::Attribute("name.givenName"),
        "name.givenName eq {v}",
    ),
    (
        Feature::Attribute("name.familyName"),
        "name.familyName eq {v}",
    ),
    (Feature::Attribute("emails.value"), "emails.value eq {v}"),
    (Feature::Attribute("emails"), "emails eq {v}"),
    (Feature::Attribute("title"), "title eq {v}"),
    (Feature::Attribute("externalId"), "externalId eq {v}"),
    (Feature::Attribute("active"), "active eq true"),
    // An extension's attribute, behind its URN (RFC 7644 §3.10), where
    // /Schemas declares it.
    (
        Feature::Attribute(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        ),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq {v}",
    ),
];

#[derive(Debug, Clone, Copy)]
enum Feature {
    Operator(&'static str),
    Logical(&'static str),
    Complex,
    Attribute(&'static str),
}

/// Fetches the documents and probes the behaviour.
pub async fn discover(client: &Client, run: &RunId, read_only: bool) -> Discovered {
    let client = client.scoped("discovery");
    let paths = [
        "/ServiceProviderConfig",
        "/Schemas",
        "/ResourceTypes",
        "/Me",
    ];
    let answers = send_all(
        &client,
        paths.iter().map(|p| Outgoing::get(p, &[])).collect(),
    )
    .await;
    let json = |i: usize| -> Option<Value> {
        let response = answers[i]
            .response
            .as_ref()
            .ok()
            .filter(|r| r.status == 200)?;
        response.json.clone()
    };
    let documents = Documents {
        service_provider_config: json(0),
        schemas: json(1),
        resource_types: json(2),
    };
    // RFC 7644 §3.11: a server without /Me answers 501.
    let me = answers[3]
        .status()
        .map(|status| status != 501 && status < 500);
    let mut contradictions = Vec::new();
    let (filter, eq) = probe_filters(&client, run, &documents).await;
    if let Some(claim) = documents.claims("filter") {
        let works = !filter.operators.is_empty();
        if claim != works {
            contradictions.push(Contradiction {
                claim: format!("ServiceProviderConfig filter.supported: {claim}"),
                observed: match eq.response.as_ref().ok() {
                    Some(r) if works => {
                        format!("`userName eq` answered {} with a ListResponse", r.status)
                    }
                    Some(r) => format!("`userName eq` answered {}, not a ListResponse", r.status),
                    None => "`userName eq` got no answer".into(),
                },
                exchange: Some(eq),
            });
        }
    }
    let patch = match read_only {
        true => None,
        false => probe_patch(&client, run).await,
    };
    // A search sends a query in a POST body: not in a read-only run.
    let search = match read_only {
        true => None,
        false => Some(probe_search(&client, run).await),
    };
    if let (Some((ops, evidence)), Some(claim)) = (&patch, documents.claims("patch"))
        && claim == ops.is_empty()
    {
        contradictions.push(Contradiction {
            claim: format!("ServiceProviderConfig patch.supported: {claim}"),
            observed: match ops.is_empty() {
                true => "no PATCH op (add, remove, replace) was applied".into(),
                false => format!(
                    "PATCH {} was applied (read back with a GET)",
                    ops.join(", ")
                ),
            },
            exchange: evidence.clone(),
        });
    }
    Discovered {
        documents,
        observed: Observed {
            filter: Some(filter),
            patch: patch.map(|(ops, _)| ops),
            search,
            me,
        },
        contradictions,
    }
}

/// Whether an answer is a ListResponse: the filter was understood.
fn listed(exchange: &Exchange) -> bool {
    exchange.status() == Some(200)
        && exchange
            .json()
            .is_some_and(|j| urn::declares(j, urn::LIST_RESPONSE))
}

/// The filter probes worth sending: an attribute `/Schemas` does not declare
/// is not the target's (a 400 for it would be right), so it is neither
/// probed nor claimed. `externalId` is common to every resource (RFC 7643
/// §3.1), which a schema's list may leave out: always probed.
fn probes(declared: Option<&[String]>) -> impl Iterator<Item = (Feature, &'static str)> {
    FILTER_PROBES
        .iter()
        .copied()
        .filter(move |(feature, _)| match (feature, declared) {
            (Feature::Attribute(name), Some(list)) => {
                let name = name.to_ascii_lowercase();
                name == "externalid"
                    || list.iter().any(|d| {
                        let d = d.to_ascii_lowercase();
                        name == d || name.starts_with(&format!("{d}."))
                    })
            }
            _ => true,
        })
}

/// Sends every filter probe (at once, a page of one each); the filter
/// features they show, and the `userName eq` probe's exchange.
async fn probe_filters(
    client: &Client,
    run: &RunId,
    documents: &Documents,
) -> (FilterSupport, Exchange) {
    let nobody = quote(&format!("{}-probe-nobody@example.com", run.prefix()));
    let probes: Vec<(Feature, String)> = probes(documents.declared().as_deref())
        .map(|(feature, template)| (feature, template.replace("{v}", &nobody)))
        .collect();
    let requests = probes
        .iter()
        .map(|(_, filter)| Outgoing::get("/Users", &[("filter", filter), ("count", "1")]))
        .collect();
    let answers = send_all(client, requests).await;
    let mut seen = FilterSupport {
        operators: vec![],
        attributes: vec![],
        logical: vec![],
        complex: false,
    };
    let eq = answers[0].clone();
    if !listed(&eq) {
        return (seen, eq);
    }
    seen.attributes.push("userName".into());
    for ((feature, _), answer) in probes.iter().zip(&answers) {
        if !listed(answer) {
            continue;
        }
        match feature {
            Feature::Operator(op) => seen.operators.push(op.to_string()),
            Feature::Logical(op) => seen.logical.push(op.to_string()),
            Feature::Complex => seen.complex = true,
            Feature::Attribute(name) => seen.attributes.push(name.to_string()),
        }
    }
    (seen, eq)
}

/// Whether `POST /Users/.search` answers a query with a ListResponse.
async fn probe_search(client: &Client, run: &RunId) -> bool {
    let nobody = format!("{}-probe-nobody@example.com", run.prefix());
    let body = json!({
        "schemas": [urn::SEARCH_REQUEST],
        "filter": format!("userName eq {}", quote(&nobody)),
        "count": 1,
    });
    let answer = client
        .send(Outgoing::json(Method::POST, "/Users/.search", body))
        .await;
    listed(&answer)
}

/// Creates a user, tries each PATCH op on it (each read back with a GET),
/// deletes it; the ops applied, and an exchange to show. `None` when the
/// user could not even be created.
async fn probe_patch(client: &Client, run: &RunId) -> Option<(Vec<String>, Option<Exchange>)> {
    let stem = run.stem("discovery");
    let person = Person {
        given: "Probe".into(),
        family: "Patch".into(),
        word: "probe".into(),
    };
    let body = user_body(
        &format!("{stem}-probe@example.com"),
        &person,
        &format!("{stem}-probe"),
    );
    let created = client
        .send(Outgoing {
            method: Method::POST,
            path: "/Users".into(),
            body: Some(Body::Json(body)),
            ..Outgoing::get("", &[])
        })
        .await;
    let id = created
        .json()
        .and_then(|j| j.get("id"))
        .and_then(Value::as_str)?
        .to_string();
    let path = format!("/Users/{}", percent_encode(&id));
    let patch = |operation: Value| Outgoing {
        method: Method::PATCH,
        path: path.clone(),
        body: Some(Body::Json(
            json!({"schemas": [urn::PATCH_OP], "Operations": [operation]}),
        )),
        ..Outgoing::get("", &[])
    };
    // An op, then a GET: is `attribute` now `expected`?
    let attempt = |operation: Value, attribute: &'static str, expected: Option<&'static str>| {
        let (client, out, read) = (client.clone(), patch(operation), Outgoing::get(&path, &[]));
        async move {
            let patched = client.send(out).await;
            let now = client.send(read).await;
            let value = now
                .json()
                .and_then(|j| j.get(attribute))
                .and_then(Value::as_str);
            (
                patched.status().is_some_and(|s| s < 300) && value == expected,
                patched,
            )
        }
    };
    let (mut applied, mut first_applied, mut first_refused) = (Vec::new(), None, None);
    let mut record = |op: &str, (worked, exchange): (bool, Exchange)| {
        if worked {
            applied.push(op.to_string());
            first_applied.get_or_insert(exchange);
        } else {
            first_refused.get_or_insert(exchange);
        }
        worked
    };
    record(
        "replace",
        attempt(
            json!({"op": "replace", "path": "displayName", "value": "Probe Replaced"}),
            "displayName",
            Some("Probe Replaced"),
        )
        .await,
    );
    let mut titled = record(
        "add",
        attempt(
            json!({"op": "add", "path": "title", "value": "Probe Added"}),
            "title",
            Some("Probe Added"),
        )
        .await,
    );
    if !titled {
        // `remove` needs something to remove: a title, set another way.
        titled = attempt(
            json!({"op": "replace", "path": "title", "value": "Probe Set"}),
            "title",
            Some("Probe Set"),
        )
        .await
        .0;
    }
    if titled {
        record(
            "remove",
            attempt(json!({"op": "remove", "path": "title"}), "title", None).await,
        );
    }
    client.send(Outgoing::delete(ResourceType::User, &id)).await;
    applied.sort();
    let evidence = if applied.is_empty() {
        first_refused
    } else {
        first_applied
    };
    Some((applied, evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(declared: Option<&[String]>) -> Vec<&'static str> {
        probes(declared)
            .filter_map(|(feature, _)| match feature {
                Feature::Attribute(name) => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_declared_attributes_are_probed() {
        let declared = ["userName".to_string(), "name".to_string()];
        assert_eq!(
            attributes(Some(&declared)),
            ["name.givenName", "name.familyName", "externalId"]
        );
        // No schema: every attribute the suite uses is probed.
        assert!(attributes(None).contains(&"title"));
        // An extension's where /Schemas declares it, behind its URN.
        let enterprise =
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber";
        let with_extension = [declared[0].clone(), enterprise.to_string()];
        assert_eq!(
            attributes(Some(&with_extension)),
            ["externalId", enterprise]
        );
        // Operators are probed whatever the schema declares.
        assert_eq!(probes(Some(&declared)).count(), 14 + 3);
    }
}
