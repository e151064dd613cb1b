//! Why a run could not be carried out: the harness's trouble, never a
//! verdict on the target. Each variant carries its message; every one ends
//! the process with exit 2 ([`Error::exit`]).

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no case matches the filter `{0}` (see `scimcheck list`)")]
    NothingSelected(String),
    #[error("cannot start the reference server: {0}")]
    Server(std::io::Error),
    #[error("cannot reach {base}: {why}")]
    Unreachable { base: String, why: String },
    #[error("{base} answered {status} to GET /Users: check --token / --basic / --header")]
    Rejected { base: String, status: u16 },
    #[error(
        "{base} is not a SCIM base URL: GET {base}/Users answered {answered}{hint}\n  a SCIM base URL is the prefix of /Users, /Groups and /ServiceProviderConfig, e.g. https://host/scim/v2"
    )]
    NotScim {
        base: String,
        answered: String,
        hint: String,
    },
    #[error(transparent)]
    Client(#[from] crate::client::BuildError),
    /// No OAuth token could be had before the run.
    #[error(transparent)]
    OAuth(#[from] crate::client::oauth::OAuthError),
    #[error("{0}")]
    Profile(Diagnostic),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Bundle(#[from] crate::bundle::Error),
    #[error("cannot append to GITHUB_STEP_SUMMARY: {0}")]
    StepSummary(std::io::Error),
}

impl Error {
    /// The exit code the error ends the process with.
    pub fn exit(&self) -> Exit {
        Exit::Harness
    }
}
