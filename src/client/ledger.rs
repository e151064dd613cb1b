//! The ledger: every resource a run created, and every create it sent, in
//! one place. Before a create leaves, the client notes the unique name it
//! carries ([`Create`]: a userName, a displayName); when the answer comes,
//! what came of it; when no answer comes, what a lookup by that name found.
//! So a create whose answer the network lost is still the run's to clean
//! up. Entries are scoped by the case that made them; case cleanup,
//! property populations, the final safety net and `sweep` all read it.
//! What the ledger believes is only the run's side of the story: the end
//! of the run asks the server what really remains (see the runner's survey).

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
    /// The unique name its create carried (`userName`, `displayName`).
    pub name: Option<String>,
    /// The case (or property) that created it; `sweep` for adopted leftovers.
    pub scope: String,
    pub state: State,
}

/// One resource a request asks the server to create, by its unique name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Create {
    pub kind: ResourceType,
    pub name: String,
    /// The Bulk operation's `bulkId`, which its result echoes.
    pub bulk_id: Option<String>,
}

impl Create {
    /// The creates a request carries: a POST to a collection with its
    /// resource's name, or a Bulk job's POST operations (RFC 7644 §3.7).
    pub fn all_in(method: Method, path: &str, body: Option<&str>) -> Vec<Create> {
        if method != Method::POST {
            return vec![];
        }
        let Some(json) = body.and_then(|b| serde_json::from_str::<Value>(b).ok()) else {
            return vec![];
        };
        let named = |kind: ResourceType, data: &Value, bulk_id: Option<&str>| {
            let name = data.get(kind.named_by())?.as_str()?;
            Some(Create {
                kind,
                name: name.to_string(),
                bulk_id: bulk_id.map(str::to_string),
            })
        };
        if path.eq_ignore_ascii_case("/Bulk") {
            return json["Operations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|op| {
                    op["method"]
                        .as_str()
                        .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
                })
                .filter_map(|op| {
                    let (kind, None) = ResourceType::of_path(op["path"].as_str()?)? else {
                        return None;
                    };
                    named(kind, &op["data"], op["bulkId"].as_str())
                })
                .collect();
        }
        match ResourceType::of_path(path) {
            Some((kind, None)) => named(kind, &json, None).into_iter().collect(),
            _ => vec![],
        }
    }
}

/// What came of a create the run sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No answer said (yet): the server may hold the resource.
    Unknown,
    /// Created, with this id.
    Created(String),
    /// Answered with this status and no new resource.
    Answered(u16),
    /// No answer came, and a lookup by its name found nothing.
    Absent,
}

/// A create the run sent, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub create: Create,
    pub scope: String,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
struct Book {
    entries: Vec<Entry>,
    sent: Vec<Sent>,
}

#[derive(Debug, Default)]
pub struct Ledger {
    book: Mutex<Book>,
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        // A panicking holder leaves the lists themselves intact: keep using them.
        self.book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes the creates a request carries, before it is sent: until an
    /// answer says otherwise, the server may hold each of them.
    pub fn sending(&self, scope: &str, creates: &[Create]) {
        let mut book = self.lock();
        for create in creates {
            book.sent.push(Sent {
                create: create.clone(),
                scope: scope.to_string(),
                outcome: Outcome::Unknown,
            });
        }
    }

    /// What came of a create: the last one sent by that name in `scope`.
    fn settle(book: &mut Book, scope: &str, create: &Create, outcome: Outcome) {
        if let Some(sent) = book
            .sent
            .iter_mut()
            .rev()
            .find(|s| s.scope == scope && s.create == *create)
        {
            sent.outcome = outcome;
        }
    }

    /// A lookup by name found the resource a create whose answer was lost
    /// made: it is the run's, in `scope`.
    pub fn found(&self, scope: &str, create: &Create, id: &str) {
        self.created(create.kind, id, scope, Some(&create.name));
        Ledger::settle(
            &mut self.lock(),
            scope,
            create,
            Outcome::Created(id.to_string()),
        );
    }

    /// A lookup by name found nothing for a create whose answer was lost.
    pub fn absent(&self, scope: &str, create: &Create) {
        Ledger::settle(&mut self.lock(), scope, create, Outcome::Absent);
    }

    /// Every create the run sent that no answer confirmed (refused ones
    /// included: a server may create and still answer an error), once per
    /// name: what the end of the run looks up by name where it cannot search.
    pub fn unconfirmed(&self) -> Vec<Create> {
        let book = self.lock();
        let mut out: Vec<Create> = Vec::new();
        for sent in &book.sent {
            let confirmed = book.sent.iter().any(|s| {
                s.create.kind == sent.create.kind
                    && s.create.name == sent.create.name
                    && matches!(s.outcome, Outcome::Created(_))
            });
            if !confirmed
                && !out
                    .iter()
                    .any(|c| c.kind == sent.create.kind && c.name == sent.create.name)
            {
                out.push(Create {
                    bulk_id: None,
                    ..sent.create.clone()
                });
            }
        }
        out
    }

    /// Every create the run sent, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// Keeps the ledger from one answered request that carried `creates`:
    /// a successful create is the run's (in `scope`), an answered DELETE
    /// ends its life, a re-keying update adds the new id; a Bulk job's
    /// answer, each of its operations the same way (RFC 7644 §3.7.3: each
    /// result has the operation's method, status, location and bulkId).
    pub fn keep(
        &self,
        scope: &str,
        (method, path): (Method, &str),
        (status, json): (u16, Option<&Value>),
        creates: &[Create],
    ) {
        let ok = (200..300).contains(&status);
        if method == Method::POST && path.eq_ignore_ascii_case("/Bulk") {
            self.keep_bulk(scope, ok.then_some(json).flatten(), creates);
            return;
        }
        let Some((kind, addressed)) = ResourceType::of_path(path) else {
            return;
        };
        let answered_id = json.and_then(|j| j.get("id")).and_then(Value::as_str);
        match (method, addressed) {
            (Method::POST, None) => {
                let create = creates.first();
                // An error status whose body is the resource itself (its id
                // and the name the create carried) still made it: a server
                // that refused and created anyway leaves it to the run.
                let made = ok
                    || create.is_some_and(|c| {
                        json.and_then(|j| j.get(kind.named_by()))
                            .and_then(Value::as_str)
                            .is_some_and(|name| name == c.name)
                    });
                match answered_id.filter(|_| made) {
                    Some(id) => {
                        self.created(kind, id, scope, create.map(|c| c.name.as_str()));
                        if let Some(create) = create {
                            let created = Outcome::Created(id.to_string());
                            Ledger::settle(&mut self.lock(), scope, create, created);
                        }
                    }
                    None => {
                        if let Some(create) = create {
                            let answered = Outcome::Answered(status);
                            Ledger::settle(&mut self.lock(), scope, create, answered);
                        }
                    }
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

    /// A Bulk job's answer: each POST result that names a location is a
    /// create of the run's (its name found by its bulkId), each DELETE
    /// result ends a life. A create without a result stays unknown.
    fn keep_bulk(&self, scope: &str, json: Option<&Value>, creates: &[Create]) {
        for result in json
            .and_then(|j| j["Operations"].as_array())
            .into_iter()
            .flatten()
        {
            let Some(at) = result["location"].as_str().and_then(resource_path) else {
                continue;
            };
            let method = result["method"].as_str().map(str::to_ascii_uppercase);
            let status: u16 = result["status"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let Some((kind, Some(id))) = ResourceType::of_path(&at) else {
                continue;
            };
            match method.as_deref() {
                Some("POST") if (200..300).contains(&status) => {
                    let create = creates.iter().find(|c| {
                        c.kind == kind
                            && c.bulk_id.is_some()
                            && c.bulk_id.as_deref() == result["bulkId"].as_str()
                    });
                    match create {
                        Some(create) => self.found(scope, create, &id),
                        None => self.created(kind, &id, scope, None),
                    }
                }
                Some("DELETE") if (200..300).contains(&status) || status == 404 => {
                    self.deleted(kind, &id, status)
                }
                _ => {}
            }
        }
    }

    /// A create succeeded, or a survey found a resource the run did not
    /// know it had (`sweep --delete` too): it is the run's, in `scope`.
    pub fn created(&self, kind: ResourceType, id: &str, scope: &str, name: Option<&str>) {
        let mut book = self.lock();
        if !book.entries.iter().any(|e| e.kind == kind && e.id == id) {
            book.entries.push(Entry {
                kind,
                id: id.to_string(),
                name: name.map(str::to_string),
                scope: scope.to_string(),
                state: State::Live,
            });
        }
    }

    /// An update answered with another id (a server that re-keys on
    /// update): the new id is the run's too, in the old one's scope.
    pub fn renamed(&self, kind: ResourceType, old: &str, new: &str) {
        let known = self
            .lock()
            .entries
            .iter()
            .find(|e| e.kind == kind && e.id == old)
            .map(|e| (e.scope.clone(), e.name.clone()));
        if let Some((scope, name)) = known {
            self.created(kind, new, &scope, name.as_deref());
        }
    }

    /// The run's DELETE of a resource was answered `status`.
    pub fn deleted(&self, kind: ResourceType, id: &str, status: u16) {
        for entry in self
            .lock()
            .entries
            .iter_mut()
            .filter(|e| e.kind == kind && e.id == id)
        {
            entry.state = State::Deleted { status };
        }
    }

    /// The run's state for a resource, if the run created it.
    pub fn state(&self, kind: ResourceType, id: &str) -> Option<State> {
        self.lock()
            .entries
            .iter()
            .find(|e| e.kind == kind && e.id == id)
            .map(|e| e.state)
    }

    /// Resources created and not deleted, of one scope or of the whole run.
    pub fn live(&self, scope: Option<&str>) -> Vec<Entry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.state == State::Live && scope.is_none_or(|s| e.scope == s))
            .cloned()
            .collect()
    }

    /// Every resource the run created, in creation order.
    pub fn entries(&self) -> Vec<Entry> {
        self.lock().entries.clone()
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
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
        ledger.created(ResourceType::User, "u1", "users/create", None);
        ledger.created(ResourceType::User, "u2", "users/get", Some("ada"));
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

    fn create(kind: ResourceType, name: &str) -> Create {
        Create {
            kind,
            name: name.into(),
            bulk_id: None,
        }
    }

    #[test]
    fn a_create_is_noted_before_it_is_sent_and_settled_by_its_answer() {
        let ledger = Ledger::default();
        let body = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scimcheck-1-a"}"#;
        let creates = Create::all_in(Method::POST, "/Users", Some(body));
        assert_eq!(creates, [create(ResourceType::User, "scimcheck-1-a")]);
        assert!(Create::all_in(Method::PUT, "/Users/x", Some(body)).is_empty());
        ledger.sending("c", &creates);
        assert_eq!(ledger.unconfirmed(), creates, "unknown until answered");
        let answer = serde_json::json!({"id": "u1"});
        ledger.keep(
            "c",
            (Method::POST, "/Users"),
            (201, Some(&answer)),
            &creates,
        );
        assert!(ledger.unconfirmed().is_empty());
        assert_eq!(ledger.entries()[0].name.as_deref(), Some("scimcheck-1-a"));
        // A refused create stays to be looked up: a server may create and still answer an error.
        let other = [create(ResourceType::User, "scimcheck-1-b")];
        ledger.sending("c", &other);
        ledger.keep("c", (Method::POST, "/Users"), (500, None), &other);
        assert_eq!(ledger.unconfirmed(), other);
        assert_eq!(ledger.sent()[1].outcome, Outcome::Answered(500));
        // An error whose body is the resource it made is a create all the same.
        let made = [create(ResourceType::User, "scimcheck-1-c")];
        ledger.sending("c", &made);
        let answer = serde_json::json!({"id": "u3", "userName": "scimcheck-1-c"});
        ledger.keep("c", (Method::POST, "/Users"), (400, Some(&answer)), &made);
        assert_eq!(
            ledger.live(Some("c")).last().map(|e| e.id.as_str()),
            Some("u3")
        );
        let error = serde_json::json!({"id": "u4", "userName": "someone-else"});
        ledger.keep("c", (Method::POST, "/Users"), (400, Some(&error)), &other);
        assert_eq!(ledger.state(ResourceType::User, "u4"), None);
    }

    #[test]
    fn a_bulk_jobs_creates_are_named_by_their_bulk_id() {
        let body = serde_json::json!({"Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "q1", "data": {"userName": "scimcheck-1-q1"}},
            {"method": "post", "path": "/Groups", "bulkId": "q2", "data": {"displayName": "scimcheck-1-g"}},
            {"method": "DELETE", "path": "/Users/x"},
        ]})
        .to_string();
        let creates = Create::all_in(Method::POST, "/Bulk", Some(&body));
        assert_eq!(creates.len(), 2);
        let ledger = Ledger::default();
        ledger.sending("bulk", &creates);
        let answer = serde_json::json!({"Operations": [
            {"method": "POST", "bulkId": "q1", "status": "201", "location": "https://h/v2/Users/u9"},
        ]});
        ledger.keep(
            "bulk",
            (Method::POST, "/Bulk"),
            (200, Some(&answer)),
            &creates,
        );
        assert_eq!(ledger.entries()[0].name.as_deref(), Some("scimcheck-1-q1"));
        assert_eq!(
            ledger.unconfirmed(),
            [create(ResourceType::Group, "scimcheck-1-g")]
        );
    }
}
