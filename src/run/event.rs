//! What the runner tells whoever shows a run as it happens. The runner
//! never prints: each case's start and end, a long case's progress, the
//! rerun phase and the final cleanup are an [`Event`] to the [`Observer`]
//! (the terminal's live output is one).

use crate::result::CaseResult;

/// Something that happened during a run.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A case has started.
    CaseStarted { case: &'a str },
    /// A case has ended. With `rerun`, it met a server error or a dropped
    /// connection under parallel load (what is said) and is not judged yet:
    /// it runs again alone after the parallel phase.
    CaseFinished {
        result: &'a CaseResult,
        rerun: Option<&'a str>,
    },
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
}

/// Shows nothing (tests, and runs whose only output is the reports).
pub struct Silent;

impl Observer for Silent {
    fn event(&self, _: Event<'_>) {}
}
