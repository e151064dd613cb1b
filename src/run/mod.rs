//! Running a plan. [`execute`] drives the planned cases as libtest-mimic
//! trials (so filtering, `--list`, `--exact`, `--skip` and `--test-threads`
//! work as in `cargo test`), runs each one with [`run_case`] — its steps
//! ([`engine`]) or its property ([`property`]), then its scope's cleanup
//! ([`cleanup`]) and, when it failed, the waivers, applied once — and ends
//! with the final safety net. It returns the [`RunResult`] every reporter
//! reads; it never prints (libtest prints the progress, with the failure
//! text the caller renders).
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
pub mod property;
pub mod survey;
pub mod vars;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Completion, Failed, Trial};

use crate::case::Case;
use crate::check::CheckKind;
use crate::client::{Client, Exchange, NoResponse, excerpt};
use crate::plan::{Plan, Planned};
use crate::profile::Profile;
use crate::result::{CaseResult, Concurrency, Rerun, RunResult, Status};
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

/// The filter selected no case: nothing was run.
#[derive(Debug)]
pub struct NothingSelected;

/// Runs the plan: the complete result (the cases in id order, the waivers'
/// report, the reruns, what the run left on the target, and what was known
/// before). With `--list`, lists and runs nothing.
pub fn execute(
    plan: &Plan,
    session: Session,
    libtest: &mut libtest_mimic::Arguments,
    observer: Arc<dyn Observer>,
) -> Result<RunResult, NothingSelected> {
    let session = Arc::new(session);
    let finished: Arc<Mutex<Vec<Finished>>> = Arc::default();
    // Cases are I/O-bound: by default run more of them at once than there are cores.
    let parallel = *libtest.test_threads.get_or_insert(8);
    let phase = Phase::Parallel {
        rerun: parallel > 1,
    };
    let first_trials = trials(
        plan.cases.iter().cloned(),
        &session,
        &finished,
        &observer,
        phase,
    );
    let selected = first_trials
        .iter()
        .filter(|t| !libtest.is_filtered_out(t))
        .count();
    if selected == 0 && !libtest.list {
        return Err(NothingSelected);
    }
    let _conclusion = libtest_mimic::run(libtest, first_trials);
    if libtest.list {
        return Ok(RunResult::default());
    }
    let first = take(&finished);
    let (deferred, mut cases): (Vec<Finished>, Vec<Finished>) = first
        .into_iter()
        .partition(|f| f.trouble.is_some() && f.deferred);
    let mut concurrency = Concurrency {
        parallel,
        reruns: vec![],
    };
    if !deferred.is_empty() && !session.client.guard().is_stopping() {
        observer.event(Event::Rerun {
            cases: deferred.len(),
            parallel,
        });
        let again: Vec<Planned> = plan
            .cases
            .iter()
            .filter(|p| deferred.iter().any(|d| d.result.id == p.case.id))
            .cloned()
            .collect();
        let rerun_trials = trials(
            again.into_iter(),
            &session,
            &finished,
            &observer,
            Phase::Alone,
        );
        let mut alone = libtest.clone();
        alone.test_threads = Some(1);
        let _conclusion = libtest_mimic::run(&alone, rerun_trials);
        let mut reruns = take(&finished);
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
    cases.sort_by(|a, b| a.id.cmp(&b.id));
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
    Ok(RunResult {
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
    })
}

/// Which phase trials run in.
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

/// What the trials of a phase finished, taken out for the next.
fn take(finished: &Mutex<Vec<Finished>>) -> Vec<Finished> {
    std::mem::take(&mut *finished.lock().unwrap_or_else(|p| p.into_inner()))
}

/// One libtest trial per planned case.
fn trials(
    planned: impl Iterator<Item = Planned>,
    session: &Arc<Session>,
    finished: &Arc<Mutex<Vec<Finished>>>,
    observer: &Arc<dyn Observer>,
    phase: Phase,
) -> Vec<Trial> {
    planned
        .map(|planned| {
            let (session, finished, observer) =
                (session.clone(), finished.clone(), observer.clone());
            let name = planned.case.id.clone();
            let kind = planned.case.level.as_str();
            Trial::ignorable_test(name, move || {
                let attempt = match phase {
                    Phase::Parallel { .. } => 0,
                    Phase::Alone => 1,
                };
                let result = run_case(&planned, &session, attempt, &*observer);
                let trouble = trouble(&result);
                let deferred =
                    matches!(phase, Phase::Parallel { rerun: true }) && trouble.is_some();
                let outcome = match &result.status {
                    _ if deferred => {
                        let (step, answer, _) = trouble.as_ref().expect("deferred for its trouble");
                        Ok(Completion::ignored_with(format!(
                            "rerun alone after the parallel phase: {step} answered {answer}"
                        )))
                    }
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped { reason } => Ok(Completion::ignored_with(reason.clone())),
                    Status::NotRun { reason } => {
                        Ok(Completion::ignored_with(format!("not run: {reason}")))
                    }
                    Status::Waived { reason, .. } => {
                        Ok(Completion::ignored_with(format!("waived: {reason}")))
                    }
                    Status::Failed => Err(Failed::from(observer.failure_text(&result))),
                };
                finished
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Finished {
                        result,
                        trouble,
                        deferred,
                    });
                outcome
            })
            .with_kind(kind)
        })
        .collect()
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
    let scope = match attempt {
        0 => case.id.clone(),
        n => format!("{} (attempt {})", case.id, n + 1),
    };
    let client = session.client.scoped(&scope);
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
