//! scimcheck: a SCIM 2.0 (RFC 7643 / RFC 7644) conformance test harness.
//!
//! The pipeline reads top to bottom through the modules:
//! [`case`] loads YAML case files once into typed [`case::Case`]s that keep
//! their source positions; [`profile`] says what a target claims and [`plan`]
//! turns cases plus a profile into a [`plan::Plan`] (what runs, what is skipped
//! and why); [`run`] executes each planned case step by step (render templates
//! with [`vars`], send with [`client`], judge with [`check`], capture values),
//! always running cleanup, and emits [`run::Event`]s; [`report`] turns events
//! into terminal output and JUnit XML and decides the [`exit::Exit`] code.
//! [`server`] is the embedded in-memory reference server that is the default
//! target; it shares the SCIM [`filter`] parser and evaluator with the checks.

pub mod case;
pub mod check;
pub mod cli;
pub mod client;
pub mod exit;
pub mod filter;
pub mod plan;
pub mod profile;
pub mod property;
pub mod report;
pub mod rules;
pub mod run;
pub mod server;
pub mod snapshot;
pub mod suite;
pub mod vars;
pub mod waiver;
