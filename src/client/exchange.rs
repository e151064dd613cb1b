//! What a request and its answer leave behind: an [`Exchange`] — the
//! request as sent (credentials replaced by placeholders), the response or
//! why there is none ([`NoResponse`]), the time it took and any retries. The
//! evidence every check, report and reproducer is built from.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::guard::Refusal;
use super::pacing::Retry;
use super::resolve::Resolution;
use crate::case::Method;

/// The most of a response body the harness reads; the rest is dropped and
/// the exchange says so (a hostile server cannot exhaust memory).
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// A request as it was sent (secrets replaced by placeholders).
#[derive(Debug, Clone)]
pub struct SentRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A response as it came back.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced), at most [`MAX_BODY`] bytes.
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// True when the body was longer than [`MAX_BODY`].
    pub truncated: bool,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why an exchange has no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoResponse {
    /// The guard did not let the request leave: nothing reached the target.
    Refused(Refusal),
    /// Sent, but no complete answer came: a connection error, a timeout, a
    /// body cut off. Something about the target, or the network to it.
    Transport(String),
}

impl fmt::Display for NoResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoResponse::Refused(refusal) => write!(f, "{refusal}"),
            NoResponse::Transport(error) => f.write_str(error),
        }
    }
}

/// One request and what came of it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: SentRequest,
    pub response: Result<Response, NoResponse>,
    /// When the request was sent (a HAR entry's `startedDateTime`).
    pub started_at: std::time::SystemTime,
    pub elapsed: Duration,
    /// Earlier attempts answered 429/503 with `Retry-After`, then retried.
    pub retries: Vec<Retry>,
    /// A create that got no complete answer: what looking it up by name found.
    pub resolution: Option<Box<Resolution>>,
}

impl Exchange {
    /// The status of the response, if there is one.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().ok().map(|r| r.status)
    }

    /// The id of the resource this create made: from its answer, or,
    /// when the answer was lost, from the lookup that found it.
    pub fn created_id(&self) -> Option<&str> {
        match &self.response {
            Ok(r) if (200..300).contains(&r.status) => r.json.as_ref()?.get("id")?.as_str(),
            _ => self.resolution.as_ref()?.created_id(),
        }
    }

    /// The response's JSON body, if there is one.
    pub fn json(&self) -> Option<&Value> {
        self.response.as_ref().ok().and_then(|r| r.json.as_ref())
    }

    /// A shell command that sends the same request. Credentials are read from
    /// the environment (`$SCIMCHECK_TOKEN`, `$SCIMCHECK_BASIC`), never inlined.
    pub fn curl(&self) -> String {
        let mut parts = vec![
            "curl -sS -i".to_string(),
            format!("-X {}", self.request.method.as_str()),
        ];
        for (name, value) in &self.request.headers {
            parts.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
        }
        if let Some(body) = &self.request.body {
            parts.push(format!("--data-raw {}", shell_quote(body)));
        }
        parts.push(shell_quote(&self.request.url));
        parts.join(" ")
    }

    /// The start of the response body (or why there is none), as evidence.
    pub fn excerpt(&self, max: usize) -> String {
        match &self.response {
            Ok(response) => excerpt(&response.body, max),
            Err(none) => none.to_string(),
        }
    }
}

fn shell_quote(text: &str) -> String {
    // Header placeholders are `$VARS` meant to expand: double quotes for those,
    // single quotes (nothing expands) for everything else.
    if text.contains("$SCIMCHECK_") && !text.contains(['"', '`', '\\']) {
        format!("\"{text}\"")
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_never_inlines_the_token() {
        let exchange = Exchange {
            request: SentRequest {
                method: Method::POST,
                url: "http://127.0.0.1:1/Users".into(),
                headers: vec![("Authorization".into(), "Bearer $SCIMCHECK_TOKEN".into())],
                body: Some("{\"a\":\"it's\"}".into()),
            },
            response: Err(NoResponse::Transport("x".into())),
            started_at: std::time::UNIX_EPOCH,
            elapsed: Duration::ZERO,
            retries: vec![],
            resolution: None,
        };
        assert_eq!(
            exchange.curl(),
            r#"curl -sS -i -X POST -H "Authorization: Bearer $SCIMCHECK_TOKEN" --data-raw '{"a":"it'\''s"}' 'http://127.0.0.1:1/Users'"#
        );
    }
}
