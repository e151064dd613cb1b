//! HTTP routes of the reference server (axum): authentication, request
//! parsing and the SCIM response format. Every answer, errors included, is
//! `application/scim+json` with a SCIM body.

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::discovery;
use super::fault::Fault;
use super::store::{ScimError, Store};
use crate::check::shape::{ERROR_URN, LIST_URN};

/// Where the SCIM service lives on the reference server.
pub const BASE_PATH: &str = "/scim/v2";

pub struct AppState {
    pub store: RwLock<Store>,
    pub token: Option<String>,
}

type Shared = Arc<AppState>;

/// A successful answer: status, extra headers, body.
struct Answer {
    status: StatusCode,
    headers: Vec<(header::HeaderName, String)>,
    body: Option<Value>,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            headers: vec![],
            body: Some(body),
        }
    }
}

pub fn router(state: Shared) -> Router {
    let scim = Router::new()
        .route("/Users", get(list_users).post(create_user))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    Router::new()
        .nest(BASE_PATH, scim)
        .fallback(not_found)
        .with_state(state)
}

/// Turns a handler result into a response, applying the output-side faults.
fn respond(state: &AppState, result: Result<Answer, ScimError>) -> Response {
    let store = state.store.read().expect("store lock");
    let content_type = if store.has(Fault::JsonContentType) {
        "application/json"
    } else {
        "application/scim+json"
    };
    let (status, mut headers, body) = match result {
        Ok(answer) => (answer.status, answer.headers, answer.body),
        Err(mut error) => {
            if error.status == 404 && store.has(Fault::NotFoundIs500) {
                error.status = 500;
            }
            if store.has(Fault::ErrorNotScim) {
                let mut response = (
                    StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
                    error.detail,
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                return response;
            }
            let status_value = if store.has(Fault::ErrorStatusNumber) {
                json!(error.status)
            } else {
                json!(error.status.to_string())
            };
            let mut body =
                json!({"schemas": [ERROR_URN], "status": status_value, "detail": error.detail});
            if let Some(scim_type) = error.scim_type {
                body["scimType"] = json!(scim_type);
            }
            let mut headers = vec![];
            if error.status == 401 {
                headers.push((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"scimcheck\"".to_string(),
                ));
            }
            (
                StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
                headers,
                Some(body),
            )
        }
    };
    headers.push((header::CONTENT_TYPE, content_type.to_string()));
    let mut response = match body {
        Some(body) => (status, body.to_string()).into_response(),
        None => status.into_response(),
    };
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    if status == StatusCode::NO_CONTENT {
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(token) = &state.token else {
        return Ok(());
    };
    let store = state.store.read().expect("store lock");
    if store.has(Fault::NoAuth) {
        return Ok(());
    }
    let any_token = store.has(Fault::AnyTokenAccepted);
    drop(store);
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let presented = sent
        .strip_prefix("Bearer ")
        .or_else(|| sent.strip_prefix("bearer "));
    if presented == Some(token.as_str()) || (any_token && presented.is_some_and(|t| !t.is_empty()))
    {
        Ok(())
    } else {
        Err(ScimError::new(
            401,
            None,
            "a valid bearer token is required",
        ))
    }
}

/// The absolute URL of a resource, from the Host the client used.
fn location(headers: &HeaderMap, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{BASE_PATH}/Users/{id}")
}

fn json_body(bytes: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ScimError::new(
            400,
            Some("invalidSyntax"),
            format!("the body is not valid JSON: {e}"),
        )
    })
}

fn user_answer(store: &Store, headers: &HeaderMap, user: &Value, status: StatusCode) -> Answer {
    let id = user["id"].as_str().unwrap_or_default();
    let location = location(headers, id);
    let mut extra = vec![];
    if let Some(version) = user["meta"]["version"].as_str() {
        extra.push((header::ETAG, version.to_string()));
    }
    if status == StatusCode::CREATED && !store.has(Fault::CreateNoLocation) {
        extra.push((header::LOCATION, location.clone()));
    }
    let status = if status == StatusCode::CREATED && store.has(Fault::CreateReturns200) {
        StatusCode::OK
    } else {
        status
    };
    Answer {
        status,
        headers: extra,
        body: Some(store.present(user, &location)),
    }
}

async fn list_users(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let (mut filter, mut start, mut count) = (None, None, None);
        for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let number = |v: &str| {
                v.trim().parse::<i64>().map_err(|_| {
                    ScimError::new(
                        400,
                        Some("invalidValue"),
                        format!("`{name}` must be an integer, got `{v}`"),
                    )
                })
            };
            match name.to_ascii_lowercase().as_str() {
                "filter" => filter = Some(value.into_owned()),
                "startindex" => start = Some(number(&value)?),
                "count" => count = Some(number(&value)?),
                _ => {}
            }
        }
        let store = state.store.read().expect("store lock");
        let page = store.list(filter.as_deref(), start, count)?;
        let items = if store.has(Fault::ItemsPerPageWrong) {
            count.unwrap_or(0).max(0) as usize + 1
        } else {
            page.resources.len()
        };
        let resources: Vec<Value> = page
            .resources
            .iter()
            .map(|u| store.present(u, &location(&headers, u["id"].as_str().unwrap_or_default())))
            .collect();
        Ok(Answer::ok(json!({
            "schemas": [LIST_URN],
            "totalResults": page.total,
            "startIndex": page.start_index,
            "itemsPerPage": items,
            "Resources": resources,
        })))
    })();
    respond(&state, result)
}

async fn create_user(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let body = json_body(&body)?;
        let mut store = state.store.write().expect("store lock");
        let user = store.create(&body)?;
        Ok(user_answer(&store, &headers, &user, StatusCode::CREATED))
    })();
    respond(&state, result)
}

async fn get_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let store = state.store.read().expect("store lock");
        let user = store.get(&id)?;
        Ok(user_answer(&store, &headers, user, StatusCode::OK))
    })();
    respond(&state, result)
}

async fn replace_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let body = json_body(&body)?;
        let mut store = state.store.write().expect("store lock");
        let user = store.replace(&id, &body)?;
        Ok(user_answer(&store, &headers, &user, StatusCode::OK))
    })();
    respond(&state, result)
}

async fn patch_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let body = json_body(&body)?;
        let mut store = state.store.write().expect("store lock");
        let user = store.patch(&id, &body)?;
        Ok(user_answer(&store, &headers, &user, StatusCode::OK))
    })();
    respond(&state, result)
}

async fn delete_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        state.store.write().expect("store lock").delete(&id)?;
        Ok(Answer {
            status: StatusCode::NO_CONTENT,
            headers: vec![],
            body: None,
        })
    })();
    respond(&state, result)
}

/// Runs a discovery handler when the profile has the endpoint.
fn discover(
    state: &Shared,
    headers: &HeaderMap,
    enabled: impl Fn(&Store) -> bool,
    body: impl Fn(&Store) -> Option<Value>,
) -> Response {
    let result = (|| {
        authorize(state, headers)?;
        let store = state.store.read().expect("store lock");
        if !enabled(&store) {
            return Err(ScimError::new(404, None, "this endpoint is not supported"));
        }
        body(&store)
            .map(Answer::ok)
            .ok_or_else(|| ScimError::new(404, None, "no such resource"))
    })();
    respond(state, result)
}

async fn schemas(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let enabled = |s: &Store| s.profile().discovery.schemas && !s.has(Fault::SchemasMissing);
    discover(&state, &headers, enabled, |s| {
        Some(discovery::list(discovery::schemas(s.profile())))
    })
}

async fn schema(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let enabled = |s: &Store| s.profile().discovery.schemas && !s.has(Fault::SchemasMissing);
    discover(&state, &headers, enabled, |s| {
        discovery::schemas(s.profile())
            .into_iter()
            .find(|x| x["id"] == id.as_str())
    })
}

async fn service_provider_config(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.service_provider_config,
        |s| Some(discovery::service_provider_config(s.profile())),
    )
}

async fn resource_types(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.resource_types,
        |_| Some(discovery::list(vec![discovery::user_resource_type()])),
    )
}

async fn resource_type(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.resource_types,
        |_| Some(discovery::user_resource_type()).filter(|_| id == "User"),
    )
}

async fn not_found(State(state): State<Shared>) -> Response {
    respond(&state, Err(ScimError::new(404, None, "no such endpoint")))
}

async fn method_not_allowed(State(state): State<Shared>) -> Response {
    respond(
        &state,
        Err(ScimError::new(
            405,
            None,
            "method not allowed on this endpoint",
        )),
    )
}
