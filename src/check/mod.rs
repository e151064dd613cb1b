//! Checks: small named functions that judge one response against one
//! expectation and return [`Failure`]s with the evidence.
//!
//! Checks are pure: (rendered [`Expectation`], [`Exchange`]) → failures.
//! [`step`] runs every expectation of a step and reports every mismatch it
//! finds; the submodules hold one family each: [`status`], [`header`],
//! [`json`] (subset match and selector rules) and [`shape`] (the SCIM
//! resource, ListResponse and Error shapes).

pub mod header;
pub mod json;
pub mod shape;
pub mod status;

use std::fmt;

use serde_json::Value;

use crate::case::Selector;
use crate::case::model::{Expected, HeaderRule, Shape, StatusRule, ValueRule};
use crate::client::{Exchange, NoResponse, excerpt};
use crate::diag::Location;

crate::named! {
    /// What kind of check a failure comes from; `case#kind` waivers name them.
    pub enum CheckKind {
        /// No response: the connection failed, timed out or was cut.
        Response = "response",
        /// The harness refused to send the request (the guard).
        Refused = "refused",
        Status = "status",
        Header = "header",
        Json = "json",
        Value = "value",
        Shape = "shape",
        Capture = "capture",
        Template = "template",
        Snapshot = "snapshot",
        Property = "property",
        /// The harness broke down running the case (a bug of scimcheck's).
        Harness = "harness",
    }
}

impl CheckKind {
    /// Whether a failure of this kind is the harness's trouble (a template
    /// that cannot be rendered, a request the guard refused), not something
    /// the target did: reported as an error, never as non-conformance.
    pub fn is_harness(self) -> bool {
        matches!(
            self,
            CheckKind::Template | CheckKind::Refused | CheckKind::Harness
        )
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way a response broke an expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: CheckKind,
    /// What went wrong, in one line (a snapshot diff follows on more lines).
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// Where the expectation is written.
    pub location: Location,
}

impl Failure {
    pub fn new(kind: CheckKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            location: Location::default(),
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

    pub fn at(mut self, location: Location) -> Failure {
        self.location = location;
        self
    }

    /// The failure of an exchange that has no response.
    pub fn no_response(none: &NoResponse) -> Failure {
        match none {
            NoResponse::Refused(refusal) => Failure::new(CheckKind::Refused, refusal.to_string())
                .expected("a request the run may send")
                .actual("not sent"),
            NoResponse::Transport(error) => {
                Failure::new(CheckKind::Response, format!("no response: {error}"))
                    .expected("an HTTP response")
                    .actual(error.clone())
            }
        }
    }
}

/// A step's expectations with every template rendered: what [`step`] judges.
#[derive(Debug, Clone, Default)]
pub struct Expectation {
    pub status: Option<Expected<StatusRule>>,
    pub headers: Vec<(String, Expected<HeaderRule<String>>)>,
    pub shape: Option<Expected<Shape>>,
    pub json: Option<Expected<Value>>,
    pub values: Vec<(Selector, Expected<ValueRule<Value>>)>,
}

/// Runs every expectation of a step against its exchange; `file` is the
/// case file, whose positions the failures point at.
pub fn step(expect: &Expectation, exchange: &Exchange, file: &Location) -> Vec<Failure> {
    let response = match &exchange.response {
        Ok(response) => response,
        Err(none) => return vec![Failure::no_response(none)],
    };
    if let Some(rule) = &expect.status
        && let Some(failure) = status::status(&rule.rule, response.status)
    {
        // A wrong status explains every later difference: report it alone.
        return vec![failure.at(file.at(rule.at))];
    }
    let mut failures: Vec<Failure> = expect
        .headers
        .iter()
        .filter_map(|(name, rule)| {
            header::header(name, &rule.rule, response).map(|f| f.at(file.at(rule.at)))
        })
        .collect();
    // 204 No Content has no body by definition (RFC 9110 §15.3.5): where a
    // case allows it (PATCH may answer 204, RFC 7644 §3.5.2), body checks
    // do not apply and the case verifies with a later GET.
    if response.status == 204 && expect.status.is_some() {
        return failures;
    }
    let first_body_rule = [
        expect.shape.as_ref().map(|s| s.at),
        expect.json.as_ref().map(|j| j.at),
    ]
    .into_iter()
    .flatten()
    .chain(expect.values.iter().map(|(_, v)| v.at))
    .next();
    let Some(body_rule) = first_body_rule else {
        return failures;
    };
    let Some(json) = &response.json else {
        let actual = if response.body.is_empty() {
            "an empty body".to_string()
        } else {
            format!("`{}`", excerpt(&response.body, 200))
        };
        let message = if response.truncated {
            format!(
                "the body is not JSON: the server sent more than {} bytes, and the harness stopped reading there",
                crate::client::MAX_BODY
            )
        } else {
            "the body is not JSON".to_string()
        };
        failures.push(
            Failure::new(CheckKind::Json, message)
                .expected("a JSON body")
                .actual(actual)
                .at(file.at(body_rule)),
        );
        return failures;
    };
    if let Some(rule) = &expect.shape {
        failures.extend(
            shape::shape(rule.rule, json)
                .into_iter()
                .map(|f| f.at(file.at(rule.at))),
        );
    }
    if let Some(expected) = &expect.json {
        failures.extend(
            json::subset(&expected.rule, json)
                .into_iter()
                .map(|f| f.at(file.at(expected.at))),
        );
    }
    for (selector, rule) in &expect.values {
        failures.extend(
            json::value(selector, &rule.rule, json)
                .into_iter()
                .map(|f| f.at(file.at(rule.at))),
        );
    }
    failures
}

/// A compact JSON rendering for evidence.
pub fn show(value: &Value) -> String {
    excerpt(&value.to_string(), 300)
}
