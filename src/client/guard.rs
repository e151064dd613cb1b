//! The guard: what keeps a run from touching what it did not create.
//!
//! - `PUT`, `PATCH` and `DELETE` of a resource are only sent when the
//!   [`Ledger`] says the run created it and has not deleted it, or for an
//!   id the run generated itself (`scimcheck-<run>-…`, for "does not exist"
//!   cases); anything else is refused before it leaves.
//! - A create must carry the run's prefix, so its resource can be told
//!   apart and swept.
//! - A Group is only given members the run created (or ids it named
//!   itself): a run never puts someone else's user into a group.
//! - With `--read-only`, nothing but `GET` is sent at all.
//! - Once the run is stopping (Ctrl-C, the whole-run time limit), only
//!   cleanup still goes out: `DELETE`s of the run's own resources, the
//!   `GET`s that check what became of them, and the searches for what
//!   carries the run's prefix (a query naming it).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::ledger::{Ledger, State};
use crate::case::Method;
use crate::scim::ResourceType;

/// Why a request was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `--read-only` and the request would change the target.
    ReadOnly { method: Method, path: String },
    /// The run is stopping and the request is not cleanup.
    Stopping { reason: Stop },
    /// A change to a resource the run did not create.
    NotOwned {
        method: Method,
        kind: ResourceType,
        id: String,
    },
    /// A change to a resource the run already deleted.
    AlreadyDeleted {
        method: Method,
        kind: ResourceType,
        id: String,
    },
    /// A create without the run's prefix in its body.
    Unmarked { kind: ResourceType, prefix: String },
    /// A Group write that would add a member the run did not create.
    ForeignMember { id: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ReadOnly { method, path } => write!(
                f,
                "not sent: {} {path} would change the target (--read-only)",
                method.as_str()
            ),
            Refusal::Stopping { reason } => write!(f, "not sent: the run is stopping ({reason})"),
            Refusal::NotOwned { method, kind, id } => write!(
                f,
                "refused: {} {}/{id} targets a {} this run did not create (scimcheck only changes what it created)",
                method.as_str(),
                kind.endpoint(),
                kind.name().to_lowercase()
            ),
            Refusal::AlreadyDeleted { method, kind, id } => write!(
                f,
                "refused: {} {}/{id}: this run already deleted that {}",
                method.as_str(),
                kind.endpoint(),
                kind.name().to_lowercase()
            ),
            Refusal::Unmarked { kind, prefix } => write!(
                f,
                "refused: POST {} without the run's prefix `{prefix}` in the body (use {{{{ unique.NAME }}}} or {{{{ email.NAME }}}}, so the resource can be found and swept)",
                kind.endpoint()
            ),
            Refusal::ForeignMember { id } => write!(
                f,
                "refused: a group write would add `{id}`, which this run did not create, as a member (scimcheck only adds its own users to groups)"
            ),
        }
    }
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C (SIGINT): the run ends with exit 130 after cleaning up.
    Interrupted,
    /// `--run-timeout` elapsed.
    RunTimeout(std::time::Duration),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Interrupted => f.write_str("interrupted by Ctrl-C"),
            Stop::RunTimeout(limit) => write!(
                f,
                "the --run-timeout of {} s was reached",
                limit.as_secs_f64()
            ),
        }
    }
}

#[derive(Debug)]
pub struct Guard {
    /// `scimcheck-<run>`; empty when no run owns the client (e.g. `sweep`).
    run_prefix: String,
    read_only: bool,
    ledger: Arc<Ledger>,
    stopping: AtomicBool,
    reason: Mutex<Option<Stop>>,
}

impl Guard {
    pub fn new(run_prefix: &str, read_only: bool, ledger: Arc<Ledger>) -> Guard {
        Guard {
            run_prefix: run_prefix.to_string(),
            read_only,
            ledger,
            stopping: AtomicBool::new(false),
            reason: Mutex::new(None),
        }
    }

    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// Stops all requests but the cleanup of the run's own resources.
    pub fn stop(&self, reason: Stop) {
        // The first reason stands: a Ctrl-C after the time limit changes nothing.
        self.reason
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(reason);
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Why the run stopped early, if it did.
    pub fn stop_reason(&self) -> Option<Stop> {
        *self.reason.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Why a request must not be sent, if it must not. `path` may carry
    /// its percent-encoded query (`/Users?filter=…`).
    pub fn refuse(&self, method: Method, path: &str, body: Option<&str>) -> Option<Refusal> {
        if self.read_only && method != Method::GET {
            return Some(Refusal::ReadOnly {
                method,
                path: path.to_string(),
            });
        }
        let addressed = ResourceType::of_path(path);
        let one = addressed
            .as_ref()
            .and_then(|(kind, id)| Some((*kind, id.clone()?)));
        if self.is_stopping() {
            let state = one
                .as_ref()
                .and_then(|(kind, id)| self.ledger.state(*kind, id));
            let searches_own = matches!(addressed, Some((_, None)))
                && !self.run_prefix.is_empty()
                && path
                    .split_once('?')
                    // Names are compared ignoring case: a case may send
                    // the run's prefix in upper case (userName is caseExact false).
                    .is_some_and(|(_, query)| {
                        query
                            .to_ascii_lowercase()
                            .contains(&self.run_prefix.to_ascii_lowercase())
                    });
            let cleanup = match method {
                Method::DELETE => state == Some(State::Live),
                Method::GET => state.is_some() || searches_own,
                _ => false,
            };
            if !cleanup {
                return Some(Refusal::Stopping {
                    reason: self.stop_reason().unwrap_or(Stop::Interrupted),
                });
            }
        }
        if method == Method::POST && path.eq_ignore_ascii_case("/Bulk") {
            return self.refuse_bulk(body);
        }
        if let (Method::POST, Some((kind, None))) = (method, &addressed) {
            let marked =
                body.is_none_or(|b| self.run_prefix.is_empty() || b.contains(&self.run_prefix));
            if !marked {
                return Some(Refusal::Unmarked {
                    kind: *kind,
                    prefix: self.run_prefix.clone(),
                });
            }
        }
        if let (Some((ResourceType::Group, _)), Method::POST | Method::PUT | Method::PATCH) =
            (&addressed, method)
            && let Some(refusal) = self.refuse_members(body)
        {
            return Some(refusal);
        }
        let (kind, id) = one?;
        if !matches!(method, Method::PUT | Method::PATCH | Method::DELETE) {
            return None;
        }
        let generated = !self.run_prefix.is_empty() && id.starts_with(&self.run_prefix);
        match self.ledger.state(kind, &id) {
            Some(State::Live) => None,
            _ if generated => None,
            Some(State::Deleted { .. }) => Some(Refusal::AlreadyDeleted { method, kind, id }),
            None => Some(Refusal::NotOwned { method, kind, id }),
        }
    }
}

/// The member ids a Group body would add: `members` of a resource, the
/// values of PATCH operations that add or replace members (path-less ones
/// included). A remove adds nobody.
fn added_members(body: &serde_json::Value) -> Vec<String> {
    let listed = |members: &serde_json::Value| -> Vec<String> {
        let items = match members {
            serde_json::Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        items
            .iter()
            .filter_map(|m| m["value"].as_str().map(str::to_string))
            .collect()
    };
    let Some(operations) = body["Operations"].as_array() else {
        return listed(&body["members"]);
    };
    operations
        .iter()
        .filter(|op| {
            !op["op"]
                .as_str()
                .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
        })
        .flat_map(|op| match op["path"].as_str() {
            Some(path) if path.to_ascii_lowercase().starts_with("members") => listed(&op["value"]),
            Some(_) => vec![],
            None => listed(&op["value"]["members"]),
        })
        .collect()
}

impl Guard {
    /// A Group write may only add members the run created, or ids it named.
    fn refuse_members(&self, body: Option<&str>) -> Option<Refusal> {
        let body: serde_json::Value = serde_json::from_str(body?).ok()?;
        added_members(&body).into_iter().find_map(|id| {
            let owned = [ResourceType::User, ResourceType::Group]
                .iter()
                .any(|kind| self.ledger.state(*kind, &id) == Some(State::Live));
            let generated = !self.run_prefix.is_empty() && id.starts_with(&self.run_prefix);
            // A Bulk job names the member it creates alongside by its bulkId.
            let same_job = id.starts_with("bulkId:");
            (!owned && !generated && !same_job).then_some(Refusal::ForeignMember { id })
        })
    }

    /// A Bulk job is held to the same rules, operation by operation: each
    /// create carries the run's prefix, each other write addresses a
    /// resource the run created or named (`bulkId:` included).
    fn refuse_bulk(&self, body: Option<&str>) -> Option<Refusal> {
        let job: serde_json::Value = serde_json::from_str(body?).ok()?;
        for operation in job["Operations"].as_array().into_iter().flatten() {
            let method = match operation["method"]
                .as_str()
                .map(str::to_ascii_uppercase)
                .as_deref()
            {
                Some("POST") => Method::POST,
                Some("PUT") => Method::PUT,
                Some("PATCH") => Method::PATCH,
                Some("DELETE") => Method::DELETE,
                _ => continue,
            };
            let path = operation["path"].as_str().unwrap_or_default();
            if path.contains("bulkId:") {
                continue;
            }
            let data = operation.get("data").map(|d| d.to_string());
            if let Some(refusal) = self.refuse(method, path, data.as_deref()) {
                return Some(refusal);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(read_only: bool) -> Guard {
        Guard::new("scimcheck-0a0b0c0d", read_only, Arc::new(Ledger::default()))
    }

    #[test]
    fn only_what_the_run_created_can_be_changed() {
        let guard = guard(false);
        assert!(matches!(
            guard.refuse(Method::DELETE, "/Users/someone-else", None),
            Some(Refusal::NotOwned { .. })
        ));
        assert!(
            guard
                .refuse(Method::PATCH, "/Groups/someone-else", None)
                .is_some()
        );
        assert!(
            guard
                .refuse(Method::GET, "/Users/someone-else", None)
                .is_none()
        );
        guard
            .ledger()
            .created(ResourceType::User, "u1", "case", None);
        assert!(guard.refuse(Method::PUT, "/Users/u1", None).is_none());
        // The run's own generated ids ("does not exist" cases) are fine.
        assert!(
            guard
                .refuse(
                    Method::DELETE,
                    "/Users/scimcheck-0a0b0c0d-123456-nobody",
                    None
                )
                .is_none()
        );
        guard.ledger().deleted(ResourceType::User, "u1", 204);
        assert!(matches!(
            guard.refuse(Method::PATCH, "/Users/u1", None),
            Some(Refusal::AlreadyDeleted { .. })
        ));
    }

    #[test]
    fn a_create_must_carry_the_run_prefix() {
        let guard = guard(false);
        let marked = r#"{"userName": "scimcheck-0a0b0c0d-123456-ada@example.com"}"#;
        assert!(guard.refuse(Method::POST, "/Users", Some(marked)).is_none());
        let unmarked = r#"{"userName": "ada@example.com"}"#;
        let refusal = guard
            .refuse(Method::POST, "/Users", Some(unmarked))
            .unwrap();
        assert!(
            refusal
                .to_string()
                .starts_with("refused: POST /Users without the run's prefix"),
            "{refusal}"
        );
        assert!(
            guard
                .refuse(Method::POST, "/Groups", Some(unmarked))
                .is_some()
        );
        assert!(
            guard
                .refuse(Method::POST, "/Other", Some(unmarked))
                .is_none()
        );
    }

    #[test]
    fn stopping_lets_only_cleanup_through_and_read_only_only_reads() {
        let guard = guard(false);
        guard
            .ledger()
            .created(ResourceType::User, "u/1", "case", None);
        guard.stop(Stop::Interrupted);
        assert!(guard.refuse(Method::GET, "/Users", None).is_some());
        // The end of the run's survey of its own prefix still goes out.
        let own = guard.refuse(
            Method::GET,
            "/Users?filter=userName%20sw%20%22scimcheck-0a0b0c0d-%22",
            None,
        );
        assert!(own.is_none());
        // A lookup of a name sent in upper case (userName is caseExact false).
        let upper = guard.refuse(
            Method::GET,
            "/Users?filter=userName%20eq%20%22SCIMCHECK-0A0B0C0D-X%22",
            None,
        );
        assert!(upper.is_none());
        let other = guard.refuse(Method::GET, "/Users?filter=userName%20sw%20%22x%22", None);
        assert!(other.is_some());
        assert!(guard.refuse(Method::DELETE, "/Users/u%2F1", None).is_none());
        assert!(guard.refuse(Method::GET, "/Users/u%2F1", None).is_none());
        assert!(guard.refuse(Method::GET, "/Users/other", None).is_some());
        let read_only = guard_read_only();
        assert!(read_only.refuse(Method::POST, "/Users", None).is_some());
        assert!(read_only.refuse(Method::GET, "/Users", None).is_none());
    }

    #[test]
    fn a_group_write_adds_only_members_the_run_owns() {
        let guard = guard(false);
        guard
            .ledger()
            .created(ResourceType::User, "mine", "case", None);
        guard
            .ledger()
            .created(ResourceType::Group, "g", "case", None);
        let create = |members: &str| {
            format!(r#"{{"displayName": "scimcheck-0a0b0c0d-1-team", "members": {members}}}"#)
        };
        let refused = |method, path, body: &str| guard.refuse(method, path, Some(body));
        assert!(refused(Method::POST, "/Groups", &create(r#"[{"value": "mine"}]"#)).is_none());
        assert!(matches!(
            refused(Method::POST, "/Groups", &create(r#"[{"value": "mine"}, {"value": "ceo"}]"#)),
            Some(Refusal::ForeignMember { id }) if id == "ceo"
        ));
        assert!(refused(Method::PUT, "/Groups/g", &create(r#"[{"value": "ceo"}]"#)).is_some());
        let patch = |op: &str, path: &str, value: &str| {
            format!(r#"{{"Operations": [{{"op": "{op}", "path": "{path}", "value": {value}}}]}}"#)
        };
        let add_ceo = patch("add", "members", r#"[{"value": "ceo"}]"#);
        assert!(refused(Method::PATCH, "/Groups/g", &add_ceo).is_some());
        // Path-less values are members too; a remove adds nobody.
        let pathless =
            r#"{"Operations": [{"op": "replace", "value": {"members": [{"value": "ceo"}]}}]}"#;
        assert!(refused(Method::PATCH, "/Groups/g", pathless).is_some());
        let remove = patch("remove", "members[value eq \"ceo\"]", "null");
        assert!(refused(Method::PATCH, "/Groups/g", &remove).is_none());
        // Generated ids ("no such member" cases) and bulkIds are the run's.
        let generated = patch(
            "add",
            "members",
            r#"[{"value": "scimcheck-0a0b0c0d-1-nobody"}]"#,
        );
        assert!(refused(Method::PATCH, "/Groups/g", &generated).is_none());
        assert!(
            refused(
                Method::POST,
                "/Groups",
                &create(r#"[{"value": "bulkId:u1"}]"#)
            )
            .is_none()
        );
    }

    fn guard_read_only() -> Guard {
        guard(true)
    }
}
