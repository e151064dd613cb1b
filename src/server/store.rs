//! The reference server's in-memory user store and the SCIM rules it applies:
//! create, replace (PUT), PATCH, delete (hard or soft), list with filter and
//! paging. HTTP-free, so the rules read on their own; [`super::routes`] maps
//! them onto requests and responses.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::fault::Fault;
use crate::filter::{Filter, Op, user_case_exact};
use crate::profile::{DeleteMode, Profile};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM error to answer with (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

/// The page size the server caps and declares when its profile names none.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

impl ScimError {
    pub fn new(
        status: u16,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn bad(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(scim_type), detail)
    }

    pub fn not_found(id: &str) -> ScimError {
        ScimError::new(404, None, format!("no User with id `{id}`"))
    }
}

/// Attributes the server keeps for a User; anything else a client sends is
/// ignored (RFC 7644 §3.3 lets a server drop attributes it does not support).
const ATTRIBUTES: &[&str] = &[
    "userName",
    "name",
    "displayName",
    "nickName",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "emails",
    "phoneNumbers",
    "externalId",
    "password",
];
const MULTI_VALUED: &[&str] = &["emails", "phoneNumbers"];

/// The store: users by id, in creation order.
pub struct Store {
    profile: Profile,
    faults: HashSet<Fault>,
    /// Creation sequence → user; iteration order is list order.
    users: BTreeMap<u64, Value>,
    by_id: HashMap<String, u64>,
    /// (lower-cased userName, sequence) of every user: uniqueness checks and
    /// `userName eq` / `sw` filters without a scan, so that a target of
    /// 100,000 users answers them as fast as an empty one.
    names: BTreeSet<(String, u64)>,
    next: u64,
    /// The last timestamp handed out, so that every change advances time.
    clock_ms: i128,
}

/// One page of a list.
pub struct Page {
    pub total: usize,
    pub start_index: usize,
    pub resources: Vec<Value>,
}

impl Store {
    pub fn new(profile: Profile, faults: HashSet<Fault>) -> Store {
        Store {
            profile,
            faults,
            users: BTreeMap::new(),
            by_id: HashMap::new(),
            names: BTreeSet::new(),
            next: 1,
            clock_ms: 0,
        }
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    /// A strictly increasing RFC 3339 timestamp (millisecond precision).
    fn now(&mut self) -> String {
        let wall = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        self.clock_ms = wall.max(self.clock_ms + 1);
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(self.clock_ms * 1_000_000)
            .expect("a valid time");
        at.format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .expect("formattable")
    }

    pub fn get(&self, id: &str) -> Result<&Value, ScimError> {
        self.by_id
            .get(id)
            .and_then(|seq| self.users.get(seq))
            .ok_or_else(|| ScimError::not_found(id))
    }

    /// Stores a user under its sequence number, keeping the name index.
    fn put(&mut self, seq: u64, user: Value) {
        if let Some(old) = self.users.get(&seq).and_then(name_key) {
            self.names.remove(&(old, seq));
        }
        if let Some(name) = name_key(&user) {
            self.names.insert((name, seq));
        }
        self.users.insert(seq, user);
    }

    fn take(&mut self, seq: u64) -> Option<Value> {
        let user = self.users.remove(&seq)?;
        if let Some(name) = name_key(&user) {
            self.names.remove(&(name, seq));
        }
        Some(user)
    }

    /// Sequences of the users whose userName equals `name` ignoring case.
    fn named(&self, name: &str) -> impl Iterator<Item = u64> + '_ {
        let name = name.to_lowercase();
        self.names
            .range((name.clone(), 0)..=(name, u64::MAX))
            .map(|(_, seq)| *seq)
    }

    /// Sequences of the users whose userName starts with `prefix` ignoring case.
    fn prefixed(&self, prefix: &str) -> impl Iterator<Item = u64> + '_ {
        let prefix = prefix.to_lowercase();
        self.names
            .range((prefix.clone(), 0)..)
            .take_while(move |(name, _)| name.starts_with(&prefix))
            .map(|(_, seq)| *seq)
    }

    fn user_name_taken(&self, user_name: &str, except: Option<&str>) -> bool {
        if self.has(Fault::DuplicateAccepted) {
            return false;
        }
        let exact = self.has(Fault::UniquenessCaseSensitive);
        self.named(user_name).any(|seq| {
            let u = &self.users[&seq];
            u["id"].as_str() != except && (!exact || u["userName"].as_str() == Some(user_name))
        })
    }

    /// The users a filter can only match, from the name index; `None` when
    /// the filter needs a scan. Sorted by sequence (the list order).
    fn candidates(&self, filter: &Filter) -> Option<Vec<u64>> {
        let mut seqs: Vec<u64> = match filter {
            Filter::Compare {
                path,
                op,
                value: Value::String(value),
            } if path.sub.is_none() && path.name.eq_ignore_ascii_case("userName") => match op {
                Op::Eq => self.named(value).collect(),
                Op::Sw => self.prefixed(value).collect(),
                _ => return None,
            },
            Filter::And(a, b) => return self.candidates(a).or_else(|| self.candidates(b)),
            _ => return None,
        };
        seqs.sort_unstable();
        Some(seqs)
    }

    /// POST /Users.
    pub fn create(&mut self, body: &Value) -> Result<Value, ScimError> {
        let mut user = self.writable(body, None)?;
        self.require(&user)?;
        let user_name = user["userName"].as_str().unwrap_or_default().to_string();
        if self.user_name_taken(&user_name, None) {
            return Err(ScimError::new(
                409,
                Some("uniqueness"),
                format!("userName `{user_name}` is already taken"),
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let fields = user.as_object_mut().expect("an object");
        // "active: editable, but set to true when creating a new User."
        if self.profile.create_sets_active || !fields.contains_key("active") {
            fields.insert("active".into(), Value::Bool(true));
        }
        fields.insert("id".into(), Value::String(id.clone()));
        if !self.has(Fault::CreateNoMeta) {
            fields.insert("meta".into(), json!({"resourceType": "User", "created": now, "lastModified": now, "version": "W/\"1\""}));
        }
        self.put(self.next, user.clone());
        self.by_id.insert(id, self.next);
        self.next += 1;
        Ok(user)
    }

    /// PUT /Users/{id}: every writable attribute is replaced; omitted ones are
    /// cleared; read-only ones keep their stored value whatever was sent.
    pub fn replace(&mut self, id: &str, body: &Value) -> Result<Value, ScimError> {
        let old = self.get(id)?.clone();
        let mut user = self.writable(body, Some(&old))?;
        if user["userName"].as_str().is_none_or(str::is_empty) {
            return Err(ScimError::bad("invalidValue", "userName is required"));
        }
        if self.user_name_taken(user["userName"].as_str().unwrap_or_default(), Some(id)) {
            return Err(ScimError::new(
                409,
                Some("uniqueness"),
                "userName is already taken",
            ));
        }
        if self.has(Fault::PutMerges) {
            let mut merged = old.clone();
            merge(&mut merged, &user);
            user = merged;
        }
        let fields = user.as_object_mut().expect("an object");
        for keep in ["id", "meta"] {
            if let Some(value) = old.get(keep) {
                fields.insert(keep.into(), value.clone());
            }
        }
        if self.profile.is_read_only("emails") {
            match old.get("emails") {
                Some(emails) => fields.insert("emails".into(), emails.clone()),
                None => fields.remove("emails"),
            };
        }
        fields
            .entry("active")
            .or_insert(old.get("active").cloned().unwrap_or(Value::Bool(true)));
        self.store_change(id, user)
    }

    /// PATCH /Users/{id} with a PatchOp message.
    pub fn patch(&mut self, id: &str, body: &Value) -> Result<Value, ScimError> {
        let old = self.get(id)?.clone();
        if !body["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == PATCH_URN))
        {
            return Err(ScimError::bad(
                "invalidSyntax",
                format!("a PATCH body must carry the schema `{PATCH_URN}`"),
            ));
        }
        let operations = body
            .get("Operations")
            .and_then(Value::as_array)
            .filter(|ops| !ops.is_empty())
            .ok_or_else(|| {
                ScimError::bad("invalidSyntax", "`Operations` must be a non-empty array")
            })?;
        let mut user = old.clone();
        for operation in operations {
            self.apply(&mut user, operation)?;
        }
        if self.has(Fault::PatchIgnored) {
            return Ok(old);
        }
        if user == old {
            return Ok(old);
        }
        self.store_change(id, user)
    }

    fn apply(&self, user: &mut Value, operation: &Value) -> Result<(), ScimError> {
        // Some provisioning clients send `Replace`: op names compare ignoring case.
        let op = operation["op"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(op.as_str(), "add" | "remove" | "replace") {
            return Err(ScimError::bad(
                "invalidSyntax",
                format!("unknown PATCH op {}", operation["op"]),
            ));
        }
        if !self.profile.patch.ops.iter().any(|o| o == &op) {
            return Err(ScimError::bad(
                "invalidSyntax",
                format!("PATCH op `{op}` is not supported"),
            ));
        }
        let value = operation.get("value");
        match operation.get("path").and_then(Value::as_str) {
            None => {
                let Some(Value::Object(fields)) = value else {
                    return Err(ScimError::bad(
                        if op == "remove" {
                            "noTarget"
                        } else {
                            "invalidValue"
                        },
                        "a PATCH without a path needs an object value",
                    ));
                };
                for (name, value) in fields {
                    let name = strip_urn(name);
                    self.check_writable(name)?;
                    set_attribute(user, name, value, op == "add");
                }
                Ok(())
            }
            Some(path) => {
                let target = PatchPath::parse(path)?;
                self.check_writable(&target.attribute)?;
                match op.as_str() {
                    "remove" => target.remove(user),
                    _ => {
                        let value = value.ok_or_else(|| {
                            ScimError::bad("invalidValue", "the op needs a value")
                        })?;
                        target.set(user, value, op == "add")
                    }
                }
            }
        }
    }

    fn check_writable(&self, attribute: &str) -> Result<(), ScimError> {
        let top = attribute.split('.').next().unwrap_or(attribute);
        if !ATTRIBUTES.iter().any(|a| a.eq_ignore_ascii_case(top)) {
            return Err(ScimError::bad(
                "invalidPath",
                format!("unknown attribute `{attribute}`"),
            ));
        }
        if self.profile.is_read_only(attribute) || self.profile.is_read_only(top) {
            return Err(ScimError::bad(
                "mutability",
                format!("`{attribute}` is read-only"),
            ));
        }
        Ok(())
    }

    fn store_change(&mut self, id: &str, mut user: Value) -> Result<Value, ScimError> {
        let frozen = self.has(Fault::LastModifiedFrozen);
        let now = self.now();
        if let Some(meta) = user.get_mut("meta").and_then(Value::as_object_mut) {
            if !frozen {
                meta.insert("lastModified".into(), Value::String(now));
            }
            let version = meta
                .get("version")
                .and_then(Value::as_str)
                .and_then(|v| {
                    v.trim_start_matches("W/\"")
                        .trim_end_matches('"')
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or(1);
            meta.insert(
                "version".into(),
                Value::String(format!("W/\"{}\"", version + 1)),
            );
        }
        if self.has(Fault::CreatedChanges)
            && let Some(meta) = user.get_mut("meta").and_then(Value::as_object_mut)
        {
            meta.insert("created".into(), Value::String(self.now()));
        }
        if self.has(Fault::IdChanges) {
            let seq = self
                .by_id
                .remove(id)
                .ok_or_else(|| ScimError::not_found(id))?;
            let new_id = uuid::Uuid::new_v4().to_string();
            user["id"] = Value::String(new_id.clone());
            self.by_id.insert(new_id, seq);
            self.put(seq, user.clone());
            return Ok(user);
        }
        let seq = *self.by_id.get(id).ok_or_else(|| ScimError::not_found(id))?;
        self.put(seq, user.clone());
        Ok(user)
    }

    /// DELETE /Users/{id}: hard or soft, as the profile documents.
    pub fn delete(&mut self, id: &str) -> Result<(), ScimError> {
        let hard = match self.profile.delete {
            DeleteMode::Hard => !self.has(Fault::SoftDelete),
            DeleteMode::Soft => self.has(Fault::HardDelete),
        };
        let soft = self.profile.delete == DeleteMode::Soft || self.has(Fault::SoftDelete);
        if hard {
            let seq = self
                .by_id
                .remove(id)
                .ok_or_else(|| ScimError::not_found(id))?;
            self.take(seq);
            return Ok(());
        }
        let user = self.get(id)?.clone();
        if soft && user["active"] == Value::Bool(false) {
            return Ok(());
        }
        if self.has(Fault::DeleteKeepsActive) {
            return Ok(());
        }
        let mut user = user;
        user["active"] = Value::Bool(false);
        self.store_change(id, user).map(|_| ())
    }

    /// GET /Users with an optional filter and paging.
    pub fn list(
        &self,
        filter: Option<&str>,
        start_index: Option<i64>,
        count: Option<i64>,
    ) -> Result<Page, ScimError> {
        let parsed = match filter {
            Some(text) if !self.has(Fault::FilterIgnored) => match self.check_filter(text) {
                Ok(parsed) => Some(parsed),
                Err(_) if self.has(Fault::InvalidFilterAccepted) => None,
                Err(_) if self.has(Fault::InvalidFilter500) => {
                    return Err(ScimError::new(500, None, "internal error"));
                }
                Err(error) => return Err(error),
            },
            _ => None,
        };
        let exact_user_name = self.has(Fault::FilterCaseSensitive);
        let case_exact =
            |dotted: &str| user_case_exact(dotted) || (exact_user_name && dotted == "username");
        // Faults that change what `eq` means need the scan.
        let indexed = !exact_user_name && !self.has(Fault::EqAsSubstring);
        let candidates = parsed
            .as_ref()
            .filter(|_| indexed)
            .and_then(|f| self.candidates(f));
        let pool: Box<dyn Iterator<Item = &Value>> = match &candidates {
            Some(seqs) => Box::new(seqs.iter().map(|seq| &self.users[seq])),
            None => Box::new(self.users.values()),
        };
        let matching: Vec<&Value> = match &parsed {
            // No filter: the page is cut from the collection without copying it.
            None => Vec::new(),
            Some(filter) => pool
                .filter(|user| {
                    if self.has(Fault::EqAsSubstring) {
                        substring_eq(filter).matches(user, &case_exact)
                    } else {
                        filter.matches(user, &case_exact)
                    }
                })
                .collect(),
        };
        let max = self
            .profile
            .paging
            .max_page_size
            .unwrap_or(DEFAULT_PAGE_SIZE);
        if self.has(Fault::StartBelowOneRejected) && start_index.is_some_and(|s| s < 1) {
            return Err(ScimError::new(
                400,
                Some("invalidValue"),
                "startIndex must be 1 or more",
            ));
        }
        let start = start_index.unwrap_or(1).max(1) as usize;
        let mut count = count.map_or(max, |c| c.max(0) as usize).min(max);
        if self.has(Fault::CountIgnored) {
            count = usize::MAX;
        }
        let skip = if self.has(Fault::PagingOffByOne) {
            start
        } else if self.has(Fault::PagesOverlap) {
            start.saturating_sub(2)
        } else {
            start - 1
        };
        let (resources, matched): (Vec<Value>, usize) = match &parsed {
            None => (
                self.users
                    .values()
                    .skip(skip)
                    .take(count)
                    .cloned()
                    .collect(),
                self.users.len(),
            ),
            Some(_) => (
                matching
                    .iter()
                    .skip(skip)
                    .take(count)
                    .map(|u| (*u).clone())
                    .collect(),
                matching.len(),
            ),
        };
        let total = if self.has(Fault::TotalCountsPage) {
            resources.len()
        } else {
            matched
        };
        Ok(Page {
            total,
            start_index: start,
            resources,
        })
    }

    /// Parses a filter and rejects what the profile does not claim
    /// (RFC 7644 §3.4.2.2: 400 with scimType invalidFilter).
    fn check_filter(&self, text: &str) -> Result<Filter, ScimError> {
        let filter = Filter::parse(text).map_err(|e| {
            ScimError::bad("invalidFilter", format!("cannot parse the filter: {e}"))
        })?;
        let supported = &self.profile.filter;
        for op in filter.operators() {
            let ok = match op {
                "and" | "or" | "not" => supported.logical.iter().any(|l| l == op),
                "[]" => supported.complex,
                op => supported.operators.iter().any(|o| o == op),
            };
            if !ok {
                return Err(ScimError::bad(
                    "invalidFilter",
                    format!("the filter operator `{op}` is not supported"),
                ));
            }
        }
        for attribute in filter.attributes() {
            let top = attribute.split('.').next().unwrap_or_default();
            if !self.profile.filterable(&attribute) && !self.profile.filterable(top) {
                return Err(ScimError::bad(
                    "invalidFilter",
                    format!("filtering on `{attribute}` is not supported"),
                ));
            }
        }
        Ok(filter)
    }

    /// The client-writable attributes of a request body, normalized, with
    /// read-only ones dropped (RFC 7643 §2.2: the server ignores them).
    fn writable(&self, body: &Value, existing: Option<&Value>) -> Result<Value, ScimError> {
        let Value::Object(fields) = body else {
            return Err(ScimError::bad(
                "invalidSyntax",
                "the body must be a JSON object",
            ));
        };
        if !fields.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("schemas")
                && v.as_array()
                    .is_some_and(|s| s.iter().any(|u| u == USER_URN))
        }) {
            return Err(ScimError::bad(
                "invalidSyntax",
                format!("`schemas` must contain `{USER_URN}`"),
            ));
        }
        let mut user = Map::new();
        user.insert("schemas".into(), json!([USER_URN]));
        for (key, value) in fields {
            let key = strip_urn(key);
            let Some(name) = ATTRIBUTES.iter().find(|a| a.eq_ignore_ascii_case(key)) else {
                continue;
            };
            let creating_emails = existing.is_none() && *name == "emails";
            if self.profile.is_read_only(name) && !creating_emails {
                continue;
            }
            if value.is_null() {
                continue;
            }
            if *name == "active" && !value.is_boolean() {
                return Err(ScimError::bad("invalidValue", "`active` must be a boolean"));
            }
            if MULTI_VALUED.contains(name) && !value.is_array() {
                return Err(ScimError::bad(
                    "invalidValue",
                    format!("`{name}` must be an array"),
                ));
            }
            user.insert(name.to_string(), value.clone());
        }
        if self.profile.is_read_only("emails") {
            // Insightly keeps a single address, of type work.
            if let Some(Value::Array(emails)) = user.get("emails").cloned() {
                match emails.first().and_then(|e| e.get("value")).cloned() {
                    Some(address) => user.insert(
                        "emails".into(),
                        json!([{"value": address, "type": "work", "primary": true}]),
                    ),
                    None => user.remove("emails"),
                };
            }
        }
        Ok(Value::Object(user))
    }

    fn require(&self, user: &Value) -> Result<(), ScimError> {
        for path in &self.profile.required {
            let mut value = Some(user);
            for part in path.split('.') {
                value = value.and_then(|v| v.get(part));
            }
            let present = match value {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) => !s.is_empty(),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(_) => true,
            };
            if !present {
                return Err(ScimError::bad(
                    "invalidValue",
                    format!("`{path}` is required"),
                ));
            }
        }
        Ok(())
    }

    /// The representation returned to clients (with output-side faults applied).
    pub fn present(&self, user: &Value, location: &str) -> Value {
        let mut user = user.clone();
        if let Some(fields) = user.as_object_mut() {
            fields.remove("password");
            if let Some(meta) = fields.get_mut("meta").and_then(Value::as_object_mut) {
                meta.insert("location".into(), Value::String(location.to_string()));
            }
        }
        if let Some(name) = user.get_mut("name").and_then(Value::as_object_mut) {
            if self.has(Fault::NamesSwapped) {
                let given = name.remove("givenName");
                let family = name.remove("familyName");
                if let Some(v) = family {
                    name.insert("givenName".into(), v);
                }
                if let Some(v) = given {
                    name.insert("familyName".into(), v);
                }
            }
            if self.has(Fault::GivenNameDropped) {
                name.remove("givenName");
            }
        }
        user
    }

    /// Adds users in bulk (benchmarks and tests of large targets).
    pub fn seed(&mut self, count: usize, prefix: &str) {
        for i in 0..count {
            let body = json!({
                "schemas": [USER_URN], "userName": format!("{prefix}{i}@example.org"), "displayName": format!("Seed {i}"),
                "name": {"givenName": "Seed", "familyName": format!("User{i}")}, "emails": [{"value": format!("{prefix}{i}@example.org"), "type": "work"}]
            });
            let _ = self.create(&body);
        }
    }
}

/// The name index's key of a user: its userName, lower-cased.
fn name_key(user: &Value) -> Option<String> {
    user.get("userName")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
}

fn strip_urn(name: &str) -> &str {
    match name.rfind(':') {
        Some(at) if name.to_ascii_lowercase().starts_with("urn:") => &name[at + 1..],
        _ => name,
    }
}

/// Deep-merges `patch` into `target` (objects by key, everything else replaced).
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Finds the stored key for an attribute name, ignoring case.
fn key_of(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| {
            ATTRIBUTES
                .iter()
                .find(|a| a.eq_ignore_ascii_case(name))
                .map_or_else(|| name.to_string(), |a| a.to_string())
        })
}

/// Sets an attribute from a path-less PATCH value: complex values merge
/// (unspecified sub-attributes stay), multi-valued `add` appends.
fn set_attribute(user: &mut Value, name: &str, value: &Value, add: bool) {
    let Some(fields) = user.as_object_mut() else {
        return;
    };
    if let Some((parent, sub)) = name.split_once('.') {
        let key = key_of(fields, parent);
        let entry = fields.entry(key).or_insert_with(|| json!({}));
        if let Some(object) = entry.as_object_mut() {
            let sub_key = key_of(object, sub);
            object.insert(sub_key, value.clone());
        }
        return;
    }
    let key = key_of(fields, name);
    match (fields.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(incoming)) => {
            for (k, v) in incoming {
                let sub_key = key_of(existing, k);
                existing.insert(sub_key, v.clone());
            }
        }
        (Some(Value::Array(existing)), Value::Array(incoming)) if add => {
            for v in incoming {
                if !existing.contains(v) {
                    existing.push(v.clone());
                }
            }
        }
        _ => {
            fields.insert(key, value.clone());
        }
    }
}

/// A PATCH path: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`.
struct PatchPath {
    attribute: String,
    filter: Option<Filter>,
    sub: Option<String>,
}

impl PatchPath {
    fn parse(path: &str) -> Result<PatchPath, ScimError> {
        let invalid = |why: &str| {
            ScimError::bad("invalidPath", format!("invalid PATCH path `{path}`: {why}"))
        };
        let path = strip_urn_path(path);
        if let Some(open) = path.find('[') {
            let close = path.rfind(']').ok_or_else(|| invalid("missing `]`"))?;
            let filter =
                Filter::parse(&path[open + 1..close]).map_err(|e| invalid(&e.to_string()))?;
            let sub = path[close + 1..].strip_prefix('.').map(str::to_string);
            return Ok(PatchPath {
                attribute: path[..open].to_string(),
                filter: Some(filter),
                sub,
            });
        }
        if path.is_empty() {
            return Err(invalid("empty"));
        }
        Ok(PatchPath {
            attribute: path.to_string(),
            filter: None,
            sub: None,
        })
    }

    fn set(&self, user: &mut Value, value: &Value, add: bool) -> Result<(), ScimError> {
        let Some(filter) = &self.filter else {
            set_attribute(user, &self.attribute, value, add);
            return Ok(());
        };
        let fields = user
            .as_object_mut()
            .ok_or_else(|| ScimError::bad("invalidPath", "not an object"))?;
        let key = key_of(fields, &self.attribute);
        let items = fields
            .get_mut(&key)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| {
                ScimError::bad("noTarget", format!("`{}` has no values", self.attribute))
            })?;
        let mut hit = false;
        for item in items
            .iter_mut()
            .filter(|item| filter.matches(item, &user_case_exact))
        {
            hit = true;
            match &self.sub {
                Some(sub) => {
                    if let Some(object) = item.as_object_mut() {
                        let sub_key = key_of(object, sub);
                        object.insert(sub_key, value.clone());
                    }
                }
                None => merge(item, value),
            }
        }
        if hit {
            Ok(())
        } else {
            Err(ScimError::bad("noTarget", "the filter matches no value"))
        }
    }

    fn remove(&self, user: &mut Value) -> Result<(), ScimError> {
        let fields = user
            .as_object_mut()
            .ok_or_else(|| ScimError::bad("invalidPath", "not an object"))?;
        match &self.filter {
            None => {
                match self.attribute.split_once('.') {
                    Some((parent, sub)) => {
                        let key = key_of(fields, parent);
                        if let Some(object) = fields.get_mut(&key).and_then(Value::as_object_mut) {
                            let sub_key = key_of(object, sub);
                            object.remove(&sub_key);
                        }
                    }
                    None => {
                        let key = key_of(fields, &self.attribute);
                        fields.remove(&key);
                    }
                }
                Ok(())
            }
            Some(filter) => {
                let key = key_of(fields, &self.attribute);
                if let Some(items) = fields.get_mut(&key).and_then(Value::as_array_mut) {
                    match &self.sub {
                        Some(sub) => items
                            .iter_mut()
                            .filter(|i| filter.matches(i, &user_case_exact))
                            .for_each(|i| {
                                if let Some(object) = i.as_object_mut() {
                                    let sub_key = key_of(object, sub);
                                    object.remove(&sub_key);
                                }
                            }),
                        None => items.retain(|i| !filter.matches(i, &user_case_exact)),
                    }
                    if items.is_empty() {
                        fields.remove(&key);
                    }
                }
                Ok(())
            }
        }
    }
}

fn strip_urn_path(path: &str) -> &str {
    // `urn:...:User:name.givenName`: the URN ends at the last ':' before any '['.
    let head = path.split('[').next().unwrap_or(path);
    match head.rfind(':') {
        Some(at) if path.to_ascii_lowercase().starts_with("urn:") => &path[at + 1..],
        _ => path,
    }
}

/// The `eq-as-substring` fault: every `eq` behaves like `co`.
fn substring_eq(filter: &Filter) -> Filter {
    match filter {
        Filter::Compare {
            path,
            op: crate::filter::Op::Eq,
            value,
        } => Filter::Compare {
            path: path.clone(),
            op: crate::filter::Op::Co,
            value: value.clone(),
        },
        Filter::And(a, b) => Filter::And(Box::new(substring_eq(a)), Box::new(substring_eq(b))),
        Filter::Or(a, b) => Filter::Or(Box::new(substring_eq(a)), Box::new(substring_eq(b))),
        Filter::Not(inner) => Filter::Not(Box::new(substring_eq(inner))),
        other => other.clone(),
    }
}
