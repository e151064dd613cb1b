//! Named exit codes, shared by every subcommand (documented in `--help` and the README).

/// How a scimcheck process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every required (MUST) check passed.
    Passed = 0,
    /// At least one required check failed: the target is not conformant.
    Failed = 1,
    /// The harness could not do its job: bad flags, unreadable or invalid case
    /// files, an empty selection, an unreachable target.
    Harness = 2,
    /// The run was cut short (`--run-timeout`) before every check was
    /// carried out, and none that ran failed: no verdict either way.
    CutShort = 3,
    /// Interrupted by Ctrl-C (after cleaning up what the run created).
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}
