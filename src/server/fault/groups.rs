//! The fault points of Groups and membership (RFC 7643 §4.2): where a
//! server drops, caps or duplicates members, ignores a member removal or a
//! group filter, loses concurrent updates, or lets a User's read-only
//! `groups` drift.

use serde_json::Value;

use super::{Fault, Faults};
use crate::scim::ScimError;

impl Faults {
    /// A Group's members as stored, given the ones the RFC keeps.
    pub fn members(&self, members: &mut Vec<Value>) {
        if self.has(Fault::MembersDropped) {
            members.clear();
        }
        if self.has(Fault::MembersCapped) {
            members.truncate(100);
        }
    }

    /// Whether a member listed twice is kept once.
    pub fn dedupes_members(&self) -> bool {
        !self.has(Fault::DuplicateMembers)
    }

    /// The error for a member the server does not hold.
    pub fn unknown_member(&self, error: ScimError) -> ScimError {
        if self.has(Fault::UnknownMember500) {
            ScimError::new(500, None, "internal error")
        } else {
            error
        }
    }

    /// Whether a PATCH removes the members a value filter selects.
    pub fn removes_members(&self) -> bool {
        !self.has(Fault::MemberRemoveIgnored)
    }

    /// Whether a Group PATCH reads, waits and writes (losing concurrent updates).
    pub fn loses_updates(&self) -> bool {
        self.has(Fault::LostUpdate)
    }

    /// Whether a User's groups keep the groups it has left.
    pub fn keeps_departed_groups(&self) -> bool {
        self.has(Fault::UserGroupsStale)
    }

    /// Whether a PATCH adding to a User's `groups` joins those groups.
    pub fn user_groups_writable(&self) -> bool {
        self.has(Fault::UserGroupsWritable)
    }

    /// Whether a Group list applies its filter.
    pub fn filters_groups(&self) -> bool {
        !self.has(Fault::GroupFilterIgnored)
    }
}
