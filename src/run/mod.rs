//! Running a plan: [`engine`] executes one case (steps in order, cleanup
//! always), [`event`] is what the engine emits, and [`trial`] drives the
//! cases as libtest-mimic trials (filtering, `--list`, concurrency).

pub mod engine;
pub mod event;
pub mod trial;

pub use event::{CaseResult, Event, SnapshotState, Status, StepResult};
