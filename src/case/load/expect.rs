//! A step's expectations, compiled: the status (a code, a class, a list),
//! headers, the JSON subset, value rules on selectors, captures and
//! snapshot specs, each checked where it is written (the selector parses,
//! the regex compiles, the status class is one of 1xx–5xx).

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::Compiler;
use crate::case::file::{self, HeaderSpec, SnapshotSpec, StatusSpec, ValueSpec};
use crate::case::model::{
    Capture, CaptureFrom, Expect, Expected, HeaderRule, Snapshot, StatusRule, ValueRule,
};
use crate::case::selector::Selector;
use crate::case::template::JsonTemplate;
use crate::diag::Pos;

impl Compiler {
    pub(super) fn expect(&mut self, expect: &file::Expect) -> Option<Expect> {
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

    pub(super) fn value_rule(
        &mut self,
        at: Pos,
        selector: &str,
        spec: &ValueSpec,
    ) -> Option<ValueRule> {
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

    pub(super) fn capture(&mut self, name: &str, spec: &Spanned<String>) -> Option<Capture> {
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

    pub(super) fn snapshot(&mut self, spec: &Spanned<SnapshotSpec>) -> Option<Snapshot> {
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
