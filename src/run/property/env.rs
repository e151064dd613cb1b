//! What a property check works with: its [`Env`] (the case, the profile,
//! the names its resources carry, the settings), the [`Probe`] that sends
//! its requests and counts them, a list answer read as a [`Page`], and the
//! [`Counterexample`] a rule that did not hold leaves as evidence.

use std::cell::Cell;

use serde_json::Value;

use super::Settings;
use crate::case::Case;
use crate::client::{Client, Exchange, Outgoing, excerpt};
use crate::profile::Profile;

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
    progress: crate::run::batch::Progress<'a>,
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
    pub fn new(
        runtime: &'a tokio::runtime::Handle,
        client: &'a Client,
        progress: crate::run::batch::Progress<'a>,
    ) -> Probe<'a> {
        Probe {
            runtime,
            client,
            requests: Cell::new(0),
            progress,
        }
    }

    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// Sends independent requests a few at a time (a population's creates).
    pub fn send_all(&self, requests: Vec<Outgoing>) -> Vec<Exchange> {
        self.requests.set(self.requests.get() + requests.len());
        self.runtime.block_on(crate::run::batch::send_all_telling(
            self.client,
            requests,
            self.progress,
        ))
    }

    /// Sends requests all at the same moment, without retry (concurrent changes).
    pub fn send_together(&self, requests: Vec<Outgoing>) -> Vec<Exchange> {
        self.requests.set(self.requests.get() + requests.len());
        self.runtime
            .block_on(crate::run::batch::send_together(self.client, requests))
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
