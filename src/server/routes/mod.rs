//! HTTP routes of the reference server (axum): authentication, request
//! parsing and the SCIM response format. Every hosted resource type gets
//! the same routes from its [`Kind`]; every answer, errors included, is
//! `application/scim+json` with a SCIM body, and a request body over
//! [`BODY_LIMIT`] is a 413 with a SCIM Error.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::discovery;
use super::fault::ErrorWire;
use super::query::{self, Query};
use super::resource::KINDS;
use super::store::Store;
use crate::scim::{ResourceType, ScimError, ScimType, urn};

/// Where the SCIM service lives on the reference server.
pub const BASE_PATH: &str = "/scim/v2";

/// The largest request body the server reads (RFC 7644 §3.12: 413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub struct AppState {
    pub store: RwLock<Store>,
    pub token: Option<String>,
    /// Delay before each answer (`serve --latency`): a slow link, simulated.
    pub latency: std::time::Duration,
    /// Requests being answered right now.
    pub in_flight: std::sync::atomic::AtomicUsize,
}

impl AppState {
    // A handler that panicked leaves the store consistent (changes are
    // stored whole, last): keep serving rather than failing every request.
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }
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
    let mut scim = Router::new();
    for kind in KINDS {
        let rt = kind.resource;
        scim = scim
            .route(
                rt.endpoint(),
                get(move |s: State<Shared>, h: HeaderMap, q: RawQuery| async move { list(rt, s, h, q) })
                    .post(move |s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>| async move {
                        create(rt, s, h, b)
                    }),
            )
            .route(
                &format!("{}/{{id}}", rt.endpoint()),
                get(move |s: State<Shared>, h: HeaderMap, id: Path<String>| async move { fetch(rt, s, h, id) })
                    .put(move |s: State<Shared>, h: HeaderMap, id: Path<String>, b: Result<Bytes, BytesRejection>| async move {
                        change(rt, s, h, id, b, Store::replace)
                    })
                    .patch(move |s: State<Shared>, h: HeaderMap, id: Path<String>, b: Result<Bytes, BytesRejection>| async move {
                        change(rt, s, h, id, b, Store::patch)
                    })
                    .delete(move |s: State<Shared>, h: HeaderMap, id: Path<String>| async move { remove(rt, s, h, id) }),
            );
    }
    let scim = scim
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
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), pace))
        .with_state(state)
}

/// Every request passes here: the simulated link's latency, and the one
/// fault that depends on load (a write while others are in flight).
async fn pace(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use std::sync::atomic::Ordering;
    let in_flight = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let write = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let locked = state
        .read()
        .faults
        .locked(write, in_flight.max(state.in_flight.load(Ordering::SeqCst)));
    let response = if locked {
        respond(&state, Err(ScimError::new(500, None, "database is locked")))
    } else {
        next.run(request).await
    };
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

/// Turns a handler result into a response, the wire-format faults applied.
fn respond(state: &AppState, result: Result<Answer, ScimError>) -> Response {
    let faults = state.read().faults.clone();
    let (status, mut headers, body) = match result {
        Ok(answer) => (answer.status, answer.headers, answer.body),
        Err(error) => match faults.error(&error) {
            ErrorWire::Text { status, text } => {
                let mut response = (code(status), text).into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                return response;
            }
            ErrorWire::Scim { status, body } => {
                let mut headers = vec![];
                if status == 401 && faults.challenges() {
                    headers.push((
                        header::WWW_AUTHENTICATE,
                        "Bearer realm=\"scimcheck\"".to_string(),
                    ));
                }
                (code(status), headers, Some(body))
            }
        },
    };
    headers.push((header::CONTENT_TYPE, faults.content_type().to_string()));
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

/// An answer that is not SCIM at all: what a broken server or a proxy sends.
fn plain(status: StatusCode, content_type: &'static str, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The 500 of a server that breaks on what it was sent.
fn broken() -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain",
        "Internal Server Error",
    )
}

fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST)
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(token) = &state.token else {
        return Ok(());
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let presented = sent
        .strip_prefix("Bearer ")
        .or_else(|| sent.strip_prefix("bearer "));
    if state
        .read()
        .faults
        .admits(presented, presented == Some(token.as_str()))
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
fn location(headers: &HeaderMap, resource: ResourceType, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{BASE_PATH}{}/{id}", resource.endpoint())
}

/// A request body as JSON: 413 past the limit, 400 `invalidSyntax` when
/// it is not JSON (serde_json's own nesting limit included).
fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, ScimError> {
    let bytes = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ScimError::new(
            413,
            None,
            format!(
                "the request body is larger than {BODY_LIMIT} bytes, the most this server reads"
            ),
        ),
        _ => ScimError::bad(
            ScimType::InvalidSyntax,
            format!("cannot read the request body: {rejection}"),
        ),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ScimError::bad(
            ScimType::InvalidSyntax,
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// A resource answer: ETag from `meta.version`, Location on create.
fn resource_answer(
    store: &Store,
    resource: ResourceType,
    headers: &HeaderMap,
    stored: &Value,
    status: u16,
) -> Answer {
    let id = stored["id"].as_str().unwrap_or_default();
    let location = location(headers, resource, id);
    let mut extra = vec![];
    if let Some(version) = stored["meta"]["version"].as_str() {
        extra.push((header::ETAG, version.to_string()));
    }
    if status == 201 && store.faults.created_location() {
        extra.push((header::LOCATION, location.clone()));
    }
    let status = if status == 201 {
        store.faults.created_status()
    } else {
        status
    };
    Answer {
        status: code(status),
        headers: extra,
        body: Some(store.present(resource, stored, &location)),
    }
}

fn list(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let mut query = Query::default();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let number = |v: &str| {
                v.trim().parse::<i64>().map_err(|_| {
                    ScimError::bad(
                        ScimType::InvalidValue,
                        format!("`{name}` must be an integer, got `{v}`"),
                    )
                })
            };
            match name.to_ascii_lowercase().as_str() {
                "filter" => query.filter = Some(value.into_owned()),
                "startindex" => query.start_index = Some(number(&value)?),
                "count" => query.count = Some(number(&value)?),
                _ => {}
            }
        }
        let store = state.read();
        let page = query::list(&store, rt, &query)?;
        let resources: Vec<Value> = page
            .resources
            .iter()
            .map(|r| {
                store.present(
                    rt,
                    r,
                    &location(&headers, rt, r["id"].as_str().unwrap_or_default()),
                )
            })
            .collect();
        Ok(Answer::ok(json!({
            "schemas": [urn::LIST_RESPONSE],
            "totalResults": page.total,
            "startIndex": page.start_index,
            "itemsPerPage": page.items_per_page,
            "Resources": resources,
        })))
    })();
    respond(&state, result)
}

fn create(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let body = json_body(body)?;
        let mut store = state.write();
        let created = store.create(rt, &body)?;
        Ok(resource_answer(&store, rt, &headers, &created, 201))
    })();
    respond(&state, result)
}

fn fetch(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if state.read().faults.breaks_on_id(&id) {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        let store = state.read();
        let stored = store.get(rt, &id)?;
        Ok(resource_answer(&store, rt, &headers, stored, 200))
    })();
    respond(&state, result)
}

type Change = fn(&mut Store, ResourceType, &str, &Value) -> Result<Value, ScimError>;

/// PUT and PATCH: a change to one resource, answered with the resource.
fn change(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
    apply: Change,
) -> Response {
    let faults = state.read().faults.clone();
    if faults.breaks_on_id(&id)
        || (faults.breaks_on_malformed_update()
            && body
                .as_ref()
                .is_ok_and(|b| serde_json::from_slice::<Value>(b).is_err()))
    {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        let body = json_body(body)?;
        let mut store = state.write();
        let changed = apply(&mut store, rt, &id, &body)?;
        Ok(resource_answer(&store, rt, &headers, &changed, 200))
    })();
    respond(&state, result)
}

fn remove(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if state.read().faults.breaks_on_id(&id) {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        state.write().delete(rt, &id)?;
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

async fn schemas(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(&state, &headers, schemas_served, |s| {
        Some(discovery::list(discovery::schemas(s)))
    })
}

async fn schema(
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

async fn service_provider_config(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.service_provider_config,
        |s| {
            Some(
                s.faults
                    .service_provider_config(discovery::service_provider_config(s.profile())),
            )
        },
    )
}

async fn resource_types(State(state): State<Shared>, headers: HeaderMap) -> Response {
    discover(
        &state,
        &headers,
        |s| s.profile().discovery.resource_types,
        |s| {
            let types = discovery::resource_types(s);
            Some(if s.faults.lists_resource_types() {
                discovery::list(types)
            } else {
                Value::Array(types)
            })
        },
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
        |s| {
            discovery::resource_types(s)
                .into_iter()
                .find(|x| x["id"] == id.as_str())
        },
    )
}

async fn not_found(State(state): State<Shared>) -> Response {
    if state.read().faults.html_not_found() {
        return plain(
            StatusCode::NOT_FOUND,
            "text/html",
            "<html><body><h1>404 Not Found</h1></body></html>",
        );
    }
    respond(&state, Err(ScimError::not_found("no such endpoint")))
}

/// A method the endpoint does not serve (POST on `/Schemas`, ...): 405
/// with a SCIM Error (RFC 7644 §3.12).
async fn method_not_allowed(State(state): State<Shared>) -> Response {
    if state.read().faults.discovery_writable() {
        return respond(&state, Ok(Answer::ok(json!({}))));
    }
    respond(
        &state,
        Err(ScimError::new(
            405,
            None,
            "method not allowed on this endpoint",
        )),
    )
}

#[cfg(test)]
mod tests;
