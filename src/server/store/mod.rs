//! The reference server's in-memory resources and the rules of their life:
//! create, read, replace (PUT), change (PATCH, through [`super::patch`]),
//! delete (hard or soft), uniqueness, required and read-only attributes,
//! and how a resource is presented. HTTP-free, so the rules read on their
//! own; each fault is one call into [`Faults`] at its named point.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::fault::Faults;
use super::patch;
use super::resource::{KINDS, Kind};
use crate::profile::{DeleteMode, Profile};
use crate::scim::{ResourceType, ScimError, ScimType};

/// The resources of one kind, in creation order, with their indexes.
pub struct Collection {
    pub kind: &'static Kind,
    /// Creation sequence → resource; iteration order is list order.
    pub items: BTreeMap<u64, Value>,
    by_id: HashMap<String, u64>,
    /// (lower-cased unique attribute, sequence): uniqueness and `eq`/`sw`
    /// filters without a scan, so that 100,000 users answer as fast as none.
    index: BTreeSet<(String, u64)>,
}

impl Collection {
    fn new(kind: &'static Kind) -> Collection {
        Collection {
            kind,
            items: BTreeMap::new(),
            by_id: HashMap::new(),
            index: BTreeSet::new(),
        }
    }

    fn key(&self, resource: &Value) -> Option<String> {
        resource
            .get(self.kind.unique)
            .and_then(Value::as_str)
            .map(str::to_lowercase)
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(id).and_then(|seq| self.items.get(seq))
    }

    fn put(&mut self, seq: u64, resource: Value) {
        if let Some(old) = self.items.get(&seq).and_then(|r| self.key(r)) {
            self.index.remove(&(old, seq));
        }
        if let Some(key) = self.key(&resource) {
            self.index.insert((key, seq));
        }
        self.items.insert(seq, resource);
    }

    fn remove(&mut self, id: &str) -> Option<Value> {
        let seq = self.by_id.remove(id)?;
        let resource = self.items.remove(&seq)?;
        if let Some(key) = self.key(&resource) {
            self.index.remove(&(key, seq));
        }
        Some(resource)
    }

    /// Sequences whose unique attribute equals `value` ignoring case.
    pub fn named(&self, value: &str) -> impl Iterator<Item = u64> + '_ {
        let value = value.to_lowercase();
        self.index
            .range((value.clone(), 0)..=(value, u64::MAX))
            .map(|(_, seq)| *seq)
    }

    /// Sequences whose unique attribute starts with `prefix` ignoring case.
    pub fn prefixed(&self, prefix: &str) -> impl Iterator<Item = u64> + '_ {
        let prefix = prefix.to_lowercase();
        self.index
            .range((prefix.clone(), 0)..)
            .take_while(move |(key, _)| key.starts_with(&prefix))
            .map(|(_, seq)| *seq)
    }
}

/// Every resource the server holds.
pub struct Store {
    profile: Profile,
    pub faults: Faults,
    collections: Vec<Collection>,
    next: u64,
    /// The last timestamp handed out, so that every change advances time.
    clock_ms: i128,
}

/// Email addresses must look like addresses (`local@domain.tld`): a real
/// server may rightly reject anything else (RFC 7643 §4.1.2 says values
/// SHOULD be canonicalized), so the suite must never send one it does not
/// mean to test.
fn check_addresses(emails: &Value) -> Result<(), ScimError> {
    for address in emails
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("value")?.as_str())
    {
        let plausible = address.rsplit_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !address.contains(char::is_whitespace)
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        });
        if !plausible {
            return Err(ScimError::bad(
                ScimType::InvalidValue,
                format!("`{address}` is not an email address"),
            ));
        }
    }
    Ok(())
}

/// The 404 for an id the server does not hold.
fn missing(resource: ResourceType, id: &str) -> ScimError {
    ScimError::not_found(format!("no {} with id `{id}`", resource.name()))
}

/// The page size the server caps and declares when its profile names none.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

impl Store {
    pub fn new(profile: Profile, faults: Faults) -> Store {
        Store {
            profile,
            faults,
            collections: KINDS.iter().map(|k| Collection::new(k)).collect(),
            next: 1,
            clock_ms: 0,
        }
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn collection(&self, resource: ResourceType) -> &Collection {
        self.collections
            .iter()
            .find(|c| c.kind.resource == resource)
            .expect("a collection for every hosted kind")
    }

    fn collection_mut(&mut self, resource: ResourceType) -> &mut Collection {
        self.collections
            .iter_mut()
            .find(|c| c.kind.resource == resource)
            .expect("a collection for every hosted kind")
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

    pub fn get(&self, resource: ResourceType, id: &str) -> Result<&Value, ScimError> {
        self.collection(resource)
            .get(id)
            .ok_or_else(|| missing(resource, id))
    }

    /// Whether another resource already has this unique value.
    fn taken(&self, resource: ResourceType, value: &str, except: Option<&str>) -> bool {
        let collection = self.collection(resource);
        let unique = collection.kind.unique;
        let others: Vec<&Value> = collection
            .named(value)
            .map(|seq| &collection.items[&seq])
            .filter(|r| r["id"].as_str() != except)
            .collect();
        let exactly = others.iter().any(|r| r[unique].as_str() == Some(value));
        self.faults.taken(!others.is_empty(), exactly)
    }

    fn uniqueness(&self, resource: ResourceType, value: &str) -> ScimError {
        let unique = self.collection(resource).kind.unique;
        ScimError::new(
            409,
            Some(ScimType::Uniqueness),
            format!("{unique} `{value}` is already taken"),
        )
    }

    /// POST: a new resource from the client's writable attributes.
    pub fn create(&mut self, resource: ResourceType, body: &Value) -> Result<Value, ScimError> {
        let kind = self.collection(resource).kind;
        let mut created = self.writable(kind, body, None)?;
        self.require(&created)?;
        let unique = created[kind.unique]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if self.taken(resource, &unique, None) {
            return Err(self.uniqueness(resource, &unique));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let fields = created.as_object_mut().expect("an object");
        // Insightly: "active: editable, but set to true when creating a new User."
        if kind.kept("active").is_some()
            && (self.profile.create_sets_active || !fields.contains_key("active"))
        {
            fields.insert("active".into(), Value::Bool(true));
        }
        fields.insert("id".into(), Value::String(id.clone()));
        if self.faults.created_meta() {
            fields.insert(
                "meta".into(),
                json!({"resourceType": resource.name(), "created": now, "lastModified": now, "version": "W/\"1\""}),
            );
        }
        let seq = self.next;
        self.next += 1;
        let collection = self.collection_mut(resource);
        collection.by_id.insert(id, seq);
        collection.put(seq, created.clone());
        Ok(created)
    }

    /// PUT: every writable attribute is replaced, omitted ones are cleared,
    /// read-only ones keep their stored value whatever was sent (RFC 7644 §3.5.1).
    pub fn replace(
        &mut self,
        resource: ResourceType,
        id: &str,
        body: &Value,
    ) -> Result<Value, ScimError> {
        let old = self.get(resource, id)?.clone();
        let kind = self.collection(resource).kind;
        let replacement = self.writable(kind, body, Some(&old))?;
        let unique = replacement[kind.unique]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if unique.is_empty() {
            return Err(ScimError::bad(
                ScimType::InvalidValue,
                format!("{} is required", kind.unique),
            ));
        }
        if self.taken(resource, &unique, Some(id)) {
            return Err(self.uniqueness(resource, &unique));
        }
        let mut replaced = self.faults.put(&old, replacement);
        let fields = replaced.as_object_mut().expect("an object");
        for keep in ["id", "meta"] {
            if let Some(value) = old.get(keep) {
                fields.insert(keep.into(), value.clone());
            }
        }
        for name in self
            .profile
            .read_only
            .iter()
            .filter(|n| kind.kept(n).is_some())
        {
            match old.get(name.as_str()) {
                Some(value) => fields.insert(name.clone(), value.clone()),
                None => fields.remove(name.as_str()),
            };
        }
        if kind.kept("active").is_some() {
            fields
                .entry("active")
                .or_insert(old.get("active").cloned().unwrap_or(Value::Bool(true)));
        }
        self.store_change(resource, id, replaced)
    }

    /// PATCH: the operations applied in order, all or nothing (RFC 7644 §3.5.2).
    pub fn patch(
        &mut self,
        resource: ResourceType,
        id: &str,
        body: &Value,
    ) -> Result<Value, ScimError> {
        let old = self.get(resource, id)?.clone();
        let kind = self.collection(resource).kind;
        let writable = |dotted: &str| self.check_writable(kind, dotted);
        let policy = patch::Policy {
            ops: &self.profile.patch.ops,
            writable: &writable,
            canonical: &|name: &str| kind.kept(name),
        };
        let mut changed = old.clone();
        patch::apply(&mut changed, body, &policy)?;
        if !self.faults.patch_applies() || changed == old {
            return Ok(old);
        }
        self.store_change(resource, id, changed)
    }

    fn check_writable(&self, kind: &Kind, dotted: &str) -> Result<(), ScimError> {
        let top = dotted.split('.').next().unwrap_or(dotted);
        if kind.kept(top).is_none() {
            return Err(ScimError::bad(
                ScimType::InvalidPath,
                format!("unknown attribute `{dotted}`"),
            ));
        }
        if self.profile.is_read_only(dotted)
            || self.profile.is_read_only(top)
            || kind.is_read_only(top)
        {
            return Err(ScimError::bad(
                ScimType::Mutability,
                format!("`{dotted}` is read-only"),
            ));
        }
        Ok(())
    }

    /// Stores a changed resource: `meta.lastModified` advances, `meta.version` counts.
    fn store_change(
        &mut self,
        resource: ResourceType,
        id: &str,
        mut changed: Value,
    ) -> Result<Value, ScimError> {
        let now = self.now();
        if let Some(meta) = changed.get_mut("meta").filter(|m| m.is_object()) {
            let old = meta.clone();
            let version = old["version"]
                .as_str()
                .and_then(|v| {
                    v.trim_start_matches("W/\"")
                        .trim_end_matches('"')
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or(1);
            meta["lastModified"] = Value::String(now);
            meta["version"] = Value::String(format!("W/\"{}\"", version + 1));
            self.faults.changed_meta(&old, meta);
        }
        let rekey = self.faults.rekeys();
        let collection = self.collection_mut(resource);
        let seq = *collection
            .by_id
            .get(id)
            .ok_or_else(|| missing(resource, id))?;
        if rekey {
            collection.by_id.remove(id);
            let new_id = uuid::Uuid::new_v4().to_string();
            changed["id"] = Value::String(new_id.clone());
            collection.by_id.insert(new_id, seq);
        }
        collection.put(seq, changed.clone());
        Ok(changed)
    }

    /// DELETE: removes the resource, or deactivates it where the profile
    /// documents that DELETE deactivates.
    pub fn delete(&mut self, resource: ResourceType, id: &str) -> Result<(), ScimError> {
        match self.faults.delete_mode(self.profile.delete) {
            DeleteMode::Hard => self
                .collection_mut(resource)
                .remove(id)
                .map(|_| ())
                .ok_or_else(|| missing(resource, id)),
            DeleteMode::Soft => {
                let mut deactivated = self.get(resource, id)?.clone();
                if deactivated["active"] == Value::Bool(false) || !self.faults.deactivates() {
                    return Ok(());
                }
                deactivated["active"] = Value::Bool(false);
                self.store_change(resource, id, deactivated).map(|_| ())
            }
        }
    }

    /// The client-writable attributes of a request body, with read-only
    /// ones dropped (RFC 7643 §2.2: the server ignores them).
    fn writable(
        &self,
        kind: &Kind,
        body: &Value,
        existing: Option<&Value>,
    ) -> Result<Value, ScimError> {
        let Value::Object(fields) = body else {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                "the body must be a JSON object",
            ));
        };
        let schema = kind.resource.schema();
        if !crate::scim::urn::declares(body, schema) {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                format!("`schemas` must contain `{schema}`"),
            ));
        }
        let mut kept = Map::new();
        kept.insert("schemas".into(), json!([schema]));
        for (key, value) in fields {
            let Some(name) = kind.kept(crate::scim::urn::strip(key)) else {
                continue;
            };
            // Insightly's emails are read-only, yet a create must carry one.
            let creating = existing.is_none() && name == "emails";
            if (self.profile.is_read_only(name) && !creating)
                || kind.is_read_only(name)
                || value.is_null()
            {
                continue;
            }
            if name == "active" && !value.is_boolean() {
                return Err(ScimError::bad(
                    ScimType::InvalidValue,
                    "`active` must be a boolean",
                ));
            }
            if kind.is_multi_valued(name) && !value.is_array() {
                return Err(ScimError::bad(
                    ScimType::InvalidValue,
                    format!("`{name}` must be an array"),
                ));
            }
            if name == "emails" {
                check_addresses(value)?;
            }
            kept.insert(name.to_string(), value.clone());
        }
        if self.profile.is_read_only("emails") {
            // Insightly keeps a single address, of type work.
            if let Some(Value::Array(emails)) = kept.get("emails").cloned() {
                match emails.first().and_then(|e| e.get("value")).cloned() {
                    Some(address) => kept.insert(
                        "emails".into(),
                        json!([{"value": address, "type": "work", "primary": true}]),
                    ),
                    None => kept.remove("emails"),
                };
            }
        }
        Ok(Value::Object(kept))
    }

    fn require(&self, resource: &Value) -> Result<(), ScimError> {
        for path in &self.profile.required {
            let value = path.split('.').try_fold(resource, |v, part| v.get(part));
            let present = match value {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) => !s.is_empty(),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(_) => true,
            };
            if !present {
                return Err(ScimError::bad(
                    ScimType::InvalidValue,
                    format!("`{path}` is required"),
                ));
            }
        }
        Ok(())
    }

    /// The representation returned to clients: never-returned attributes
    /// dropped, `meta.location` set.
    pub fn present(&self, resource: ResourceType, stored: &Value, location: &str) -> Value {
        let mut out = stored.clone();
        let kind = self.collection(resource).kind;
        if let Some(fields) = out.as_object_mut() {
            for name in kind.never_returned() {
                fields.remove(name);
            }
            if let Some(meta) = fields.get_mut("meta").and_then(Value::as_object_mut) {
                meta.insert("location".into(), Value::String(location.to_string()));
            }
        }
        self.faults.present(&mut out);
        out
    }

    /// Adds users in bulk (benchmarks and tests of large targets).
    pub fn seed(&mut self, count: usize, prefix: &str) {
        for i in 0..count {
            let body = json!({
                "schemas": [crate::scim::urn::USER], "userName": format!("{prefix}{i}@example.org"), "displayName": format!("Seed {i}"),
                "name": {"givenName": "Seed", "familyName": format!("User{i}")}, "emails": [{"value": format!("{prefix}{i}@example.org"), "type": "work"}]
            });
            let _ = self.create(ResourceType::User, &body);
        }
    }
}

#[cfg(test)]
mod tests;
