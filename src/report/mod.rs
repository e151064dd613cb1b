//! Reporters: a finished run's [`crate::result::RunResult`] becomes one
//! [`model::RunReport`], and every format renders that one value: terminal
//! text (the live failures and the closing block), JUnit XML, JSON,
//! Markdown, HTML, GitHub annotations, and the bundle. One module per
//! format. Reporters never execute anything.

pub mod cleanup;
pub mod clients;
pub mod evidence;
pub mod exchange;
pub mod findings;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod live;
pub mod markdown;
pub mod model;
pub mod scope;
pub mod templates;
pub mod terminal;
