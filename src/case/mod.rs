//! Cases: the YAML test files under `cases/`, their typed model and their loader.
//!
//! [`model`] is the file format, [`load`] parses and validates a whole case set
//! at once and reports every problem as `path:line:col: message`.

pub mod load;
pub mod model;

pub use load::{Case, LoadError, Loc, did_you_mean, load_sources};
pub use model::{Level, Method, Request, Step};
