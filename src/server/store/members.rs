//! Group membership (RFC 7643 §4.2, §4.1.2): a member names a User or Group
//! the server holds, and its `type` says which; a user's `groups` attribute
//! is read from the groups that list it (it is read-only: membership
//! changes are made on the Group, RFC 7643 §4.1.2); a user who is removed
//! leaves the groups it was in.

use serde_json::{Value, json};

use super::Store;
use crate::scim::{ResourceType, ScimError, ScimType};

impl Store {
    /// A Group's members checked: each names a resource the server holds;
    /// its `type` is filled in.
    pub(super) fn check_members(&self, group: &mut Value) -> Result<(), ScimError> {
        let Some(members) = group.get_mut("members").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        for member in members.iter_mut() {
            let value = member["value"].as_str().unwrap_or_default().to_string();
            let kind = [ResourceType::User, ResourceType::Group]
                .into_iter()
                .find(|kind| self.collection(*kind).get(&value).is_some());
            match kind {
                Some(kind) => {
                    member["type"] = json!(kind.name());
                }
                None => {
                    return Err(self.faults.unknown_member(ScimError::bad(
                        ScimType::InvalidValue,
                        format!("member `{value}` is no User or Group of this server"),
                    )));
                }
            }
        }
        // RFC 7644 §3.5.2.1: adding a member already there changes nothing.
        if self.faults.dedupes_members() {
            let mut seen = std::collections::HashSet::new();
            members.retain(|m| seen.insert(m["value"].clone()));
        }
        self.faults.members(members);
        Ok(())
    }

    /// The `groups` a user shows: each group that lists it (direct
    /// membership), as RFC 7643 §4.1.2 shapes them.
    pub(super) fn groups_of(&self, user: &str) -> Vec<Value> {
        let departed = |g: &Value| {
            self.departed
                .iter()
                .any(|(u, group)| u == user && g["id"] == group.as_str())
        };
        self.collection(ResourceType::Group)
            .items
            .values()
            .filter(|g| lists(g, user) || departed(g))
            .map(|g| {
                json!({
                    "value": g["id"],
                    "display": g["displayName"],
                    "type": "direct",
                })
            })
            .collect()
    }

    /// A removed user leaves every group that listed it.
    pub(super) fn leave_groups(&mut self, user: &str) {
        let groups: Vec<String> = self
            .collection(ResourceType::Group)
            .items
            .values()
            .filter(|g| lists(g, user))
            .filter_map(|g| g["id"].as_str().map(str::to_string))
            .collect();
        for id in groups {
            if let Ok(group) = self.get(ResourceType::Group, &id) {
                let mut left = group.clone();
                if let Some(members) = left["members"].as_array_mut() {
                    members.retain(|m| m["value"] != user);
                }
                let _ = self.store_change(ResourceType::Group, &id, left);
            }
        }
    }

    /// `user-groups-stale`: remembers the members a change of the group
    /// drops, as a server that copies memberships onto its users on join
    /// and never on leave.
    pub(super) fn note_departures(&mut self, group: &str, changed: &Value) {
        let ids = |g: &Value| -> Vec<String> {
            g["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["value"].as_str().map(str::to_string))
                .collect()
        };
        let Ok(old) = self.get(ResourceType::Group, group) else {
            return;
        };
        let stays = ids(changed);
        let gone: Vec<String> = ids(old)
            .into_iter()
            .filter(|m| !stays.contains(m))
            .collect();
        self.departed
            .extend(gone.into_iter().map(|m| (m, group.to_string())));
    }

    /// `user-groups-writable`: a PATCH `add` of the user's `groups` joins
    /// the groups it names (read-only on the User, RFC 7643 §4.1.2).
    pub(super) fn join_from_user(&mut self, user: &str, body: &Value) {
        let named: Vec<String> = body["Operations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|op| {
                op["path"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case("groups"))
            })
            .flat_map(|op| op["value"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v["value"].as_str().map(str::to_string))
            .collect();
        for id in named {
            if let Ok(group) = self.get(ResourceType::Group, &id) {
                let mut joined = group.clone();
                match joined["members"].as_array_mut() {
                    Some(members) => members.push(json!({"value": user, "type": "User"})),
                    None => joined["members"] = json!([{"value": user, "type": "User"}]),
                }
                let _ = self.store_change(ResourceType::Group, &id, joined);
            }
        }
    }
}

/// Whether a group lists `user` among its members.
fn lists(group: &Value, user: &str) -> bool {
    group["members"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["value"] == user))
}
