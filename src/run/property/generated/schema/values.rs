//! Valid values for declared attributes: what a schema-driven check
//! writes. The RFC's own attributes get values that mean what the RFC
//! says (addresses, RFC 3966 phone numbers, IANA time zones, real
//! certificates); any other attribute a value of its declared type (a
//! canonical value where it declares some). An attribute no valid value
//! can be made for without another resource (a reference to a User or
//! Group) gets none, and is not written: generated data is valid for every
//! attribute but the one a check varies.

use serde_json::{Map, Value, json};

use super::declared::Declared;

/// Two self-signed certificates (DER, base64): a server may parse them.
const CERTIFICATES: [&str; 2] = [
    "MIIBrjCCAVWgAwIBAgIUcitw7J7aj14QtZs4a6gfRwpyQb4wCgYIKoZIzj0EAwIwLTEZMBcGA1UEAwwQQmFyYmFyYSBKZW5zZW4gMTEQMA4GA1UECgwHRXhhbXBsZTAeFw0yNjExMjgxOTQ5MTJaFw0zNjExMjUxOTQ5MTJaMC0xGTAXBgNVBAMMEEJhcmJhcmEgSmVuc2VuIDExEDAOBgNVBAoMB0V4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATd8beGL6cfDhqxLZN23kVdnBA2fJwclMQKtiQpQf3gAApXJyGUaTzkMmH5WQb+1pH+xJo0NDp/xIFdS5MHBRt2o1MwUTAdBgNVHQ4EFgQU88HbpyEykBk0glUEw9/Tg31RFGMwHwYDVR0jBBgwFoAU88HbpyEykBk0glUEw9/Tg31RFGMwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBVDLwCTCsdVI/T4aziM9aHveCEGwThn+3DY7jUItnAaQIgRta+ogfWpCEOzClTzxeZh1qVUCqWfXZMOCXxv2EWQg4=",
    "MIIBrzCCAVWgAwIBAgIUCTcY8YZB0fz2zKmPeD0xHWtZeBswCgYIKoZIzj0EAwIwLTEZMBcGA1UEAwwQQmFyYmFyYSBKZW5zZW4gMjEQMA4GA1UECgwHRXhhbXBsZTAeFw0yNjExMjgxOTQ5MTJaFw0zNjExMjUxOTQ5MTJaMC0xGTAXBgNVBAMMEEJhcmJhcmEgSmVuc2VuIDIxEDAOBgNVBAoMB0V4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR54QLhO1pwXh85lTkIdGL28LGttyGuYNg5+7Q5LtwhZ2W8HCyhbYkSP19jDqTnclDVV7drtoFrXVEAnLUG2AKpo1MwUTAdBgNVHQ4EFgQUT+PQNV7OcHPANDovJy2ft14urzcwHwYDVR0jBBgwFoAUT+PQNV7OcHPANDovJy2ft14urzcwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA0IAIj3Ok+BE+xfcutzCMetjgLcuUOWITNdwwjMewti0CIDkY65pWHV/Lhl1/U7E/EKSucub8XUytjBE06hr3+ZVC",
];

/// Variant `n` (0 or 1) of a value for `attribute`; `stem` makes it the run's.
pub fn value(attribute: &Declared, n: usize, stem: &str) -> Option<Value> {
    if let Some(known) = known(attribute, n, stem) {
        return Some(fit(attribute, known));
    }
    if attribute.multi_valued {
        let mut one = single(attribute, n, stem)?;
        if let Some(fields) = one.as_object_mut()
            && attribute.subs.iter().any(|s| s.name == "primary")
        {
            fields.insert("primary".into(), json!(true));
        }
        return Some(json!([one]));
    }
    single(attribute, n, stem)
}

/// A value a client should not be able to set on a read-only attribute:
/// its read-only sub-attributes written too, references to other
/// resources left out.
pub fn read_only_value(attribute: &Declared, stem: &str) -> Option<Value> {
    let mut writable = attribute.clone();
    writable.subs = attribute
        .subs
        .iter()
        .filter(|s| s.kind != "reference" || external(s))
        .map(|s| Declared {
            mutability: "readWrite".into(),
            ..s.clone()
        })
        .collect();
    value(&writable, 1, stem)
}

/// The RFC 7643 §4.1 and §4.3 attributes whose values carry meaning.
fn known(attribute: &Declared, n: usize, stem: &str) -> Option<Value> {
    if attribute.extension.is_some() {
        return None;
    }
    let of = |choices: [&'static str; 2]| choices[n % 2];
    let pick = |choices: [&'static str; 2]| json!(of(choices));
    Some(match attribute.name.as_str() {
        "name" => json!({
            "formatted": of(["Ms. Ada B Lovelace", "Dr. Grace M Hopper"]),
            "familyName": of(["Lovelace", "Hopper"]),
            "givenName": of(["Ada", "Grace"]),
            "middleName": of(["Byron", "Murray"]),
            "honorificPrefix": of(["Ms.", "Dr."]),
            "honorificSuffix": of(["III", "PhD"]),
        }),
        "profileUrl" => json!(format!("https://profiles.example.com/{stem}/{n}")),
        "preferredLanguage" => pick(["en-US", "fr-CA"]),
        "locale" => pick(["en-US", "de-DE"]),
        "timezone" => pick(["America/Los_Angeles", "Europe/Paris"]),
        "active" => json!(n == 0),
        "password" => json!(format!("S3cret!{n}-{stem}")),
        "emails" => {
            json!([{"value": format!("{stem}-v{n}@example.com"), "type": "work", "primary": true}])
        }
        "phoneNumbers" => {
            json!([{"value": format!("tel:+1-201-555-01{n}{n}"), "type": of(["work", "mobile"]), "primary": true}])
        }
        "ims" => json!([{"value": format!("{stem}-im{n}"), "type": of(["xmpp", "skype"])}]),
        "photos" => {
            json!([{"value": format!("https://photos.example.com/{stem}/{n}.jpg"), "type": of(["photo", "thumbnail"])}])
        }
        "addresses" => json!([{
            "type": of(["work", "home"]), "streetAddress": format!("{} Main Street", n + 1),
            "locality": "Springfield", "region": "IL", "postalCode": format!("6270{n}"), "country": "US",
            "formatted": format!("{} Main Street, Springfield, IL 6270{n}, US", n + 1), "primary": true,
        }]),
        "x509Certificates" => json!([{"value": (CERTIFICATES[n % 2])}]),
        _ => return None,
    })
}

/// A known value cut to the sub-attributes the target declares writable.
fn fit(attribute: &Declared, value: Value) -> Value {
    let keep = |item: Value| match item {
        Value::Object(fields) if !attribute.subs.is_empty() => Value::Object(
            fields
                .into_iter()
                .filter(|(k, _)| {
                    attribute
                        .subs
                        .iter()
                        .any(|s| s.name.eq_ignore_ascii_case(k) && s.mutability != "readOnly")
                })
                .collect(),
        ),
        other => other,
    };
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(keep).collect()),
        other => keep(other),
    }
}

/// One value of the attribute's type (for a multi-valued attribute, one item).
fn single(attribute: &Declared, n: usize, stem: &str) -> Option<Value> {
    let name = &attribute.name;
    Some(match attribute.kind.as_str() {
        "complex" => {
            let mut fields = Map::new();
            for sub in &attribute.subs {
                if sub.mutability == "readOnly" || sub.name == "primary" {
                    continue;
                }
                // A reference to another resource cannot be made up.
                if sub.kind == "reference" && !external(sub) {
                    return None;
                }
                fields.insert(sub.name.clone(), single(sub, n, stem)?);
            }
            if fields.is_empty() {
                return None;
            }
            Value::Object(fields)
        }
        "boolean" => json!(n == 0),
        "integer" => json!(41 + n),
        "decimal" => json!(4.5 + n as f64),
        "dateTime" => json!(format!("2026-0{}-02T03:04:05Z", n + 1)),
        "binary" => Value::String(["c2NpbWNoZWNr", "c2NpbWNoZWNrLTE="][n % 2].into()),
        "reference" if external(attribute) => {
            json!(format!("https://example.com/{stem}/{name}/{n}"))
        }
        "reference" => return None,
        _ => match attribute
            .canonical
            .get(n % attribute.canonical.len().max(1))
        {
            Some(canonical) => json!(canonical),
            None => json!(format!("{stem}-{name}-{n}")),
        },
    })
}

/// Whether a reference may point outside the service (RFC 7643 §7: `external`, `uri`).
fn external(attribute: &Declared) -> bool {
    attribute.reference_types.is_empty()
        || attribute
            .reference_types
            .iter()
            .any(|t| t == "external" || t == "uri")
}

/// Whether `got` holds what was `sent`, as the attribute's type compares:
/// every sub-attribute and value sent, exactly as many values, instants
/// and numbers by value.
pub fn holds(attribute: &Declared, sent: &Value, got: Option<&Value>) -> bool {
    let Some(got) = got else {
        return false;
    };
    match (sent, got) {
        (Value::Array(sent), Value::Array(got)) => {
            sent.len() == got.len()
                && sent
                    .iter()
                    .all(|s| got.iter().any(|g| item_holds(attribute, s, g)))
        }
        (Value::Array(_), _) => false,
        (sent, got) => item_holds(attribute, sent, got),
    }
}

fn item_holds(attribute: &Declared, sent: &Value, got: &Value) -> bool {
    match (sent, got) {
        (Value::Object(sent), Value::Object(got)) => sent.iter().all(|(key, value)| {
            let sub = attribute
                .subs
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(key));
            let got = got
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v);
            match sub {
                Some(sub) => holds(sub, value, got),
                None => got == Some(value),
            }
        }),
        (Value::String(a), Value::String(b)) if attribute.kind == "dateTime" => {
            let parse = crate::scim::datetime::instant;
            parse(a).is_some() && parse(a) == parse(b)
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}
