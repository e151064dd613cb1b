//! Exploring a property: a manual proptest `TestRunner` per property,
//! seeded from `--seed` mixed with the case id (so one property's inputs do
//! not depend on which others ran), edge inputs first, then generated ones,
//! then shrinking within a request and a time budget. No failure
//! persistence files are written.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::time::Instant;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use super::{Counterexample, Env, Settings, Verdict};
use crate::run::vars::fnv1a;

/// Where a property stands after exploring.
pub enum Exploration {
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
    /// A generated check that judges many things at once (every declared
    /// attribute): each that failed, with its label and evidence.
    Failures(Vec<(String, Counterexample)>),
}

/// What a generated check found: one labelled counterexample per thing
/// (attribute, document) that failed.
pub type Violations = Vec<(String, Counterexample)>;

impl Exploration {
    /// Held when nothing was found, else every finding.
    pub fn from_findings(findings: Violations) -> Exploration {
        if findings.is_empty() {
            Exploration::Held
        } else {
            Exploration::Failures(findings)
        }
    }
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
) -> Exploration
where
    S: Strategy,
    S::Value: Debug,
{
    for edge in edges {
        if let Err(counterexample) = check(edge) {
            return Exploration::Failed {
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
        Ok(()) => Exploration::Held,
        Err(TestError::Fail(_, _)) => {
            let (input, counterexample) = last
                .into_inner()
                .expect("a failing input recorded its counterexample");
            Exploration::Failed {
                input,
                counterexample,
                budget: budget.into_inner(),
            }
        }
        Err(TestError::Abort(reason)) => Exploration::Skipped(format!(
            "the generator gave up before finding enough inputs: {reason}"
        )),
    }
}
