//! `groups.membership`: a model-based property. A generated sequence of
//! membership changes — adds of one or several members (members already
//! there included), removes by value filter (of members there or not),
//! replaces of the whole list, removes of every member — is applied to a
//! group on the target and to a set in memory; after every change the
//! group's members equal the set. Shrinking finds the shortest sequence that
//! breaks it; the seed and the curl line of the last request replay it.
//!
//! The rules: RFC 7644 §3.5.2.1 (add appends; "If the target location
//! already contains the value specified, no changes SHOULD be made"),
//! §3.5.2.2 (remove of the values a filter matches, or of all), §3.5.2.3
//! (replace of the whole list). A remove of a member that is not there may
//! be refused (400 `noTarget`) or accepted: either leaves the set as it is.

use std::collections::BTreeSet;
use std::fmt;

use proptest::prelude::*;
use serde_json::json;

use crate::run::property::groups::{add, group, members, ok, patch, remove, users};
use crate::run::property::{Counterexample, Env, Exploration, Verdict, explore, runner};

/// How many users the sequences choose members from.
const POOL: usize = 4;

/// One membership change, over the pool's users by index.
#[derive(Clone)]
enum Change {
    Add(Vec<usize>),
    Remove(usize),
    Replace(Vec<usize>),
    RemoveAll,
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Add(m) => write!(f, "add {m:?}"),
            Change::Remove(m) => write!(f, "remove [{m}]"),
            Change::Replace(m) => write!(f, "replace with {m:?}"),
            Change::RemoveAll => write!(f, "remove all"),
        }
    }
}

fn change() -> impl Strategy<Value = Change> {
    let some = prop::collection::vec(0..POOL, 1..=3);
    prop_oneof![
        3 => some.clone().prop_map(Change::Add),
        3 => (0..POOL).prop_map(Change::Remove),
        1 => some.prop_map(Change::Replace),
        1 => Just(Change::RemoveAll),
    ]
}

pub fn membership(env: &Env) -> Exploration {
    // Each input is a chain of round trips: fewer, shorter sequences.
    let settings = env.settings.chained(6);
    let mut runner = runner(&settings, &env.case.id);
    let pool = match users(env, "p", POOL) {
        Ok(pool) => pool,
        Err(cx) => return Exploration::Setup(cx),
    };
    let edge = vec![
        Change::Add(vec![0, 1]),
        Change::Add(vec![1]),
        Change::Remove(2),
        Change::Remove(0),
        Change::Replace(vec![3]),
    ];
    let round = std::cell::Cell::new(0);
    explore(
        env,
        &mut runner,
        &[edge],
        prop::collection::vec(change(), 1..=6),
        |changes| {
            round.set(round.get() + 1);
            apply(env, &pool, changes, round.get())
        },
    )
}

/// Applies the changes to a new group and to the model, comparing after each.
fn apply(env: &Env, pool: &[String], changes: &[Change], round: usize) -> Verdict {
    let id = group(env, &format!("model{round}"), &[])?;
    let mut model: BTreeSet<String> = BTreeSet::new();
    let ids = |which: &[usize]| -> Vec<String> { which.iter().map(|i| pool[*i].clone()).collect() };
    for (step, change) in changes.iter().enumerate() {
        let (operation, next): (_, BTreeSet<String>) = match change {
            Change::Add(which) => (
                add(&ids(which)),
                model.iter().cloned().chain(ids(which)).collect(),
            ),
            Change::Remove(which) => {
                let mut next = model.clone();
                next.remove(&pool[*which]);
                (remove(&pool[*which]), next)
            }
            Change::Replace(which) => (
                json!({"op": "replace", "path": "members", "value": ids(which).iter().map(|m| json!({"value": m})).collect::<Vec<_>>()}),
                ids(which).into_iter().collect(),
            ),
            Change::RemoveAll => (json!({"op": "remove", "path": "members"}), BTreeSet::new()),
        };
        let answer = env.probe.send(patch(&id, vec![operation]));
        let absent = matches!(change, Change::Remove(which) if !model.contains(&pool[*which]));
        if ok(&answer) {
            model = next;
        } else if !(absent && answer.status() == Some(400)) {
            return Err(Counterexample::new(
                format!("step {}, `{change:?}`, is refused", step + 1),
                &answer,
            )
            .expected("2xx (a remove of a member not there: 2xx or 400)")
            .actual(answer.excerpt(200)));
        }
        let (got, evidence) = members(env, &id)?;
        if got != model {
            return Err(Counterexample::new(
                format!(
                    "after step {}, `{change:?}`, the group's members differ from the model",
                    step + 1
                ),
                &evidence,
            )
            .expected(format!("{model:?}"))
            .actual(format!("{got:?}")));
        }
    }
    Ok(())
}
