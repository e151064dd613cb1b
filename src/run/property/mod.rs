//! Property checks: generated inputs for the paging and filter rules, run
//! against the live target with proptest, seeded, shrinking and reproducible.
//!
//! A property is a case like any other (`cases/paging/prop-walk.yaml` says
//! `property: paging.walk` instead of listing steps), so it is planned,
//! listed, filtered and reported like one. Its code lives here:
//! [`population`] creates the users it reads (with the run's unique prefix;
//! the client records them in the run's ledger under the case's scope, and
//! the runner removes them whatever happens), [`paging`] and [`filter`] hold
//! the rules, and [`explore`] drives a seeded proptest runner:
//! `--prop-cases` inputs are tried; after the first failure, shrinking stops
//! at a request budget and a time budget (inputs beyond them count as
//! passing, so proptest settles on the smallest failure found so far).

pub mod bulk;
pub mod discovery;
pub mod etag;
pub mod explore;
pub mod filter;
pub mod groups;
pub mod max_results;
pub mod paging;
pub mod population;
pub mod projection;
pub mod schema;
pub mod search;
pub mod sort;

use std::cell::Cell;
use std::time::Duration;

use serde_json::Value;

pub use explore::{Exploration, Violations, draw, explore, runner};

use super::vars::RunId;
use crate::case::{Case, Property};
use crate::check::{CheckKind, Failure};
use crate::client::{Client, Exchange, Outgoing, excerpt};
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

/// Everything a property needs to run.
pub struct Env<'a> {
    pub case: &'a Case,
    pub profile: &'a Profile,
    /// `scimcheck-<run>-<case>` (of this attempt): what its users are named by.
    pub stem: String,
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

/// Sends the property's requests on the shared runtime (with the client
/// scoped to the property's case, so its creates land in the ledger under
/// that scope) and counts them.
pub struct Probe<'a> {
    runtime: &'a tokio::runtime::Handle,
    client: &'a Client,
    requests: Cell<usize>,
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
            .json()
            .and_then(crate::scim::list::ListPage::read)
            .map_or(&[], |page| page.resources)
    }

    /// The `id` of every resource on the page (`?` for one without).
    pub fn ids(&self) -> Vec<String> {
        self.resources().iter().map(id_of).collect()
    }
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
        }
    }

    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// Sends independent requests a few at a time (a population's creates).
    pub fn send_all(&self, requests: Vec<Outgoing>) -> Vec<Exchange> {
        self.requests.set(self.requests.get() + requests.len());
        self.runtime
            .block_on(super::batch::send_all(self.client, requests))
    }

    /// Sends requests all at the same moment, without retry (concurrent changes).
    pub fn send_together(&self, requests: Vec<Outgoing>) -> Vec<Exchange> {
        self.requests.set(self.requests.get() + requests.len());
        self.runtime
            .block_on(super::batch::send_together(self.client, requests))
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
            let error = exchange.excerpt(200);
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
}

/// What the run gives every property.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub run: &'a RunId,
    /// Which attempt at the case this is (0, or a rerun).
    pub attempt: u32,
    pub settings: Settings,
    pub runtime: &'a tokio::runtime::Handle,
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
        probe: Probe::new(context.runtime, client),
    };
    let exploration = match property {
        Property::PagingWalk => paging::walk(&env),
        Property::PagingWindow => paging::window(&env),
        Property::PagingMaxPageSize => max_results::max_page_size(&env),
        Property::FilterEqAnyCase => filter::eq_any_case(&env),
        Property::FilterEqNotSubstring => filter::eq_not_substring(&env),
        Property::FilterEscaping => filter::escaping(&env),
        Property::FilterNoMatch => filter::no_match(&env),
        Property::FilterNameCase => filter::name_case(&env),
        Property::FilterExpressions => filter::expressions(&env),
        Property::FilterUnsupported => filter::unsupported(&env),
        Property::SchemaRoundTrip => schema::round_trip(&env),
        Property::SchemaReadOnly => schema::read_only(&env),
        Property::SchemaImmutable => schema::immutable(&env),
        Property::SchemaNeverReturned => schema::never_returned(&env),
        Property::SchemaRequired => schema::required(&env),
        Property::DiscoveryById => discovery::by_id(&env),
        Property::DiscoveryDefinitions => discovery::definitions(&env),
        Property::SchemaReturnedRequest => schema::returned_request(&env),
        Property::ProjectionSubsets => projection::subsets(&env),
        Property::SortOrder => sort::order(&env),
        Property::SearchSameAsGet => search::same_as_get(&env),
        Property::EtagSequence => etag::sequence(&env),
        Property::BulkLimits => bulk::limits(&env),
        Property::GroupsUserGroups => groups::user_groups(&env),
        Property::GroupsLarge => groups::large(&env),
        Property::GroupsConcurrent => groups::concurrent(&env),
        Property::GroupsMembership => groups::membership::membership(&env),
    };
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
                    failure(format!("{} {label}", property.name()), cx, String::new())
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
                property.name()
            );
            (Status::Failed, vec![failure(label, counterexample, note)])
        }
    }
}
