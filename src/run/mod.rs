//! Running a plan. [`execute`] runs the planned cases a few at a time
//! ([`pool`]), each with [`run_case`] — its steps
//! ([`engine`]) or its property ([`property`]), then its scope's cleanup
//! ([`cleanup`]) and, when it failed, the waivers, applied once — and ends
//! with the final safety net. It returns the [`RunResult`] every reporter
//! reads; it never prints: what happens on the way is an [`Event`] to the
//! caller's [`Observer`].
//!
//! Two phases: the cases run in parallel; a case that met a server error
//! (5xx) or a dropped connection there is not judged by that run — it is
//! rerun alone after the parallel phase, one case at a time, and judged by
//! the rerun; the trouble itself is reported as a finding of its own
//! ([`crate::result::Concurrency`]). So a run at default settings reaches the
//! verdicts a `--concurrency 1` run would.

pub mod batch;
pub mod cleanup;
pub mod discover;
pub mod engine;
pub mod event;
pub mod pool;
pub mod property;
pub mod survey;
pub mod vars;

use std::sync::Arc;
use std::time::Instant;

use crate::case::Case;
use crate::check::CheckKind;
use crate::client::{Client, Exchange, NoResponse, excerpt};
use crate::plan::{Plan, Planned};
use crate::profile::Profile;
use crate::result::{CaseResult, Concurrency, Rerun, RunResult, Status, StepResult};
use crate::snapshot::Snapshots;
use crate::waiver::{self, Waivers};
pub use event::{Event, Observer};
use vars::RunId;

/// What every case of a run shares.
pub struct Session {
    /// The runtime requests are sent on (trials block on it from their own threads).
    pub runtime: tokio::runtime::Handle,
    pub client: Client,
    pub run: RunId,
    pub profile: Profile,
    pub settings: property::Settings,
    /// Where snapshots live, unless `--no-snapshots`.
    pub snapshots: Option<Snapshots>,
    /// Known deviations (`--waivers`): a failure they cover is waived.
    pub waivers: Waivers,
    /// What was known of the target before the cases ran, carried into the
    /// result: discovery claims its behaviour contradicts (`auto`), where the
    /// judged profile conflicts with the interop draft, the client replayed.
    pub known: Known,
}

/// What the run knows before its cases run, for the result.
#[derive(Debug, Default)]
pub struct Known {
    pub contradictions: Vec<crate::result::Contradiction>,
    pub conflicts: Vec<crate::profile::interop::Conflict>,
    pub client: Option<crate::case::IdentityProvider>,
}

/// Runs the plan's cases, `threads` at once: the complete result (the
/// cases in id order, the waivers' report, the reruns, what the run left
/// on the target, and what was known before).
pub fn execute(
    plan: &Plan,
    session: Session,
    threads: usize,
    observer: Arc<dyn Observer>,
) -> RunResult {
    let phase = Phase::Parallel { rerun: threads > 1 };
    let first = run_phase(plan.cases.clone(), &session, &*observer, phase, threads);
    let (deferred, mut cases): (Vec<Finished>, Vec<Finished>) = first
        .into_iter()
        .partition(|f| f.trouble.is_some() && f.deferred);
    let mut concurrency = Concurrency {
        parallel: threads,
        reruns: vec![],
    };
    if !deferred.is_empty() && !session.client.guard().is_stopping() {
        observer.event(Event::Rerun {
            cases: deferred.len(),
            parallel: threads,
        });
        let again: Vec<Planned> = plan
            .cases
            .iter()
            .filter(|p| deferred.iter().any(|d| d.result.id == p.case.id))
            .cloned()
            .collect();
        let mut reruns = run_phase(again, &session, &*observer, Phase::Alone, 1);
        for first in deferred {
            let Some(at) = reruns.iter().position(|r| r.result.id == first.result.id) else {
                continue;
            };
            let rerun = reruns.swap_remove(at);
            let (step, answer, exchange) = first.trouble.expect("deferred for its trouble");
            concurrency.reruns.push(Rerun {
                case: first.result.id.clone(),
                step,
                answer,
                exchange,
                again: rerun.trouble.is_some(),
            });
            cases.push(rerun);
        }
    } else {
        cases.extend(deferred);
    }
    concurrency.reruns.sort_by(|a, b| a.case.cmp(&b.case));
    let mut cases: Vec<CaseResult> = cases.into_iter().map(|f| f.result).collect();
    cases.sort_by(CaseResult::report_order);
    let waived: Vec<(String, String)> = cases
        .iter()
        .filter_map(|r| match &r.status {
            Status::Waived { waiver, .. } => Some((waiver.clone(), r.id.clone())),
            _ => None,
        })
        .collect();
    observer.event(Event::CleanupStarted {
        created: session.client.guard().ledger().len(),
    });
    let leftovers = session.runtime.block_on(cleanup::finish(
        &session.client,
        &format!("{}-", session.run.prefix()),
    ));
    RunResult {
        waivers: session.waivers.report(&waived, waiver::today()),
        leftovers,
        stopped: session.client.guard().stop_reason(),
        concurrency,
        contradictions: session.known.contradictions.clone(),
        client: session.known.client.clone(),
        conflicts: session.known.conflicts.clone(),
        journal: session
            .client
            .journal()
            .map(|j| j.take())
            .unwrap_or_default(),
        cases,
    }
}

/// Which phase cases run in.
#[derive(Clone, Copy)]
enum Phase {
    /// Cases at once; with `rerun`, a case in trouble is deferred.
    Parallel { rerun: bool },
    /// One case at a time, after the parallel phase.
    Alone,
}

/// A case as one phase ended it.
struct Finished {
    result: CaseResult,
    /// The step that met a server error or dropped connection, what came
    /// back, and the exchange.
    trouble: Option<(String, String, Option<Exchange>)>,
    /// Left for the rerun phase instead of judged.
    deferred: bool,
}

/// Runs one phase's cases, `threads` at once, telling the observer as
/// each starts and ends.
fn run_phase(
    planned: Vec<Planned>,
    session: &Session,
    observer: &dyn Observer,
    phase: Phase,
    threads: usize,
) -> Vec<Finished> {
    let attempt = match phase {
        Phase::Parallel { .. } => 0,
        Phase::Alone => 1,
    };
    let job = |planned: &Planned| {
        observer.event(Event::CaseStarted {
            case: &planned.case.id,
        });
        let result = run_case(planned, session, attempt, observer);
        let trouble = trouble(&result);
        let deferred = matches!(phase, Phase::Parallel { rerun: true }) && trouble.is_some();
        let rerun = trouble
            .as_ref()
            .filter(|_| deferred)
            .map(|(step, answer, _)| format!("{step} answered {answer}"));
        observer.event(Event::CaseFinished {
            result: &result,
            rerun: rerun.as_deref(),
        });
        Finished {
            result,
            trouble,
            deferred,
        }
    };
    let broke = |planned: &Planned, why: String| {
        let result = panicked(planned, session, attempt, &why);
        observer.event(Event::CaseFinished {
            result: &result,
            rerun: None,
        });
        Finished {
            result,
            trouble: None,
            deferred: false,
        }
    };
    pool::each(planned, threads, job, broke)
}

/// A case the harness itself broke down in (a panic: scimcheck's bug):
/// failed with that as its evidence, a harness error and not a verdict on
/// the target; what it created is removed as for any case.
fn panicked(planned: &Planned, session: &Session, attempt: u32, why: &str) -> CaseResult {
    let mut step = StepResult::new("the harness", None);
    step.failures.push(crate::check::Failure::new(
        CheckKind::Harness,
        format!(
            "scimcheck broke down running this case ({why}): a bug in scimcheck, please report it"
        ),
    ));
    let client = session.client.scoped(&scope(&planned.case.id, attempt));
    let cleanup = session.runtime.block_on(cleanup::scope(&client));
    CaseResult::of(
        &planned.case,
        Status::Failed,
        vec![step],
        cleanup,
        Default::default(),
    )
}

/// The ledger scope of one attempt at a case: what it created, for its cleanup.
fn scope(case: &str, attempt: u32) -> String {
    match attempt {
        0 => case.to_string(),
        n => format!("{case} (attempt {})", n + 1),
    }
}

/// The first failed step of a case that met a server error (5xx) or no
/// complete answer: trouble that parallel load can cause.
fn trouble(result: &CaseResult) -> Option<(String, String, Option<Exchange>)> {
    result
        .steps
        .iter()
        .filter(|s| !s.failures.is_empty())
        .find_map(|step| {
            let exchange = step.exchange.as_ref()?;
            let answer = match &exchange.response {
                Ok(r) if r.status >= 500 => format!("{} {}", r.status, excerpt(&r.body, 200)),
                Err(NoResponse::Transport(error)) => error.clone(),
                _ => return None,
            };
            Some((step.label.clone(), answer, Some(exchange.clone())))
        })
}

/// Whether each failed step of a case failed only because the run was
/// stopping: its request refused by the guard (steps and properties
/// alike), or a harness failure of another kind.
fn cut_short(result: &CaseResult) -> bool {
    let refused = |step: &crate::result::StepResult| {
        matches!(
            step.exchange.as_ref().map(|e| &e.response),
            Some(Err(NoResponse::Refused(
                crate::client::Refusal::Stopping { .. }
            )))
        )
    };
    let mut failed = result
        .steps
        .iter()
        .filter(|s| !s.failures.is_empty())
        .peekable();
    failed.peek().is_some()
        && failed.all(|s| refused(s) || s.failures.iter().all(|f| f.kind.is_harness()))
}

/// Runs one attempt at a planned case to its end: its steps or property,
/// the cleanup of whatever it created, and the waivers if it failed.
pub fn run_case(
    planned: &Planned,
    session: &Session,
    attempt: u32,
    observer: &dyn Observer,
) -> CaseResult {
    let case: &Case = &planned.case;
    if let Some(reason) = &planned.skip {
        let status = Status::Skipped {
            reason: reason.clone(),
        };
        return CaseResult::of(case, status, vec![], vec![], Default::default());
    }
    let started = Instant::now();
    let client = session.client.scoped(&scope(&case.id, attempt));
    let (status, steps, mut cleanup) = match case.property {
        // Properties drive the runtime themselves, one request at a time.
        Some((which, at)) => {
            let context = property::Context {
                profile: &session.profile,
                run: &session.run,
                attempt,
                settings: session.settings,
                runtime: &session.runtime,
                progress: &|done, total| {
                    observer.event(Event::Progress {
                        case: &case.id,
                        done,
                        total,
                    })
                },
            };
            let (status, steps) = property::run(case, which, at, &context, &client);
            (status, steps, vec![])
        }
        None => {
            let ran = session.runtime.block_on(engine::run_steps(
                case,
                &client,
                &session.run,
                attempt,
                session.snapshots.as_ref(),
            ));
            let failed = ran.steps.iter().position(|s| !s.failures.is_empty());
            let status = match failed {
                // A client flow's setup request failed: another stage
                // judges that request; this one did not run.
                Some(i) if case.steps.get(i).is_some_and(|s| s.setup) => {
                    let step = &ran.steps[i];
                    Status::Skipped {
                        reason: format!(
                            "its setup failed ({}: {}); the stage that sends this request judges it",
                            step.label, step.failures[0].message
                        ),
                    }
                }
                Some(_) => Status::Failed,
                None => Status::Passed,
            };
            (status, ran.steps, ran.cleanup)
        }
    };
    cleanup.extend(session.runtime.block_on(cleanup::scope(&client)));
    let mut result = CaseResult::of(case, status, steps, cleanup, started.elapsed());
    // Refused because the run is stopping: the case judged nothing.
    if result.status == Status::Failed
        && let Some(stop) = client.guard().stop_reason()
        && cut_short(&result)
    {
        result.status = Status::NotRun {
            reason: format!("the run stopped ({stop}) before it was carried out"),
        };
    }
    if result.status == Status::Failed {
        let kinds: Vec<CheckKind> = result.failures().map(|(_, f)| f.kind).collect();
        if let Some(waiver) = session
            .waivers
            .waiver_for(&case.id, &kinds, waiver::today())
        {
            result.status = Status::Waived {
                reason: waiver.reason.clone(),
                waiver: waiver.id.clone(),
            };
        }
    }
    result
}
