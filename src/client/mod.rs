//! The HTTP client: sends rendered requests to the target and records every
//! request/response pair as an [`Exchange`] for checks and reports.
//!
//! One [`Client`] (one reqwest connection pool, rustls) serves the whole run;
//! [`Client::scoped`] gives each case a handle that records its creates
//! under its own name. Before anything is sent, the [`Guard`] decides
//! whether it may be (only what the run created is ever changed), and
//! [`Pacing`] when; after an answer, the [`Ledger`] records what the run
//! created or deleted; a create whose answer never came is looked up by
//! the name it sent ([`resolve`]) before the caller goes on. Redirects are never followed (a SCIM server that
//! redirects is answering, and the answer is judged). Credentials never
//! appear in an exchange: the recorded headers and the curl reproducer
//! carry placeholders instead.

mod credentials;
pub mod encode;
pub mod exchange;
pub mod guard;
pub mod journal;
pub mod ledger;
pub mod oauth;
pub mod pacing;
pub mod resolve;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use credentials::Credentials;
use credentials::scrub;
use encode::base64;
pub use encode::percent_encode;
pub use exchange::{Exchange, MAX_BODY, NoResponse, Response, SentRequest, excerpt};
pub use guard::{Guard, Refusal, Stop};
pub use journal::{Journal, Journaled};
pub use ledger::{Create, Ledger};
pub use pacing::{Pacing, Retry};

use crate::case::Method;
use crate::scim::ResourceType;

/// How to reach and authenticate to a target.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Base URL of the SCIM service, e.g. `https://host/scim/v2` (no trailing slash).
    pub base_url: String,
    pub credentials: Credentials,
    /// Per-request timeout (connect, send, and read the whole body).
    pub timeout: Duration,
    /// Connect timeout (at most the request timeout).
    pub connect_timeout: Duration,
    pub tls: Tls,
    /// OAuth 2.0 client credentials: the bearer token fetched and renewed
    /// instead of a fixed one.
    pub oauth: Option<oauth::OAuthConfig>,
}

/// How the target's TLS certificate is verified.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// Extra trusted CA certificates (PEM), e.g. a private CA (`--ca-cert`).
    pub ca_cert_pem: Option<Vec<u8>>,
    /// No verification at all (`--insecure`): warned about in every report.
    pub insecure: bool,
    /// A client certificate and its key (PEM, one after the other): mutual TLS.
    pub client_identity_pem: Option<Vec<u8>>,
    /// `--proxy URL` (else the environment's HTTPS_PROXY and NO_PROXY).
    pub proxy: Option<String>,
}

/// The run's HTTP client, as one case (scope) uses it.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    target: Arc<Target>,
    secrets: Arc<Vec<String>>,
    /// Where the bearer token comes from under OAuth.
    oauth: Option<Arc<oauth::TokenSource>>,
    guard: Arc<Guard>,
    pacing: Arc<Pacing>,
    /// Where every exchange is recorded, when the run keeps them all.
    journal: Option<Arc<Journal>>,
    /// Whose creates this handle records (a case id; `run` for the run itself).
    scope: Arc<str>,
}

/// A request ready to send: everything already rendered.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub auth: Auth,
}

/// Which credentials an outgoing request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// The run's own (`--token`, `--basic`, `--header`).
    Default,
    /// No Authorization header.
    None,
    /// A bearer token of the case's choosing: not a secret, recorded as is.
    Bearer(String),
    /// The run's own, the scheme word of its Authorization header recased
    /// (`true`: upper, `false`: lower).
    SchemeCase { upper: bool },
}

impl Outgoing {
    /// A DELETE of one resource, with the run's credentials.
    pub fn delete(kind: ResourceType, id: &str) -> Outgoing {
        Outgoing {
            method: Method::DELETE,
            path: format!("{}/{}", kind.endpoint(), percent_encode(id)),
            ..Outgoing::get("", &[])
        }
    }

    /// A GET with the run's credentials and no body.
    pub fn get(path: &str, query: &[(&str, &str)]) -> Outgoing {
        Outgoing {
            method: Method::GET,
            path: path.to_string(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: vec![],
            body: None,
            auth: Auth::Default,
        }
    }

    /// A request with a JSON body and the run's credentials.
    pub fn json(method: Method, path: &str, body: Value) -> Outgoing {
        Outgoing {
            method,
            body: Some(Body::Json(body)),
            ..Outgoing::get(path, &[])
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    Raw(String),
}

/// Why the HTTP client could not be set up (before any request).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read the CA certificate: {0}")]
    CaCertificate(reqwest::Error),
    #[error("the CA certificate file holds no PEM certificate")]
    NoCertificate,
    #[error("cannot read the client certificate and key (PEM): {0}")]
    ClientCertificate(reqwest::Error),
    #[error("--proxy: {0}")]
    Proxy(reqwest::Error),
    #[error("cannot build the HTTP client: {0}")]
    Http(reqwest::Error),
}

impl Client {
    pub fn new(target: Target) -> Result<Client, BuildError> {
        let connect = if target.connect_timeout.is_zero() {
            target.timeout.min(Duration::from_secs(5))
        } else {
            target.connect_timeout.min(target.timeout)
        };
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(target.timeout)
            .connect_timeout(connect)
            .user_agent(concat!("scimcheck/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &target.tls.ca_cert_pem {
            let certificates =
                reqwest::Certificate::from_pem_bundle(pem).map_err(BuildError::CaCertificate)?;
            if certificates.is_empty() {
                return Err(BuildError::NoCertificate);
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if target.tls.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(pem) = &target.tls.client_identity_pem {
            let identity =
                reqwest::Identity::from_pem(pem).map_err(BuildError::ClientCertificate)?;
            builder = builder.identity(identity);
        }
        if let Some(url) = &target.tls.proxy {
            let proxy = reqwest::Proxy::all(url).map_err(BuildError::Proxy)?;
            builder = builder.proxy(proxy.no_proxy(reqwest::NoProxy::from_env()));
        }
        let http = builder.build().map_err(BuildError::Http)?;
        let secrets = Arc::new(target.credentials.secrets());
        let oauth = (target.oauth.clone())
            .map(|config| Arc::new(oauth::TokenSource::new(config, http.clone())));
        Ok(Client {
            guard: Arc::new(Guard::new("", false, Arc::new(Ledger::default()))),
            pacing: Arc::new(Pacing::default()),
            journal: None,
            http,
            target: Arc::new(target),
            secrets,
            oauth,
            scope: Arc::from("run"),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The OAuth token source, when the run's token comes from one.
    pub fn oauth(&self) -> Option<&oauth::TokenSource> {
        self.oauth.as_deref()
    }

    /// The same client (same connections) under another guard.
    pub fn with_guard(mut self, guard: Arc<Guard>) -> Client {
        self.guard = guard;
        self
    }

    /// The same client, recording what it creates under `scope`.
    pub fn scoped(&self, scope: &str) -> Client {
        Client {
            scope: Arc::from(scope),
            ..self.clone()
        }
    }

    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The run's ledger of created resources.
    pub fn ledger(&self) -> &Ledger {
        self.guard.ledger()
    }

    pub fn with_pacing(mut self, pacing: Arc<Pacing>) -> Client {
        self.pacing = pacing;
        self
    }

    /// The same client, recording every exchange in `journal`.
    pub fn with_journal(mut self, journal: Arc<Journal>) -> Client {
        self.journal = Some(journal);
        self
    }

    pub fn journal(&self) -> Option<&Journal> {
        self.journal.as_deref()
    }

    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    pub fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// The full URL for a path under the base URL, with a percent-encoded query.
    pub fn url(&self, path: &str, query: &[(String, String)]) -> String {
        let mut url = format!("{}{}", self.target.base_url, path);
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 && !path.contains('?') {
                '?'
            } else {
                '&'
            });
            url.push_str(&percent_encode(name));
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        url
    }

    /// The exchange of a request that could not be sent: no OAuth token
    /// could be had for it.
    fn unsent(&self, out: &Outgoing, url: &str, why: String) -> Exchange {
        Exchange {
            request: SentRequest {
                method: out.method,
                url: url.to_string(),
                headers: vec![],
                body: None,
            },
            response: Err(NoResponse::Transport(format!("not sent: {why}"))),
            started_at: std::time::SystemTime::now(),
            elapsed: Duration::ZERO,
            retries: vec![],
            resolution: None,
        }
    }

    /// Sends one request and records the exchange; never fails (a transport
    /// error is recorded in the exchange).
    pub async fn send(&self, out: Outgoing) -> Exchange {
        let url = self.url(&out.path, &out.query);
        let method = match out.method {
            Method::GET => reqwest::Method::GET,
            Method::POST => reqwest::Method::POST,
            Method::PUT => reqwest::Method::PUT,
            Method::PATCH => reqwest::Method::PATCH,
            Method::DELETE => reqwest::Method::DELETE,
        };
        // Headers as sent, and as recorded (with placeholders for secrets).
        let mut sent: Vec<(String, String)> =
            vec![("Accept".into(), "application/scim+json".into())];
        let mut recorded = sent.clone();
        let creds = &self.target.credentials;
        // Under OAuth, the token valid now (renewed below on an expiry 401).
        let mut oauth_token = None;
        if let (Some(source), Auth::Default | Auth::SchemeCase { .. }) = (&self.oauth, &out.auth) {
            match source.token().await {
                Ok(token) => oauth_token = Some(token),
                Err(error) => return self.unsent(&out, &url, error.to_string()),
            }
        }
        match &out.auth {
            Auth::Default | Auth::SchemeCase { .. } => {
                if let Some(token) = oauth_token.as_ref().or(creds.bearer.as_ref()) {
                    sent.push(("Authorization".into(), format!("Bearer {token}")));
                    recorded.push(("Authorization".into(), "Bearer $SCIMCHECK_TOKEN".into()));
                } else if let Some(basic) = &creds.basic {
                    sent.push((
                        "Authorization".into(),
                        format!("Basic {}", base64(basic.as_bytes())),
                    ));
                    recorded.push(("Authorization".into(), "Basic $SCIMCHECK_BASIC_B64".into()));
                }
                for (name, value) in &creds.headers {
                    sent.push((name.clone(), value.clone()));
                    recorded.push((name.clone(), "$SCIMCHECK_HEADER".into()));
                }
            }
            Auth::None => {}
            Auth::Bearer(token) => {
                // A case-chosen token (a deliberately wrong one): not a secret.
                sent.push(("Authorization".into(), format!("Bearer {token}")));
                recorded.push(("Authorization".into(), format!("Bearer {token}")));
            }
        }
        if let Auth::SchemeCase { upper } = out.auth {
            for (name, value) in sent.iter_mut().chain(recorded.iter_mut()) {
                if name == "Authorization"
                    && let Some((scheme, rest)) = value.split_once(' ')
                {
                    let scheme = match upper {
                        true => scheme.to_ascii_uppercase(),
                        false => scheme.to_ascii_lowercase(),
                    };
                    *value = format!("{scheme} {rest}");
                }
            }
        }
        let body_text = match &out.body {
            Some(Body::Json(value)) => {
                let pair = (
                    "Content-Type".to_string(),
                    "application/scim+json".to_string(),
                );
                sent.push(pair.clone());
                recorded.push(pair);
                Some(value.to_string())
            }
            Some(Body::Raw(text)) => Some(text.clone()),
            None => None,
        };
        for (name, value) in &out.headers {
            sent.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            recorded.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            sent.push((name.clone(), value.clone()));
            recorded.push((name.clone(), value.clone()));
        }
        let request = SentRequest {
            method: out.method,
            url: url.clone(),
            headers: recorded,
            body: body_text.clone(),
        };
        let started = Instant::now();
        let started_at = std::time::SystemTime::now();
        let addressed = match url.split_once('?') {
            Some((_, query)) => format!("{}?{query}", out.path),
            None => out.path.clone(),
        };
        if let Some(refusal) = self
            .guard
            .refuse(out.method, &addressed, body_text.as_deref())
        {
            return Exchange {
                request,
                response: Err(NoResponse::Refused(refusal)),
                started_at,
                elapsed: Duration::ZERO,
                retries: vec![],
                resolution: None,
            };
        }
        // Noted before it leaves: until an answer says otherwise, the
        // server may hold what the request creates.
        let creates = Create::all_in(out.method, &out.path, body_text.as_deref());
        self.ledger().sending(&self.scope, &creates);
        // Whether the request may have reached the server although no
        // complete answer came (anything but a failure to connect).
        let mut maybe_delivered;
        let mut retries = Vec::new();
        let response = loop {
            let permit = self.pacing.start().await;
            let mut builder = self.http.request(method.clone(), &url);
            for (name, value) in &sent {
                builder = builder.header(name, value);
            }
            if let Some(body) = &body_text {
                builder = builder.body(body.clone());
            }
            let mut response = match builder.send().await {
                Ok(response) => {
                    maybe_delivered = true;
                    read(response, self.target.timeout).await
                }
                Err(error) => {
                    maybe_delivered = !error.is_connect();
                    Err(NoResponse::Transport(describe(&error, self.target.timeout)))
                }
            };
            drop(permit);
            if let Ok(response) = &mut response {
                scrub(response, &self.secrets);
                if let Some(source) = &self.oauth {
                    scrub(response, &source.secrets());
                }
            }
            // A 401 saying the token expired: one new token, one resend.
            if let (Some(source), Some(stale), Ok(r)) = (&self.oauth, &oauth_token, &response)
                && r.status == 401
                && !retries.iter().any(|r: &Retry| r.status == 401)
                && oauth::says_token_expired(r.header("www-authenticate"))
                && let Ok(fresh) = source.renew(stale).await
            {
                for (name, value) in &mut sent {
                    if name == "Authorization" {
                        *value = format!("Bearer {fresh}");
                    }
                }
                oauth_token = Some(fresh);
                retries.push(Retry {
                    status: 401,
                    waited: Duration::ZERO,
                });
                continue;
            }
            // 429/503 with Retry-After: wait and try again, within the budget.
            let wait = response.as_ref().ok().and_then(|r| {
                let busy = r.status == 429 || r.status == 503;
                busy.then(|| r.header("retry-after").and_then(pacing::retry_after))
                    .flatten()
            });
            match wait {
                Some(wait)
                    if retries.len() + 1 < pacing::MAX_ATTEMPTS
                        && !self.guard.is_stopping()
                        && self.pacing.reserve(wait).is_some() =>
                {
                    let status = response.as_ref().map(|r| r.status).unwrap_or_default();
                    tokio::time::sleep(wait).await;
                    retries.push(Retry {
                        status,
                        waited: wait,
                    });
                }
                _ => break response,
            }
        };
        if let Ok(answer) = &response {
            let json = answer.json.as_ref();
            let request = (out.method, out.path.as_str());
            (self.ledger()).keep(&self.scope, request, (answer.status, json), &creates);
        }
        let elapsed = started.elapsed();
        // Journaled before its lookups, which are journaled as they are sent.
        let exchange = Exchange {
            request,
            response,
            started_at,
            elapsed,
            retries,
            resolution: None,
        };
        if let Some(journal) = &self.journal {
            journal.record(&self.scope, &exchange);
        }
        let resolution = match &exchange.response {
            Err(NoResponse::Transport(_)) if maybe_delivered && !creates.is_empty() => {
                Some(Box::new(resolve::resolve(self, &creates).await))
            }
            _ => None,
        };
        Exchange {
            resolution,
            ..exchange
        }
    }
}

/// The whole response, or why it did not arrive complete.
async fn read(mut response: reqwest::Response, timeout: Duration) -> Result<Response, NoResponse> {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut bytes = Vec::new();
    let mut truncated = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY - bytes.len();
                if chunk.len() > room {
                    bytes.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) if error.is_timeout() => {
                return Err(NoResponse::Transport(format!(
                    "no complete response within {} s (the request timeout): {} bytes of the body had arrived",
                    timeout.as_secs_f64(),
                    bytes.len()
                )));
            }
            Err(error) => {
                return Err(NoResponse::Transport(format!(
                    "reading the response body failed: {}",
                    chain(&error)
                )));
            }
        }
    }
    let json = if truncated {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    Ok(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        json,
        truncated,
    })
}

/// A one-line explanation of a transport error.
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!(
            "no complete response within {} s (the request timeout)",
            timeout.as_secs_f64()
        )
    } else if error.is_connect() {
        format!("cannot connect: {}", chain(error))
    } else {
        chain(error)
    }
}

/// An error with its sources, which is where reqwest keeps the useful part.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}
