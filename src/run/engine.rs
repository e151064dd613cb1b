//! The engine: runs one case against the target. Steps run in order (each
//! rendered with the variables captured so far, sent, checked, captured);
//! the first failing step ends the steps; cleanup requests always run.

use std::time::Instant;

use serde_json::Value;

use super::event::{CaseResult, SnapshotState, Status, StepResult};
use crate::case::model::{Expect, HeaderRule, ValueRule};
use crate::case::{Case, Loc, Request, Step};
use crate::check::{self, Failure, Selector};
use crate::client::{Body, Client, Exchange, Outgoing};
use crate::snapshot::{Outcome, Shot, Snapshots};
use crate::vars::{RunId, Vars};

/// Runs one case to its end, cleanup included.
pub async fn run_case(
    case: &Case,
    client: &Client,
    run: &RunId,
    snapshots: Option<&Snapshots>,
) -> CaseResult {
    let started = Instant::now();
    let mut vars = Vars::new(run, &case.id);
    let mut steps = Vec::new();
    for (index, step) in case.steps.iter().enumerate() {
        let mut result = run_step(index, step, client, &mut vars).await;
        if result.failures.is_empty()
            && let (Some(snapshots), Some(spec), Some(exchange)) =
                (snapshots, &step.snapshot, &result.exchange)
            && let Some(options) = spec.value.options()
        {
            let shot = Shot {
                case_id: &case.id,
                case_path: &case.path,
                step: index,
                loc: Loc::of(spec),
                options: &options,
                captured: vars.captured(),
            };
            result.snapshot = Some(match snapshots.check(&shot, exchange) {
                Outcome::Matched => SnapshotState::Matched,
                Outcome::Recorded => SnapshotState::Recorded,
                Outcome::Pending => SnapshotState::Pending,
                Outcome::Failed(failure) => {
                    result.failures.push(failure);
                    SnapshotState::Failed
                }
            });
        }
        let failed = !result.failures.is_empty();
        steps.push(result);
        if failed {
            break;
        }
    }
    let mut cleanup = Vec::new();
    for request in &case.cleanup {
        if request_lacks_capture(&request.value, &vars) {
            continue;
        }
        let label = format!(
            "cleanup: {} {}",
            request.value.method.as_str(),
            request.value.path
        );
        let result = match render_request(&request.value, &vars) {
            Ok(out) => StepResult {
                label,
                exchange: Some(client.send(out).await),
                failures: vec![],
                snapshot: None,
            },
            Err(message) => StepResult {
                label,
                exchange: None,
                failures: vec![Failure::new("template", message).at(Loc::of(request))],
                snapshot: None,
            },
        };
        cleanup.push(result);
    }
    let failed = steps.iter().any(|s| !s.failures.is_empty());
    let status = if failed {
        Status::Failed
    } else {
        Status::Passed
    };
    CaseResult::of(case, status, steps, cleanup, started.elapsed())
}

async fn run_step(index: usize, step: &Step, client: &Client, vars: &mut Vars) -> StepResult {
    let request = &step.request.value;
    let label = step.name.clone().unwrap_or_else(|| {
        format!(
            "step {}: {} {}",
            index + 1,
            request.method.as_str(),
            request.path
        )
    });
    let prepared =
        render_request(request, vars).and_then(|out| Ok((out, render_expect(&step.expect, vars)?)));
    let (out, expect) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            return StepResult {
                label,
                exchange: None,
                failures: vec![Failure::new("template", message).at(Loc::of(&step.request))],
                snapshot: None,
            };
        }
    };
    let exchange = client.send(out).await;
    let mut failures = check::step(&expect, &exchange);
    // A failure without a place of its own (no response at all) belongs to the request.
    for failure in &mut failures {
        if failure.loc.line == 0 {
            failure.loc = Loc::of(&step.request);
        }
    }
    // Capture even from a failed step, so that cleanup can remove what a
    // misbehaving server created anyway; only a passing step must find them.
    let missing = capture(step, &exchange, vars);
    if failures.is_empty() {
        failures.extend(missing);
    }
    StepResult {
        label,
        exchange: Some(exchange),
        failures,
        snapshot: None,
    }
}

fn request_lacks_capture(request: &Request, vars: &Vars) -> bool {
    std::iter::once(&request.path)
        .chain(request.query.values())
        .chain(request.headers.values())
        .any(|t| vars.lacks_capture_for(t))
}

/// Renders a request's templates into something the client can send.
pub fn render_request(request: &Request, vars: &Vars) -> Result<Outgoing, String> {
    let pairs = |map: &indexmap::IndexMap<String, String>| {
        map.iter()
            .map(|(k, v)| Ok((k.clone(), vars.render_text(v)?)))
            .collect::<Result<Vec<_>, String>>()
    };
    let body = match (&request.json, &request.body) {
        (Some(json), _) => Some(Body::Json(vars.render_json(json)?)),
        (None, Some(raw)) => Some(Body::Raw(vars.render_text(raw)?)),
        (None, None) => None,
    };
    let auth = match &request.auth {
        crate::case::model::Auth::Bearer(token) => {
            crate::case::model::Auth::Bearer(vars.render_text(token)?)
        }
        other => other.clone(),
    };
    Ok(Outgoing {
        method: request.method,
        path: vars.render_text(&request.path)?,
        query: pairs(&request.query)?,
        headers: pairs(&request.headers)?,
        body,
        auth,
    })
}

/// Renders the templates inside an expectation (expected values may name
/// captured or generated values).
fn render_expect(expect: &Expect, vars: &Vars) -> Result<Expect, String> {
    let mut out = expect.clone();
    if let Some(json) = &mut out.json {
        json.value = vars.render_json(&json.value)?;
    }
    for rule in out.headers.values_mut() {
        if let HeaderRule::Text(text) = &mut rule.value {
            *text = vars.render_text(text)?;
        }
    }
    for rule in out.values.values_mut() {
        render_rule(&mut rule.value, vars)?;
    }
    Ok(out)
}

fn render_rule(rule: &mut ValueRule, vars: &Vars) -> Result<(), String> {
    for value in [
        &mut rule.equals,
        &mut rule.not_equals,
        &mut rule.contains,
        &mut rule.not_contains,
        &mut rule.min,
        &mut rule.max,
    ]
    .into_iter()
    .flatten()
    {
        *value = vars.render_json(value)?;
    }
    for text in [&mut rule.equals_ignoring_case, &mut rule.matches]
        .into_iter()
        .flatten()
    {
        *text = vars.render_text(text)?;
    }
    Ok(())
}

/// Stores the step's captures in `vars`; a capture that finds nothing fails.
fn capture(step: &Step, exchange: &Exchange, vars: &mut Vars) -> Vec<Failure> {
    let Ok(response) = &exchange.response else {
        return vec![];
    };
    let mut failures = Vec::new();
    for (name, spec) in &step.capture {
        // A trailing `?` marks a capture that may find nothing.
        let (text, optional) = match spec.value.strip_suffix('?') {
            Some(text) => (text, true),
            None => (spec.value.as_str(), false),
        };
        let found: Option<Value> = match text.strip_prefix("header:") {
            Some(header) => response
                .header(header.trim())
                .map(|v| Value::String(v.to_string())),
            None => match (Selector::parse(text), &response.json) {
                (Ok(Selector::Pointer(p)), Some(json)) => json.pointer(&p).cloned(),
                (Ok(selector @ Selector::Path(_)), Some(json)) => {
                    selector.select(json).first().map(|v| (*v).clone())
                }
                _ => None,
            },
        };
        match found {
            Some(value) => vars.set(name, value),
            None if optional => {}
            None => failures.push(
                Failure::new(
                    "capture",
                    format!(
                        "capture `{name}`: `{}` finds nothing in the response",
                        spec.value
                    ),
                )
                .expected(format!("a value at `{}`", spec.value))
                .actual("(absent)")
                .at(Loc::of(spec)),
            ),
        }
    }
    failures
}
