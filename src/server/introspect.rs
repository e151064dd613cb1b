//! Accepting only the tokens a real OAuth 2.0 authorization server issued
//! (`serve --oauth-introspect URL`): each bearer token is asked about at
//! that server's RFC 7662 introspection endpoint, and while it is active
//! (until its `exp`) the answer is remembered. A token that is no longer
//! active is refused with 401 and `WWW-Authenticate: Bearer
//! error="invalid_token"` (RFC 6750 §3.1), which tells a client to fetch
//! a new one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;

use super::routes::{Shared, respond};
use crate::scim::ScimError;

/// Where to introspect, and as whom (RFC 7662 §2.1: the protected resource
/// authenticates to the introspection endpoint).
#[derive(Clone)]
pub struct Introspection {
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Introspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspection")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The introspection client of a running server.
pub struct Introspector {
    config: Introspection,
    http: reqwest::Client,
    /// Active tokens and when they expire (seconds since the epoch).
    active: Mutex<HashMap<String, u64>>,
}

/// RFC 7662 §2.2, the parts read.
#[derive(Deserialize)]
struct Answer {
    active: bool,
    #[serde(default)]
    exp: Option<u64>,
}

impl Introspector {
    pub fn new(config: Introspection) -> Introspector {
        Introspector {
            config,
            http: reqwest::Client::new(),
            active: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `token` is active now: remembered, or asked.
    async fn is_active(&self, token: &str) -> Result<bool, String> {
        let now = now();
        let known = self
            .active
            .lock()
            .expect("not poisoned")
            .get(token)
            .copied();
        if known.is_some_and(|exp| now < exp) {
            return Ok(true);
        }
        let answer = self
            .http
            .post(&self.config.url)
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret))
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.config.url))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(format!("{} answered {status}", self.config.url));
        }
        let answer: Answer = answer.json().await.map_err(|e| {
            format!(
                "{} answered no introspection response: {e}",
                self.config.url
            )
        })?;
        let active = answer.active && answer.exp.is_none_or(|exp| now < exp);
        let mut known = self.active.lock().expect("not poisoned");
        known.retain(|_, exp| now < *exp);
        if active && let Some(exp) = answer.exp {
            known.insert(token.to_string(), exp);
        }
        Ok(active)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The bearer token of a request (the scheme in any letter case, RFC 7235 §2.1).
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Every request passes here under `--oauth-introspect`: a bearer token
/// that is not active is refused before any route sees it (a request
/// without one goes on, and the route refuses it as it always does).
pub async fn check(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let Some(introspector) = &state.introspector else {
        return next.run(request).await;
    };
    let token = (request.headers().get(header::AUTHORIZATION))
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .map(str::to_string);
    let Some(token) = token else {
        return next.run(request).await;
    };
    match introspector.is_active(&token).await {
        Ok(true) => next.run(request).await,
        Ok(false) => {
            let refused = ScimError::new(
                401,
                None,
                "the access token is not active (expired or revoked)",
            );
            let mut response = respond(&state, Err(refused));
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer error=\"invalid_token\", error_description=\"the access token is not active\"",
                ),
            );
            response
        }
        Err(why) => respond(
            &state,
            Err(ScimError::new(
                503,
                None,
                format!("cannot check the token: {why}"),
            )),
        ),
    }
}
