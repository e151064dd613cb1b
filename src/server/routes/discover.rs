//! The discovery endpoints (RFC 7644 §4): `/Schemas`, `/Schemas/{id}`,
//! `/ServiceProviderConfig`, `/ResourceTypes`, `/ResourceTypes/{id}`,
//! each served where the profile has it; and `/Me` (§3.11), which a server
//! without it answers 501.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::{Answer, Shared, authorize, respond};
use crate::scim::ScimError;
use crate::server::discovery;
use crate::server::store::Store;

/// Runs a discovery handler when the profile has the endpoint.
pub fn discover(
    state: &Shared,
    headers: &HeaderMap,
    enabled: impl Fn(&Store) -> bool,
    body: impl Fn(&Store) -> Option<Value>,
) -> Response {
    let result = (|| {
        authorize(state, headers)?;
        let store = state.read();
        if !enabled(&store) {
            return Err(ScimError::not_found("this endpoint is not supported"));
        }
        body(&store)
            .map(Answer::ok)
            .ok_or_else(|| ScimError::not_found("no such resource"))
    })();
    respond(state, result)
}

fn schemas_served(store: &Store) -> bool {
    store.profile().discovery.schemas && store.faults.schemas()
}

pub async fn schemas(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(&state, &headers, schemas_served, |s| {
        Some(discovery::list(discovery::schemas(s)))
    })
}

pub async fn schema(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    discover(&state, &headers, schemas_served, |s| {
        discovery::schemas(s)
            .into_iter()
            .find(|x| {
                x["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&id))
            })
            .map(|x| s.faults.schema_by_id(x))
    })
}

pub async fn service_provider_config(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.service_provider_config,
        |s| {
            let config = s
                .faults
                .service_provider_config(discovery::service_provider_config(s.profile()));
            Some(
                s.faults
                    .interop_config(config, s.profile().features.interop),
            )
        },
    )
}

pub async fn resource_types(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.resource_types,
        |s| {
            let types = s.faults.resource_type_ids(discovery::resource_types(s));
            Some(if s.faults.lists_resource_types() {
                discovery::list(types)
            } else {
                Value::Array(types)
            })
        },
    )
}

pub async fn resource_type(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.resource_types,
        |s| {
            s.faults
                .resource_type_ids(discovery::resource_types(s))
                .into_iter()
                .find(|x| x["id"] == id.as_str())
        },
    )
}

/// `/Me`, any method: 501 (RFC 7644 §3.11: "If the service provider
/// does not support the "/Me" authentication alias, it SHALL return HTTP
/// status code 501 (Not Implemented)" — this server authenticates a token,
/// not a user).
pub async fn me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let result = authorize(&state, &headers).and_then(|()| {
        let status = state.read().faults.me_status();
        Err(ScimError::new(
            status,
            None,
            "/Me is not supported: the token names no user",
        ))
    });
    respond(&state, result)
}
