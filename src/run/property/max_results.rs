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
use super::population;
use super::{Counterexample, Env, Exploration, explore, runner};
use crate::client::Outgoing;

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
    let max_usize = max as usize;
    // One page of one more than the maximum: too many already, or not
    // enough users to tell?
    let first = match env
        .probe
        .list(&[("startIndex", "1".into()), ("count", (max + 1).to_string())])
    {
        Ok(page) => page,
        Err(cx) => return Exploration::Setup(cx),
    };
    let held = first.total.unwrap_or(first.resources().len() as u64) as usize;
    if held <= max_usize {
        let bound = env.settings.max_results_population;
        if max_usize >= bound {
            return Exploration::Skipped(format!(
                "the target holds {held} users, not more than its maximum page size {max}, and creating {} is above --max-results-population {bound}",
                max_usize + 1 - held
            ));
        }
        if let Err(cx) = population::fill(env, max_usize + 1 - held) {
            return Exploration::Setup(cx);
        }
    }
    // Every count above the maximum asks the same question, and each answer
    // can be a full page of a large target: two inputs are enough.
    let settings = super::Settings {
        cases: env.settings.cases.min(2),
        ..env.settings
    };
    let mut runner = runner(&settings, &env.case.id);
    // One page of the unfiltered list: never a walk of the whole collection.
    explore(
        env,
        &mut runner,
        &[],
        (max + 1..=2 * max).prop_map(Count),
        |&Count(count)| {
            let page = env
                .probe
                .list(&[("startIndex", "1".into()), ("count", count.to_string())])?;
            let held = page.resources().len() as i64;
            let items = page.items_per_page.map_or(held, |i| i as i64);
            if held <= max && items <= max {
                return Ok(());
            }
            Err(Counterexample::new(
                format!("count={count} returned more than the maximum page size {max}"),
                &page.exchange,
            )
            .expected(format!("at most {max} resources"))
            .actual(format!("{held} resources, itemsPerPage {items}")))
        },
    )
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
