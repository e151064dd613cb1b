//! Variables and template rendering for case strings (`{{ name }}`).
//!
//! [`Vars`] holds what one case run knows: values captured from earlier
//! responses, and the run's unique values. `{{ unique.NAME }}` renders as
//! `scimcheck-<run>-<case>-NAME` and `{{ email.NAME }}` as the same followed by
//! `@example.com`: valid user names and addresses, distinct per run and per
//! case, and recognisable by the `scimcheck-` prefix. `{{ run.prefix }}` is the
//! run's prefix alone. Templates are minijinja expressions (filters such as
//! `| upper` work), rendered on string values after parsing, never on YAML text.
//! A string that is exactly one `{{ captured }}` keeps the captured JSON type.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use minijinja::value::{Object, Value as JinjaValue};
use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

/// Prefix of every value the harness generates, so its resources can be told
/// apart from anyone else's (and swept).
pub const PREFIX: &str = "scimcheck-";

/// The identity of one run: a short random hex id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId(pub String);

impl RunId {
    pub fn random() -> RunId {
        RunId(format!("{:08x}", rand::random::<u32>()))
    }

    /// `scimcheck-<run>`: what every generated value of this run starts with.
    pub fn prefix(&self) -> String {
        format!("{PREFIX}{}", self.0)
    }

    /// `scimcheck-<run>-<case>`: what every value generated for one case starts with.
    pub fn stem(&self, case_id: &str) -> String {
        format!("{}-{:06x}", self.prefix(), fnv1a(case_id) & 0xff_ffff)
    }
}

/// What one case run can refer to in its templates.
#[derive(Debug, Clone)]
pub struct Vars {
    captured: BTreeMap<String, Value>,
    unique_stem: String,
    run_prefix: String,
}

impl Vars {
    /// Fresh variables for one case of one run.
    pub fn new(run: &RunId, case_id: &str) -> Vars {
        Vars {
            captured: BTreeMap::new(),
            unique_stem: run.stem(case_id),
            run_prefix: run.prefix(),
        }
    }

    /// Every captured value, by name.
    pub fn captured(&self) -> Vec<(String, Value)> {
        self.captured
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn set(&mut self, name: &str, value: Value) {
        self.captured.insert(name.to_string(), value);
    }

    /// Renders one template string. A template that is exactly one captured
    /// variable yields that variable's JSON value (number, object, ...).
    pub fn render_str(&self, template: &str) -> Result<Value, String> {
        if !template.contains("{{") {
            return Ok(Value::String(template.to_string()));
        }
        let context = self.context();
        if let Some(expression) = sole_expression(template) {
            // `{{ total + 1 }}` is a number, `{{ active }}` a boolean: keep JSON types.
            let value = env()
                .compile_expression(expression)
                .and_then(|e| e.eval(context.clone()))
                .map_err(|e| self.explain(template, &e))?;
            if value.is_undefined() {
                return Err(self.explain(
                    template,
                    &minijinja::Error::new(minijinja::ErrorKind::UndefinedError, "undefined value"),
                ));
            }
            return serde_json::to_value(&value)
                .map_err(|e| format!("cannot render `{template}`: {e}"));
        }
        env()
            .render_str(template, context)
            .map(Value::String)
            .map_err(|e| self.explain(template, &e))
    }

    /// Renders a template that must produce text (paths, headers, query values).
    pub fn render_text(&self, template: &str) -> Result<String, String> {
        Ok(match self.render_str(template)? {
            Value::String(s) => s,
            other => other.to_string(),
        })
    }

    /// Renders every string inside a JSON value (keys stay as written).
    pub fn render_json(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => self.render_str(s)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    fn context(&self) -> JinjaValue {
        let mut map: BTreeMap<String, JinjaValue> = self
            .captured
            .iter()
            .map(|(k, v)| (k.clone(), JinjaValue::from_serialize(v)))
            .collect();
        map.insert(
            "unique".into(),
            JinjaValue::from_object(Generated {
                stem: self.unique_stem.clone(),
                suffix: "",
            }),
        );
        map.insert(
            "email".into(),
            JinjaValue::from_object(Generated {
                stem: self.unique_stem.clone(),
                suffix: "@example.com",
            }),
        );
        map.insert(
            "run".into(),
            JinjaValue::from_serialize(BTreeMap::from([("prefix", self.run_prefix.as_str())])),
        );
        JinjaValue::from(map)
    }

    fn explain(&self, template: &str, error: &minijinja::Error) -> String {
        let known: Vec<&str> = self.captured.keys().map(String::as_str).collect();
        let detail = error
            .detail()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        format!(
            "cannot render `{template}`: {}{detail}; captured so far: [{}]",
            error.kind(),
            known.join(", ")
        )
    }

    /// Whether `template` refers to a captured variable this case does not have
    /// (used to skip cleanup requests for resources that were never created).
    pub fn lacks_capture_for(&self, template: &str) -> bool {
        variables_in(template).iter().any(|name| {
            !matches!(name.as_str(), "unique" | "email" | "run")
                && !self.captured.contains_key(name)
        })
    }
}

/// A short stable tag for a case id, so that values differ between cases.
/// FNV-1a: a hash that is stable across runs and platforms, unlike std's.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The expression of a template that is exactly one `{{ ... }}`.
fn sole_expression(template: &str) -> Option<&str> {
    let inner = template.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

/// The root variable names a template refers to.
fn variables_in(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").unwrap_or(after.len());
        let name: String = after[..end]
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
        rest = &after[end..];
    }
    names
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A typo in a variable name must fail loudly, not render as "".
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env
    })
}

/// `unique.NAME` / `email.NAME`: a generated value for any NAME.
#[derive(Debug)]
struct Generated {
    stem: String,
    suffix: &'static str,
}

impl Object for Generated {
    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let name = key.as_str()?;
        Some(JinjaValue::from(format!(
            "{}-{name}{}",
            self.stem, self.suffix
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        Vars::new(&RunId("0123abcd".into()), "users/create")
    }

    #[test]
    fn unique_values_are_prefixed_valid_and_per_case() {
        let v = vars();
        let name = v.render_text("{{ unique.alice }}").unwrap();
        let email = v.render_text("{{ email.alice }}").unwrap();
        assert!(
            name.starts_with("scimcheck-0123abcd-") && name.ends_with("-alice"),
            "{name}"
        );
        assert_eq!(email, format!("{name}@example.com"));
        let other =
            Vars::new(&RunId("0123abcd".into()), "users/get").render_text("{{ unique.alice }}");
        assert_ne!(other.unwrap(), name);
        assert_eq!(
            v.render_text("{{ unique.alice | upper }}").unwrap(),
            name.to_uppercase()
        );
        assert_eq!(
            v.render_text("{{ run.prefix }}").unwrap(),
            "scimcheck-0123abcd"
        );
    }

    #[test]
    fn captured_values_keep_their_type() {
        let mut v = vars();
        v.set("n", json!(3));
        v.set("id", json!("abc"));
        assert_eq!(v.render_str("{{ n }}").unwrap(), json!(3));
        assert_eq!(v.render_str("{{ n + 1 }}").unwrap(), json!(4));
        assert_eq!(
            v.render_str("{{ unique.a | upper }}").unwrap(),
            json!(v.render_text("{{ unique.a }}").unwrap().to_uppercase())
        );
        assert_eq!(
            v.render_str("/Users/{{ id }}").unwrap(),
            json!("/Users/abc")
        );
        assert_eq!(
            v.render_json(&json!({"a": ["{{ id }}", 1]})).unwrap(),
            json!({"a": ["abc", 1]})
        );
    }

    #[test]
    fn undefined_variables_fail_with_what_is_known() {
        let mut v = vars();
        v.set("user_id", json!("x"));
        let error = v.render_str("/Users/{{ usr_id }}").unwrap_err();
        assert!(
            error.contains("usr_id") || error.contains("undefined"),
            "{error}"
        );
        assert!(error.contains("captured so far: [user_id]"), "{error}");
        assert!(v.lacks_capture_for("/Users/{{ other }}"));
        assert!(!v.lacks_capture_for("/Users/{{ user_id }}?x={{ unique.a }}"));
    }
}
