//! The evidence of a failed check, as the terminal and JUnit write it:
//! each failure where its expectation is written, expected against actual;
//! then, once per step, the request and the response. A read that judges
//! a write is shown after that write (the request that should have changed
//! the resource, with its body and answer), and the reproduction recreates
//! what the run removed afterwards instead of pointing at a resource that
//! is gone.

use std::fmt::Write;

use super::exchange::ExchangeOut;
use super::model::CheckOut;
use crate::client::excerpt;

/// How much of a body the evidence quotes.
const EXCERPT: usize = 400;

pub(super) fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The evidence for a failed check.
pub fn failure_text(check: &CheckOut, color: bool) -> String {
    let mut out = String::new();
    let rules = check.rules.join(", ");
    let _ = writeln!(out, "{} [{} {}]", check.name, check.level, rules);
    let mut failures = check.failures.iter().peekable();
    while let Some(first) = failures.next() {
        let mut of_step = vec![first];
        while let Some(next) =
            failures.next_if(|f| f.step == first.step && f.exchange == first.exchange)
        {
            of_step.push(next);
        }
        for failure in of_step {
            let _ = writeln!(
                out,
                "{}: {} {}",
                paint(&failure.location, "1", color),
                paint("error:", "1;31", color),
                failure.message
            );
            if !failure.expected.is_empty() || !failure.actual.is_empty() {
                let _ = writeln!(out, "  expected: {}", paint(&failure.expected, "32", color));
                let _ = writeln!(out, "  actual:   {}", paint(&failure.actual, "31", color));
            }
        }
        match first
            .exchange
            .and_then(|i| Some((i, check.exchanges.get(i)?)))
        {
            Some((at, exchange)) => {
                if let Some(write) = judged_write(&check.exchanges, at) {
                    let _ = writeln!(
                        out,
                        "  after {} (the last write before this read):",
                        write.step
                    );
                    exchange_lines(&mut out, write, true);
                }
                let _ = writeln!(out, "  in {}", first.step);
                // Its failure already says why no answer came.
                exchange_lines(&mut out, exchange, false);
                reproduction(&mut out, &check.exchanges, at);
            }
            None => {
                let _ = writeln!(out, "  in {}", first.step);
            }
        }
    }
    out
}

/// The request, its body, and the answer (with `why_none`, also why there
/// was none).
fn exchange_lines(out: &mut String, exchange: &ExchangeOut, why_none: bool) {
    let _ = writeln!(out, "  request:  {} {}", exchange.method, exchange.url);
    if let Some(body) = exchange.request_body.as_deref().filter(|b| !b.is_empty()) {
        let _ = writeln!(out, "  body:     {}", excerpt(body, EXCERPT));
    }
    match (exchange.status, &exchange.error) {
        (Some(status), _) => {
            let body = exchange.response_body.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  response: {status} {}", excerpt(body, EXCERPT));
        }
        (None, Some(error)) if why_none => {
            let _ = writeln!(out, "  response: none: {error}");
        }
        _ => {}
    }
}

fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "DELETE")
}

/// Whether an exchange belongs to the run's cleanup, not to the case.
fn is_cleanup(exchange: &ExchangeOut) -> bool {
    exchange.step.starts_with(crate::case::CLEANUP_LABEL)
}

/// The path of a URL without its query: the resource it names.
fn resource(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The id a URL's last path segment names (`…/Groups/ID` → `ID`).
fn id_of(url: &str) -> Option<&str> {
    let path = resource(url).trim_end_matches('/');
    let (collection, id) = path.rsplit_once('/')?;
    (!id.is_empty() && !collection.is_empty() && !id.starts_with('.')).then_some(id)
}

/// For a read (GET, or a POST to `.search`), the last write of the case
/// before it: what the read judges.
fn judged_write(exchanges: &[ExchangeOut], at: usize) -> Option<&ExchangeOut> {
    let read = &exchanges[at];
    let reads = read.method == "GET" || read.url.contains("/.search");
    if !reads {
        return None;
    }
    exchanges[..at]
        .iter()
        .rev()
        .find(|e| is_write(e.method) && !is_cleanup(e) && e.sent && !e.url.contains("/.search"))
}

/// A curl line that sends the failed request again. When the run removed
/// the resource it names afterwards, the line alone would meet a 404: then
/// the case's writes that built it come first (every create and change the
/// target accepted before the failure, so what the resource refers to is
/// recreated too), or, when the case did not create it, the evidence says
/// the request now meets a 404.
fn reproduction(out: &mut String, exchanges: &[ExchangeOut], at: usize) {
    let failed = &exchanges[at];
    // A request the guard kept back never reached the target.
    if !failed.sent {
        return;
    }
    let accepted = |e: &ExchangeOut| e.status.is_some_and(|s| (200..300).contains(&s));
    let removed = id_of(&failed.url).filter(|_| {
        exchanges[at + 1..].iter().any(|e| {
            e.method == "DELETE" && resource(&e.url) == resource(&failed.url) && accepted(e)
        })
    });
    let Some(id) = removed else {
        let _ = writeln!(out, "  reproduce: {}", failed.curl);
        return;
    };
    let writes: Vec<&ExchangeOut> = exchanges[..at]
        .iter()
        .filter(|e| is_write(e.method) && !is_cleanup(e) && e.sent && accepted(e))
        .collect();
    let created: Vec<String> = writes
        .iter()
        .filter(|e| e.method == "POST")
        .filter_map(|e| created_id(e.response_body.as_deref()?))
        .collect();
    if !created.iter().any(|c| c == id) {
        let _ = writeln!(
            out,
            "  reproduce: {} (the run deleted {} afterwards: this request alone now meets a 404)",
            failed.curl,
            resource(&failed.url)
        );
        return;
    }
    let _ = writeln!(
        out,
        "  reproduce: the run deleted {} afterwards; these recreate what it needs (replace {} with the id{} the create{} answer{}):",
        resource(&failed.url),
        created.join(", "),
        if created.len() > 1 { "s" } else { "" },
        if created.len() > 1 { "s" } else { "" },
        if created.len() > 1 { "" } else { "s" },
    );
    for exchange in writes.into_iter().chain([failed]) {
        let _ = writeln!(out, "    {}", exchange.curl);
    }
}

/// The id a create's answer names.
fn created_id(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(value.get("id")?.as_str()?.to_string())
}
