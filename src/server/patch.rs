//! The PATCH engine (RFC 7644 §3.5.2): applies a PatchOp message's
//! operations to a resource, in order. Ops compare ignoring case (clients
//! send `Replace`); a path-less `add`/`replace` merges its value object; a
//! path (`attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, parsed by
//! [`PatchPath`]) targets one attribute, sub-attribute or set of values.
//! An attribute of a schema extension is written behind the extension's
//! URN (`urn:…:enterprise:2.0:User:employeeNumber`, RFC 7644 §3.5.2) and
//! lives in the resource's object of that URN; the URN alone is the whole
//! extension. What may be written and which ops are supported is the
//! caller's policy.

use serde_json::{Map, Value, json};

use super::fault::Faults;
use crate::scim::filter::user_collation;
use crate::scim::filter::{Filter, Op};
use crate::scim::path::PatchPath;
use crate::scim::{ScimError, ScimType, urn};

/// What the server allows: the supported ops, which attributes are
/// writable, the canonical spelling of an attribute name, the extensions
/// it hosts. An attribute is named by the extension URN it lives under
/// (`None`: the core schema) and its dotted path.
pub struct Policy<'a> {
    /// `add`, `remove`, `replace`: what the profile supports.
    pub ops: &'a [String],
    /// `Ok` when an attribute may be written; the error to answer otherwise.
    pub writable: &'a Writable<'a>,
    /// The stored spelling of an attribute the server keeps.
    pub canonical: &'a dyn Fn(Option<&str>, &str) -> Option<&'static str>,
    /// The canonical URN of a hosted extension, for a URN in any letter case.
    pub extension: &'a dyn Fn(&str) -> Option<&'static str>,
    /// The faults that bend the engine.
    pub faults: &'a Faults,
    /// Held to the SCIM Interoperability Profile: every operation has a
    /// path, and a `replace` of a complex attribute replaces all of it.
    pub strict: bool,
}

/// Whether an attribute (its extension's URN, its dotted path) may be written.
pub type Writable<'a> = dyn Fn(Option<&str>, &str) -> Result<(), ScimError> + 'a;

/// Where an operation writes: the resource itself, or one extension's object.
type Scope = Option<&'static str>;

/// The object an operation in `scope` writes to (created when missing).
fn container(resource: &mut Value, scope: Scope) -> &mut Value {
    match scope {
        None => resource,
        Some(urn) => resource
            .as_object_mut()
            .map(|o| o.entry(urn).or_insert_with(|| json!({})))
            .expect("a resource is an object"),
    }
}

/// Applies a PatchOp message to `resource`; on an error, the caller keeps
/// the resource as it was.
pub fn apply(resource: &mut Value, body: &Value, policy: &Policy) -> Result<(), ScimError> {
    if !urn::declares(body, urn::PATCH_OP) {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("a PATCH body must carry the schema `{}`", urn::PATCH_OP),
        ));
    }
    let operations = body
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| {
            ScimError::bad(
                ScimType::InvalidSyntax,
                "`Operations` must be a non-empty array",
            )
        })?;
    let ordered: Vec<&Value> = match policy.faults.patches_in_order() {
        true => operations.iter().collect(),
        false => operations.iter().rev().collect(),
    };
    for operation in ordered {
        operate(resource, operation, policy)?;
    }
    // An extension left without attributes is gone.
    if let Some(fields) = resource.as_object_mut() {
        fields.retain(|key, value| {
            (policy.extension)(key).is_none() || value.as_object().is_some_and(|o| !o.is_empty())
        });
    }
    Ok(())
}

/// The scope and attribute a path-less value's key names:
/// `title`, `urn:…:User:employeeNumber`.
fn scoped<'k>(key: &'k str, policy: &Policy) -> Result<(Scope, &'k str), ScimError> {
    match urn::split(key) {
        (None, name) => Ok((None, name)),
        (Some(written), name) if written.eq_ignore_ascii_case(urn::USER) => Ok((None, name)),
        (Some(written), name) => match (policy.extension)(written) {
            Some(urn) => Ok((Some(urn), name)),
            None => Err(ScimError::bad(
                ScimType::InvalidPath,
                format!("`{written}` is not a schema this server supports"),
            )),
        },
    }
}

fn operate(resource: &mut Value, operation: &Value, policy: &Policy) -> Result<(), ScimError> {
    // Entra ID sends `Replace`, `Add`, `Remove`; the RFC's grammar names
    // the ops, and nothing in it makes their case significant.
    let written = operation["op"].as_str().unwrap_or_default();
    let op = if policy.faults.ops_ignore_case() {
        written.to_ascii_lowercase()
    } else {
        written.to_string()
    };
    if !matches!(op.as_str(), "add" | "remove" | "replace") {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("unknown PATCH op {}", operation["op"]),
        ));
    }
    if !policy.ops.contains(&op) {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("PATCH op `{op}` is not supported"),
        ));
    }
    let add = op == "add";
    let value = operation.get("value");
    policy.faults.null_members(value)?;
    policy.faults.empty_string_patch(value)?;
    let Some(path) = operation.get("path").and_then(Value::as_str) else {
        if policy.faults.requires_patch_path(policy.strict) {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                "every PATCH operation needs a `path` (SCIM Interoperability Profile, §Mandatory Use of the 'path' Attribute)",
            ));
        }
        let Some(Value::Object(fields)) = value else {
            let scim_type = if op == "remove" {
                ScimType::NoTarget
            } else {
                ScimType::InvalidValue
            };
            return Err(ScimError::bad(
                scim_type,
                "a PATCH without a path needs an object value",
            ));
        };
        for (name, value) in fields {
            // `{"urn:…:enterprise:2.0:User": {...}}`: the extension's attributes.
            if let Some(urn) = (policy.extension)(name) {
                write_extension(resource, urn, value, add, policy)?;
                continue;
            }
            let (scope, name) = scoped(name, policy)?;
            if name.contains('.') && !policy.faults.writes_dotted_keys() {
                continue;
            }
            if let Err(refused) = (policy.writable)(scope, name) {
                // Okta renames a group with its read-only `id` in the value:
                // the value it already has is no modification (RFC 7644 §3.5.2).
                let current = container(resource, scope)
                    .as_object()
                    .and_then(|fields| fields.get(&key_of(fields, scope, name, policy)).cloned());
                if current.as_ref() == Some(value) && policy.faults.tolerates_unchanged_read_only()
                {
                    continue;
                }
                return Err(refused);
            }
            set(
                container(resource, scope),
                scope,
                &split(name),
                value,
                add,
                policy,
            );
        }
        return Ok(());
    };
    if let Some(urn) = (policy.extension)(path) {
        return match value {
            _ if op == "remove" => {
                if let Some(fields) = resource.as_object_mut() {
                    fields.remove(urn);
                }
                Ok(())
            }
            Some(value) => write_extension(resource, urn, value, add, policy),
            None => Err(ScimError::bad(
                ScimType::InvalidValue,
                "the op needs a value",
            )),
        };
    }
    let target =
        PatchPath::parse(path).map_err(|e| ScimError::bad(ScimType::InvalidPath, e.message))?;
    let scope = match &target.urn {
        Some(written) => scoped(&format!("{written}:x"), policy)?.0,
        None => None,
    };
    policy.faults.patch_path_name(
        &target.attribute,
        (policy.canonical)(scope, &target.attribute),
    )?;
    if let Some(sub) = &target.sub {
        let canonical = (policy.canonical)(scope, &format!("{}.{sub}", target.attribute));
        policy.faults.patch_path_name(sub, canonical)?;
    }
    (policy.writable)(scope, &target.dotted())?;
    let resource = container(resource, scope);
    match (op.as_str(), &target.filter) {
        ("remove", None) => {
            match value {
                // Entra ID's default job removes members as `{"op": "Remove",
                // "path": "members", "value": [{"value": id}]}`: the listed
                // values, not the whole attribute.
                Some(Value::Array(listed)) if target.sub.is_none() => {
                    remove_listed(resource, scope, &target, listed, policy)
                }
                _ => remove(resource, scope, &target, policy),
            }
            Ok(())
        }
        ("remove", Some(filter)) => {
            remove_values(resource, scope, &target, filter, policy);
            Ok(())
        }
        (_, filter) => {
            let value = value
                .ok_or_else(|| ScimError::bad(ScimType::InvalidValue, "the op needs a value"))?;
            // Entra ID's validator sends the enterprise manager as the bare
            // id of the manager, and removes it with an empty string; its
            // provisioning documents it as a list of one `{$ref, value}`.
            let manager = scope.is_some()
                && filter.is_none()
                && target.sub.is_none()
                && target.attribute.eq_ignore_ascii_case("manager");
            let bare_manager = manager && policy.faults.reads_bare_manager();
            let wrapped;
            let value = match value {
                Value::String(id) if bare_manager && id.is_empty() => {
                    remove(resource, scope, &target, policy);
                    return Ok(());
                }
                Value::String(id) if bare_manager => {
                    wrapped = json!({"value": id});
                    &wrapped
                }
                Value::Array(listed)
                    if manager
                        && listed.len() == 1
                        && listed[0].is_object()
                        && policy.faults.reads_manager_list() =>
                {
                    &listed[0]
                }
                other => other,
            };
            match filter {
                None => {
                    set(
                        resource,
                        scope,
                        &(target.attribute.as_str(), target.sub.as_deref()),
                        value,
                        add,
                        policy,
                    );
                    Ok(())
                }
                Some(filter) => set_values(resource, scope, &target, filter, value, add, policy),
            }
        }
    }
}

/// `add`/`replace` of a whole extension object: each of its attributes.
fn write_extension(
    resource: &mut Value,
    urn: &'static str,
    value: &Value,
    add: bool,
    policy: &Policy,
) -> Result<(), ScimError> {
    let Value::Object(fields) = value else {
        return Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("`{urn}` takes an object of its attributes"),
        ));
    };
    for (name, value) in fields {
        (policy.writable)(Some(urn), name)?;
        set(
            container(resource, Some(urn)),
            Some(urn),
            &split(name),
            value,
            add,
            policy,
        );
    }
    Ok(())
}

/// `name.sub` → (`name`, `sub`).
fn split(dotted: &str) -> (&str, Option<&str>) {
    match dotted.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (dotted, None),
    }
}

/// The stored key for an attribute name, ignoring case; a new attribute
/// gets the server's canonical spelling.
fn key_of(object: &Map<String, Value>, scope: Scope, name: &str, policy: &Policy) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .or_else(|| (policy.canonical)(scope, name).map(str::to_string))
        .unwrap_or_else(|| name.to_string())
}

/// Sets an attribute or sub-attribute: complex values merge (unspecified
/// sub-attributes stay), a multi-valued `add` appends.
fn set(
    resource: &mut Value,
    scope: Scope,
    (name, sub): &(&str, Option<&str>),
    value: &Value,
    add: bool,
    policy: &Policy,
) {
    let Some(fields) = resource.as_object_mut() else {
        return;
    };
    let key = key_of(fields, scope, name, policy);
    if let Some(sub) = sub {
        let entry = fields.entry(key).or_insert_with(|| json!({}));
        if let Some(object) = entry.as_object_mut() {
            let sub_key = key_of(object, scope, sub, policy);
            object.insert(sub_key, value.clone());
        }
        return;
    }
    let whole = !add && policy.faults.replaces_complex_whole(policy.strict);
    match (fields.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(incoming)) if !whole => {
            for (k, v) in incoming {
                let sub_key = key_of(existing, scope, k, policy);
                existing.insert(sub_key, v.clone());
            }
        }
        (Some(Value::Array(existing)), Value::Array(incoming))
            if add && policy.faults.add_appends() =>
        {
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

/// `attr[filter]` or `attr[filter].sub`: changes the matching values only.
/// An `add` that matches nothing creates the value the filter describes
/// (`emails[type eq "work"].value` adds a work email), as Entra ID expects.
fn set_values(
    resource: &mut Value,
    scope: Scope,
    target: &PatchPath,
    filter: &Filter,
    value: &Value,
    add: bool,
    policy: &Policy,
) -> Result<(), ScimError> {
    let fields = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::bad(ScimType::InvalidPath, "not an object"))?;
    let key = key_of(fields, scope, &target.attribute, policy);
    let matched = fields
        .get(&key)
        .and_then(Value::as_array)
        .is_some_and(|items| items.iter().any(|i| filter.matches(i, &user_collation)));
    if !matched
        && add
        && policy.faults.value_path_add_creates()
        && let Some(mut item) = described(filter)
    {
        match &target.sub {
            Some(sub) => {
                item.insert(sub.clone(), value.clone());
            }
            None => {
                if let Value::Object(fields) = value {
                    item.extend(fields.clone());
                }
            }
        }
        let entry = fields.entry(key).or_insert_with(|| json!([]));
        if let Value::Array(items) = entry {
            items.push(Value::Object(item));
        }
        return Ok(());
    }
    let items = fields
        .get_mut(&key)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            ScimError::bad(
                ScimType::NoTarget,
                format!("`{}` has no values", target.attribute),
            )
        })?;
    let mut hit = false;
    let every = !policy.faults.filters_values();
    for item in items
        .iter_mut()
        .filter(|item| every || filter.matches(item, &user_collation))
    {
        hit = true;
        match &target.sub {
            Some(sub) => {
                if let Some(object) = item.as_object_mut() {
                    let sub_key = key_of(object, scope, sub, policy);
                    object.insert(sub_key, value.clone());
                }
            }
            None => merge(item, value),
        }
    }
    if hit {
        Ok(())
    } else {
        Err(ScimError::bad(
            ScimType::NoTarget,
            "the filter matches no value",
        ))
    }
}

/// The value a filter of `eq` comparisons joined by `and` describes:
/// `type eq "work"` → `{"type": "work"}`; any other filter describes none.
fn described(filter: &Filter) -> Option<Map<String, Value>> {
    let terms = match filter {
        Filter::And(terms) => terms.as_slice(),
        single => std::slice::from_ref(single),
    };
    terms
        .iter()
        .map(|term| match term {
            Filter::Compare {
                path,
                op: Op::Eq,
                value,
            } if path.sub.is_none() => Some((path.name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

/// `remove` with a path and a list of values: removes the values listed
/// (compared by their `value` sub-attribute when they have one).
fn remove_listed(
    resource: &mut Value,
    scope: Scope,
    target: &PatchPath,
    listed: &[Value],
    policy: &Policy,
) {
    let Some(fields) = resource.as_object_mut() else {
        return;
    };
    let key = key_of(fields, scope, &target.attribute, policy);
    if key == "members" && !policy.faults.removes_members() {
        return;
    }
    let Some(items) = fields.get_mut(&key).and_then(Value::as_array_mut) else {
        return;
    };
    let id = |v: &Value| v.get("value").cloned().unwrap_or_else(|| v.clone());
    items.retain(|item| !listed.iter().any(|l| id(l) == id(item)));
    if items.is_empty() {
        fields.remove(&key);
    }
}

/// `remove` of an attribute or a sub-attribute.
fn remove(resource: &mut Value, scope: Scope, target: &PatchPath, policy: &Policy) {
    let Some(fields) = resource.as_object_mut() else {
        return;
    };
    let key = key_of(fields, scope, &target.attribute, policy);
    match &target.sub {
        Some(sub) => {
            if let Some(object) = fields.get_mut(&key).and_then(Value::as_object_mut) {
                let sub_key = key_of(object, scope, sub, policy);
                object.remove(&sub_key);
            }
        }
        None => {
            let complex = fields.get(&key).is_some_and(Value::is_object);
            if !complex || policy.faults.removes_complex() {
                fields.remove(&key);
            }
        }
    }
}

/// `remove` of the values a filter matches (or of a sub-attribute of them);
/// an attribute left with no values is removed.
fn remove_values(
    resource: &mut Value,
    scope: Scope,
    target: &PatchPath,
    filter: &Filter,
    policy: &Policy,
) {
    let Some(fields) = resource.as_object_mut() else {
        return;
    };
    let key = key_of(fields, scope, &target.attribute, policy);
    let Some(items) = fields.get_mut(&key).and_then(Value::as_array_mut) else {
        return;
    };
    match &target.sub {
        Some(sub) => {
            for item in items
                .iter_mut()
                .filter(|i| filter.matches(i, &user_collation))
            {
                if let Some(object) = item.as_object_mut() {
                    let sub_key = key_of(object, scope, sub, policy);
                    object.remove(&sub_key);
                }
            }
        }
        None if key == "members" && !policy.faults.removes_members() => {}
        None => items.retain(|i| !filter.matches(i, &user_collation)),
    }
    if items.is_empty() {
        fields.remove(&key);
    }
}

/// Deep-merges `patch` into `target` (objects by key, everything else replaced).
pub fn merge(target: &mut Value, patch: &Value) {
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

#[cfg(test)]
mod tests;
