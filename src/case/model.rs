//! The typed case model: what one YAML case file deserializes into.
//!
//! Every struct rejects unknown keys, and the values a user can get wrong
//! keep their source position ([`Spanned`]) so that load-time validation and
//! run-time failures can point at `path:line:col`. Only the JSON under test
//! (request bodies, expected JSON) stays a [`serde_json::Value`].

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// One case file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// What the case shows, in one sentence.
    pub name: String,
    /// The rule(s) the case enforces: `rfc7644#3.3`, `insightly.op.create`, ...
    pub rule: Spanned<OneOrMany>,
    /// How binding the rule is.
    pub level: Level,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Capabilities the target must claim for the case to run.
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    /// Capabilities the target must NOT claim for the case to run: this is how
    /// a profile changes expectations (e.g. an unclaimed filter must be rejected).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    /// The requests of the case, in order (none for a property).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// A property check (`paging.walk`, `filter.eq-any-case`, ...) that
    /// generates its own requests, instead of steps.
    pub property: Option<Spanned<String>>,
    /// Requests that always run after the steps, even when a step failed.
    /// A cleanup request whose template needs a value that was never captured
    /// is skipped (there is nothing to clean up).
    #[serde(default)]
    pub cleanup: Vec<Spanned<Request>>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

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

/// One request with its expectations and captures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Optional label used in reports; defaults to `METHOD path`.
    pub name: Option<String>,
    pub request: Spanned<Request>,
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the response: `name: /json/pointer`,
    /// `name: $.json.path` or `name: header:Location`; a trailing `?` makes
    /// the capture optional (e.g. the id of a resource that should not exist).
    #[serde(default)]
    pub capture: IndexMap<String, Spanned<String>>,
    /// Pin the normalized response in a snapshot (`true`, or with the
    /// case's own redactions: `{redact: {"/selector": "[placeholder]"}}`).
    pub snapshot: Option<Spanned<SnapshotSpec>>,
}

/// How a step's response is snapshotted. (Untagged: positions inside are
/// lost, so errors point at the `snapshot:` key itself.)
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SnapshotSpec {
    On(bool),
    With(SnapshotOptions),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotOptions {
    /// Selector (JSON pointer or JSONPath) → the placeholder that replaces
    /// what it picks, for values only this case knows to be volatile.
    #[serde(default)]
    pub redact: IndexMap<String, String>,
}

impl SnapshotSpec {
    /// The redactions of an enabled snapshot; `None` when snapshots are off.
    pub fn options(&self) -> Option<SnapshotOptions> {
        match self {
            SnapshotSpec::On(true) => Some(SnapshotOptions::default()),
            SnapshotSpec::On(false) => None,
            SnapshotSpec::With(options) => Some(options.clone()),
        }
    }
}

/// An HTTP request, relative to the target's base URL. Strings are templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: Method,
    pub path: String,
    #[serde(default)]
    pub query: IndexMap<String, String>,
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// A JSON body, sent as `application/scim+json`.
    pub json: Option<Value>,
    /// A raw body, sent as is (for malformed-input cases).
    pub body: Option<String>,
    /// Which credentials to send; the run's own by default.
    #[serde(default)]
    pub auth: Auth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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

/// Credentials for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// The credentials the run was given (`--token`, `--basic`, `--header`).
    #[default]
    Default,
    /// No Authorization header at all.
    None,
    /// A specific bearer token (e.g. a wrong one, to test rejection).
    Bearer(String),
}

/// What the response must look like. Every part is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `201`, `[200, 204]` or a class such as `2xx`.
    pub status: Option<Spanned<StatusRule>>,
    /// Header name (case-insensitive) to a rule: `present`, `absent`, a value
    /// that must be equal (media types compare without parameters), or
    /// `{matches: regex}`.
    #[serde(default)]
    pub headers: IndexMap<String, Spanned<HeaderRule>>,
    /// A SCIM message shape the body must have.
    pub shape: Option<Spanned<Shape>>,
    /// A JSON value the body must contain (a subset match; SCIM attribute
    /// names compare case-insensitively, arrays match in any order).
    pub json: Option<Spanned<Value>>,
    /// Selector (a JSON pointer `/a/b` or a JSONPath `$.a[*].b`) to a rule.
    #[serde(default)]
    pub values: IndexMap<String, Spanned<ValueRule>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StatusRule {
    Exact(u16),
    AnyOf(Vec<u16>),
    Class(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HeaderRule {
    /// `present`, `absent`, or a value to equal.
    Text(String),
    Matches {
        matches: String,
    },
}

/// The SCIM message shapes of RFC 7643 §3 and RFC 7644 §3.4.2 / §3.12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// A resource: `schemas`, `id`, `meta`.
    Resource,
    /// A ListResponse: its schema URN, `totalResults`, `Resources`, `startIndex`, `itemsPerPage`.
    List,
    /// An Error: the Error URN and `status` as a string.
    Error,
}

/// What must hold for the value(s) a selector picks. All given parts must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRule {
    /// The value equals this (strings exactly; see `equals_ignoring_case`).
    pub equals: Option<Value>,
    /// The value is a string equal to this one ignoring letter case.
    pub equals_ignoring_case: Option<String>,
    pub not_equals: Option<Value>,
    #[serde(rename = "type")]
    pub kind: Option<JsonType>,
    /// `true`: the selector picks something; `false`: it picks nothing.
    pub exists: Option<bool>,
    /// An array with an element that contains this value (subset match), or a
    /// string with this substring.
    pub contains: Option<Value>,
    /// An array with no element that contains this value.
    pub not_contains: Option<Value>,
    /// A string matching this regular expression.
    pub matches: Option<String>,
    /// An array (or string) of exactly this length.
    pub length: Option<usize>,
    /// A number at least / at most this (a number, or a template such as
    /// `"{{ total }}"` that renders to one).
    pub min: Option<Value>,
    pub max: Option<Value>,
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
