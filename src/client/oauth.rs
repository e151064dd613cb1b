//! OAuth 2.0 client credentials (RFC 6749 §4.4): the bearer token of a run
//! against an endpoint that takes short-lived tokens. The token is fetched
//! before the run, renewed shortly before it expires (`expires_in`) and
//! once more when the target answers a request with a 401 that says the
//! token is no longer valid (RFC 6750 §3.1 `invalid_token`). The client
//! secret and every token issued are secrets: scrubbed from every answer
//! recorded, and shown in requests only as `$SCIMCHECK_TOKEN`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the URL-encoded id and
    /// secret, which every authorization server MUST support.
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

/// Where and as whom to ask for tokens.
#[derive(Clone)]
pub struct OAuthConfig {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
    pub auth: ClientAuth,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scope", &self.scope)
            .field("auth", &self.auth)
            .finish()
    }
}

/// Why no token could be had: printed once, exit 2.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    #[error("the token endpoint {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    /// RFC 6749 §5.2: `error` and `error_description`.
    #[error(
        "the token endpoint {url} refused the client credentials: {status} {error}{description}"
    )]
    Refused {
        url: String,
        status: u16,
        error: String,
        /// `: the description`, or nothing.
        description: String,
    },
    #[error("the token endpoint {url} answered {status} without an access_token: {body}")]
    Malformed {
        url: String,
        status: u16,
        body: String,
    },
}

/// RFC 6749 §5.1, the parts read.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// RFC 6749 §5.2.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

struct Current {
    token: String,
    /// When to fetch the next one: shortly before the server lets it expire.
    renew_at: Option<Instant>,
}

/// The run's source of bearer tokens, shared by every request.
pub struct TokenSource {
    config: OAuthConfig,
    http: reqwest::Client,
    current: tokio::sync::Mutex<Option<Current>>,
    /// Every token issued so far: scrubbed from what the target answers.
    issued: Mutex<Vec<String>>,
    /// How many of them were fetched because the target refused the one before.
    after_refusal: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub fn new(config: OAuthConfig, http: reqwest::Client) -> TokenSource {
        TokenSource {
            config,
            http,
            current: tokio::sync::Mutex::new(None),
            issued: Mutex::new(Vec::new()),
            after_refusal: Default::default(),
        }
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// How many tokens have been fetched, and how many of them because
    /// the target refused the one before (the run's last lines say so).
    pub fn fetched(&self) -> (usize, usize) {
        let all = self.issued.lock().expect("not poisoned").len();
        (
            all,
            self.after_refusal
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// The client secret and every token issued: what a recorded answer
    /// must never show.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = self.issued.lock().expect("not poisoned").clone();
        out.push(self.config.client_secret.clone());
        out
    }

    /// A token valid for a while yet: the current one, or a new one when it
    /// is due for renewal.
    pub async fn token(&self) -> Result<String, OAuthError> {
        let mut current = self.current.lock().await;
        match &*current {
            Some(c) if c.renew_at.is_none_or(|at| Instant::now() < at) => Ok(c.token.clone()),
            _ => self.replace(&mut current).await,
        }
    }

    /// A new token after the target refused `stale` as expired: fetched
    /// once however many requests met the refusal at the same time.
    pub async fn renew(&self, stale: &str) -> Result<String, OAuthError> {
        let mut current = self.current.lock().await;
        if let Some(c) = &*current
            && c.token != stale
        {
            return Ok(c.token.clone());
        }
        let token = self.replace(&mut current).await?;
        self.after_refusal
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(token)
    }

    /// Fetches a new token into `current` (held locked) and returns it.
    async fn replace(&self, current: &mut Option<Current>) -> Result<String, OAuthError> {
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *current = Some(fresh);
        Ok(token)
    }

    async fn fetch(&self) -> Result<Current, OAuthError> {
        let url = &self.config.token_url;
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.config.scope {
            form.push(("scope", scope));
        }
        let mut request = self.http.post(url).header("Accept", "application/json");
        match self.config.auth {
            ClientAuth::Basic => {
                // RFC 6749 §2.3.1: both encoded as form values first.
                let id = form_encode(&self.config.client_id);
                let secret = form_encode(&self.config.client_secret);
                request = request.basic_auth(id, Some(secret));
            }
            ClientAuth::Post => {
                form.push(("client_id", &self.config.client_id));
                form.push(("client_secret", &self.config.client_secret));
            }
        }
        let asked = Instant::now();
        let answer = request
            .form(&form)
            .send()
            .await
            .map_err(|e| OAuthError::Unreachable {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(match serde_json::from_str::<ErrorAnswer>(&body) {
                Ok(e) => OAuthError::Refused {
                    url: url.clone(),
                    status,
                    error: e.error,
                    description: e
                        .error_description
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default(),
                },
                Err(_) => OAuthError::Malformed {
                    url: url.clone(),
                    status,
                    body: shorten(&body),
                },
            });
        }
        let token: TokenAnswer =
            serde_json::from_str(&body).map_err(|_| OAuthError::Malformed {
                url: url.clone(),
                status,
                body: shorten(&body),
            })?;
        if token
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(OAuthError::Malformed {
                url: url.clone(),
                status,
                body: format!(
                    "token_type {} is not Bearer",
                    token.token_type.unwrap_or_default()
                ),
            });
        }
        self.issued
            .lock()
            .expect("not poisoned")
            .push(token.access_token.clone());
        Ok(Current {
            token: token.access_token,
            renew_at: token.expires_in.map(|s| asked + renewal_after(s)),
        })
    }
}

/// When to renew a token that lives `seconds`: a fifth of its life (at
/// most 30 s) before it expires, so that a request sent just before never
/// carries a token that expires on the way.
fn renewal_after(seconds: u64) -> Duration {
    let life = Duration::from_secs(seconds);
    life - (life / 5).min(Duration::from_secs(30))
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn shorten(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_string(),
    }
}

/// Whether a 401's `WWW-Authenticate` says the token itself is no longer
/// good (RFC 6750 §3.1 `error="invalid_token"`): then one renewal may help.
pub fn says_token_expired(challenge: Option<&str>) -> bool {
    challenge.is_some_and(|c| c.to_ascii_lowercase().contains("invalid_token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_renewed_a_fifth_of_its_life_early_and_at_most_30_s() {
        assert_eq!(renewal_after(5), Duration::from_secs(4));
        assert_eq!(renewal_after(3600), Duration::from_secs(3570));
    }

    #[test]
    fn only_an_invalid_token_challenge_calls_for_a_renewal() {
        assert!(says_token_expired(Some(
            r#"Bearer error="invalid_token", error_description="expired""#
        )));
        assert!(!says_token_expired(Some(r#"Bearer realm="scim""#)));
        assert!(!says_token_expired(None));
    }

    #[test]
    fn the_secret_is_not_in_the_debug_output() {
        let config = OAuthConfig {
            token_url: "http://127.0.0.1:1/token".into(),
            client_id: "id".into(),
            client_secret: "s3cret-value".into(),
            scope: None,
            auth: ClientAuth::Basic,
        };
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
