//! The engine: runs one case's steps against the target. Steps run in
//! order (each rendered with the variables captured so far, sent, checked,
//! snapshotted, captured); the first failing step ends the steps; cleanup
//! requests always run. The engine never prints: it returns
//! [`StepResult`]s.

use serde_json::Value;

use super::vars::{RenderError, RunId, Vars};
use crate::case::Case;
use crate::case::model::{Auth, Body, CaptureFrom, Expect, HeaderRule, Request, Step};
use crate::check::{self, CheckKind, Expectation, Failure};
use crate::client::{self, Client, Exchange, NoResponse, Outgoing, Refusal};
use crate::diag::{Location, Pos};
use crate::result::{SnapshotState, StepResult};
use crate::snapshot::{Comparison, Shot, Snapshots};

/// A case's steps and cleanup requests, as they ran.
pub struct Ran {
    pub steps: Vec<StepResult>,
    pub cleanup: Vec<StepResult>,
}

/// Runs the steps of one attempt at `case` to their end, cleanup included.
pub async fn run_steps(
    case: &Case,
    client: &Client,
    run: &RunId,
    attempt: u32,
    snapshots: Option<&Snapshots>,
) -> Ran {
    let file = case.at(Pos::START);
    let stem = run.attempt_stem(&case.id, attempt);
    let mut vars = Vars::new(run, &stem).with_base_url(&client.target().base_url);
    let mut steps = Vec::new();
    for (index, step) in case.steps.iter().enumerate() {
        let mut result = run_step(step, client, &mut vars, &file).await;
        if result.failures.is_empty()
            && let (Some(snapshots), Some(spec), Some(exchange)) =
                (snapshots, &step.snapshot, &result.exchange)
        {
            let shot = Shot {
                case_id: &case.id,
                case_path: &case.path,
                step: index,
                location: case.at(spec.at),
                spec,
                captured: vars.captured(),
                // A rerun's values read as the first attempt's would.
                stem: (stem.clone(), run.stem(&case.id)),
            };
            // A difference from the baseline is a change to review, not a
            // failure of the case: it never ends the steps.
            result.snapshot = Some(match snapshots.check(&shot, exchange) {
                Comparison::Matched => SnapshotState::Matched,
                Comparison::Recorded => SnapshotState::Recorded,
                Comparison::Pending => SnapshotState::Pending,
                Comparison::Unpinned => SnapshotState::Unpinned,
                Comparison::Changed(change) => {
                    result.snapshot_change = Some(change);
                    SnapshotState::Changed
                }
                Comparison::Missing(change) => {
                    result.snapshot_change = Some(change);
                    SnapshotState::Missing
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
        // A request for a resource that was never created has nothing to clean up.
        if !vars.has_all(&request.request.variables()) {
            continue;
        }
        let mut result = StepResult::new(request.label.clone(), None);
        match render_request(&request.request, &vars) {
            Ok(out) => {
                let exchange = client.send(out).await;
                // Deleted by a step already (a delete case): nothing left to do.
                if let Err(NoResponse::Refused(Refusal::AlreadyDeleted { .. })) = &exchange.response
                {
                    continue;
                }
                result.exchange = Some(exchange);
            }
            Err(message) => result.failures.push(
                Failure::new(CheckKind::Template, message.to_string()).at(case.at(request.at)),
            ),
        }
        cleanup.push(result);
    }
    Ran { steps, cleanup }
}

async fn run_step(step: &Step, client: &Client, vars: &mut Vars, file: &Location) -> StepResult {
    let mut result = StepResult::new(step.label.clone(), None);
    let prepared = render_request(&step.request, vars)
        .and_then(|out| Ok((out, render_expect(&step.expect, vars)?)));
    let warn = render_expect(&step.warn, vars);
    let (out, expect) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            result
                .failures
                .push(Failure::new(CheckKind::Template, message.to_string()).at(file.at(step.at)));
            return result;
        }
    };
    let exchange = client.send(out).await;
    let mut failures = check::step(&expect, &exchange, file);
    // What the RFC asks that a client tolerates: judged, reported as a warning.
    if let (Ok(warn), Ok(_)) = (&warn, &exchange.response) {
        result.warnings = check::step(warn, &exchange, file);
    }
    // A failure without a place of its own (no response at all) belongs to the request.
    for failure in &mut failures {
        if !failure.location.pos.is_known() {
            failure.location = file.at(step.at);
        }
    }
    // Capture even from a failed step, so that cleanup can remove what a
    // misbehaving server created anyway; only a passing step must find them.
    let missing = capture(step, &exchange, vars, file);
    if failures.is_empty() {
        failures.extend(missing);
    }
    result.exchange = Some(exchange);
    result.failures = failures;
    result
}

/// Renders a request's templates into something the client can send.
pub fn render_request(request: &Request, vars: &Vars) -> Result<Outgoing, RenderError> {
    let pairs = |list: &[(String, crate::case::Template)]| {
        list.iter()
            .map(|(k, v)| Ok((k.clone(), vars.render_text(v)?)))
            .collect::<Result<Vec<_>, RenderError>>()
    };
    let body = match &request.body {
        Some(Body::Json(json)) => Some(client::Body::Json(vars.render_json(json)?)),
        Some(Body::Raw(raw)) => Some(client::Body::Raw(vars.render_text(raw)?)),
        None => None,
    };
    let auth = match &request.auth {
        Auth::Default => client::Auth::Default,
        Auth::None => client::Auth::None,
        Auth::Bearer(token) => client::Auth::Bearer(vars.render_text(token)?),
        Auth::SchemeCase { upper } => client::Auth::SchemeCase { upper: *upper },
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
fn render_expect(expect: &Expect, vars: &Vars) -> Result<Expectation, RenderError> {
    use crate::case::model::Expected;
    let headers = expect
        .headers
        .iter()
        .map(|(name, h)| {
            let rule = match &h.rule {
                HeaderRule::Present => HeaderRule::Present,
                HeaderRule::Absent => HeaderRule::Absent,
                HeaderRule::Equals(t) => HeaderRule::Equals(vars.render_text(t)?),
                HeaderRule::NotEquals(t) => HeaderRule::NotEquals(vars.render_text(t)?),
                HeaderRule::Matches(re) => HeaderRule::Matches(re.clone()),
            };
            Ok((name.clone(), Expected { rule, at: h.at }))
        })
        .collect::<Result<_, RenderError>>()?;
    let json = match &expect.json {
        Some(j) => Some(Expected {
            rule: vars.render_json(&j.rule)?,
            at: j.at,
        }),
        None => None,
    };
    let values = expect
        .values
        .iter()
        .map(|(selector, v)| {
            let rule = v.rule.try_map(|t| vars.render_json(t))?;
            Ok((selector.clone(), Expected { rule, at: v.at }))
        })
        .collect::<Result<_, RenderError>>()?;
    Ok(Expectation {
        status: expect.status.clone(),
        headers,
        shape: expect.shape.clone(),
        json,
        values,
    })
}

/// Stores the step's captures in `vars`; a capture that finds nothing fails.
fn capture(step: &Step, exchange: &Exchange, vars: &mut Vars, file: &Location) -> Vec<Failure> {
    let Ok(response) = &exchange.response else {
        return vec![];
    };
    let mut failures = Vec::new();
    for capture in &step.captures {
        let found: Option<Value> = match &capture.from {
            CaptureFrom::Header(name) => {
                response.header(name).map(|v| Value::String(v.to_string()))
            }
            CaptureFrom::Json(selector) => response
                .json
                .as_ref()
                .and_then(|j| selector.first(j))
                .cloned(),
        };
        match found {
            Some(value) => vars.set(&capture.name, value),
            None if capture.optional => {}
            None => failures.push(
                Failure::new(
                    CheckKind::Capture,
                    format!(
                        "capture `{}`: `{}` finds nothing in the response",
                        capture.name, capture.spec
                    ),
                )
                .expected(format!("a value at `{}`", capture.spec))
                .actual("(absent)")
                .at(file.at(capture.at)),
            ),
        }
    }
    failures
}
