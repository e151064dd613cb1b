//! SCIM protocol knowledge, shared by the checker and the reference server:
//! the URNs ([`urn`]), the resource types ([`resource`]), the Error message
//! ([`error`]), the filter grammar and evaluator ([`filter`]), PATCH path
//! semantics ([`path`]), attribute characteristics ([`schema`]), the sort
//! order ([`sort`]), attribute projection ([`projection`]) and the
//! ListResponse reader ([`list`]).
//!
//! Nothing here knows about cases, profiles or HTTP clients: it is what RFC
//! 7643 and RFC 7644 say, as types and functions.

pub mod datetime;
pub mod error;
pub mod filter;
pub mod list;
pub mod path;
pub mod projection;
pub mod resource;
pub mod schema;
pub mod sort;
pub mod urn;

pub use error::{ScimError, ScimType};
pub use resource::ResourceType;
