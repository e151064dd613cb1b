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

use serde_json::Value;
use serde_saphyr::Spanned;

use super::Case;
use super::Property;
use super::client;
use super::file::{self, AuthSpec, CaseFile};
use super::model::{Auth, Body, Capture, Cleanup, Expect, Request, Step};
use super::needs;
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

mod expect;
#[cfg(test)]
mod tests;
