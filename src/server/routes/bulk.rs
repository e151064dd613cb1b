//! `POST /Bulk` (RFC 7644 §3.7): the operations of a BulkRequest, each
//! done as its own request would be, one result per operation in the
//! request's order. A `bulkId:` reference in an operation's path or data is
//! replaced by the id of the resource its operation created (§3.7.2),
//! running that operation first where it comes later; references that
//! cannot be resolved (a cycle, an unknown bulkId) fail with 409 (§3.7.1).
//! The limits the ServiceProviderConfig declares are enforced with 413
//! (§3.7.4); `failOnErrors` stops the job after that many errors (§3.7.3).

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::resources::{json_body, location};
use super::{Answer, Shared, authorize, respond};
use crate::scim::{ResourceType, ScimError, ScimType, urn};
use crate::server::store::Store;

pub async fn bulk(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let size = body.as_ref().map_or(0, Bytes::len);
        let request = json_body(body)?;
        let mut store = state.write();
        let Some(limits) = store.profile().features.bulk else {
            return Err(ScimError::new(
                501,
                None,
                "this server does not support Bulk",
            ));
        };
        if !urn::declares(&request, urn::BULK_REQUEST) {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                format!("a Bulk body must carry the schema `{}`", urn::BULK_REQUEST),
            ));
        }
        let operations = request["Operations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if store.faults.enforces_bulk_limits() {
            if operations.len() > limits.max_operations {
                return Err(ScimError::new(
                    413,
                    None,
                    format!(
                        "maxOperations: {} operations, at most {}",
                        operations.len(),
                        limits.max_operations
                    ),
                ));
            }
            if size > limits.max_payload_size {
                return Err(ScimError::new(
                    413,
                    None,
                    format!(
                        "maxPayloadSize: {size} bytes, at most {}",
                        limits.max_payload_size
                    ),
                ));
            }
        }
        let fail_on_errors = request["failOnErrors"]
            .as_u64()
            .filter(|_| store.faults.honours_fail_on_errors());
        let mut job = Job {
            operations,
            results: vec![],
            created: Map::new(),
            errors: 0,
            fail_on_errors,
        };
        job.run(&mut store, &headers);
        let mut results: Vec<Value> = job.results.into_iter().flatten().collect();
        store.faults.bulk_results(&mut results);
        Ok(Answer::ok(json!({
            "schemas": [urn::BULK_RESPONSE],
            "Operations": results,
        })))
    })();
    respond(&state, result)
}

/// One Bulk job in progress.
struct Job {
    operations: Vec<Value>,
    /// The result of each operation, by its index (`None`: not run).
    results: Vec<Option<Value>>,
    /// bulkId → the id of the resource its POST created.
    created: Map<String, Value>,
    errors: u64,
    fail_on_errors: Option<u64>,
}

impl Job {
    fn run(&mut self, store: &mut Store, headers: &HeaderMap) {
        self.results = vec![None; self.operations.len()];
        for index in 0..self.operations.len() {
            if self.stopped() {
                break;
            }
            self.perform(index, store, headers, &mut vec![]);
        }
    }

    fn stopped(&self) -> bool {
        self.fail_on_errors
            .is_some_and(|limit| self.errors >= limit)
    }

    /// Runs operation `index` unless it ran; `resolving` holds the
    /// operations waiting on it (a cycle when it is among them).
    fn perform(
        &mut self,
        index: usize,
        store: &mut Store,
        headers: &HeaderMap,
        resolving: &mut Vec<usize>,
    ) {
        if self.results[index].is_some() || self.stopped() {
            return;
        }
        let operation = self.operations[index].clone();
        let method = operation["method"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let bulk_id = operation["bulkId"].as_str().map(str::to_string);
        // Run what this operation refers to first.
        resolving.push(index);
        let mut unresolved = None;
        for reference in references(&operation) {
            if self.created.contains_key(&reference) {
                continue;
            }
            let target = self
                .operations
                .iter()
                .position(|o| o["bulkId"].as_str() == Some(reference.as_str()));
            match target {
                Some(t) if !resolving.contains(&t) => self.perform(t, store, headers, resolving),
                _ => {}
            }
            if !self.created.contains_key(&reference) {
                unresolved = Some(reference);
            }
        }
        resolving.pop();
        let outcome = match unresolved {
            Some(reference) if store.faults.resolves_bulk_ids() => Err(ScimError::new(
                409,
                None,
                format!(
                    "bulkId `{reference}` cannot be resolved (unknown, failed, or a circular reference)"
                ),
            )),
            _ => {
                let operation = if store.faults.resolves_bulk_ids() {
                    substitute(&operation, &self.created)
                } else {
                    operation.clone()
                };
                execute(store, &method, &operation)
            }
        };
        let mut result = Map::new();
        result.insert("method".into(), json!(method));
        if let Some(id) = &bulk_id {
            result.insert("bulkId".into(), json!(id));
        }
        match outcome {
            Ok((status, kind, resource)) => {
                if let Some(resource) = resource {
                    let id = resource["id"].as_str().unwrap_or_default().to_string();
                    result.insert("location".into(), json!(location(headers, kind, &id)));
                    if let Some(version) = resource["meta"]["version"].as_str() {
                        result.insert("version".into(), json!(version));
                    }
                    if let (Some(bulk_id), "POST") = (&bulk_id, method.as_str()) {
                        self.created.insert(bulk_id.clone(), json!(id));
                    }
                }
                result.insert("status".into(), json!(status.to_string()));
            }
            Err(error) => {
                self.errors += 1;
                result.insert("status".into(), json!(error.status.to_string()));
                result.insert("response".into(), error.to_json());
            }
        }
        self.results[index] = Some(Value::Object(result));
    }
}

/// The bulkIds an operation refers to (`bulkId:x` in its path or data).
fn references(operation: &Value) -> Vec<String> {
    let mut found = Vec::new();
    collect(&operation["path"], &mut found);
    collect(&operation["data"], &mut found);
    found
}

fn collect(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(at) = s.find("bulkId:") {
                let id: String = s[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                    .collect();
                if !found.contains(&id) {
                    found.push(id);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, found)),
        Value::Object(fields) => fields.values().for_each(|v| collect(v, found)),
        _ => {}
    }
}

/// The operation with every `bulkId:x` replaced by the id `x` created.
fn substitute(value: &Value, created: &Map<String, Value>) -> Value {
    match value {
        Value::String(s) => {
            let mut out = s.clone();
            for (bulk_id, id) in created {
                out = out.replace(
                    &format!("bulkId:{bulk_id}"),
                    id.as_str().unwrap_or_default(),
                );
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, created)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), substitute(v, created)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One operation against the store: the status, the resource type it
/// addressed and the resource it left.
fn execute(
    store: &mut Store,
    method: &str,
    operation: &Value,
) -> Result<(u16, ResourceType, Option<Value>), ScimError> {
    let path = operation["path"].as_str().unwrap_or_default();
    let Some((resource, id)) = ResourceType::of_path(path).filter(|(r, _)| store.hosts(*r)) else {
        return Err(ScimError::bad(
            ScimType::InvalidPath,
            format!("`{path}` is not a resource endpoint"),
        ));
    };
    let data = &operation["data"];
    let version = operation["version"].as_str();
    if let (Some(id), Some(version)) = (&id, version) {
        let stored = store.get(resource, id)?;
        let current = stored["meta"]["version"].as_str().unwrap_or_default();
        if current.trim_start_matches("W/") != version.trim_start_matches("W/") {
            return Err(ScimError::new(
                412,
                None,
                "the resource has changed since that version",
            ));
        }
    }
    match (method, id) {
        ("POST", None) => store
            .create(resource, data)
            .map(|r| (201, resource, Some(r))),
        ("PUT", Some(id)) => store
            .replace(resource, &id, data)
            .map(|r| (200, resource, Some(r))),
        ("PATCH", Some(id)) => store
            .patch(resource, &id, data)
            .map(|r| (200, resource, Some(r))),
        ("DELETE", Some(id)) => store.delete(resource, &id).map(|()| (204, resource, None)),
        _ => Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("`{method} {path}` is not a Bulk operation"),
        )),
    }
}
