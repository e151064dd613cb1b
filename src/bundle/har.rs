//! `exchanges.har`: every exchange of a run as an HTTP Archive (HAR 1.2,
//! http://www.softwareishard.com/blog/har-12-spec/), which browser
//! developer tools and HAR viewers open. It is built from the run's journal
//! — steps, property probes, populations, lookups, cleanup and the final
//! survey, in the order they ended — with one entry per request sent (an
//! attempt answered 429/503 and retried is an entry of its own), so the
//! entries number the report's `cleanup.requests`. Credentials and echoed
//! secrets are the placeholders and `[redacted]` the other reports show.
//! A report without a journal falls back to the checks' own exchanges.

use serde_json::{Value, json};

use crate::report::model::{ExchangeOut, RunReport};

/// The HAR document of a report.
pub fn render(report: &RunReport) -> String {
    let entries: Vec<Value> = if report.journal.is_empty() {
        report
            .checks
            .iter()
            .flat_map(|check| check.exchanges.iter().map(move |e| entry(&check.id, e)))
            .collect()
    } else {
        report
            .journal
            .iter()
            .flat_map(|(scope, e)| attempts(scope, e))
            .collect()
    };
    let har = json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "scimcheck", "version": env!("CARGO_PKG_VERSION")},
            "pages": [],
            "entries": entries,
            "comment": format!(
                "scimcheck run {} against {} judged as {}",
                report.run.id, report.run.target_url, report.run.profile
            ),
        }
    });
    let mut text = serde_json::to_string_pretty(&har).expect("plain JSON");
    text.push('\n');
    text
}

/// An exchange's entries: one for each earlier attempt answered "try again
/// later" (its status kept, its body not), then the one that ended it.
fn attempts(scope: &str, e: &ExchangeOut) -> Vec<Value> {
    let mut out: Vec<Value> = e
        .retries
        .iter()
        .map(|retry| {
            let mut earlier = entry(scope, e);
            earlier["response"]["status"] = json!(retry.status);
            earlier["response"]["statusText"] = json!(reason(retry.status));
            earlier["response"]["headers"] = json!([]);
            earlier["response"]["content"] = json!({"size": 0, "mimeType": "", "text": ""});
            earlier["response"]["bodySize"] = json!(-1);
            earlier["comment"] = json!(format!(
                "{scope}: {} (retried after {} ms; this attempt's body was not kept)",
                e.step, retry.waited_ms
            ));
            earlier
        })
        .collect();
    out.push(entry(scope, e));
    out
}

/// One request and its response; a request that got no response has
/// status 0 and the reason in `_error` (HAR's convention for custom fields).
fn entry(check: &str, e: &ExchangeOut) -> Value {
    let headers = |list: &[(String, String)]| -> Vec<Value> {
        list.iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect()
    };
    let header = |list: &[(String, String)], wanted: &str| {
        list.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.clone())
    };
    let mut request = json!({
        "method": e.method,
        "url": e.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers(&e.request_headers),
        "queryString": query(&e.url),
        "headersSize": -1,
        "bodySize": e.request_body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &e.request_body {
        request["postData"] = json!({
            "mimeType": header(&e.request_headers, "content-type").unwrap_or_else(|| "application/scim+json".into()),
            "params": [],
            "text": body,
        });
    }
    let body = e.response_body.clone().unwrap_or_default();
    let mut entry = json!({
        "startedDateTime": e.started_at,
        "time": e.elapsed_ms,
        "request": request,
        "response": {
            "status": e.status.unwrap_or(0),
            "statusText": e.status.map(reason).unwrap_or(""),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": headers(&e.response_headers),
            "content": {
                "size": body.len(),
                "mimeType": header(&e.response_headers, "content-type").unwrap_or_default(),
                "text": body,
            },
            "redirectURL": header(&e.response_headers, "location").filter(|_| e.status.is_some_and(|s| (300..400).contains(&s))).unwrap_or_default(),
            "headersSize": -1,
            "bodySize": e.response_body.as_ref().map_or(-1, |b| b.len() as i64),
        },
        "cache": {},
        "timings": {"send": 0, "wait": e.elapsed_ms, "receive": 0},
        "comment": format!("{check}: {}", e.step),
    });
    if let Some(error) = &e.error {
        entry["response"]["_error"] = json!(error);
    }
    entry
}

/// The query string of a URL as HAR's name/value list (percent-decoded).
fn query(url: &str) -> Vec<Value> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return vec![];
    };
    parsed
        .query_pairs()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

/// The reason phrase of the status codes a SCIM server answers.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}
