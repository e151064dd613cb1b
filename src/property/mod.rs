//! Property checks: generated inputs for the paging and filter rules, run
//! against the live target with proptest, seeded, shrinking and reproducible.
//!
//! A property is a case like any other (`cases/paging/walk.yaml` says
//! `property: paging.walk` instead of listing steps), so it is planned,
//! listed, filtered and reported like one. Its code lives here:
//! [`population`] creates the users it reads (with the run's unique prefix,
//! deleted afterwards whatever happens), [`paging`] and [`filter`] hold the
//! rules, and [`explore`] drives a manual proptest `TestRunner`:
//!
//! - the seed comes from `--seed` (random otherwise) mixed with the case id,
//!   so one property's inputs do not depend on which others ran;
//! - `--prop-cases` inputs are tried;
//! - after the first failure, shrinking stops at a request budget and a time
//!   budget (inputs beyond them count as passing, so proptest settles on the
//!   smallest failure found so far);
//! - no failure persistence files are written.

pub mod filter;
pub mod paging;
pub mod population;

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::Value;

use crate::case::{Case, Loc};
use crate::check::{Failure, excerpt};
use crate::client::{Client, Exchange, Outgoing};
use crate::profile::Profile;
use crate::run::{CaseResult, Status, StepResult};
use crate::vars::{RunId, fnv1a};

/// The properties a case file can name with `property:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    PagingWalk,
    PagingWindow,
    PagingMaxPageSize,
    FilterEqAnyCase,
    FilterEqNotSubstring,
    FilterEscaping,
    FilterNoMatch,
    FilterNameCase,
    FilterExpressions,
    FilterUnsupported,
}

impl Property {
    pub const ALL: [Property; 10] = [
        Property::PagingWalk,
        Property::PagingWindow,
        Property::PagingMaxPageSize,
        Property::FilterEqAnyCase,
        Property::FilterEqNotSubstring,
        Property::FilterEscaping,
        Property::FilterNoMatch,
        Property::FilterNameCase,
        Property::FilterExpressions,
        Property::FilterUnsupported,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Property::PagingWalk => "paging.walk",
            Property::PagingWindow => "paging.window",
            Property::PagingMaxPageSize => "paging.max-page-size",
            Property::FilterEqAnyCase => "filter.eq-any-case",
            Property::FilterEqNotSubstring => "filter.eq-not-substring",
            Property::FilterEscaping => "filter.escaping",
            Property::FilterNoMatch => "filter.no-match",
            Property::FilterNameCase => "filter.name-case",
            Property::FilterExpressions => "filter.expressions",
            Property::FilterUnsupported => "filter.unsupported",
        }
    }

    /// Whether the property creates a population (most do; some only read).
    pub fn creates_users(self) -> bool {
        !matches!(
            self,
            Property::PagingMaxPageSize | Property::FilterNoMatch | Property::FilterUnsupported
        )
    }

    pub fn parse(name: &str) -> Result<Property, String> {
        Property::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Property::ALL.iter().map(|p| p.name()).collect();
                let hint = crate::case::did_you_mean(name, names.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                format!(
                    "unknown property `{name}`{hint}; known: {}",
                    names.join(", ")
                )
            })
    }
}

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
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            seed: 0,
            cases: DEFAULT_CASES,
            shrink_requests: 200,
            shrink_time: Duration::from_secs(5),
        }
    }
}

/// Inputs tried per property unless `--prop-cases` says otherwise: enough to
/// hit the edges (the generators favour them), few enough to keep a run short.
pub const DEFAULT_CASES: u32 = 16;

/// Everything a property needs to run.
pub struct Env<'a> {
    pub case: &'a Case,
    pub profile: &'a Profile,
    pub run: &'a RunId,
    pub settings: Settings,
    pub probe: Probe<'a>,
}

/// Why a property did not hold, with the evidence.
#[derive(Debug, Clone)]
pub struct Counterexample {
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// Boxed: counterexamples travel in `Result`s, which should stay small.
    pub exchange: Option<Box<Exchange>>,
}

impl Counterexample {
    pub fn new(message: impl Into<String>, exchange: &Exchange) -> Counterexample {
        Counterexample {
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            exchange: Some(Box::new(exchange.clone())),
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Counterexample {
        self.expected = expected.into();
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Counterexample {
        self.actual = actual.into();
        self
    }
}

/// What a property check returns for one input.
pub type Verdict = Result<(), Counterexample>;

/// Sends the property's requests on the shared runtime, counts them, and
/// remembers every user it created so that they can be removed at the end.
pub struct Probe<'a> {
    runtime: &'a tokio::runtime::Handle,
    client: &'a Client,
    requests: Cell<usize>,
    created: RefCell<Vec<String>>,
}

/// One page of a list or search answer.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: Option<u64>,
    pub items_per_page: Option<u64>,
    pub start_index: Option<u64>,
    pub exchange: Exchange,
}

impl Page {
    /// The resources on the page, read in place from the exchange (pages
    /// are the bulk of a property's traffic: nothing is copied).
    pub fn resources(&self) -> &[Value] {
        self.exchange
            .response
            .as_ref()
            .ok()
            .and_then(|r| r.json.as_ref())
            .and_then(|j| j.get("Resources"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The `id` of every resource on the page (`?` for one without).
    pub fn ids(&self) -> Vec<String> {
        self.resources().iter().map(id_of).collect()
    }
}

/// The start of a response body (or the transport error), as evidence.
pub fn body_excerpt(exchange: &Exchange) -> String {
    exchange
        .response
        .as_ref()
        .map(|r| excerpt(&r.body, 200))
        .unwrap_or_else(|e| e.clone())
}

/// A resource's `id`, or `?` when it has none.
pub fn id_of(resource: &Value) -> String {
    resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

impl<'a> Probe<'a> {
    pub fn new(runtime: &'a tokio::runtime::Handle, client: &'a Client) -> Probe<'a> {
        Probe {
            runtime,
            client,
            requests: Cell::new(0),
            created: RefCell::new(Vec::new()),
        }
    }

    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    pub fn send(&self, out: Outgoing) -> Exchange {
        self.requests.set(self.requests.get() + 1);
        self.runtime.block_on(self.client.send(out))
    }

    /// `GET /Users` with these query parameters, read as a ListResponse.
    pub fn list(&self, query: &[(&str, String)]) -> Result<Page, Counterexample> {
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let exchange = self.send(Outgoing::get("/Users", &query));
        let Ok(response) = &exchange.response else {
            let error = exchange
                .response
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default();
            return Err(Counterexample::new("the request failed", &exchange)
                .expected("200 with a ListResponse")
                .actual(error));
        };
        let json = match (&response.json, response.status) {
            (Some(json), 200) if json.is_object() => json,
            _ => {
                return Err(Counterexample::new(
                    format!("the search answered {}", response.status),
                    &exchange,
                )
                .expected("200 with a ListResponse")
                .actual(format!(
                    "{} {}",
                    response.status,
                    excerpt(&response.body, 200)
                )));
            }
        };
        let number = |key: &str| json.get(key).and_then(Value::as_u64);
        if let Some(other) = json
            .get("Resources")
            .filter(|r| !r.is_array() && !r.is_null())
        {
            return Err(
                Counterexample::new("`Resources` is not an array", &exchange)
                    .expected("an array of resources")
                    .actual(excerpt(&other.to_string(), 200)),
            );
        }
        let (total, items_per_page, start_index) = (
            number("totalResults"),
            number("itemsPerPage"),
            number("startIndex"),
        );
        Ok(Page {
            total,
            items_per_page,
            start_index,
            exchange,
        })
    }

    /// Remembers a user the property created (its cleanup is then owed).
    pub fn created(&self, id: String) {
        self.created.borrow_mut().push(id);
    }

    /// Forgets a user the property already deleted itself.
    pub fn deleted(&self, id: &str) {
        self.created.borrow_mut().retain(|c| c != id);
    }

    /// Deletes every user the property created and has not deleted yet.
    fn cleanup(&self) -> Vec<StepResult> {
        let ids = std::mem::take(&mut *self.created.borrow_mut());
        ids.into_iter()
            .map(|id| {
                let exchange = self.send(population::delete_request(&id));
                StepResult {
                    label: format!("cleanup: DELETE /Users/{id}"),
                    exchange: Some(exchange),
                    failures: vec![],
                    snapshot: None,
                }
            })
            .collect()
    }
}

/// Where a property stands after exploring.
pub enum Outcome {
    /// Every input held (or the property had nothing to check).
    Held,
    /// The property does not apply to this target, and why.
    Skipped(String),
    /// Preparing the population (creating it, reading it back) failed.
    Setup(Counterexample),
    /// The smallest failing input found, with its evidence.
    Failed {
        input: String,
        counterexample: Counterexample,
        /// Set when shrinking stopped at a budget (the input may not be minimal).
        budget: Option<String>,
    },
}

/// The seed of one property: the run's seed mixed with the case id, spread
/// over the 32 bytes ChaCha wants.
fn seed_bytes(seed: u64, case_id: &str) -> [u8; 32] {
    let mut state = seed ^ fnv1a(case_id);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    bytes
}

/// A proptest runner for one property: seeded, bounded, never persisting.
pub fn runner(settings: &Settings, case_id: &str) -> TestRunner {
    let config = Config {
        cases: settings.cases,
        failure_persistence: None,
        // Shrinking is bounded by our own request and time budgets (see
        // `explore`); this only stops a pathological strategy.
        max_shrink_iters: 10_000,
        max_shrink_time: 0,
        max_global_rejects: 4096,
        max_local_rejects: 65_536,
        verbose: 0,
        rng_algorithm: RngAlgorithm::ChaCha,
        source_file: None,
        test_name: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(settings.seed, case_id));
    TestRunner::new_with_rng(config, rng)
}

/// Draws one value from a strategy with the property's runner (so the
/// population, too, follows from the seed).
pub fn draw<S: Strategy>(runner: &mut TestRunner, strategy: S) -> S::Value {
    strategy
        .new_tree(runner)
        .expect("population strategies never reject")
        .current()
}

/// Tries the edge inputs, then generated ones until one fails, then shrinks
/// it within budget. Edges are the inputs a rule is most often broken at (a
/// page just past the end, say): random search would find them only most of
/// the time, and they are already as simple as a counterexample gets.
pub fn explore<S>(
    env: &Env,
    runner: &mut TestRunner,
    edges: &[S::Value],
    strategy: S,
    check: impl Fn(&S::Value) -> Verdict,
) -> Outcome
where
    S: Strategy,
    S::Value: Debug,
{
    for edge in edges {
        if let Err(counterexample) = check(edge) {
            return Outcome::Failed {
                input: format!("{edge:?}"),
                counterexample,
                budget: None,
            };
        }
    }
    let probe = &env.probe;
    let settings = env.settings;
    let failing_since: Cell<Option<(Instant, usize)>> = Cell::new(None);
    let last: RefCell<Option<(String, Counterexample)>> = RefCell::new(None);
    let budget: RefCell<Option<String>> = RefCell::new(None);
    let result = runner.run(&strategy, |input| {
        if let Some((since, requests)) = failing_since.get() {
            let spent = probe.requests() - requests;
            if spent >= settings.shrink_requests {
                *budget.borrow_mut() = Some(format!(
                    "shrinking stopped after {spent} requests (--prop-shrink-requests)"
                ));
                return Ok(());
            }
            if since.elapsed() >= settings.shrink_time {
                *budget.borrow_mut() = Some(format!(
                    "shrinking stopped after {:.1} s (--prop-shrink-time)",
                    since.elapsed().as_secs_f64()
                ));
                return Ok(());
            }
        }
        match check(&input) {
            Ok(()) => Ok(()),
            Err(counterexample) => {
                if failing_since.get().is_none() {
                    failing_since.set(Some((Instant::now(), probe.requests())));
                }
                let message = counterexample.message.clone();
                *last.borrow_mut() = Some((format!("{input:?}"), counterexample));
                Err(TestCaseError::fail(message))
            }
        }
    });
    match result {
        Ok(()) => Outcome::Held,
        Err(TestError::Fail(_, _)) => {
            let (input, counterexample) = last
                .into_inner()
                .expect("a failing input recorded its counterexample");
            Outcome::Failed {
                input,
                counterexample,
                budget: budget.into_inner(),
            }
        }
        Err(TestError::Abort(reason)) => Outcome::Skipped(format!(
            "the generator gave up before finding enough inputs: {reason}"
        )),
    }
}

/// Runs a property case to its end, its population removed.
pub fn run(
    case: &Case,
    property: Property,
    loc: Loc,
    context: &crate::run::trial::Context,
) -> CaseResult {
    let started = Instant::now();
    let env = Env {
        case,
        profile: &context.profile,
        run: &context.run,
        settings: context.settings,
        probe: Probe::new(&context.runtime, &context.client),
    };
    let outcome = match property {
        Property::PagingWalk => paging::walk(&env),
        Property::PagingWindow => paging::window(&env),
        Property::PagingMaxPageSize => paging::max_page_size(&env),
        Property::FilterEqAnyCase => filter::eq_any_case(&env),
        Property::FilterEqNotSubstring => filter::eq_not_substring(&env),
        Property::FilterEscaping => filter::escaping(&env),
        Property::FilterNoMatch => filter::no_match(&env),
        Property::FilterNameCase => filter::name_case(&env),
        Property::FilterExpressions => filter::expressions(&env),
        Property::FilterUnsupported => filter::unsupported(&env),
    };
    let cleanup = env.probe.cleanup();
    let seed = env.settings.seed;
    let failure = |label: String, cx: Counterexample, note: String| StepResult {
        label,
        failures: vec![
            Failure::new("property", format!("{}{note}", cx.message))
                .expected(cx.expected)
                .actual(cx.actual)
                .at(loc),
        ],
        exchange: cx.exchange.map(|e| *e),
        snapshot: None,
    };
    let (status, steps) = match outcome {
        Outcome::Held => (Status::Passed, vec![]),
        Outcome::Skipped(reason) => (Status::Skipped { reason }, vec![]),
        Outcome::Setup(cx) => (
            Status::Failed,
            vec![failure(
                format!("preparing the population (seed {seed})"),
                cx,
                String::new(),
            )],
        ),
        Outcome::Failed {
            input,
            counterexample,
            budget,
        } => {
            let note = budget.map(|b| format!(" ({b})")).unwrap_or_default();
            (
                Status::Failed,
                vec![failure(
                    format!(
                        "property {} with seed {seed} (reproduce: --seed {seed}); minimal input: {input}",
                        property.name()
                    ),
                    counterexample,
                    note,
                )],
            )
        }
    };
    CaseResult::of(case, status, steps, cleanup, started.elapsed())
}
