//! An exchange as every report writes it: the request as sent (credentials
//! already placeholders), the response or why there is none, retries, and a
//! curl line; bodies cut at a size a report can hold.

use serde::Serialize;

use crate::client::Exchange;

/// The most of a body a report keeps (the rest is cut, and says so).
const BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct ExchangeOut {
    pub step: String,
    pub method: &'static str,
    pub url: String,
    /// As sent, credentials replaced by `$SCIMCHECK_*` placeholders.
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// A transport error instead of a response.
    pub error: Option<String>,
    /// `false`: the guard kept the request back; it never reached the target.
    pub sent: bool,
    /// When the request was sent: RFC 3339, UTC, milliseconds.
    pub started_at: String,
    pub elapsed_ms: u64,
    /// Earlier attempts answered 429/503 with `Retry-After`, and the wait before the next.
    pub retries: Vec<RetryOut>,
    /// A shell command that sends the same request.
    pub curl: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetryOut {
    pub status: u16,
    pub waited_ms: u64,
}

fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_string();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

pub fn exchange_out(step: &str, exchange: &Exchange) -> ExchangeOut {
    let (status, response_headers, response_body, error) = match &exchange.response {
        Ok(r) => (
            Some(r.status),
            r.headers
                .iter()
                .map(|(name, value)| {
                    // A session cookie is a credential too.
                    if name.eq_ignore_ascii_case("set-cookie") {
                        (name.clone(), "[redacted]".to_string())
                    } else {
                        (name.clone(), value.clone())
                    }
                })
                .collect(),
            Some(cut(&r.body)),
            None,
        ),
        Err(none) => (None, vec![], None, Some(none.to_string())),
    };
    ExchangeOut {
        step: step.to_string(),
        method: exchange.request.method.as_str(),
        url: exchange.request.url.clone(),
        request_headers: exchange.request.headers.clone(),
        request_body: exchange.request.body.as_deref().map(cut),
        status,
        response_headers,
        response_body,
        error,
        sent: !matches!(
            exchange.response,
            Err(crate::client::NoResponse::Refused(_))
        ),
        started_at: rfc3339(exchange.started_at),
        elapsed_ms: exchange.elapsed.as_millis() as u64,
        retries: exchange
            .retries
            .iter()
            .map(|r| RetryOut {
                status: r.status,
                waited_ms: r.waited.as_millis() as u64,
            })
            .collect(),
        curl: exchange.curl(),
    }
}

/// A moment as RFC 3339 in UTC with milliseconds: `2026-11-28T22:04:05.123Z`.
pub fn rfc3339(at: std::time::SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}
