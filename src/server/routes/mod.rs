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
use axum::routing::{any, get, post};
use serde_json::{Value, json};

mod bulk;
mod discover;
mod resources;

use super::fault::ErrorWire;
use super::resource::KINDS;
use super::store::Store;
use crate::scim::ScimError;

/// Where the SCIM service lives on the reference server.
pub const BASE_PATH: &str = "/scim/v2";

/// The largest request body the server reads (RFC 7644 §3.12: 413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub struct AppState {
    pub store: RwLock<Store>,
    pub token: Option<String>,
    /// Delay before each answer (`serve --latency`): a slow link, simulated.
    pub latency: std::time::Duration,
    /// Every Nth create's answer is dropped (`serve --drop-answers N`).
    pub drop_answers: Option<u32>,
    /// Under `--oauth-introspect`: where tokens are checked.
    pub introspector: Option<crate::server::introspect::Introspector>,
    /// Creates carried out so far (for `drop_answers`).
    pub creates: std::sync::atomic::AtomicU32,
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

pub(crate) type Shared = Arc<AppState>;

/// A successful answer: status, extra headers, body.
pub(crate) struct Answer {
    status: StatusCode,
    headers: Vec<(header::HeaderName, String)>,
    body: Option<Value>,
}

impl Answer {
    pub(crate) fn ok(body: Value) -> Answer {
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
                get(move |s: State<Shared>, h: HeaderMap, q: RawQuery| async move { resources::list(rt, s, h, q) })
                    .post(move |s: State<Shared>, h: HeaderMap, q: RawQuery, b: Result<Bytes, BytesRejection>| async move {
                        resources::create(rt, s, h, q, b)
                    }),
            )
            .route(
                &format!("{}/.search", rt.endpoint()),
                post(move |s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>| async move {
                    resources::search(Some(rt), s, h, b)
                }),
            )
            .route(
                &format!("{}/{{id}}", rt.endpoint()),
                get(move |s: State<Shared>, h: HeaderMap, id: Path<String>, q: RawQuery| async move {
                    resources::fetch(rt, s, h, id, q)
                })
                .put(move |s: State<Shared>, h: HeaderMap, id: Path<String>, q: RawQuery, b: Result<Bytes, BytesRejection>| async move {
                    resources::change(rt, s, h, id, q, b, resources::Change::Replace)
                })
                .patch(move |s: State<Shared>, h: HeaderMap, id: Path<String>, q: RawQuery, b: Result<Bytes, BytesRejection>| async move {
                    resources::change(rt, s, h, id, q, b, resources::Change::Patch)
                })
                .delete(move |s: State<Shared>, h: HeaderMap, id: Path<String>| async move { resources::remove(rt, s, h, id) }),
            );
    }
    let scim = scim
        .route(
            "/.search",
            post(
                |s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>| async move {
                    resources::search(None, s, h, b)
                },
            ),
        )
        .route("/Bulk", post(bulk::bulk))
        .route("/Me", any(discover::me))
        .route("/Schemas", get(discover::schemas))
        .route("/Schemas/{id}", get(discover::schema))
        .route(
            "/ServiceProviderConfig",
            get(discover::service_provider_config),
        )
        .route("/ResourceTypes", get(discover::resource_types))
        .route("/ResourceTypes/{id}", get(discover::resource_type))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    Router::new()
        .nest(BASE_PATH, scim)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), exempt))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::server::introspect::check,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), pace))
        .with_state(state)
}

/// Every request passes here: the simulated link's latency and dropped
/// answers, and the one fault that depends on load (a write while others
/// are in flight).
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
    let create = *request.method() == axum::http::Method::POST
        && KINDS.iter().any(|k| {
            request.uri().path().trim_end_matches('/')
                == format!("{BASE_PATH}{}", k.resource.endpoint())
        });
    let cut = request
        .extensions()
        .get::<axum::extract::ConnectInfo<super::link::Cut>>()
        .map(|info| info.0.clone());
    let locked = state
        .read()
        .faults
        .locked(write, in_flight.max(state.in_flight.load(Ordering::SeqCst)));
    let response = if locked {
        respond(&state, Err(ScimError::new(500, None, "database is locked")))
    } else {
        next.run(request).await
    };
    if let (true, Some(every), Some(cut)) = (create, state.drop_answers, cut)
        && response.status() == StatusCode::CREATED
        && (state.creates.fetch_add(1, Ordering::SeqCst) + 1) % every.max(1) == 0
    {
        // Stored, and the answer never leaves.
        cut.cut();
    }
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

/// Turns a handler result into a response, the wire-format faults applied.
pub(crate) fn respond(state: &AppState, result: Result<Answer, ScimError>) -> Response {
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
pub(crate) fn plain(
    status: StatusCode,
    content_type: &'static str,
    text: &'static str,
) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The 500 of a server that breaks on what it was sent.
pub(crate) fn broken() -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain",
        "Internal Server Error",
    )
}

pub(crate) fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST)
}

tokio::task_local! {
    /// Set for one request by [`exempt`]: a fault lets it in unchecked.
    static EXEMPT: bool;
}

/// Marks the requests an authentication fault lets in without checking
/// (the routes read it in [`authorize`]; nothing a client sends sets it).
async fn exempt(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let exempt = (state.read().faults).exempts(request.method(), request.uri().path());
    EXEMPT.scope(exempt, next.run(request)).await
}

pub(crate) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ScimError> {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(token) = &state.token else {
        // Under introspection every bearer token that reaches a route was
        // found active; a request without one is refused like any other.
        return match (&state.introspector, crate::server::introspect::bearer(sent)) {
            (Some(_), None) => Err(ScimError::new(
                401,
                None,
                "a valid bearer token is required",
            )),
            _ => Ok(()),
        };
    };
    if EXEMPT.try_with(|exempt| *exempt).unwrap_or(false) {
        return Ok(());
    }
    let presented = match state.read().faults.scheme_ignores_case() {
        true => crate::server::introspect::bearer(sent),
        false => sent.strip_prefix("Bearer "),
    };
    if !sent.is_empty()
        && !sent.contains(' ')
        && !state.read().faults.schemeless_authorization_unauthorized()
    {
        return Err(ScimError::bad(
            crate::scim::ScimType::InvalidSyntax,
            "the Authorization header names no scheme",
        ));
    }
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
