//! scimcheck: a SCIM 2.0 (RFC 7643 / RFC 7644) conformance test harness.
//!
//! The pipeline, bottom layer first (each layer imports only the ones
//! above it in this list):
//!
//! 1. [`diag`] (where something is written, what is wrong with it),
//!    [`exit`] (the exit codes) and [`registry`] (enums written as one
//!    table): leaves.
//! 2. [`scim`]: what the RFCs say — URNs, resource types, the Error
//!    message, the filter grammar and evaluator, PATCH paths, attribute
//!    characteristics — shared by the checker and the reference server.
//! 3. [`rules`] (the documented rules cases cite) and [`profile`] (what a
//!    target claims, as capabilities).
//! 4. [`case`]: YAML case files loaded once into a typed model, templates,
//!    selectors and all, with `path:line:col` errors.
//! 5. [`client`]: sends requests, records [`client::Exchange`]s, guards
//!    what may be sent and keeps the run's ledger of created resources.
//! 6. [`check`]: pure functions judging an exchange against an expectation;
//!    [`snapshot`]: responses pinned against a reviewed baseline.
//! 7. [`waiver`], then [`result`]: the one hand-off from runner to reporters.
//! 8. [`plan`]: which cases run against this profile, and why others do not.
//! 9. [`run`]: executes the plan — steps, properties, cleanup from the
//!    ledger — and returns a [`result::RunResult`].
//! 10. [`report`]: terminal, JUnit, JSON, Markdown, HTML, GitHub.
//! 11. [`bundle`]: a run's reports, every exchange as HAR and a manifest of
//!     digests, optionally signed (Ed25519), and its verification.
//! 12. [`pipeline`]: one run from typed options to its exit code — reach
//!     the target, plan, execute, build the report model, write every
//!     output from it.
//! 13. [`cli`]: the flags (clap), read into the pipeline's options, and the
//!     other commands; each error printed once, with its exit code.
//!
//! [`server`] is the embedded reference server, the default target; it
//! depends only on [`scim`], [`profile`] and [`diag`].

pub mod bundle;
pub mod case;
pub mod check;
pub mod cli;
pub mod client;
pub mod diag;
pub mod exit;
pub mod pipeline;
pub mod plan;
pub mod profile;
pub mod registry;
pub mod report;
pub mod result;
pub mod rules;
pub mod run;
pub mod scim;
pub mod server;
pub mod snapshot;
pub mod waiver;
