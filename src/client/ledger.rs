//! The ledger: every resource a run created, in one place. The client
//! records each create that succeeds (and each delete it sends), scoped by
//! the case that made it; case cleanup, property populations, the final
//! safety net and `sweep` all read it. What the ledger believes is only the
//! run's side of the story: the end of the run asks the server with a GET
//! what really remains (see the runner's cleanup).

use std::sync::Mutex;

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
