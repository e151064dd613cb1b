//! What the store accepts from a client: a request body (POST, PUT) or a
//! PATCHed resource, checked against the resource type's schema under the
//! profile ([`Model`]) and reduced to what the server keeps.
//!
//! Attributes the server does not hold are dropped (RFC 7644 §3.3 lets a
//! server ignore what it does not support), read-only ones are ignored
//! (RFC 7644 §3.3, §3.5.1: "SHALL be ignored"); a value of the wrong type,
//! two primary values (RFC 7643 §2.4: "MUST appear no more than once"), a
//! malformed email address or a change of an immutable attribute that is
//! already set (RFC 7644 §3.5.1) is a 400.

use serde_json::{Map, Value, json};

use super::super::fault::Faults;
use super::super::resource::{Extension, Model};
use crate::scim::schema::{Attribute, Mutability, Type};
use crate::scim::{ScimError, ScimType, urn};

/// The attributes of `body` the server keeps, as it stores them.
/// `existing` is the stored resource a PUT or PATCH replaces.
pub fn accept(
    model: &Model,
    faults: &Faults,
    body: &Value,
    existing: Option<&Value>,
) -> Result<Value, ScimError> {
    let at = Scope {
        model,
        faults,
        strict: faults.rejects_unknown(model.strict()),
    };
    let Value::Object(fields) = body else {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            "the body must be a JSON object",
        ));
    };
    let schema = model.kind.resource.schema();
    // OneLogin names the core schema by its pre-RFC URN: the same schema.
    if !urn::declares(body, schema) && !urn::declares(body, urn::LEGACY_CORE) {
        return Err(ScimError::bad(
            ScimType::InvalidSyntax,
            format!("`schemas` must contain `{schema}`"),
        ));
    }
    let manager_name = format!("/{}/manager/displayName", urn::ENTERPRISE_USER);
    if !faults.ignores_manager_name() && body.pointer(&manager_name).is_some() {
        return Err(ScimError::bad(
            ScimType::Mutability,
            "manager.displayName is readOnly",
        ));
    }
    let creating = existing.is_none();
    if at.strict {
        unknown_schemas(model, body)?;
    }
    let mut kept = Map::new();
    // First in the answer, as in every RFC example; set below.
    kept.insert("schemas".into(), Value::Null);
    for (key, value) in fields {
        if key.eq_ignore_ascii_case("schemas") || value.is_null() {
            continue;
        }
        if let Some(extension) = model.extension(key) {
            let Value::Object(inner) = value else {
                return Err(invalid(format!("`{key}` must be an object")));
            };
            let held = at.object(Some(extension), inner, creating)?;
            if !held.is_empty() {
                kept.insert(extension.urn.to_string(), Value::Object(held));
            }
            continue;
        }
        let (written, name) = urn::split(key);
        let extension = written.and_then(|u| model.extension(u));
        if written.is_some_and(|u| !u.eq_ignore_ascii_case(schema)) && extension.is_none() {
            if at.strict {
                return Err(undefined(key));
            }
            continue;
        }
        let single = Map::from_iter([(name.to_string(), value.clone())]);
        let held = at.object(extension, &single, creating)?;
        match extension {
            Some(e) => {
                let inner = kept.entry(e.urn).or_insert_with(|| json!({}));
                inner.as_object_mut().expect("an object").extend(held);
            }
            None => kept.extend(held),
        }
    }
    if model.read_only(None, "emails") {
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
    if let Some(existing) = existing
        && faults.guards_immutable()
    {
        keep_immutable(model, &mut kept, existing)?;
    }
    let mut schemas = vec![json!(schema)];
    for extension in &model.extensions {
        if kept.contains_key(extension.urn) {
            schemas.push(json!(extension.urn));
        }
    }
    kept.insert("schemas".into(), Value::Array(schemas));
    Ok(Value::Object(kept))
}

/// The SCIM Interoperability Profile's §Attribute and Schema Handling:
/// what no schema of the resource type defines "MUST be rejected", 400
/// invalidSyntax.
fn undefined(name: &str) -> ScimError {
    ScimError::bad(
        ScimType::InvalidSyntax,
        format!("`{name}` is not defined by this resource type's schemas"),
    )
}

/// Every URN in `schemas` names the resource's schema or a hosted extension.
fn unknown_schemas(model: &Model, body: &Value) -> Result<(), ScimError> {
    let schema = model.kind.resource.schema();
    let listed = body["schemas"].as_array().into_iter().flatten();
    for urn in listed.filter_map(Value::as_str) {
        let known = urn.eq_ignore_ascii_case(schema)
            || urn.eq_ignore_ascii_case(urn::LEGACY_CORE)
            || model.extension(urn).is_some();
        if !known {
            return Err(undefined(urn));
        }
    }
    Ok(())
}

fn invalid(detail: String) -> ScimError {
    ScimError::bad(ScimType::InvalidValue, detail)
}

/// What a write is checked against: the model, and the faults that bend it.
struct Scope<'a> {
    model: &'a Model,
    faults: &'a Faults,
    /// What no schema defines is rejected, not dropped (the SCIM
    /// Interoperability Profile's §Attribute and Schema Handling).
    strict: bool,
}

impl Scope<'_> {
    /// Whether the server keeps an attribute a client writes: held, not
    /// read-only (unless `allowed`), not dropped by a fault.
    fn keeps(&self, extension: Option<&Extension>, dotted: &str, allowed: bool) -> bool {
        let read_only = self.model.read_only(extension, dotted) && self.faults.ignores_read_only();
        (!read_only || allowed) && self.faults.keeps(extension.map(|e| e.urn), dotted)
    }

    /// The held, writable attributes of one object (the resource's core
    /// attributes or an extension's), type-checked.
    fn object(
        &self,
        extension: Option<&Extension>,
        fields: &Map<String, Value>,
        creating: bool,
    ) -> Result<Map<String, Value>, ScimError> {
        let mut out = Map::new();
        for (key, value) in fields {
            let Some(attribute) = self.model.supported(extension, key) else {
                // id and meta are common attributes (RFC 7643 §3.1), defined
                // for every resource, read-only: ignored, not unknown.
                let common = extension.is_none()
                    && ["id", "meta"].iter().any(|c| c.eq_ignore_ascii_case(key));
                if !common && self.strict {
                    return Err(undefined(key));
                }
                continue;
            };
            // Insightly's emails are read-only, yet a create must carry one.
            let allowed = creating && extension.is_none() && attribute.name == "emails";
            if value.is_null() || !self.keeps(extension, attribute.name, allowed) {
                continue;
            }
            let value = self.typed(extension, attribute, value, allowed)?;
            if extension.is_none() && attribute.name == "emails" {
                check_addresses(&value)?;
            }
            out.insert(attribute.name.to_string(), value);
        }
        Ok(out)
    }

    /// A value checked against its attribute's type; a complex value keeps
    /// only the writable sub-attributes the server holds (read-only ones
    /// too when `allowed`).
    fn typed(
        &self,
        extension: Option<&Extension>,
        attribute: &Attribute,
        value: &Value,
        allowed: bool,
    ) -> Result<Value, ScimError> {
        if !attribute.multi_valued {
            return self.single(extension, attribute, value, allowed);
        }
        let Value::Array(items) = value else {
            return Err(invalid(format!("`{}` must be an array", attribute.name)));
        };
        let items = items
            .iter()
            .map(|item| self.single(extension, attribute, item, allowed))
            .collect::<Result<Vec<_>, _>>()?;
        let primaries = items.iter().filter(|i| i["primary"] == true).count();
        if primaries > 1 {
            return Err(invalid(format!(
                "`{}` has {primaries} primary values; RFC 7643 §2.4 allows one",
                attribute.name
            )));
        }
        Ok(Value::Array(items))
    }

    fn single(
        &self,
        extension: Option<&Extension>,
        attribute: &Attribute,
        value: &Value,
        allowed: bool,
    ) -> Result<Value, ScimError> {
        if attribute.kind != Type::Complex {
            return scalar(attribute, value, self.faults);
        }
        let Value::Object(fields) = value else {
            return Err(invalid(format!("`{}` must be an object", attribute.name)));
        };
        let mut out = Map::new();
        for (key, value) in fields {
            let Some(sub) = self
                .model
                .supported(extension, &format!("{}.{key}", attribute.name))
            else {
                if self.strict {
                    return Err(undefined(&format!("{}.{key}", attribute.name)));
                }
                continue;
            };
            let dotted = format!("{}.{}", attribute.name, sub.name);
            if value.is_null() || !self.keeps(extension, &dotted, allowed) {
                continue;
            }
            out.insert(sub.name.to_string(), scalar(sub, value, self.faults)?);
        }
        Ok(Value::Object(out))
    }
}

/// A simple value of the attribute's type (RFC 7643 §2.3). A boolean
/// written as the string `"True"` or `"false"` is taken as that boolean:
/// Entra ID's default job disables a user with `"value": "False"`.
fn scalar(attribute: &Attribute, value: &Value, faults: &Faults) -> Result<Value, ScimError> {
    if attribute.kind == Type::Boolean
        && faults.accepts_string_booleans()
        && let Some(text) = value.as_str()
    {
        for literal in [true, false] {
            if text.eq_ignore_ascii_case(&literal.to_string()) {
                return Ok(Value::Bool(literal));
            }
        }
    }
    let fits = match attribute.kind {
        Type::String | Type::Reference | Type::Binary => value.is_string(),
        Type::Boolean => value.is_boolean(),
        Type::Integer => value.is_i64() || value.is_u64(),
        Type::Decimal => value.is_number(),
        Type::DateTime => value
            .as_str()
            .is_some_and(|s| crate::scim::datetime::instant(s).is_some()),
        Type::Complex => value.is_object(),
    };
    if fits {
        Ok(value.clone())
    } else {
        Err(invalid(format!(
            "`{}` must be a {} (RFC 7643 §2.3), not {value}",
            attribute.name,
            attribute.kind.as_str()
        )))
    }
}

/// An immutable attribute (RFC 7643 §2.2) keeps the value it has: a
/// different one is 400 `mutability` (RFC 7644 §3.5.1), an omitted one
/// stays as it was.
fn keep_immutable(
    model: &Model,
    kept: &mut Map<String, Value>,
    existing: &Value,
) -> Result<(), ScimError> {
    let scopes = std::iter::once(None).chain(model.extensions.iter().map(|e| Some(*e)));
    for extension in scopes {
        for attribute in model
            .attributes(extension)
            .into_iter()
            .filter(|a| a.mutability == Mutability::Immutable)
        {
            let old = match extension {
                Some(e) => &existing[e.urn][attribute.name],
                None => &existing[attribute.name],
            };
            if old.is_null() {
                continue;
            }
            let target = match extension {
                Some(e) => kept
                    .entry(e.urn)
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("an object"),
                None => &mut *kept,
            };
            match target.get(attribute.name) {
                Some(new) if new != old => {
                    return Err(ScimError::bad(
                        ScimType::Mutability,
                        format!("`{}` is immutable", attribute.name),
                    ));
                }
                _ => {
                    target.insert(attribute.name.to_string(), old.clone());
                }
            }
        }
    }
    Ok(())
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
            return Err(invalid(format!("`{address}` is not an email address")));
        }
    }
    Ok(())
}

/// After a PATCH: where a multi-valued attribute now has several primary
/// values, the ones the PATCH made primary stay so and the others are set
/// to false (RFC 7644 §3.5.2: the server "SHALL ... automatically set
/// \"primary\" to \"false\" for any other values").
pub fn demote_primaries(before: &Value, after: &mut Value) {
    let Some(fields) = after.as_object_mut() else {
        return;
    };
    for (name, value) in fields.iter_mut() {
        let Some(items) = value.as_array_mut() else {
            continue;
        };
        let was_primary = |item: &Value| {
            before[name.as_str()]
                .as_array()
                .is_some_and(|old| old.iter().any(|o| o == item && o["primary"] == true))
        };
        let primaries: Vec<usize> = (0..items.len())
            .filter(|i| items[*i]["primary"] == true)
            .collect();
        if primaries.len() < 2 {
            continue;
        }
        let newly: Vec<usize> = primaries
            .iter()
            .copied()
            .filter(|i| !was_primary(&items[*i]))
            .collect();
        // The last value made primary wins.
        let keep = newly.last().or(primaries.last()).copied();
        for i in primaries {
            if Some(i) != keep {
                items[i]["primary"] = Value::Bool(false);
            }
        }
    }
}

/// Whether a required attribute (a dotted path) has a value.
pub fn present(resource: &Value, path: &str) -> bool {
    let value = path.split('.').try_fold(resource, |v, part| v.get(part));
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}
