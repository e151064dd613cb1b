//! `paging.max-page-size` (RFC 7644 §3.4.2.4, RFC 7643 §5): a `count` above
//! the declared maximum page size returns at most that many resources, and
//! `/ServiceProviderConfig` declares it (`filter.maxResults`, REQUIRED).
//!
//! A maximum can only be seen exceeded when the target holds more users
//! than it: when it holds fewer and the maximum is small (at most
//! `--max-results-population`, 200 by default), the property creates the
//! users missing, with the case's stem, and removes them afterwards.

use proptest::prelude::*;
use serde_json::Value;

use super::paging::Count;
use crate::client::Outgoing;
use crate::run::property::population;
use crate::run::property::{Counterexample, Env, Exploration, explore, runner};

pub fn max_page_size(env: &Env) -> Exploration {
    // RFC 7643 §5: ServiceProviderConfig's filter.maxResults is REQUIRED.
    let declared = if env.profile.discovery.service_provider_config {
        match declared(env) {
            Ok(declared) => Some(declared),
            Err(counterexample) => {
                return Exploration::Failed {
                    input: "GET /ServiceProviderConfig".into(),
                    counterexample,
                    budget: None,
                };
            }
        }
    } else {
        None
    };
    let claimed = env.profile.paging.max_page_size.map(|m| m as u64);
    let max = match (claimed, declared) {
        (Some(claimed), Some((declared, exchange))) if declared > claimed => {
            return Exploration::Failed {
                input: "GET /ServiceProviderConfig".into(),
                counterexample: Counterexample::new(
                    "`/ServiceProviderConfig` declares a larger page than the profile documents",
                    &exchange,
                )
                .expected(format!("filter.maxResults <= {claimed}"))
                .actual(declared.to_string()),
                budget: None,
            };
        }
        (Some(claimed), _) => claimed,
        (None, Some((declared, _))) => declared,
        (None, None) => {
            return Exploration::Skipped(format!(
                "profile {} documents no maximum page size and no ServiceProviderConfig",
                env.profile.name
            ));
        }
    } as i64;
    let bound = env.settings.max_results_population;
    // Every count above the maximum asks the same question, and each answer
    // can be a full page of a large target: two inputs are enough.
    let settings = crate::run::property::Settings {
        cases: env.settings.cases.min(2),
        ..env.settings
    };
    let mut runner = runner(&settings, &env.case.id);
    let rounds = std::cell::Cell::new(0);
    // One page of the unfiltered list: never a walk of the whole collection.
    let probe = |count: i64| -> Result<Option<()>, Counterexample> {
        let page = env
            .probe
            .list(&[("startIndex", "1".into()), ("count", count.to_string())])?;
        let held = page.resources().len() as i64;
        let items = page.items_per_page.map_or(held, |i| i as i64);
        if held > max || items > max {
            return Err(Counterexample::new(
                format!("count={count} returned more than the maximum page size {max}"),
                &page.exchange,
            )
            .expected(format!("at most {max} resources"))
            .actual(format!("{held} resources, itemsPerPage {items}")));
        }
        let total = page.total.unwrap_or(held as u64) as i64;
        // A cap is only seen when the target holds more than it: the answer
        // counts when it does (other cases' users may come and go meanwhile).
        if total > max {
            return Ok(Some(()));
        }
        // Other cases' users come and go while this one fills: a quarter
        // more than the difference keeps the target above the maximum.
        let missing = ((max + 1 - total) as usize + (max as usize / 4)).min(bound);
        if max as usize >= bound {
            return Ok(None);
        }
        population::fill(env, missing, rounds.get())?;
        rounds.set(rounds.get() + 1);
        Ok(None)
    };
    let untestable = std::cell::Cell::new(false);
    let outcome = explore(
        env,
        &mut runner,
        &[],
        (max + 1..=2 * max).prop_map(Count),
        |&Count(count)| {
            // Not enough users to tell: filled, then asked again (twice at most).
            for _ in 0..3 {
                if probe(count)?.is_some() {
                    return Ok(());
                }
                if max as usize >= bound {
                    break;
                }
            }
            untestable.set(true);
            Ok(())
        },
    );
    match outcome {
        Exploration::Held if untestable.get() => Exploration::Skipped(format!(
            "the target holds no more users than its maximum page size {max}, and creating enough is above --max-results-population {bound}"
        )),
        other => other,
    }
}

/// `filter.maxResults` of `/ServiceProviderConfig`, with the exchange that declared it.
fn declared(env: &Env) -> Result<(u64, crate::client::Exchange), Counterexample> {
    let exchange = env.probe.send(Outgoing::get("/ServiceProviderConfig", &[]));
    let found = exchange
        .response
        .as_ref()
        .ok()
        .and_then(|r| r.json.as_ref())
        .and_then(|json| json.pointer("/filter/maxResults"))
        .and_then(Value::as_u64);
    match found {
        Some(declared) => Ok((declared, exchange)),
        None => {
            let body = exchange.excerpt(200);
            Err(Counterexample::new(
                "`/ServiceProviderConfig` does not declare the maximum page size",
                &exchange,
            )
            .expected("filter.maxResults: an integer (RFC 7643 §5)")
            .actual(body))
        }
    }
}
