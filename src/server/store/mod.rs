//! The reference server's in-memory resources and the rules of their life:
//! create, read, replace (PUT), change (PATCH, through [`super::patch`]),
//! delete (hard or soft), uniqueness, required and read-only attributes,
//! and how a resource is presented. HTTP-free, so the rules read on their
//! own; each fault is one call into [`Faults`] at its named point.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

mod accept;
mod members;

use super::fault::Faults;
use super::patch;
use super::resource::{KINDS, Kind, Model};
use crate::profile::{DeleteMode, Profile};
use crate::scim::projection::Projection;
use crate::scim::schema::Returned;
use crate::scim::{ResourceType, ScimError, ScimType};

/// The resources of one kind, in creation order, with their indexes.
pub struct Collection {
    pub kind: &'static Kind,
    /// What the server holds of the kind under its profile.
    pub model: Model,
    /// Creation sequence → resource; iteration order is list order.
    pub items: BTreeMap<u64, Value>,
    by_id: HashMap<String, u64>,
    /// (lower-cased unique attribute, sequence): uniqueness and `eq`/`sw`
    /// filters without a scan, so that 100,000 users answer as fast as none.
    index: BTreeSet<(String, u64)>,
}

impl Collection {
    fn new(kind: &'static Kind, profile: &Profile) -> Collection {
        Collection {
            kind,
            model: Model::new(kind, profile),
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
    /// (user, group) memberships a group change ended: kept only for the
    /// `user-groups-stale` fault, which still lists them on the user.
    departed: Vec<(String, String)>,
}

/// Whether a PatchOp message writes the password (with a path, or in a
/// path-less value).
fn changes_password(body: &Value) -> bool {
    body["Operations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|op| {
            op["path"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case("password"))
                || op["value"]
                    .as_object()
                    .is_some_and(|v| v.keys().any(|k| k.eq_ignore_ascii_case("password")))
        })
}

/// Whether a PATCH may write an attribute: one the server holds, not read-only.
fn check_writable(
    model: &Model,
    extension: Option<&super::resource::Extension>,
    dotted: &str,
) -> Result<(), ScimError> {
    let top = dotted.split('.').next().unwrap_or(dotted);
    if model.supported(extension, top).is_none() {
        return Err(ScimError::bad(
            ScimType::InvalidPath,
            format!("unknown attribute `{dotted}`"),
        ));
    }
    if model.read_only(extension, dotted) || model.read_only(extension, top) {
        return Err(ScimError::bad(
            ScimType::Mutability,
            format!("`{dotted}` is read-only"),
        ));
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
            collections: KINDS.iter().map(|k| Collection::new(k, &profile)).collect(),
            profile,
            faults,
            next: 1,
            clock_ms: 0,
            departed: Vec::new(),
        }
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Whether the server hosts this resource type under its profile.
    pub fn hosts(&self, resource: ResourceType) -> bool {
        self.collection(resource).model.hosted()
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
        let stamp = at
            .format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .expect("formattable");
        self.faults.timestamp(stamp)
    }

    pub fn get(&self, resource: ResourceType, id: &str) -> Result<&Value, ScimError> {
        self.collection(resource)
            .get(id)
            .ok_or_else(|| missing(resource, id))
    }

    /// Whether another resource already has this unique value.
    fn taken(&self, resource: ResourceType, value: &str, except: Option<&str>) -> bool {
        let collection = self.collection(resource);
        if !collection.kind.enforces_unique {
            return false;
        }
        let unique = collection.kind.unique;
        let others: Vec<&Value> = collection
            .named(value)
            .map(|seq| &collection.items[&seq])
            .filter(|r| r["id"].as_str() != except)
            .collect();
        if resource == ResourceType::Group {
            return !others.is_empty() && self.faults.unique_group_names();
        }
        let exactly = others.iter().any(|r| r[unique].as_str() == Some(value));
        let retired = self.faults.retired(value);
        retired || self.faults.taken(!others.is_empty(), exactly)
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
        let model = self.collection(resource).model.clone();
        let kind = model.kind;
        let mut created = accept::accept(&model, &self.faults, body, None)?;
        self.require(&model, &created, ScimType::InvalidValue)?;
        if resource == ResourceType::Group {
            self.check_members(&mut created)?;
        }
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
        if model.supported(None, "active").is_some()
            && (self.profile.create_sets_active || !fields.contains_key("active"))
        {
            fields.insert("active".into(), Value::Bool(true));
        }
        fields.insert("id".into(), Value::String(id.clone()));
        if self.faults.created_meta() {
            let (created, modified) = self.faults.creation_times(&now);
            fields.insert(
                "meta".into(),
                json!({"resourceType": resource.name(), "created": created, "lastModified": modified, "version": "W/\"1\""}),
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
        let model = self.collection(resource).model.clone();
        let replacement = accept::accept(&model, &self.faults, body, Some(&old))?;
        let replaced = self.faults.put(&old, replacement);
        self.revise(
            resource,
            id,
            &model,
            &old,
            replaced,
            Some(ScimType::InvalidValue),
        )
    }

    /// PATCH: the operations applied in order, all or nothing (RFC 7644
    /// §3.5.2), then held to the same rules as a PUT of the result.
    pub fn patch(
        &mut self,
        resource: ResourceType,
        id: &str,
        body: &Value,
    ) -> Result<Value, ScimError> {
        let old = self.get(resource, id)?.clone();
        if resource == ResourceType::User && self.faults.user_groups_writable() {
            self.join_from_user(id, body);
        }
        if resource == ResourceType::User && !self.faults.renames_users() {
            let renames = body["Operations"].as_array().is_some_and(|ops| {
                ops.iter().any(|op| {
                    op["path"]
                        .as_str()
                        .is_some_and(|p| p.eq_ignore_ascii_case("userName"))
                })
            });
            if renames {
                return Err(ScimError::bad(
                    ScimType::Mutability,
                    "userName cannot be changed",
                ));
            }
        }
        let body = &self.faults.active_patch(body);
        self.patch_from(resource, id, body, old)
    }

    /// PATCH applied to `old`, a state of the resource read earlier (the
    /// current one, but for the `lost-update` fault).
    pub fn patch_from(
        &mut self,
        resource: ResourceType,
        id: &str,
        body: &Value,
        old: Value,
    ) -> Result<Value, ScimError> {
        self.get(resource, id)?;
        let model = self.collection(resource).model.clone();
        let writable = |extension: Option<&str>, dotted: &str| {
            let extension = extension.and_then(|u| model.extension(u));
            check_writable(&model, extension, dotted)
        };
        let canonical = |extension: Option<&str>, name: &str| {
            let extension = extension.and_then(|u| model.extension(u));
            model.supported(extension, name).map(|a| a.name)
        };
        let urn_paths = self.faults.urn_paths();
        let hosted = |urn: &str| model.extension(urn).filter(|_| urn_paths).map(|e| e.urn);
        let policy = patch::Policy {
            ops: &self.profile.patch.ops,
            writable: &writable,
            canonical: &canonical,
            extension: &hosted,
            faults: &self.faults,
            strict: model.strict(),
        };
        if !self.faults.accepts_password_change() && changes_password(body) {
            return Err(ScimError::bad(
                ScimType::Mutability,
                "the password cannot be changed here",
            ));
        }
        let mut changed = old.clone();
        patch::apply(&mut changed, body, &policy)?;
        if !self.faults.patch_applies() || changed == old {
            return Ok(old);
        }
        if self.faults.demotes_primaries() {
            accept::demote_primaries(&old, &mut changed);
        }
        let accepted = accept::accept(&model, &self.faults, &changed, Some(&old))?;
        // RFC 7644 §3.5.2.2: removing a required attribute is a `mutability` error.
        let missing = if self.faults.patch_keeps_required() {
            Some(ScimType::Mutability)
        } else {
            None
        };
        self.revise(resource, id, &model, &old, accepted, missing)
    }

    /// Stores what a PUT or PATCH made of a resource: the unique attribute
    /// checked, `id`, `meta` and read-only attributes as they were.
    fn revise(
        &mut self,
        resource: ResourceType,
        id: &str,
        model: &Model,
        old: &Value,
        mut revised: Value,
        missing: Option<ScimType>,
    ) -> Result<Value, ScimError> {
        let fields = revised.as_object_mut().expect("an object");
        for keep in ["id", "meta"] {
            if let Some(value) = old.get(keep) {
                fields.insert(keep.into(), value.clone());
            }
        }
        for name in self
            .profile
            .read_only
            .iter()
            .filter_map(|n| model.supported(None, n))
            .map(|a| a.name)
        {
            match old.get(name) {
                Some(value) => fields.insert(name.to_string(), value.clone()),
                None => fields.remove(name),
            };
        }
        if model.supported(None, "active").is_some() {
            fields
                .entry("active")
                .or_insert(old.get("active").cloned().unwrap_or(Value::Bool(true)));
        }
        if let Some(scim_type) = missing {
            self.require(model, &revised, scim_type)?;
        }
        if resource == ResourceType::Group {
            self.check_members(&mut revised)?;
        }
        let unique = model.kind.unique;
        let value = revised[unique].as_str().unwrap_or_default().to_string();
        if self.taken(resource, &value, Some(id)) {
            return Err(self.uniqueness(resource, &value));
        }
        self.store_change(resource, id, revised)
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
        if resource == ResourceType::Group && self.faults.keeps_departed_groups() {
            self.note_departures(id, &changed);
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

    /// DELETE: removes the resource, or deactivates a user where the
    /// profile documents that DELETE deactivates (a Group has no `active`:
    /// it is always removed).
    pub fn delete(&mut self, resource: ResourceType, id: &str) -> Result<(), ScimError> {
        let mode = match resource {
            ResourceType::User => self.faults.delete_mode(self.profile.delete),
            _ => DeleteMode::Hard,
        };
        match mode {
            DeleteMode::Hard => {
                let removed = self.collection_mut(resource).remove(id);
                let removed = match removed {
                    Some(removed) => removed,
                    None if resource == ResourceType::Group
                        && !self.faults.redelete_not_found() =>
                    {
                        return Ok(());
                    }
                    None => return Err(missing(resource, id)),
                };
                if resource == ResourceType::User {
                    self.leave_groups(id);
                    self.faults
                        .retire(removed["userName"].as_str().unwrap_or_default());
                }
                Ok(())
            }
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

    /// Every required attribute (the profile's and the schema's) has a
    /// value; else 400 with `scim_type`.
    fn require(
        &self,
        model: &Model,
        resource: &Value,
        scim_type: ScimType,
    ) -> Result<(), ScimError> {
        match model
            .required()
            .into_iter()
            .find(|path| !accept::present(resource, path))
        {
            Some(path) if self.faults.requires() => {
                Err(ScimError::bad(scim_type, format!("`{path}` is required")))
            }
            _ => Ok(()),
        }
    }

    /// The representation returned to clients: never-returned attributes
    /// dropped, those returned on request only when asked for, `meta.location`
    /// set, then projected as the request asked (RFC 7644 §3.9).
    pub fn present(
        &self,
        resource: ResourceType,
        stored: &Value,
        location: &str,
        projection: &Projection,
    ) -> Value {
        let mut out = stored.clone();
        let model = &self.collection(resource).model;
        if let Some(fields) = out.as_object_mut() {
            let scopes = std::iter::once(None).chain(model.extensions.iter().map(|e| Some(*e)));
            for extension in scopes {
                let object = match extension {
                    Some(e) => fields.get_mut(e.urn).and_then(Value::as_object_mut),
                    None => Some(&mut *fields),
                };
                let Some(object) = object else { continue };
                let urn = extension.map(|e| e.urn);
                for attribute in model.attributes(extension) {
                    let hidden = match attribute.returned {
                        Returned::Never => self.faults.hides_never_returned(),
                        Returned::Request => {
                            !projection.asks_for(urn, attribute.name)
                                && self.faults.hides_requested()
                        }
                        _ => false,
                    };
                    if hidden {
                        object.remove(attribute.name);
                    }
                }
            }
            if let Some(meta) = fields.get_mut("meta").and_then(Value::as_object_mut) {
                meta.insert("location".into(), Value::String(location.to_string()));
            }
            // RFC 7643 §4.1.2: `groups` is read from the groups themselves.
            if resource == ResourceType::User && model.supported(None, "groups").is_some() {
                let id = fields.get("id").and_then(Value::as_str).unwrap_or_default();
                let groups = self.groups_of(id);
                if !groups.is_empty() {
                    fields.insert("groups".into(), Value::Array(groups));
                }
            }
        }
        self.faults.present(&mut out);
        let always = |key: &str| {
            model
                .supported(None, key)
                .is_some_and(|a| a.returned == Returned::Always)
        };
        let mut out = projection.apply(out, &always);
        self.faults.projected(projection, &mut out);
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
