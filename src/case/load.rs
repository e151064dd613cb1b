//! Loading a case set: parse every file once, validate it, compile it into
//! the typed model, and report every problem at once as `path:line:col:
//! message` (the run then exits 2).
//!
//! Validation covers what serde cannot: rule ids, capability names and
//! property names (with a "did you mean"), selectors, regular expressions,
//! status classes, capture specs, templates (syntax, and that every
//! variable a step uses is captured by an earlier step).

use std::collections::BTreeSet;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::Case;
use super::Property;
use super::client;
use super::file::{self, AuthSpec, CaseFile, HeaderSpec, SnapshotSpec, StatusSpec, ValueSpec};
use super::model::{
    Auth, Body, Capture, CaptureFrom, Cleanup, Expect, Expected, HeaderRule, Request, Snapshot,
    StatusRule, Step, ValueRule,
};
use super::needs;
use super::selector::Selector;
use super::source::Source;
use super::template::{JsonTemplate, Template};
use crate::diag::{Diagnostic, Location, Pos, parse_yaml};
use crate::profile::Capability;
use crate::rules;
use crate::scim::ResourceType;

/// Names every template may use besides captured values (see the runner's `Vars`).
pub const GENERATED: &[&str] = &["unique", "email", "run"];

/// Parses and validates every source; all cases, or every problem found.
pub fn load_sources(sources: Vec<Source>) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for source in sources.into_iter().filter(|s| !client::is_client_file(s)) {
        match parse_yaml::<CaseFile>(&source.path, &source.text) {
            Ok(file) => {
                let mut compiler = Compiler {
                    file: Location::new(source.path.as_str(), Pos::START),
                    errors: Vec::new(),
                };
                let case = compiler.case(&source, file);
                if compiler.errors.is_empty() {
                    cases.push(case);
                }
                errors.append(&mut compiler.errors);
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// Compiles one file, collecting its problems.
struct Compiler {
    file: Location,
    errors: Vec<Diagnostic>,
}

impl Compiler {
    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors
            .push(Diagnostic::new(self.file.at(pos), message));
    }

    /// `Some(value)`, or records the error at `pos`.
    fn ok<T, E: std::fmt::Display>(&mut self, pos: Pos, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.error(pos, e.to_string())).ok()
    }

    fn case(&mut self, source: &Source, mut file: CaseFile) -> Case {
        let client = client::client_of(&source.id).map(str::to_string);
        let stage = self.stage(client.is_some(), &file);
        let rule_pos = Pos::of(&file.rule);
        let rules = file.rule.value.into_vec();
        for rule in &rules {
            if let Err(bad) = rules::check_ref(rule) {
                self.error(rule_pos, bad.to_string());
            }
        }
        let mut capabilities = |list: &[Spanned<String>]| -> Vec<Capability> {
            list.iter()
                .filter_map(|c| self.ok(Pos::of(c), Capability::parse(&c.value)))
                .collect()
        };
        let mut needs = capabilities(&file.needs);
        let mut unless = capabilities(&file.unless);
        if let Some(trip) = file.round_trip.take() {
            if !file.steps.is_empty() || !file.cleanup.is_empty() || file.property.is_some() {
                self.error(
                    Pos::of(&trip.attribute),
                    "a `round_trip:` case has no `steps:`, `cleanup:` or `property:` (its steps are written for it)",
                );
            }
            let (implied_needs, implied_unless) = trip.implied();
            let at = Pos::of(&trip.attribute);
            needs.extend(
                implied_needs
                    .iter()
                    .filter_map(|c| self.ok(at, Capability::parse(c))),
            );
            unless.extend(
                implied_unless
                    .iter()
                    .filter_map(|c| self.ok(at, Capability::parse(c))),
            );
            file.steps = trip.steps();
        }
        let property = match &file.property {
            None if file.steps.is_empty() => {
                self.error(
                    Pos::START,
                    "a case needs at least one step (or a `property:` or a `round_trip:`)",
                );
                None
            }
            None => None,
            Some(named) => {
                if !file.steps.is_empty() || !file.cleanup.is_empty() {
                    self.error(
                        Pos::of(named),
                        "a property case has no `steps:` or `cleanup:` (the property makes its own requests and removes what it creates)",
                    );
                }
                let parsed = Property::parse(&named.value).ok_or_else(|| {
                    let hint = crate::diag::did_you_mean(&named.value, Property::names())
                        .map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    format!(
                        "unknown property `{}`{hint}; known: {}",
                        named.value,
                        Property::names().join(", ")
                    )
                });
                self.ok(Pos::of(named), parsed).map(|p| (p, Pos::of(named)))
            }
        };
        // Variables a step may use: the generated ones and what earlier steps captured.
        let mut known: BTreeSet<String> = GENERATED.iter().map(|s| s.to_string()).collect();
        let mut steps = Vec::new();
        for (index, step) in file.steps.iter().enumerate() {
            steps.extend(self.step(index, step, &known));
            // Even a step with errors names its captures: later steps are
            // then judged on their own mistakes only.
            known.extend(step.capture.keys().cloned());
        }
        // What the steps send is what they need (client flows excepted, see
        // `needs`), and a property needs what its function sends.
        let derived: Vec<String> = match &property {
            Some((property, _)) => property.needs().iter().map(|n| n.to_string()).collect(),
            None if client.is_none() => file
                .steps
                .iter()
                .filter_map(|s| needs::operation(s.request.value.method, &s.request.value.path))
                .collect(),
            None => Vec::new(),
        };
        for name in derived {
            let capability = Capability::parse(&name).expect("a derived need is a capability");
            if !needs.contains(&capability) && !unless.contains(&capability) {
                needs.push(capability);
            }
        }
        let cleanup = file
            .cleanup
            .iter()
            .filter_map(|request| {
                let at = Pos::of(request);
                let compiled = self.request(&request.value, at)?;
                self.check_variables(at, compiled.variables(), &known);
                Some(Cleanup {
                    label: format!(
                        "{} {} {}",
                        super::CLEANUP_LABEL,
                        request.value.method.as_str(),
                        request.value.path
                    ),
                    request: compiled,
                    at,
                })
            })
            .collect();
        Case {
            id: source.id.clone(),
            path: Arc::from(source.path.as_str()),
            name: file.name,
            rules,
            level: file.level,
            tags: file.tags,
            needs,
            unless,
            steps,
            cleanup,
            property,
            client,
            stage,
            validator: file.validator.map(|v| v.value),
        }
    }

    /// A client flow names its stage and, on every step, what it replays;
    /// other cases do neither.
    fn stage(&mut self, flow: bool, file: &CaseFile) -> Option<client::Stage> {
        if !flow {
            if let Some(stage) = &file.stage {
                self.error(
                    Pos::of(stage),
                    "`stage:` belongs to client flows (cases/clients/<name>/)",
                );
            }
            if let Some(validator) = &file.validator {
                self.error(
                    Pos::of(validator),
                    "`validator:` belongs to client flows (cases/clients/<name>/)",
                );
            }
            for step in file
                .steps
                .iter()
                .filter(|s| s.replays.is_some() || s.warn.is_some() || s.setup)
            {
                self.error(
                    Pos::of(&step.request),
                    "`replays:`, `warn:` and `setup:` belong to client flows (cases/clients/<name>/)",
                );
            }
            return None;
        }
        for step in file.steps.iter().filter(|s| s.replays.is_none()) {
            self.error(
                Pos::of(&step.request),
                "a client flow's step says what it `replays:` (the documented client behaviour and its source)",
            );
        }
        match &file.stage {
            Some(stage) => Some(stage.value),
            None => {
                self.error(
                    Pos::START,
                    format!(
                        "a client flow names its `stage:` (one of {})",
                        client::Stage::names().join(", ")
                    ),
                );
                None
            }
        }
    }

    fn check_variables(&mut self, pos: Pos, used: BTreeSet<String>, known: &BTreeSet<String>) {
        for name in used.difference(known) {
            let captured: Vec<&str> = known
                .iter()
                .map(String::as_str)
                .filter(|k| !GENERATED.contains(k))
                .collect();
            self.error(
                pos,
                format!(
                    "`{name}` is not captured by an earlier step{} (captured before here: [{}]; always available: unique, email, run)",
                    crate::diag::hint(name, known.iter().map(String::as_str)),
                    captured.join(", ")
                ),
            );
        }
    }

    fn template(&mut self, pos: Pos, text: &str) -> Option<Template> {
        self.ok(pos, Template::parse(text))
    }

    fn json(&mut self, pos: Pos, value: &Value) -> Option<JsonTemplate> {
        self.ok(pos, JsonTemplate::parse(value))
    }

    fn request(&mut self, request: &file::Request, at: Pos) -> Option<Request> {
        let path = self.template(at, &request.path);
        let mut pairs =
            |map: &indexmap::IndexMap<String, String>| -> Option<Vec<(String, Template)>> {
                map.iter()
                    .map(|(k, v)| Some((k.clone(), self.template(at, v)?)))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect()
            };
        let query = pairs(&request.query);
        let headers = pairs(&request.headers);
        let bodies = [
            request.json.is_some(),
            request.user.is_some(),
            request.group.is_some(),
            request.body.is_some(),
        ];
        let json = (request.json.clone())
            .or_else(|| (request.user.as_ref()).map(|a| resource_body(ResourceType::User, a)))
            .or_else(|| (request.group.as_ref()).map(|a| resource_body(ResourceType::Group, a)));
        let body = match (json, &request.body) {
            _ if bodies.iter().filter(|given| **given).count() > 1 => {
                let one = "a request has one body: `json:`, `user:`, `group:` or `body:`";
                self.error(at, one);
                None
            }
            (Some(json), _) => Some(Body::Json(self.json(at, &json)?)),
            (None, Some(raw)) => Some(Body::Raw(self.template(at, raw)?)),
            (None, None) => None,
        };
        let auth = match &request.auth {
            AuthSpec::Default => Auth::Default,
            AuthSpec::None => Auth::None,
            AuthSpec::Bearer(token) => Auth::Bearer(self.template(at, token)?),
            AuthSpec::LowercaseScheme => Auth::SchemeCase { upper: false },
            AuthSpec::UppercaseScheme => Auth::SchemeCase { upper: true },
        };
        Some(Request {
            method: request.method,
            path: path?,
            query: query?,
            headers: headers?,
            body,
            auth,
        })
    }

    fn step(&mut self, index: usize, step: &file::Step, known: &BTreeSet<String>) -> Option<Step> {
        let at = Pos::of(&step.request);
        let before = self.errors.len();
        let request = self.request(&step.request.value, at);
        let expect = self.expect(&step.expect);
        let captures: Vec<Capture> = step
            .capture
            .iter()
            .filter_map(|(name, spec)| self.capture(name, spec))
            .collect();
        let snapshot = step.snapshot.as_ref().and_then(|spec| self.snapshot(spec));
        let warn = match &step.warn {
            Some(warn) => self.expect(warn),
            None => Some(Expect::default()),
        };
        if self.errors.len() > before {
            return None;
        }
        let (request, expect, warn) = (request?, expect?, warn?);
        let mut used = request.variables();
        used.extend(expect.variables());
        used.extend(warn.variables());
        self.check_variables(at, used, known);
        let label = step.name.clone().unwrap_or_else(|| {
            format!(
                "step {}: {} {}",
                index + 1,
                step.request.value.method.as_str(),
                step.request.value.path
            )
        });
        Some(Step {
            label,
            request,
            at,
            expect,
            captures,
            snapshot,
            replays: step.replays.clone(),
            warn,
            setup: step.setup,
        })
    }

    fn expect(&mut self, expect: &file::Expect) -> Option<Expect> {
        let before = self.errors.len();
        let status = expect.status.as_ref().and_then(|s| {
            let at = Pos::of(s);
            let rule = match &s.value {
                StatusSpec::Exact(code) => Some(StatusRule::Exact(*code)),
                StatusSpec::AnyOf(codes) => Some(StatusRule::AnyOf(codes.clone())),
                StatusSpec::Class(class) => self.ok(at, status_class(class).map(StatusRule::Class)),
                StatusSpec::Mixed(items) => {
                    let rules: Option<Vec<StatusRule>> = items
                        .iter()
                        .map(|item| match item {
                            file::StatusItem::Code(code) => Some(StatusRule::Exact(*code)),
                            file::StatusItem::Class(class) => {
                                self.ok(at, status_class(class).map(StatusRule::Class))
                            }
                        })
                        .collect();
                    rules.map(StatusRule::OneOf)
                }
            }?;
            Some(Expected { rule, at })
        });
        let mut headers = Vec::new();
        for (name, spec) in &expect.headers {
            let at = Pos::of(spec);
            let rule = match &spec.value {
                HeaderSpec::Text(text) if text == "present" => Some(HeaderRule::Present),
                HeaderSpec::Text(text) if text == "absent" => Some(HeaderRule::Absent),
                HeaderSpec::Text(text) => self.template(at, text).map(HeaderRule::Equals),
                HeaderSpec::NotEquals { not_equals } => {
                    self.template(at, not_equals).map(HeaderRule::NotEquals)
                }
                HeaderSpec::Matches { matches } => self
                    .ok(
                        at,
                        regex(matches).map_err(|e| format!("header `{name}`: {e}")),
                    )
                    .map(HeaderRule::Matches),
            };
            if let Some(rule) = rule {
                headers.push((name.clone(), Expected { rule, at }));
            }
        }
        let shape = expect.shape.as_ref().map(|s| Expected {
            rule: s.value,
            at: Pos::of(s),
        });
        let json = expect.json.as_ref().and_then(|j| {
            Some(Expected {
                rule: self.json(Pos::of(j), &j.value)?,
                at: Pos::of(j),
            })
        });
        let mut values = Vec::new();
        for (text, spec) in &expect.values {
            let at = Pos::of(spec);
            let selector = self.ok(at, Selector::parse(text));
            let rule = self.value_rule(at, text, &spec.value);
            if let (Some(selector), Some(rule)) = (selector, rule) {
                values.push((selector, Expected { rule, at }));
            }
        }
        (self.errors.len() == before).then_some(Expect {
            status,
            headers,
            shape,
            json,
            values,
        })
    }

    fn value_rule(&mut self, at: Pos, selector: &str, spec: &ValueSpec) -> Option<ValueRule> {
        let before = self.errors.len();
        let mut json = |v: &Option<Value>| v.as_ref().and_then(|v| self.json(at, v));
        let rule = ValueRule {
            equals: json(&spec.equals),
            equals_ignoring_case: json(&spec.equals_ignoring_case.clone().map(Value::String)),
            not_equals: json(&spec.not_equals),
            kind: spec.kind,
            exists: spec.exists,
            contains: json(&spec.contains),
            not_contains: json(&spec.not_contains),
            matches: None,
            length: spec.length,
            counts: spec.counts.clone(),
            min: json(&spec.min),
            max: json(&spec.max),
        };
        let matches = match &spec.matches {
            Some(pattern) => {
                Some(self.ok(at, regex(pattern).map_err(|e| format!("`{selector}`: {e}")))?)
            }
            None => None,
        };
        if let Some(pointer) = &spec.counts
            && !pointer.starts_with('/')
        {
            self.error(
                at,
                format!(
                    "`{selector}`: `counts: {pointer}` needs a JSON pointer such as /Resources"
                ),
            );
        }
        (self.errors.len() == before).then_some(ValueRule { matches, ..rule })
    }

    fn capture(&mut self, name: &str, spec: &Spanned<String>) -> Option<Capture> {
        let at = Pos::of(spec);
        let (text, optional) = match spec.value.strip_suffix('?') {
            Some(text) => (text, true),
            None => (spec.value.as_str(), false),
        };
        let from = match text.strip_prefix("header:") {
            Some(header) if !header.trim().is_empty() => {
                CaptureFrom::Header(header.trim().to_string())
            }
            Some(_) => {
                self.error(
                    at,
                    format!("capture `{name}`: `header:` needs a header name"),
                );
                return None;
            }
            None => CaptureFrom::Json(self.ok(
                at,
                Selector::parse(text).map_err(|e| format!("capture `{name}`: {e}")),
            )?),
        };
        Some(Capture {
            name: name.to_string(),
            from,
            optional,
            spec: spec.value.clone(),
            at,
        })
    }

    fn snapshot(&mut self, spec: &Spanned<SnapshotSpec>) -> Option<Snapshot> {
        let at = Pos::of(spec);
        let options = match &spec.value {
            SnapshotSpec::On(false) => return None,
            SnapshotSpec::On(true) => file::SnapshotOptions::default(),
            SnapshotSpec::With(options) => options.clone(),
        };
        let redact = options
            .redact
            .iter()
            .filter_map(|(selector, placeholder)| {
                let parsed = self.ok(
                    at,
                    Selector::parse(selector).map_err(|e| format!("snapshot redaction: {e}")),
                )?;
                Some((parsed, placeholder.clone()))
            })
            .collect();
        Some(Snapshot { redact, at })
    }
}

impl Expect {
    /// The root variables the expectation refers to.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for (_, header) in &self.headers {
            if let HeaderRule::Equals(template) | HeaderRule::NotEquals(template) = &header.rule {
                names.extend(template.variables());
            }
        }
        if let Some(json) = &self.json {
            names.extend(json.rule.variables());
        }
        for (_, value) in &self.values {
            names.extend(value.rule.values().flat_map(JsonTemplate::variables));
        }
        names
    }
}

/// The first digit of a status class (`4xx` → 4).
fn status_class(text: &str) -> Result<u16, String> {
    let mut chars = text.chars();
    let digit = chars.next().and_then(|c| c.to_digit(10));
    let rest: String = chars.collect();
    match digit {
        Some(d) if (1..=5).contains(&d) && rest.eq_ignore_ascii_case("xx") => Ok(d as u16),
        _ => Err(format!(
            "status class `{text}` is not one of 1xx, 2xx, 3xx, 4xx, 5xx"
        )),
    }
}

/// A regular expression, or the last line of regex's explanation.
fn regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let text = e.to_string();
        let why = text
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        format!("invalid regex `{pattern}`: {why}")
    })
}

/// A `user:` or `group:` body: its `schemas` first (the resource's core
/// schema, then each extension URN written as a key), then the attributes
/// as written.
fn resource_body(kind: ResourceType, attributes: &serde_json::Map<String, Value>) -> Value {
    let extensions = attributes.keys().filter(|k| k.starts_with("urn:"));
    let schemas: Vec<Value> = std::iter::once(kind.schema())
        .map(str::to_string)
        .chain(extensions.cloned())
        .map(Value::String)
        .collect();
    let mut body = serde_json::Map::new();
    body.insert("schemas".into(), Value::Array(schemas));
    body.extend(attributes.clone());
    Value::Object(body)
}

#[cfg(test)]
mod tests;
