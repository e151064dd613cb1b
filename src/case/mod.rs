//! Cases: the YAML test files under `cases/`, their typed model and their
//! loader.
//!
//! [`source`] says where case files come from, [`file`] is the format as
//! written ([`round_trip`] writes the steps of a `round_trip:` case), [`load`]
//! validates and compiles it into the typed [`model`] (with [`template`]s and
//! [`selector`]s parsed once) and reports every problem as
//! `path:line:col: message`.

pub mod client;
pub mod file;
pub mod load;
pub mod model;
pub mod needs;
pub mod property;
pub mod round_trip;
pub mod selector;
pub mod source;
pub mod spec;
pub mod template;

use std::sync::Arc;

pub use client::{IdentityProvider, Stage};
pub use load::load_sources;
pub use model::{Level, Method, Step};
pub use property::Property;
pub use selector::Selector;
pub use source::Source;
pub use template::{JsonTemplate, Template};

use crate::diag::{Location, Pos};
use crate::profile::Capability;

/// How a cleanup request's label opens (a case's `cleanup:` block, or the
/// ledger's DELETE of what a case left): reports tell it from the case's
/// own requests by it.
pub const CLEANUP_LABEL: &str = "cleanup:";

/// A validated case, ready to plan and run.
#[derive(Debug)]
pub struct Case {
    /// The file's path under the case root without `.yaml`: `users/create`.
    pub id: String,
    /// The path as shown to users: `cases/users/create.yaml`.
    pub path: Arc<str>,
    pub name: String,
    pub rules: Vec<String>,
    pub level: Level,
    pub tags: Vec<String>,
    pub needs: Vec<Capability>,
    pub unless: Vec<Capability>,
    pub steps: Vec<Step>,
    pub cleanup: Vec<model::Cleanup>,
    /// The property the case runs instead of steps, and where it is named.
    pub property: Option<(Property, Pos)>,
    /// The identity-provider client whose flow this is (`clients/<name>/`).
    pub client: Option<String>,
    /// The lifecycle stage a client flow replays.
    pub stage: Option<client::Stage>,
    /// The client's validator whose check the flow replays (a key of the
    /// client's `validators:`): it judges certification, not provisioning.
    pub validator: Option<String>,
}

impl Case {
    /// The SCIM area the case belongs to (its folder): `users`, `filter`, ...
    pub fn area(&self) -> &str {
        self.id.split_once('/').map_or("cases", |(area, _)| area)
    }

    /// Whether running the case creates, changes or deletes anything on the target.
    pub fn changes_target(&self) -> bool {
        match self.property {
            Some((property, _)) => property.creates_resources(),
            None => {
                !self.cleanup.is_empty()
                    || self.steps.iter().any(|s| s.request.method != Method::GET)
            }
        }
    }

    /// A place in this case's file.
    pub fn at(&self, pos: Pos) -> Location {
        Location::new(self.path.clone(), pos)
    }
}
