//! Normalization: what makes two runs' responses comparable. One ordered
//! list ([`STAGES`]) applied to every snapshot before it is compared:
//!
//! 1. captured values (ids, timestamps a case captured) → `[name]`;
//! 2. server-assigned ids (every `id` member) → `[id]`;
//! 3. `meta.created`, `meta.lastModified` → `[timestamp]`, `meta.version` →
//!    `[version]`, `meta.location` → `[location]`;
//! 4. the target's base URL → `[base]` in every string (host and port);
//! 5. a rerun's stem (`…r1`) → the case's own stem;
//! 6. the run's unique prefix (`scimcheck-<run>`) → `scimcheck-[run]`;
//! 7. headers: `ETag` → `[etag]`, `Location` as strings above;
//! 8. the case's own redactions (selector → placeholder);
//! 9. `Resources` in a stable order (by their normalized text);
//! 10. object keys sorted.
//!
//! The order matters: ids are replaced before Resources are sorted (so the
//! order does not depend on random ids), and keys are sorted last.

use serde_json::{Map, Value};

use crate::case::Selector;

/// What normalization needs to know about the run and the case.
pub struct Context<'a> {
    /// Captured values of the case so far: `(name, value)`.
    pub captured: Vec<(String, Value)>,
    pub base_url: &'a str,
    pub run_prefix: &'a str,
    /// The stem of this attempt at the case, and the one it is pinned under.
    pub stem: (&'a str, &'a str),
    /// The case's own redactions: selector → placeholder.
    pub redact: &'a [(Selector, String)],
}

/// A response as it is pinned: status, the headers that matter, the body.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// A body that is not JSON, as text.
    pub text: Option<String>,
}

type Stage = fn(&mut Pinned, &Context);

/// The normalization stages, in the order they apply.
pub const STAGES: &[(&str, Stage)] = &[
    ("captured values", captured),
    ("server-assigned ids", ids),
    ("meta timestamps, version and location", meta),
    ("base URL", base_url),
    ("rerun stem", rerun_stem),
    ("run prefix", run_prefix),
    ("ETag and Location headers", headers),
    ("case redactions", redactions),
    ("Resources order", resources_order),
    ("sorted keys", sorted_keys),
];

/// Applies every stage, in order.
pub fn normalize(mut pinned: Pinned, context: &Context) -> Pinned {
    for (_, stage) in STAGES {
        stage(&mut pinned, context);
    }
    pinned
}

/// The text stored in the snapshot file.
pub fn render(pinned: &Pinned) -> String {
    let mut out = format!("status: {}\n", pinned.status);
    for (name, value) in &pinned.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    match (&pinned.body, &pinned.text) {
        (Some(body), _) => {
            out.push_str("body:\n");
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
        }
        (None, Some(text)) if !text.is_empty() => {
            out.push_str("body (text):\n");
            out.push_str(text);
        }
        _ => out.push_str("body: (none)"),
    }
    out
}

/// Replaces every string equal to or containing `from` with `to`, everywhere.
fn replace_strings(value: &mut Value, from: &str, to: &str) {
    if from.is_empty() {
        return;
    }
    match value {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, from, to)),
        _ => {}
    }
}

fn replace_everywhere(pinned: &mut Pinned, from: &str, to: &str) {
    if let Some(body) = &mut pinned.body {
        replace_strings(body, from, to);
    }
    if let Some(text) = &mut pinned.text {
        *text = text.replace(from, to);
    }
    for (_, value) in &mut pinned.headers {
        *value = value.replace(from, to);
    }
}

fn captured(pinned: &mut Pinned, context: &Context) {
    // Longest first, so a value that contains another is replaced whole.
    let mut values: Vec<(&String, &str)> = context
        .captured
        .iter()
        .filter_map(|(name, value)| Some((name, value.as_str()?)))
        .filter(|(_, value)| value.len() >= 4)
        .collect();
    values.sort_by_key(|(_, value)| std::cmp::Reverse(value.len()));
    for (name, value) in values {
        replace_everywhere(pinned, value, &format!("[{name}]"));
    }
}

fn ids(pinned: &mut Pinned, _: &Context) {
    fn walk(value: &mut Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get_mut("id") {
                    found.push(std::mem::replace(id, "[id]".into()));
                }
                map.values_mut().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Some(body) = &mut pinned.body {
        walk(body, &mut found);
    }
    // The same ids inside other strings (a location, an error detail).
    for id in found.iter().filter(|id| id.len() >= 4) {
        replace_everywhere(pinned, id, "[id]");
    }
}

fn meta(pinned: &mut Pinned, _: &Context) {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, member) in map.iter_mut() {
                    if key.eq_ignore_ascii_case("meta")
                        && let Value::Object(meta) = member
                    {
                        for (name, placeholder) in [
                            ("created", "[timestamp]"),
                            ("lastModified", "[timestamp]"),
                            ("version", "[version]"),
                            ("location", "[location]"),
                        ] {
                            if let Some(v) = meta.get_mut(name)
                                && !v.is_null()
                            {
                                *v = Value::String(placeholder.into());
                            }
                        }
                    } else {
                        walk(member);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(body) = &mut pinned.body {
        walk(body);
    }
}

fn base_url(pinned: &mut Pinned, context: &Context) {
    replace_everywhere(pinned, context.base_url, "[base]");
}

fn rerun_stem(pinned: &mut Pinned, context: &Context) {
    let (actual, pinned_as) = context.stem;
    if actual != pinned_as {
        replace_everywhere(pinned, actual, pinned_as);
    }
}

fn run_prefix(pinned: &mut Pinned, context: &Context) {
    replace_everywhere(pinned, context.run_prefix, "scimcheck-[run]");
}

fn headers(pinned: &mut Pinned, _: &Context) {
    for (name, value) in &mut pinned.headers {
        if name.eq_ignore_ascii_case("etag") {
            *value = "[etag]".into();
        }
    }
}

fn redactions(pinned: &mut Pinned, context: &Context) {
    let Some(body) = &mut pinned.body else {
        return;
    };
    for (selector, placeholder) in context.redact {
        for pointer in selector.pointers(body) {
            if let Some(value) = body.pointer_mut(&pointer) {
                *value = Value::String(placeholder.clone());
            }
        }
    }
}

fn resources_order(pinned: &mut Pinned, _: &Context) {
    if let Some(Value::Array(items)) = pinned.body.as_mut().and_then(|b| b.get_mut("Resources")) {
        items.sort_by_cached_key(|item| {
            let mut sorted = item.clone();
            sort_keys(&mut sorted);
            sorted.to_string()
        });
    }
}

fn sorted_keys(pinned: &mut Pinned, _: &Context) {
    if let Some(body) = &mut pinned.body {
        sort_keys(body);
    }
    pinned.headers.sort();
}

fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted = Map::new();
            for (key, mut member) in entries {
                sort_keys(&mut member);
                sorted.insert(key, member);
            }
            *map = sorted;
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pin(body: Value) -> Pinned {
        Pinned {
            status: 200,
            headers: vec![
                (
                    "location".into(),
                    "http://127.0.0.1:4000/scim/v2/Users/u-1234".into(),
                ),
                ("etag".into(), "W/\"3\"".into()),
            ],
            body: Some(body),
            text: None,
        }
    }

    #[test]
    fn two_runs_of_the_same_case_normalize_to_the_same_text() {
        let run = |id: &str, port: u16, run: &str, created: &str| {
            let base = format!("http://127.0.0.1:{port}/scim/v2");
            let prefix = format!("scimcheck-{run}");
            let body = json!({
                "userName": format!("{prefix}-abc123-ada@example.com"),
                "id": id,
                "meta": {"created": created, "lastModified": created, "location": format!("{base}/Users/{id}"), "resourceType": "User"},
            });
            let mut pinned = pin(body);
            pinned.headers[0].1 = format!("{base}/Users/{id}");
            let context = Context {
                captured: vec![("id".into(), json!(id))],
                base_url: &base,
                run_prefix: &prefix,
                stem: ("", ""),
                redact: &[],
            };
            render(&normalize(pinned, &context))
        };
        let first = run("u-1234", 4000, "0a1b2c3d", "2026-11-28T10:00:00Z");
        let second = run("u-9876", 4111, "ffeeddcc", "2026-11-28T11:11:11Z");
        assert_eq!(first, second);
        insta::assert_snapshot!(first, @r#"
        status: 200
        etag: [etag]
        location: [base]/Users/[id]
        body:
        {
          "id": "[id]",
          "meta": {
            "created": "[timestamp]",
            "lastModified": "[timestamp]",
            "location": "[location]",
            "resourceType": "User"
          },
          "userName": "scimcheck-[run]-abc123-ada@example.com"
        }
        "#);
    }

    #[test]
    fn a_case_redaction_replaces_what_its_selector_picks() {
        let redact = [
            (
                Selector::parse("$.emails[*].value").unwrap(),
                "[email]".to_string(),
            ),
            (
                Selector::parse("/displayName").unwrap(),
                "[name]".to_string(),
            ),
        ];
        let context = Context {
            captured: vec![],
            base_url: "http://x",
            run_prefix: "scimcheck-00000000",
            stem: ("", ""),
            redact: &redact,
        };
        let body = json!({"displayName": "Ada", "emails": [{"value": "a@x"}, {"value": "b@x"}]});
        let out = normalize(pin(body), &context).body.unwrap();
        assert_eq!(
            out,
            json!({"displayName": "[name]", "emails": [{"value": "[email]"}, {"value": "[email]"}]})
        );
    }

    #[test]
    fn resources_are_ordered_by_content_not_by_id() {
        let context = Context {
            captured: vec![],
            base_url: "http://x",
            run_prefix: "scimcheck-00000000",
            stem: ("", ""),
            redact: &[],
        };
        let a = json!({"Resources": [{"id": "2", "userName": "b"}, {"id": "1", "userName": "a"}]});
        let b = json!({"Resources": [{"id": "9", "userName": "a"}, {"id": "8", "userName": "b"}]});
        assert_eq!(
            render(&normalize(pin(a), &context)),
            render(&normalize(pin(b), &context))
        );
    }
}
