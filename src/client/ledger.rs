//! The ledger: every resource a run created, in one place. The client
//! records each create that succeeds (and each delete it sends), scoped by
//! the case that made it; case cleanup, property populations, the final
//! safety net and `sweep` all read it. What the ledger believes is only the
//! run's side of the story: the end of the run asks the server with a GET
//! what really remains (see the runner's cleanup).

use std::sync::Mutex;

use serde_json::Value;

use crate::case::Method;
use crate::scim::ResourceType;

/// What the run did to a resource it created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Live,
    /// The run sent DELETE and the server answered with this status (2xx or 404).
    Deleted {
        status: u16,
    },
}

/// One resource the run created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: ResourceType,
    pub id: String,
    /// The case (or property) that created it; `sweep` for adopted leftovers.
    pub scope: String,
    pub state: State,
}

#[derive(Debug, Default)]
pub struct Ledger {
    entries: Mutex<Vec<Entry>>,
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // A panicking holder leaves the list itself intact: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps the ledger from one answered request: a successful create is
    /// the run's (in `scope`), an answered DELETE ends its life, a
    /// re-keying update adds the new id; a Bulk job's answer, each of its
    /// operations the same way (RFC 7644 §3.7.3: each result has the
    /// operation's method, status and location).
    pub fn keep(&self, scope: &str, method: Method, path: &str, status: u16, json: Option<&Value>) {
        let ok = (200..300).contains(&status);
        if method == Method::POST && path.eq_ignore_ascii_case("/Bulk") && ok {
            for result in json
                .and_then(|j| j["Operations"].as_array())
                .into_iter()
                .flatten()
            {
                let Some(at) = result["location"].as_str().and_then(resource_path) else {
                    continue;
                };
                let method = match result["method"]
                    .as_str()
                    .map(str::to_ascii_uppercase)
                    .as_deref()
                {
                    Some("POST") => Method::POST,
                    Some("DELETE") => Method::DELETE,
                    _ => continue,
                };
                let status = result["status"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let (endpoint, id) = at.rsplit_once('/').unwrap_or_default();
                let answered = serde_json::json!({ "id": id });
                let path = if method == Method::POST {
                    endpoint.to_string()
                } else {
                    at.clone()
                };
                self.keep(scope, method, &path, status, Some(&answered));
            }
            return;
        }
        let Some((kind, addressed)) = ResourceType::of_path(path) else {
            return;
        };
        let answered_id = json.and_then(|j| j.get("id")).and_then(Value::as_str);
        match (method, addressed) {
            (Method::POST, None) if ok => {
                if let Some(id) = answered_id {
                    self.created(kind, id, scope);
                }
            }
            (Method::PUT | Method::PATCH, Some(id)) if ok => {
                if let Some(new) = answered_id.filter(|new| *new != id) {
                    self.renamed(kind, &id, new);
                }
            }
            (Method::DELETE, Some(id)) if ok || status == 404 => self.deleted(kind, &id, status),
            _ => {}
        }
    }

    /// A create succeeded: the resource is the run's, in `scope`.
    pub fn created(&self, kind: ResourceType, id: &str, scope: &str) {
        let mut entries = self.lock();
        if !entries.iter().any(|e| e.kind == kind && e.id == id) {
            entries.push(Entry {
                kind,
                id: id.to_string(),
                scope: scope.to_string(),
                state: State::Live,
            });
        }
    }

    /// An update answered with another id (a server that re-keys on
    /// update): the new id is the run's too, in the old one's scope.
    pub fn renamed(&self, kind: ResourceType, old: &str, new: &str) {
        let scope = self
            .lock()
            .iter()
            .find(|e| e.kind == kind && e.id == old)
            .map(|e| e.scope.clone());
        if let Some(scope) = scope {
            self.created(kind, new, &scope);
        }
    }

    /// The run's DELETE of a resource was answered `status`.
    pub fn deleted(&self, kind: ResourceType, id: &str, status: u16) {
        for entry in self
            .lock()
            .iter_mut()
            .filter(|e| e.kind == kind && e.id == id)
        {
            entry.state = State::Deleted { status };
        }
    }

    /// Takes a leftover of an earlier run into the ledger (`sweep --delete`).
    pub fn adopt(&self, kind: ResourceType, id: &str) {
        self.created(kind, id, "sweep");
    }

    /// The run's state for a resource, if the run created it.
    pub fn state(&self, kind: ResourceType, id: &str) -> Option<State> {
        self.lock()
            .iter()
            .find(|e| e.kind == kind && e.id == id)
            .map(|e| e.state)
    }

    /// Resources created and not deleted, of one scope or of the whole run.
    pub fn live(&self, scope: Option<&str>) -> Vec<Entry> {
        self.lock()
            .iter()
            .filter(|e| e.state == State::Live && scope.is_none_or(|s| e.scope == s))
            .cloned()
            .collect()
    }

    /// Every resource the run created, in creation order.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `/Users/<id>` from a resource's absolute location
/// (`https://host/scim/v2/Users/<id>`).
fn resource_path(location: &str) -> Option<String> {
    let mut parts = location.trim_end_matches('/').rsplitn(3, '/');
    let id = parts.next()?;
    let endpoint = parts.next()?;
    ResourceType::of_path(&format!("/{endpoint}/{id}"))?;
    Some(format!("/{endpoint}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_and_deletes_are_scoped() {
        let ledger = Ledger::default();
        ledger.created(ResourceType::User, "u1", "users/create");
        ledger.created(ResourceType::User, "u2", "users/get");
        ledger.renamed(ResourceType::User, "u2", "u2b");
        ledger.deleted(ResourceType::User, "u1", 204);
        assert_eq!(ledger.len(), 3);
        let live: Vec<String> = ledger
            .live(Some("users/get"))
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(live, ["u2", "u2b"]);
        assert!(ledger.live(Some("users/create")).is_empty());
        assert_eq!(
            ledger.state(ResourceType::User, "u1"),
            Some(State::Deleted { status: 204 })
        );
        assert_eq!(ledger.state(ResourceType::Group, "u1"), None);
    }
}
