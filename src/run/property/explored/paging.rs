//! Paging properties (RFC 7644 §3.4.2.4), over the property's own population.
//!
//! - `paging.walk`: walking every page of the population's query, for a
//!   generated `count`, yields each member exactly once; every page has the
//!   same `totalResults` (the population size), an `itemsPerPage` equal to
//!   what it holds and never more than `count`, and echoes `startIndex`.
//! - `paging.window`: for a generated `startIndex` and `count` (edges
//!   included: below 1, zero, negative, past the end) the page holds exactly
//!   the slice of the full result that the RFC defines.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::run::property::population::{self, Population};
use crate::run::property::{Counterexample, Env, Exploration, Page, Verdict, explore, runner};

/// How many users a paging property creates (a few pages' worth at small counts).
const POPULATION: std::ops::RangeInclusive<usize> = 3..=7;

pub fn walk(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let population = match population::scoped(env, &mut runner, POPULATION) {
        Ok(population) => population,
        Err(cx) => return Exploration::Setup(cx),
    };
    let n = population.members.len() as i64;
    explore(
        env,
        &mut runner,
        &[Count(1)],
        (1..=n + 1).prop_map(Count),
        |&Count(count)| walk_pages(env, &population, count),
    )
}

fn walk_pages(env: &Env, population: &Population, count: i64) -> Verdict {
    let n = population.members.len();
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    let mut start = 1i64;
    let mut last: Option<Page> = None;
    // A correct server needs ceil(n / count) pages and one empty one at most;
    // the bound keeps a server that never ends its pages from looping us.
    for _ in 0..=n + 1 {
        let page = env.probe.list(&[
            ("filter", population.filter()),
            ("startIndex", start.to_string()),
            ("count", count.to_string()),
        ])?;
        page_is_consistent(&page, n, start, count)?;
        for id in page.ids() {
            if population.member(&id).is_none() {
                return Err(Counterexample::new(
                    format!("the page at startIndex={start} holds `{id}`, which the query does not select"),
                    &page.exchange,
                )
                .expected(format!("only members of the population selected by `{}`", population.filter()))
                .actual(id));
            }
            if let Some(first) = seen.insert(id.clone(), start) {
                return Err(Counterexample::new(
                    format!(
                        "user `{id}` appears on the page at startIndex={first} and again at startIndex={start} (pages overlap)"
                    ),
                    &page.exchange,
                )
                .expected("every user exactly once across the pages")
                .actual(format!("`{id}` twice")));
            }
        }
        let returned = page.resources().len() as i64;
        last = Some(page);
        if returned == 0 {
            break;
        }
        start += returned;
        if start > n as i64 {
            break;
        }
    }
    let missing: Vec<String> = population
        .members
        .iter()
        .filter(|m| !seen.contains_key(&m.id))
        .map(|m| format!("{} ({})", m.id, m.user_name))
        .collect();
    match (missing.is_empty(), last) {
        (true, _) | (false, None) => Ok(()),
        (false, Some(page)) => Err(Counterexample::new(
            format!(
                "walking the pages with count={count} never returned {} of the {n} users",
                missing.len()
            ),
            &page.exchange,
        )
        .expected(format!("all {n} users, each once"))
        .actual(format!("missing: {}", missing.join(", ")))),
    }
}

/// The rules every page obeys: the total is the population size,
/// `itemsPerPage` counts what the page holds (required when the result is
/// partial), no more than `count` resources, `startIndex` echoed.
fn page_is_consistent(page: &Page, n: usize, start: i64, count: i64) -> Verdict {
    let held = page.resources().len() as u64;
    let field = |name: &str, expected: String, actual: String| {
        Err(Counterexample::new(
            format!("`{name}` is wrong on the page at startIndex={start}, count={count}"),
            &page.exchange,
        )
        .expected(expected)
        .actual(actual))
    };
    if page.total != Some(n as u64) {
        return field(
            "totalResults",
            format!("{n} (the size of the query's result, on every page)"),
            show(page.total),
        );
    }
    let partial = held < n as u64;
    match page.items_per_page {
        Some(items) if items != held => {
            return field(
                "itemsPerPage",
                format!("{held} (the resources on this page)"),
                items.to_string(),
            );
        }
        None if partial => {
            return field(
                "itemsPerPage",
                format!("{held} (required when results are paged)"),
                "(absent)".into(),
            );
        }
        _ => {}
    }
    if count >= 0 && held > count as u64 {
        return field(
            "Resources",
            format!("at most count={count} resources"),
            format!("{held} resources"),
        );
    }
    let expected_start = start.max(1) as u64;
    match page.start_index {
        Some(echo) if echo != expected_start => field(
            "startIndex",
            format!("{expected_start} (the request's startIndex, 1-based)"),
            echo.to_string(),
        ),
        None if partial => field(
            "startIndex",
            format!("{expected_start} (required when results are paged)"),
            "(absent)".into(),
        ),
        _ => Ok(()),
    }
}

fn show(value: Option<u64>) -> String {
    value.map_or("(absent)".to_string(), |v| v.to_string())
}

/// A generated `count`.
#[derive(Clone, Copy)]
pub struct Count(pub i64);

impl std::fmt::Debug for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "count={}", self.0)
    }
}

/// A generated page request.
#[derive(Clone, Copy)]
pub struct Window {
    pub start_index: i64,
    pub count: i64,
}

impl std::fmt::Debug for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "startIndex={}, count={}", self.start_index, self.count)
    }
}

/// The windows paging bugs live at: the first page, the last user, just past
/// the end, startIndex below 1, count zero and negative.
fn edges(n: i64) -> Vec<Window> {
    [
        (1, n),
        (1, 1),
        (2, 1),
        (n, 1),
        (n + 1, 1),
        (0, 1),
        (1, 0),
        (1, -1),
        (-1, n),
    ]
    .into_iter()
    .map(|(start_index, count)| Window { start_index, count })
    .collect()
}

fn window_strategy(n: i64) -> impl Strategy<Value = Window> {
    // Alternatives shrink towards the first one, so a counterexample ends up
    // as plain as the bug allows (startIndex=1 before startIndex=-2).
    let start = prop_oneof![1..=n + 2, -2..=0i64];
    let count = prop_oneof![1..=n + 1, Just(0i64), -2..=-1i64, n + 2..=2 * n + 2];
    (start, count).prop_map(|(start_index, count)| Window { start_index, count })
}

pub fn window(env: &Env) -> Exploration {
    let mut runner = runner(&env.settings, &env.case.id);
    let population = match population::scoped(env, &mut runner, POPULATION) {
        Ok(population) => population,
        Err(cx) => return Exploration::Setup(cx),
    };
    let n = population.members.len();
    // The whole result in one page is the reference order the slices must follow.
    let whole = match env
        .probe
        .list(&[("filter", population.filter()), ("count", n.to_string())])
    {
        Ok(page) => page,
        Err(cx) => return Exploration::Setup(cx),
    };
    let order = whole.ids();
    if order
        .iter()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        != population.ids()
    {
        return Exploration::Setup(
            Counterexample::new(
                format!(
                    "the query `{}` does not return the population",
                    population.filter()
                ),
                &whole.exchange,
            )
            .expected(format!("the {n} users the property created"))
            .actual(format!("{} resources: {}", order.len(), order.join(", "))),
        );
    }
    let max = env.profile.paging.max_page_size.unwrap_or(usize::MAX);
    explore(
        env,
        &mut runner,
        &edges(n as i64),
        window_strategy(n as i64),
        |w| {
            let page = env.probe.list(&[
                ("filter", population.filter()),
                ("startIndex", w.start_index.to_string()),
                ("count", w.count.to_string()),
            ])?;
            page_is_consistent(&page, n, w.start_index, w.count)?;
            // RFC 7644 §3.4.2.4: startIndex < 1 is 1; a negative count is 0.
            let from = (w.start_index.max(1) as usize - 1).min(n);
            let take = (w.count.max(0) as usize).min(max);
            let expected: Vec<String> = order.iter().skip(from).take(take).cloned().collect();
            let actual = page.ids();
            if actual == expected {
                return Ok(());
            }
            Err(Counterexample::new(
                format!(
                    "startIndex={}, count={} returned the wrong slice of the {n} results",
                    w.start_index, w.count
                ),
                &page.exchange,
            )
            .expected(format!("[{}]", expected.join(", ")))
            .actual(format!("[{}]", actual.join(", "))))
        },
    )
}
