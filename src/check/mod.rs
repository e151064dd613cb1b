//! Checks: small named functions that judge one response against one
//! expectation and return [`Failure`]s with the evidence.
//!
//! Checks are pure: (rendered expectation, response) → failures. [`step`]
//! runs every expectation of a step; the submodules hold one family each:
//! [`status`], [`header`], [`json`] (subset match and selector rules) and
//! [`shape`] (the SCIM resource, ListResponse and Error shapes).

pub mod header;
pub mod json;
pub mod shape;
pub mod status;

use serde_json::Value;

use crate::case::Loc;
use crate::case::model::Expect;
use crate::client::Exchange;

pub use status::status_class;

/// One way a response broke an expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The check's name: `status`, `header`, `json`, `value`, `shape`, ...
    pub check: &'static str,
    /// What went wrong, in one line.
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// Where the expectation is written in the case file.
    pub loc: Loc,
}

impl Failure {
    pub fn new(check: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            check,
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            loc: Loc::default(),
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Failure {
        self.expected = expected.into();
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Failure {
        self.actual = actual.into();
        self
    }

    pub fn at(mut self, loc: Loc) -> Failure {
        self.loc = loc;
        self
    }
}

/// Where in a JSON body a rule looks: a JSON pointer (`/name/givenName`) or a
/// JSONPath (`$.Resources[*].id`).
#[derive(Debug, Clone)]
pub enum Selector {
    Pointer(String),
    Path(serde_json_path::JsonPath),
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        if text.is_empty() || text.starts_with('/') {
            Ok(Selector::Pointer(text.to_string()))
        } else if text.starts_with('$') {
            serde_json_path::JsonPath::parse(text)
                .map(Selector::Path)
                .map_err(|e| format!("invalid JSONPath `{text}`: {e}"))
        } else {
            Err(format!(
                "selector `{text}` is neither a JSON pointer (starting with `/`) nor a JSONPath (starting with `$`)"
            ))
        }
    }

    /// JSON pointers to every value the selector picks in `json`.
    pub fn pointers(&self, json: &Value) -> Vec<String> {
        match self {
            Selector::Pointer(pointer) => json
                .pointer(pointer)
                .map(|_| pointer.clone())
                .into_iter()
                .collect(),
            Selector::Path(path) => path
                .query_located(json)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect(),
        }
    }

    /// Every value the selector picks in `json`.
    pub fn select<'a>(&self, json: &'a Value) -> Vec<&'a Value> {
        match self {
            Selector::Pointer(pointer) => json.pointer(pointer).into_iter().collect(),
            Selector::Path(path) => path.query(json).all(),
        }
    }
}

/// Runs every expectation of a step against its exchange.
pub fn step(expect: &Expect, exchange: &Exchange) -> Vec<Failure> {
    let response = match &exchange.response {
        Ok(response) => response,
        Err(error) => {
            return vec![
                Failure::new("response", format!("no response: {error}"))
                    .expected("an HTTP response")
                    .actual(error.clone()),
            ];
        }
    };
    let mut failures = Vec::new();
    if let Some(rule) = &expect.status {
        failures.extend(status::status(&rule.value, response.status).map(|f| f.at(Loc::of(rule))));
    }
    if !failures.is_empty() {
        // A wrong status explains every later difference: report it alone.
        return failures;
    }
    for (name, rule) in &expect.headers {
        failures.extend(header::header(name, &rule.value, response).map(|f| f.at(Loc::of(rule))));
    }
    // 204 No Content has no body by definition (RFC 9110 §15.3.5): where a
    // case allows it (PATCH may answer 204, RFC 7644 §3.5.2), body checks
    // do not apply and the case verifies with a later GET.
    if response.status == 204 && failures.is_empty() && expect.status.is_some() {
        return failures;
    }
    let needs_json = expect.shape.is_some() || expect.json.is_some() || !expect.values.is_empty();
    let json = match (&response.json, needs_json) {
        (Some(json), _) => json,
        (None, false) => return failures,
        (None, true) => {
            let actual = if response.body.is_empty() {
                "an empty body".to_string()
            } else {
                format!("`{}`", excerpt(&response.body, 200))
            };
            let loc = [
                expect.shape.as_ref().map(Loc::of),
                expect.json.as_ref().map(Loc::of),
            ]
            .into_iter()
            .flatten()
            .chain(expect.values.values().map(Loc::of))
            .next()
            .unwrap_or_default();
            let message = if response.truncated {
                format!(
                    "the body is not JSON: the server sent more than {} bytes, and the harness stopped reading there",
                    crate::client::MAX_BODY
                )
            } else {
                "the body is not JSON".to_string()
            };
            failures.push(
                Failure::new("json", message)
                    .expected("a JSON body")
                    .actual(actual)
                    .at(loc),
            );
            return failures;
        }
    };
    if let Some(rule) = &expect.shape {
        failures.extend(
            shape::shape(rule.value, json)
                .into_iter()
                .map(|f| f.at(Loc::of(rule))),
        );
    }
    if let Some(expected) = &expect.json {
        failures.extend(json::subset(&expected.value, json).map(|f| f.at(Loc::of(expected))));
    }
    for (selector, rule) in &expect.values {
        match Selector::parse(selector) {
            Ok(parsed) => failures.extend(
                json::value(selector, &parsed, &rule.value, json)
                    .into_iter()
                    .map(|f| f.at(Loc::of(rule))),
            ),
            Err(message) => failures.push(Failure::new("value", message).at(Loc::of(rule))),
        }
    }
    failures
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A compact JSON rendering for evidence.
pub fn show(value: &Value) -> String {
    excerpt(&value.to_string(), 300)
}
