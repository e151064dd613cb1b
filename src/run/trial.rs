//! libtest-mimic glue: one trial per planned case, so filtering, `--list`,
//! `--exact`, `--skip` and `--test-threads` work as in `cargo test`. Each
//! trial runs its case on the shared tokio runtime and emits an [`Event`].

use std::sync::Arc;
use std::sync::mpsc::Sender;

use libtest_mimic::{Completion, Failed, Trial};

use super::engine::run_case;
use super::event::{CaseResult, Event, Status};
use crate::client::Client;
use crate::plan::{Plan, Planned};
use crate::profile::Profile;
use crate::property;
use crate::report::terminal;
use crate::snapshot::Snapshots;
use crate::vars::RunId;
use crate::waiver::{self, Waiver};

/// What every trial shares.
pub struct Context {
    pub runtime: tokio::runtime::Handle,
    pub client: Client,
    pub run: RunId,
    pub profile: Profile,
    pub settings: property::Settings,
    /// Where snapshots live, unless `--no-snapshots`.
    pub snapshots: Option<Snapshots>,
    /// Known deviations (`--waivers`): a failure they cover is waived.
    pub waivers: Vec<Waiver>,
    pub events: Sender<Event>,
}

/// The trials of a plan, in plan order.
pub fn trials(plan: &Plan, context: Arc<Context>) -> Vec<Trial> {
    plan.cases
        .iter()
        .map(|planned| {
            let planned = planned.clone();
            let context = context.clone();
            let name = planned.case.id.clone();
            let kind = planned.case.level.as_str();
            Trial::ignorable_test(name, move || run_trial(&planned, &context)).with_kind(kind)
        })
        .collect()
}

fn run_trial(planned: &Planned, context: &Context) -> Result<Completion, Failed> {
    let case = &planned.case;
    if let Some(reason) = &planned.skip {
        let status = Status::Skipped {
            reason: reason.clone(),
        };
        let result = CaseResult::of(case, status, vec![], vec![], Default::default());
        let _ = context.events.send(Event::CaseFinished(result));
        return Ok(Completion::ignored_with(reason));
    }
    let result = match case.property {
        // Properties drive the runtime themselves, one request at a time.
        Some((which, loc)) => property::run(case, which, loc, context),
        None => context.runtime.block_on(run_case(
            case,
            &context.client,
            &context.run,
            context.snapshots.as_ref(),
        )),
    };
    let mut result = result;
    if result.status == Status::Failed {
        waiver::waive(&context.waivers, &mut result, waiver::today());
    }
    let outcome = match &result.status {
        Status::Waived { reason } => Ok(Completion::ignored_with(format!("waived: {reason}"))),
        Status::Skipped { reason } => Ok(Completion::ignored_with(reason.clone())),
        Status::Failed => Err(Failed::from(terminal::failure_text(
            &result,
            terminal::color_enabled(),
        ))),
        _ => Ok(Completion::Completed),
    };
    let _ = context.events.send(Event::CaseFinished(result));
    outcome
}
