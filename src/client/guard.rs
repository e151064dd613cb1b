//! The guard: what keeps a run from touching what it did not create.
//!
//! - The ledger records every user a run created (the id of each 2xx answer
//!   to `POST /Users`) and every one it deleted.
//! - `PUT`, `PATCH` and `DELETE` on `/Users/{id}` are only sent for an id in
//!   the ledger, or one the run generated itself (`scimcheck-<run>-…`, for
//!   "does not exist" cases); anything else is refused before it leaves.
//! - With `--read-only`, nothing but `GET` is sent at all.
//! - Once the run is stopping (Ctrl-C, the whole-run time limit), only
//!   `DELETE`s of the run's own users still go out: cleanup.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::case::model::Method;

/// The life of one user the run created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Live,
    Deleted,
}

#[derive(Debug, Default)]
pub struct Guard {
    /// `scimcheck-<run>`; empty when no run owns the client (e.g. `sweep`).
    run_prefix: String,
    read_only: bool,
    ledger: Mutex<BTreeMap<String, Fate>>,
    stopping: AtomicBool,
    reason: Mutex<String>,
}

impl Guard {
    pub fn new(run_prefix: &str, read_only: bool) -> Guard {
        Guard {
            run_prefix: run_prefix.to_string(),
            read_only,
            ..Guard::default()
        }
    }

    /// Takes a leftover of an earlier run (found by its `scimcheck-<run>-`
    /// userName) into the ledger, so that `sweep --delete` may remove it.
    pub fn adopt(&self, id: &str) {
        self.ledger
            .lock()
            .expect("guard lock")
            .insert(id.to_string(), Fate::Live);
    }

    /// Stops all requests but the cleanup of the run's own users.
    pub fn stop(&self, reason: &str) {
        *self.reason.lock().expect("guard lock") = reason.to_string();
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Why the run stopped early, if it did.
    pub fn stop_reason(&self) -> Option<String> {
        self.is_stopping()
            .then(|| self.reason.lock().expect("guard lock").clone())
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Why a create must not be sent: every user the run creates carries the
    /// run's prefix, so that it can be told apart and swept.
    pub fn refuse_create(&self, method: Method, path: &str, body: Option<&str>) -> Option<String> {
        let create = method == Method::POST && path.trim_end_matches('/') == "/Users";
        let marked =
            body.is_none_or(|b| self.run_prefix.is_empty() || b.contains(&self.run_prefix));
        (create && !marked).then(|| {
            format!(
                "refused: POST /Users without the run's prefix `{}` in the body (use {{{{ unique.NAME }}}} or {{{{ email.NAME }}}} for userName, so the user can be found and swept)",
                self.run_prefix
            )
        })
    }

    /// Why a request must not be sent, if it must not.
    pub fn refuse(&self, method: Method, path: &str) -> Option<String> {
        let target_id = user_id(path);
        if self.read_only && method != Method::GET {
            return Some(format!(
                "not sent: {} {path} would change the target (--read-only)",
                method.as_str()
            ));
        }
        if self.is_stopping() {
            let cleanup =
                method == Method::DELETE && target_id.as_deref().is_some_and(|id| self.owns(id));
            if !cleanup {
                return Some(format!(
                    "not sent: the run is stopping ({})",
                    self.reason.lock().expect("guard lock")
                ));
            }
        }
        if matches!(method, Method::PUT | Method::PATCH | Method::DELETE)
            && let Some(id) = target_id
            && !self.owns(&id)
        {
            return Some(format!(
                "refused: {} /Users/{id} targets a user this run did not create (scimcheck only changes what it created)",
                method.as_str()
            ));
        }
        None
    }

    /// Whether the run may change this user.
    fn owns(&self, id: &str) -> bool {
        let generated = !self.run_prefix.is_empty() && id.starts_with(&self.run_prefix);
        generated
            || self
                .ledger
                .lock()
                .expect("guard lock")
                .get(id)
                .is_some_and(|fate| *fate == Fate::Live)
    }

    /// Updates the ledger from an answered request.
    pub fn record(&self, method: Method, path: &str, status: u16, json: Option<&Value>) {
        let mut ledger = self.ledger.lock().expect("guard lock");
        let answered_id = json
            .and_then(|j| j.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        match (method, user_id(path)) {
            (Method::POST, None) if path == "/Users" && (200..300).contains(&status) => {
                if let Some(id) = answered_id {
                    ledger.insert(id, Fate::Live);
                }
            }
            (Method::PUT | Method::PATCH, Some(id)) if (200..300).contains(&status) => {
                // A server that changes ids on update: the new id is ours too.
                if let Some(new) = answered_id
                    && new != id
                    && ledger.contains_key(&id)
                {
                    ledger.insert(new, Fate::Live);
                }
            }
            (Method::DELETE, Some(id)) if (200..300).contains(&status) || status == 404 => {
                if let Some(fate) = ledger.get_mut(&id) {
                    *fate = Fate::Deleted;
                }
            }
            _ => {}
        }
    }

    /// Users the run created and has not deleted.
    pub fn live(&self) -> Vec<String> {
        self.ledger
            .lock()
            .expect("guard lock")
            .iter()
            .filter(|(_, fate)| **fate == Fate::Live)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// How many users the run created.
    pub fn created(&self) -> usize {
        self.ledger.lock().expect("guard lock").len()
    }
}

/// The id in `/Users/{id}` (percent-decoded), if the path is one.
fn user_id(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/Users/")?;
    let raw = rest.split(['?', '/']).next().filter(|s| !s.is_empty())?;
    Some(percent_decode(raw).unwrap_or_else(|| raw.to_string()))
}

fn percent_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_what_the_run_created_can_be_changed() {
        let guard = Guard::new("scimcheck-0a0b0c0d", false);
        assert!(
            guard
                .refuse(Method::DELETE, "/Users/someone-else")
                .is_some()
        );
        assert!(guard.refuse(Method::PATCH, "/Users/someone-else").is_some());
        assert!(guard.refuse(Method::GET, "/Users/someone-else").is_none());
        guard.record(Method::POST, "/Users", 201, Some(&json!({"id": "u1"})));
        assert!(guard.refuse(Method::PUT, "/Users/u1").is_none());
        // The run's own generated ids ("does not exist" cases) are fine.
        assert!(
            guard
                .refuse(Method::DELETE, "/Users/scimcheck-0a0b0c0d-123456-nobody")
                .is_none()
        );
        guard.record(Method::DELETE, "/Users/u1", 204, None);
        assert!(guard.refuse(Method::PATCH, "/Users/u1").is_some());
        assert_eq!(guard.live(), Vec::<String>::new());
        assert_eq!(guard.created(), 1);
    }

    #[test]
    fn a_create_must_carry_the_run_prefix() {
        let guard = Guard::new("scimcheck-0a0b0c0d", false);
        let marked = r#"{"userName": "scimcheck-0a0b0c0d-123456-ada@example.com"}"#;
        assert!(
            guard
                .refuse_create(Method::POST, "/Users", Some(marked))
                .is_none()
        );
        let unmarked = r#"{"userName": "ada@example.com"}"#;
        assert!(
            guard
                .refuse_create(Method::POST, "/Users", Some(unmarked))
                .is_some()
        );
        assert!(
            guard
                .refuse_create(Method::POST, "/Groups", Some(unmarked))
                .is_none()
        );
    }

    #[test]
    fn stopping_lets_only_cleanup_through_and_read_only_only_reads() {
        let guard = Guard::new("scimcheck-0a0b0c0d", false);
        guard.record(Method::POST, "/Users", 201, Some(&json!({"id": "u%2F1"})));
        guard.stop("interrupted");
        assert!(guard.refuse(Method::GET, "/Users").is_some());
        assert!(guard.refuse(Method::DELETE, "/Users/u%252F1").is_none());
        let read_only = Guard::new("scimcheck-0a0b0c0d", true);
        assert!(read_only.refuse(Method::POST, "/Users").is_some());
        assert!(read_only.refuse(Method::GET, "/Users").is_none());
    }
}
