//! The command line's error: what went wrong, the details that explain it
//! (each problem of a case file at `path:line:col`), and the exit code it
//! ends the process with. Commands return it; `main` prints it, once.

use std::fmt;

use crate::diag::Diagnostic;
use crate::exit::Exit;

#[derive(Debug)]
pub struct Error {
    pub exit: Exit,
    pub message: String,
    /// Printed before the message, one per line.
    pub details: Vec<String>,
}

impl Error {
    /// The harness could not run (exit 2).
    pub fn harness(message: impl fmt::Display) -> Error {
        Error {
            exit: Exit::Harness,
            message: message.to_string(),
            details: vec![],
        }
    }

    /// Problems in input files (exit 2): every one of them, then a count.
    pub fn diagnostics(problems: Vec<Diagnostic>, what: &str) -> Error {
        Error {
            exit: Exit::Harness,
            message: format!("{} problem(s) in {what}", problems.len()),
            details: problems.iter().map(ToString::to_string).collect(),
        }
    }

    /// Prints the error to stderr and gives its exit code.
    pub fn print(&self) -> Exit {
        for detail in &self.details {
            eprintln!("{detail}");
        }
        eprintln!("scimcheck: error: {}", self.message);
        self.exit
    }
}

impl From<Diagnostic> for Error {
    fn from(problem: Diagnostic) -> Error {
        Error::diagnostics(vec![problem], "the input")
    }
}

/// Every module's own error becomes the command line's, with its exit code.
macro_rules! from_module {
    ($($error:ty),*) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Error {
                Error {
                    exit: Exit::Harness,
                    message: error.to_string(),
                    details: vec![],
                }
            }
        }
    )*};
}

from_module!(
    crate::bundle::Error,
    crate::case::client::UnknownClient,
    crate::server::fault::UnknownFault,
    crate::client::BuildError,
    crate::snapshot::review::Error
);

impl From<crate::pipeline::Error> for Error {
    fn from(error: crate::pipeline::Error) -> Error {
        Error {
            exit: error.exit(),
            message: error.to_string(),
            details: vec![],
        }
    }
}
