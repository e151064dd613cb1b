//! What the runner tells whoever shows a run as it happens. The runner
//! never prints: libtest-mimic reports each case as it ends (with the text
//! [`Observer::failure_text`] gives for a failed one), and the rest of what
//! happens on the way is an [`Event`] to the [`Observer`].

use crate::result::CaseResult;

/// Something that happened during a run.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A long step of a case is under way: `done` of `total` requests of
    /// one batch answered (a large group's members, a population).
    Progress {
        case: &'a str,
        done: usize,
        total: usize,
    },
    /// The parallel phase is over; `cases` met server errors or dropped
    /// connections with `parallel` cases at once and are rerun alone.
    Rerun { cases: usize, parallel: usize },
    /// Every case has ended; the final cleanup removes what remains of the
    /// `created` resources and asks the target what is left.
    CleanupStarted { created: usize },
}

/// Shows a run as it happens.
pub trait Observer: Send + Sync {
    fn event(&self, event: Event<'_>);
    /// What libtest prints under a failed case's name: the evidence.
    fn failure_text(&self, result: &CaseResult) -> String;
}

/// Shows nothing (tests, and runs whose only output is the reports).
pub struct Silent;

impl Observer for Silent {
    fn event(&self, _: Event<'_>) {}

    fn failure_text(&self, result: &CaseResult) -> String {
        format!("{} failed", result.id)
    }
}
