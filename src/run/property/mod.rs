//! Property checks: the cases that say `property: NAME` instead of
//! listing steps, planned, listed, filtered and reported like any other.
//! Two kinds live in two rooms:
//!
//! - [`explored`]: properties explored with proptest — seeded generated
//!   inputs, shrunk to the smallest that breaks the rule (paging, filters,
//!   sorting, projection, search, ETags, group membership). [`explore`]
//!   drives the runner: `--prop-cases` inputs are tried; after the first
//!   failure, shrinking stops at a request budget and a time budget (inputs
//!   beyond them count as passing, so proptest settles on the smallest
//!   failure found so far).
//! - [`generated`]: checks generated from what the target declares (its
//!   schemas and discovery documents) or from a fixed plan (Bulk limits,
//!   large and concurrent groups), judged once.
//!
//! Both work with an [`env::Env`]: [`population`] and [`groups`] create what
//! they read, with the run's unique prefix (the client records it in the
//! run's ledger under the case's scope, and the runner removes it whatever
//! happens). The list of properties — name, whether it creates resources,
//! its function — is one table, [`crate::case::property`]; [`run`] calls
//! the function it names.

pub mod env;
pub mod explore;
pub mod explored;
pub mod generated;
pub mod groups;
pub mod population;

use std::time::Duration;

pub use env::{Counterexample, Env, Page, Probe, Verdict, id_of};
pub use explore::{Exploration, Violations, draw, explore, runner};

use super::vars::RunId;
use crate::case::{Case, Property};
use crate::check::{CheckKind, Failure};
use crate::client::Client;
use crate::diag::Pos;
use crate::profile::Profile;
use crate::result::{Status, StepResult};

/// How hard properties search, from the command line.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The run's seed: the same seed generates the same inputs.
    pub seed: u64,
    /// Inputs tried per property.
    pub cases: u32,
    /// Requests shrinking may spend after the first failure.
    pub shrink_requests: usize,
    /// Time shrinking may spend after the first failure.
    pub shrink_time: Duration,
    /// The most users `paging.max-page-size` creates to exceed a small maximum.
    pub max_results_population: usize,
    /// The members of `groups.large`'s largest group (0: only the 150-member one).
    pub large_group: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            seed: 0,
            cases: DEFAULT_CASES,
            shrink_requests: 200,
            shrink_time: Duration::from_secs(5),
            max_results_population: 200,
            large_group: 1000,
        }
    }
}

/// Inputs tried per property unless `--prop-cases` says otherwise: enough to
/// hit the edges (the generators favour them), few enough to keep a run short.
pub const DEFAULT_CASES: u32 = 16;

impl Settings {
    /// For a property whose every input is a chain of round trips: `n`
    /// inputs where `--prop-cases` asks the default, in proportion to it
    /// otherwise (so `--prop-cases 300` still searches harder).
    pub fn chained(self, n: u32) -> Settings {
        let cases = (u64::from(self.cases) * u64::from(n) / u64::from(DEFAULT_CASES)).max(1);
        Settings {
            cases: u32::try_from(cases).unwrap_or(u32::MAX),
            ..self
        }
    }
}

/// What the run gives every property.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub run: &'a RunId,
    /// Which attempt at the case this is (0, or a rerun).
    pub attempt: u32,
    pub settings: Settings,
    pub runtime: &'a tokio::runtime::Handle,
    /// Told how far a batch of requests has got.
    pub progress: super::batch::Progress<'a>,
}

/// Runs a property case: its status and, when it failed, the step that
/// holds the counterexample. Its population stays in the ledger under the
/// case's scope (the `client`'s); the runner removes it.
pub fn run(
    case: &Case,
    property: Property,
    at: Pos,
    context: &Context,
    client: &Client,
) -> (Status, Vec<StepResult>) {
    let settings = context.settings;
    let env = Env {
        case,
        profile: context.profile,
        stem: context.run.attempt_stem(&case.id, context.attempt),
        settings,
        probe: Probe::new(context.runtime, client, context.progress),
    };
    let exploration = crate::case::property::explore!(property, &env);
    let seed = settings.seed;
    let failure = |label: String, cx: Counterexample, note: String| StepResult {
        failures: vec![
            Failure::new(CheckKind::Property, format!("{}{note}", cx.message))
                .expected(cx.expected)
                .actual(cx.actual)
                .at(case.at(at)),
        ],
        ..StepResult::new(label, cx.exchange.map(|e| *e))
    };
    match exploration {
        Exploration::Held => (Status::Passed, vec![]),
        Exploration::Skipped(reason) => (Status::Skipped { reason }, vec![]),
        Exploration::Setup(cx) => (
            Status::Failed,
            vec![failure(
                format!("preparing the population (seed {seed})"),
                cx,
                String::new(),
            )],
        ),
        Exploration::Failures(findings) => (
            Status::Failed,
            findings
                .into_iter()
                .map(|(label, cx)| {
                    failure(format!("{} {label}", property.as_str()), cx, String::new())
                })
                .collect(),
        ),
        Exploration::Failed {
            input,
            counterexample,
            budget,
        } => {
            let note = budget.map(|b| format!(" ({b})")).unwrap_or_default();
            let label = format!(
                "property {} with seed {seed} (reproduce: --seed {seed}); minimal input: {input}",
                property.as_str()
            );
            (Status::Failed, vec![failure(label, counterexample, note)])
        }
    }
}
