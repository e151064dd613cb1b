//! Running a plan. [`execute`] drives the planned cases as libtest-mimic
//! trials (so filtering, `--list`, `--exact`, `--skip` and `--test-threads`
//! work as in `cargo test`), runs each one with [`run_case`] — its steps
//! ([`engine`]) or its property ([`property`]), then its scope's cleanup
//! ([`cleanup`]) and, when it failed, the waivers, applied once — and ends
//! with the final safety net. It returns the [`RunResult`] every reporter
//! reads; it never prints (libtest prints the progress, with the failure
//! text the caller renders).

pub mod cleanup;
pub mod engine;
pub mod property;
pub mod vars;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Completion, Failed, Trial};

use crate::case::Case;
use crate::check::CheckKind;
use crate::client::Client;
use crate::plan::{Plan, Planned};
use crate::profile::Profile;
use crate::result::{CaseResult, RunResult, Status};
use crate::snapshot::Snapshots;
use crate::waiver::{self, Waivers};
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
}

/// The filter selected no case: nothing was run.
#[derive(Debug)]
pub struct NothingSelected;

/// How the caller turns a failed case into the text libtest prints.
pub type Present = Arc<dyn Fn(&CaseResult) -> String + Send + Sync>;

/// Runs the plan; the results in case-id order, the waivers' report and
/// what the run left on the target. With `--list`, lists and runs nothing.
pub fn execute(
    plan: &Plan,
    session: Session,
    libtest: &mut libtest_mimic::Arguments,
    present: Present,
) -> Result<RunResult, NothingSelected> {
    let session = Arc::new(session);
    let results: Arc<Mutex<Vec<CaseResult>>> = Arc::default();
    let trials: Vec<Trial> = plan
        .cases
        .iter()
        .map(|planned| {
            let (planned, session, results, present) = (
                planned.clone(),
                session.clone(),
                results.clone(),
                present.clone(),
            );
            let name = planned.case.id.clone();
            let kind = planned.case.level.as_str();
            Trial::ignorable_test(name, move || {
                let result = run_case(&planned, &session);
                let outcome = match &result.status {
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped { reason } => Ok(Completion::ignored_with(reason.clone())),
                    Status::Waived { reason, .. } => {
                        Ok(Completion::ignored_with(format!("waived: {reason}")))
                    }
                    Status::Failed => Err(Failed::from(present(&result))),
                };
                results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(result);
                outcome
            })
            .with_kind(kind)
        })
        .collect();
    let selected = trials
        .iter()
        .filter(|t| !libtest.is_filtered_out(t))
        .count();
    if selected == 0 && !libtest.list {
        return Err(NothingSelected);
    }
    // Cases are I/O-bound: by default run more of them at once than there are cores.
    libtest.test_threads.get_or_insert(8);
    let _conclusion = libtest_mimic::run(libtest, trials);
    let mut cases = std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()));
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    if libtest.list {
        return Ok(RunResult::default());
    }
    let waived: Vec<(String, String)> = cases
        .iter()
        .filter_map(|r| match &r.status {
            Status::Waived { waiver, .. } => Some((waiver.clone(), r.id.clone())),
            _ => None,
        })
        .collect();
    let leftovers = session.runtime.block_on(cleanup::finish(&session.client));
    Ok(RunResult {
        waivers: session.waivers.report(&waived, waiver::today()),
        leftovers,
        stopped: session.client.guard().stop_reason(),
        cases,
    })
}

/// Runs one planned case to its end: its steps or property, the cleanup of
/// whatever it created, and the waivers if it failed.
pub fn run_case(planned: &Planned, session: &Session) -> CaseResult {
    let case: &Case = &planned.case;
    if let Some(reason) = &planned.skip {
        let status = Status::Skipped {
            reason: reason.clone(),
        };
        return CaseResult::of(case, status, vec![], vec![], Default::default());
    }
    let started = Instant::now();
    let client = session.client.scoped(&case.id);
    let (status, steps, mut cleanup) = match case.property {
        // Properties drive the runtime themselves, one request at a time.
        Some((which, at)) => {
            let context = property::Context {
                profile: &session.profile,
                run: &session.run,
                settings: session.settings,
                runtime: &session.runtime,
            };
            let (status, steps) = property::run(case, which, at, &context, &client);
            (status, steps, vec![])
        }
        None => {
            let ran = session.runtime.block_on(engine::run_steps(
                case,
                &client,
                &session.run,
                session.snapshots.as_ref(),
            ));
            let failed = ran.steps.iter().any(|s| !s.failures.is_empty());
            let status = if failed {
                Status::Failed
            } else {
                Status::Passed
            };
            (status, ran.steps, ran.cleanup)
        }
    };
    cleanup.extend(session.runtime.block_on(cleanup::scope(&client)));
    let mut result = CaseResult::of(case, status, steps, cleanup, started.elapsed());
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
