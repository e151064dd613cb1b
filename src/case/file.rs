//! The case file format as written: what one YAML case deserializes into,
//! before the loader validates it and compiles it into the typed
//! [`super::model`]. Every struct rejects unknown keys, and every value a
//! user can get wrong keeps its source position ([`Spanned`]).

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::client::Stage;
use super::model::{JsonType, Level, Method, Shape};
pub use super::round_trip::RoundTrip;
pub use super::spec::{
    HeaderSpec, OneOrMany, SnapshotOptions, SnapshotSpec, StatusItem, StatusSpec,
};

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
    /// Capabilities the target must NOT claim for the case to run: this is
    /// how a profile changes expectations (an unclaimed filter must be rejected).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    /// The requests of the case, in order (none for a property).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// A property check (`paging.walk`, ...) that makes its own requests.
    pub property: Option<Spanned<String>>,
    /// One attribute written by create, PUT and PATCH and read back each
    /// time: the steps are written for the case ([`super::round_trip`]).
    pub round_trip: Option<RoundTrip>,
    /// Requests that always run after the steps, even when a step failed.
    #[serde(default)]
    pub cleanup: Vec<Spanned<Request>>,
    /// The lifecycle stage a client flow replays (only under `clients/`).
    pub stage: Option<Spanned<Stage>>,
    /// In a client flow: the client's validator (a key of its
    /// `client.yaml` `validators:`) whose check this case replays. Its
    /// failure fails certification, not provisioning.
    pub validator: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: Option<String>,
    pub request: Spanned<Request>,
    #[serde(default)]
    pub expect: Expect,
    /// `name: /json/pointer`, `name: $.json.path` or `name: header:Location`;
    /// a trailing `?` makes the capture optional.
    #[serde(default)]
    pub capture: IndexMap<String, Spanned<String>>,
    /// `true`, or `{redact: {"/selector": "[placeholder]"}}`.
    pub snapshot: Option<Spanned<SnapshotSpec>>,
    /// In a client flow: the documented client behaviour this request
    /// replays, and where it is written.
    pub replays: Option<String>,
    /// In a client flow: what the RFC asks of this answer that the client
    /// does not need; a failure here is a warning, not a break.
    pub warn: Option<Expect>,
    /// In a client flow: a request another stage judges (the create before
    /// an update). When it fails, this stage did not run; it did not break.
    #[serde(default)]
    pub setup: bool,
}

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
    /// A User body without its `schemas`: the loader writes them (the core
    /// User schema, and each extension whose URN is a key), so a case
    /// states only the attributes it sends.
    pub user: Option<serde_json::Map<String, Value>>,
    /// A Group body without its `schemas`, likewise.
    pub group: Option<serde_json::Map<String, Value>>,
    /// Which credentials to send; the run's own by default.
    #[serde(default)]
    pub auth: AuthSpec,
}

/// Credentials for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthSpec {
    /// The credentials the run was given (`--token`, `--basic`, `--header`).
    #[default]
    Default,
    /// No Authorization header at all.
    None,
    /// A specific bearer token (e.g. a wrong one, to test rejection).
    Bearer(String),
    /// The run's own credentials with the scheme word in lower case
    /// (`bearer …`, `basic …`): RFC 7235 §2.1 makes it case-insensitive.
    #[serde(rename = "lowercase-scheme")]
    LowercaseScheme,
    /// Likewise in upper case (`BEARER …`).
    #[serde(rename = "uppercase-scheme")]
    UppercaseScheme,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `201`, `[200, 204]`, a class such as `2xx`, or a list mixing them.
    pub status: Option<Spanned<StatusSpec>>,
    /// Header name to `present`, `absent`, a value, `{matches: regex}` or
    /// `{not_equals: value}`.
    #[serde(default)]
    pub headers: IndexMap<String, Spanned<HeaderSpec>>,
    pub shape: Option<Spanned<Shape>>,
    /// A JSON value the body must contain.
    pub json: Option<Spanned<Value>>,
    /// Selector to a rule.
    #[serde(default)]
    pub values: IndexMap<String, Spanned<ValueSpec>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub equals: Option<Value>,
    pub equals_ignoring_case: Option<String>,
    pub not_equals: Option<Value>,
    #[serde(rename = "type")]
    pub kind: Option<JsonType>,
    pub exists: Option<bool>,
    pub contains: Option<Value>,
    pub not_contains: Option<Value>,
    pub matches: Option<String>,
    pub length: Option<usize>,
    /// A JSON pointer to an array of the same body: the number here is how
    /// many elements it holds (0 when it is absent).
    pub counts: Option<String>,
    pub min: Option<Value>,
    pub max: Option<Value>,
}
