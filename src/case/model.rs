//! The typed case model: what the runner executes. The loader builds it
//! from a case file (see `file.rs`) once; every selector, capture, status
//! class, regular expression and template in it is already parsed, so a run
//! never meets a malformed one. Positions ([`Pos`]) point back into the file.

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use super::selector::Selector;
use super::template::{JsonTemplate, Template};
use crate::diag::Pos;

/// RFC 2119 requirement level of the rule a case enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Level {
    MUST,
    SHOULD,
    MAY,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::MUST => "MUST",
            Level::SHOULD => "SHOULD",
            Level::MAY => "MAY",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
        }
    }
}

/// The SCIM message shapes of RFC 7643 §3 and RFC 7644 §3.4.2 / §3.12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// A resource: `schemas`, `id`, `meta`.
    Resource,
    /// A ListResponse: its schema URN, `totalResults`, `Resources`, and
    /// `startIndex`/`itemsPerPage` when the result is paginated.
    List,
    /// An Error: the Error URN and `status` as a string.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }

    pub fn of(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn matches(self, value: &Value) -> bool {
        match self {
            JsonType::Number => value.is_number(),
            other => other.name() == JsonType::of(value),
        }
    }
}

/// One request with its expectations and captures.
#[derive(Debug, Clone)]
pub struct Step {
    /// `step 2: PATCH /Users/{{ id }}`, or the step's own name.
    pub label: String,
    pub request: Request,
    /// Where the request is written.
    pub at: Pos,
    pub expect: Expect,
    pub captures: Vec<Capture>,
    pub snapshot: Option<Snapshot>,
    /// In a client flow: the documented client behaviour the request replays.
    pub replays: Option<String>,
    /// In a client flow: what the RFC asks that the client tolerates the lack of.
    pub warn: Expect,
    /// In a client flow: a request another stage judges; its failure means
    /// this stage did not run.
    pub setup: bool,
}

/// An HTTP request, relative to the target's base URL.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: Template,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub body: Option<Body>,
    pub auth: Auth,
}

impl Request {
    /// Every template of the request, for checking the variables it uses.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out = vec![&self.path];
        out.extend(self.query.iter().chain(&self.headers).map(|(_, t)| t));
        if let Some(Body::Raw(raw)) = &self.body {
            out.push(raw);
        }
        if let Auth::Bearer(token) = &self.auth {
            out.push(token);
        }
        out
    }

    /// The root variables the request refers to, body included.
    pub fn variables(&self) -> std::collections::BTreeSet<String> {
        let mut names: std::collections::BTreeSet<String> = self
            .templates()
            .into_iter()
            .flat_map(Template::variables)
            .collect();
        if let Some(Body::Json(json)) = &self.body {
            names.extend(json.variables());
        }
        names
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    /// Sent as `application/scim+json`.
    Json(JsonTemplate),
    /// Sent as is (malformed-input cases).
    Raw(Template),
}

/// Which credentials a request carries.
#[derive(Debug, Clone)]
pub enum Auth {
    /// The run's own (`--token`, `--basic`, `--header`).
    Default,
    /// No Authorization header.
    None,
    /// A bearer token of the case's choosing (a wrong one, to test rejection).
    Bearer(Template),
    /// The run's own, its scheme word recased: `true` upper, `false` lower.
    SchemeCase { upper: bool },
}

/// A request that always runs after the steps.
#[derive(Debug, Clone)]
pub struct Cleanup {
    pub label: String,
    pub request: Request,
    pub at: Pos,
}

/// An expectation and where it is written.
#[derive(Debug, Clone)]
pub struct Expected<T> {
    pub rule: T,
    pub at: Pos,
}

/// What a response must look like. Every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub status: Option<Expected<StatusRule>>,
    pub headers: Vec<(String, Expected<HeaderRule>)>,
    pub shape: Option<Expected<Shape>>,
    pub json: Option<Expected<JsonTemplate>>,
    pub values: Vec<(Selector, Expected<ValueRule>)>,
}

/// `201`, `[200, 204]` or a class such as `2xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusRule {
    Exact(u16),
    AnyOf(Vec<u16>),
    /// The first digit of the class: `4` for `4xx`.
    Class(u16),
    /// Any of these (codes and classes mixed: `[2xx, 404]`).
    OneOf(Vec<StatusRule>),
}

impl StatusRule {
    pub fn allows(&self, status: u16) -> bool {
        match self {
            StatusRule::Exact(code) => status == *code,
            StatusRule::AnyOf(codes) => codes.contains(&status),
            StatusRule::Class(digit) => status / 100 == *digit,
            StatusRule::OneOf(rules) => rules.iter().any(|r| r.allows(status)),
        }
    }
}

impl std::fmt::Display for StatusRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusRule::Exact(code) => write!(f, "{code}"),
            StatusRule::AnyOf(codes) => {
                let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
                write!(f, "one of {}", codes.join(", "))
            }
            StatusRule::Class(digit) => write!(f, "{digit}xx"),
            StatusRule::OneOf(rules) => {
                let shown: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
                write!(f, "one of {}", shown.join(", "))
            }
        }
    }
}

/// What a header must be; `S` is a template in a case, text once rendered.
#[derive(Debug, Clone)]
pub enum HeaderRule<S = Template> {
    Present,
    Absent,
    /// Equal to this value (media types compare without parameters).
    Equals(S),
    /// Present, and not equal to this value (a version that must have changed).
    NotEquals(S),
    Matches(Regex),
}

/// What must hold for the value(s) a selector picks; `V` is a JSON template
/// in a case, a JSON value once rendered. All given parts must hold.
#[derive(Debug, Clone)]
pub struct ValueRule<V = JsonTemplate> {
    /// Equal to this (strings exactly; see `equals_ignoring_case`).
    pub equals: Option<V>,
    /// A string equal to this one ignoring letter case.
    pub equals_ignoring_case: Option<V>,
    pub not_equals: Option<V>,
    pub kind: Option<JsonType>,
    /// `true`: the selector picks something; `false`: it picks nothing.
    pub exists: Option<bool>,
    /// An array with an element that contains this (subset match), or a
    /// string with this substring.
    pub contains: Option<V>,
    pub not_contains: Option<V>,
    /// A string matching this regular expression.
    pub matches: Option<Regex>,
    /// An array (or string) of exactly this length.
    pub length: Option<usize>,
    /// A number equal to the element count of the array at this JSON
    /// pointer of the same body (0 when absent): `itemsPerPage` against
    /// `/Resources`.
    pub counts: Option<String>,
    pub min: Option<V>,
    pub max: Option<V>,
}

impl<V> ValueRule<V> {
    /// The same rule with every value transformed (rendered) by `f`.
    pub fn try_map<W, E>(&self, f: impl Fn(&V) -> Result<W, E>) -> Result<ValueRule<W>, E> {
        let map = |v: &Option<V>| v.as_ref().map(&f).transpose();
        Ok(ValueRule {
            equals: map(&self.equals)?,
            equals_ignoring_case: map(&self.equals_ignoring_case)?,
            not_equals: map(&self.not_equals)?,
            kind: self.kind,
            exists: self.exists,
            contains: map(&self.contains)?,
            not_contains: map(&self.not_contains)?,
            matches: self.matches.clone(),
            length: self.length,
            counts: self.counts.clone(),
            min: map(&self.min)?,
            max: map(&self.max)?,
        })
    }

    /// Whether the rule judges a value (not only its existence).
    pub fn judges_value(&self) -> bool {
        self.equals.is_some()
            || self.equals_ignoring_case.is_some()
            || self.not_equals.is_some()
            || self.kind.is_some()
            || self.contains.is_some()
            || self.not_contains.is_some()
            || self.matches.is_some()
            || self.length.is_some()
            || self.counts.is_some()
            || self.min.is_some()
            || self.max.is_some()
    }

    /// Every value of the rule, for checking the variables it uses.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        [
            &self.equals,
            &self.equals_ignoring_case,
            &self.not_equals,
            &self.contains,
            &self.not_contains,
            &self.min,
            &self.max,
        ]
        .into_iter()
        .flatten()
    }
}

/// A value taken from a response for later steps.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub from: CaptureFrom,
    /// Written with a trailing `?`: may find nothing.
    pub optional: bool,
    /// The spec as written (`/id`, `header:Location?`).
    pub spec: String,
    pub at: Pos,
}

#[derive(Debug, Clone)]
pub enum CaptureFrom {
    Header(String),
    Json(Selector),
}

/// A step's pinned response and the case's own redactions.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Selector → the placeholder that replaces what it picks.
    pub redact: Vec<(Selector, String)>,
    pub at: Pos,
}
