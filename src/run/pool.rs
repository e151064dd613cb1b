//! Cases at once: `threads` workers take the next item until none is left
//! (cases are I/O-bound, each blocks on the runtime for its requests). A
//! panic of the harness inside one job is caught and handed to `panicked`,
//! so one bug of scimcheck's ends that case with the evidence, not the run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// Runs `job` over every item, at most `threads` at once; the outputs in
/// the order the jobs ended.
pub fn each<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    job: impl Fn(&T) -> R + Sync,
    panicked: impl Fn(&T, String) -> R + Sync,
) -> Vec<R> {
    let queue = Mutex::new(items.into_iter());
    let done = Mutex::new(Vec::new());
    let next = || queue.lock().unwrap_or_else(|p| p.into_inner()).next();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                while let Some(item) = next() {
                    let output = catch_unwind(AssertUnwindSafe(|| job(&item)))
                        .unwrap_or_else(|payload| panicked(&item, message(payload.as_ref())));
                    done.lock().unwrap_or_else(|p| p.into_inner()).push(output);
                }
            });
        }
    });
    done.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// What a panic said.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_runs_once_and_a_panic_ends_only_its_own() {
        let mut out = each(
            (0..20).collect(),
            4,
            |n| {
                assert!(*n != 7, "seven");
                Ok(*n)
            },
            |n, why| Err((*n, why)),
        );
        out.sort_by_key(|r| match r {
            Ok(n) | Err((n, _)) => *n,
        });
        assert_eq!(out.len(), 20);
        assert_eq!(out[7], Err((7, "seven".to_string())));
        assert!(out.iter().enumerate().all(|(i, r)| i == 7 || *r == Ok(i)));
    }
}
