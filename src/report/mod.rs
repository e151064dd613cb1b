//! Reporters: turn a finished run's [`crate::result::RunResult`] into
//! terminal text, JUnit XML, JSON, Markdown, HTML and GitHub annotations.
//! One module per format; JSON, Markdown and HTML render the same
//! [`model::RunReport`]. Reporters never execute anything.

pub mod clients;
pub mod exchange;
pub mod findings;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod templates;
pub mod terminal;
