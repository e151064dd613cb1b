//! `bulk.limits` (RFC 7644 §3.7.4): a Bulk job with one operation more than
//! the declared `maxOperations`, and one larger than `maxPayloadSize`, is
//! 413 with a SCIM Error that names the limit exceeded ("The returned
//! response MUST specify the limit exceeded in the body of the error
//! response"). The jobs hold only DELETEs of ids the run named and never
//! created: a server that ran them anyway would change nothing.

use serde_json::{Value, json};

use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::run::property::{Counterexample, Env, Exploration, Violations};
use crate::scim::urn;

/// The largest job this check sends (bytes): a larger declared limit is
/// not worth a request that size.
const LARGEST: usize = 4 * 1024 * 1024;

pub fn limits(env: &Env) -> Exploration {
    let (max_operations, max_payload_size) = match declared(env) {
        Some(limits) => limits,
        None => {
            return Exploration::Skipped(
                "the target declares no Bulk limits (ServiceProviderConfig bulk)".into(),
            );
        }
    };
    let delete =
        |k: usize| json!({"method": "DELETE", "path": format!("/Users/{}-nobody-{k}", env.stem)});
    let job =
        |operations: Vec<Value>| json!({"schemas": [urn::BULK_REQUEST], "Operations": operations});
    let mut findings = Violations::new();
    if max_operations < 1000 {
        let body = job((0..=max_operations).map(delete).collect());
        let answer = env.probe.send(Outgoing::json(Method::POST, "/Bulk", body));
        findings.extend(refused(&answer, "maxOperations", max_operations + 1));
    }
    if max_payload_size < LARGEST {
        let padding = "x".repeat(max_payload_size + 1);
        let body = job(vec![json!({
            "method": "DELETE",
            "path": format!("/Users/{}-nobody", env.stem),
            "data": {"padding": padding},
        })]);
        let answer = env.probe.send(Outgoing::json(Method::POST, "/Bulk", body));
        findings.extend(refused(&answer, "maxPayloadSize", max_payload_size + 1));
    }
    Exploration::from_findings(findings)
}

/// maxOperations and maxPayloadSize: the ServiceProviderConfig's, else the profile's.
fn declared(env: &Env) -> Option<(usize, usize)> {
    if env.profile.discovery.service_provider_config {
        let answer = env.probe.send(Outgoing::get("/ServiceProviderConfig", &[]));
        let bulk = answer.json().map(|j| j["bulk"].clone())?;
        let number = |key: &str| bulk[key].as_u64().map(|n| n as usize);
        return Some((number("maxOperations")?, number("maxPayloadSize")?));
    }
    let limits = env.profile.features.bulk?;
    Some((limits.max_operations, limits.max_payload_size))
}

/// A finding unless the answer is 413 with an Error naming `limit`.
fn refused(answer: &Exchange, limit: &str, sent: usize) -> Option<(String, Counterexample)> {
    let json = answer.json();
    let named = json
        .and_then(|j| j["detail"].as_str())
        .is_some_and(|d| d.to_ascii_lowercase().contains(&limit.to_ascii_lowercase()));
    let error = json.is_some_and(|j| urn::declares(j, urn::ERROR));
    if answer.status() == Some(413) && error && named {
        return None;
    }
    let cx = Counterexample::new(
        format!("a Bulk job over {limit} ({sent}) is not refused as RFC 7644 §3.7.4 says"),
        answer,
    )
    .expected(format!("413 with a SCIM Error whose detail names {limit}"))
    .actual(answer.excerpt(200));
    Some((format!("over {limit}"), cx))
}
