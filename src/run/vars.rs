//! What one case run knows while it runs: the values captured from earlier
//! responses and the run's generated values, as the context templates are
//! evaluated in.
//!
//! `{{ unique.NAME }}` is `scimcheck-<run>-<case>-NAME` and `{{ email.NAME }}`
//! the same followed by `@example.com`: valid user names and addresses,
//! distinct per run and per case, and recognisable by the `scimcheck-`
//! prefix (so a sweep can find them). `{{ run.prefix }}` is the run's prefix
//! and `{{ run.base_url }}` the target's base URL as the user gave it (no
//! trailing slash), so a case can judge the URLs a server answers with.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Object, Value as JinjaValue};
use serde_json::Value;

use crate::case::{JsonTemplate, Template};

/// Prefix of every value the harness generates, so its resources can be
/// told apart from anyone else's (and swept).
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

    /// The stem of one attempt at a case: the first is [`RunId::stem`]; a
    /// rerun gets values of its own (`…r1`), so that nothing the first
    /// attempt left behind (a user a server only deactivated) collides.
    pub fn attempt_stem(&self, case_id: &str, attempt: u32) -> String {
        match attempt {
            0 => self.stem(case_id),
            n => format!("{}r{n}", self.stem(case_id)),
        }
    }
}

/// A short stable tag for a case id, so that values differ between cases.
/// FNV-1a: a hash that is stable across runs and platforms, unlike std's.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The captured and generated values of one case run.
#[derive(Debug, Clone)]
pub struct Vars {
    captured: BTreeMap<String, Value>,
    unique_stem: String,
    run_prefix: String,
    base_url: String,
}

impl Vars {
    /// Fresh variables for one attempt at a case, its values under `stem`.
    pub fn new(run: &RunId, stem: &str) -> Vars {
        Vars {
            captured: BTreeMap::new(),
            unique_stem: stem.to_string(),
            run_prefix: run.prefix(),
            base_url: String::new(),
        }
    }

    /// The same variables, with the target's base URL as `run.base_url`.
    pub fn with_base_url(mut self, base_url: &str) -> Vars {
        self.base_url = base_url.trim_end_matches('/').to_string();
        self
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

    /// Whether every captured variable a template refers to was captured
    /// (a cleanup request for a resource never created is skipped).
    pub fn has_all(&self, names: &std::collections::BTreeSet<String>) -> bool {
        names.iter().all(|n| {
            crate::case::load::GENERATED.contains(&n.as_str()) || self.captured.contains_key(n)
        })
    }

    /// Evaluates a template (a sole expression keeps its JSON type).
    pub fn render(&self, template: &Template) -> Result<Value, RenderError> {
        template
            .render(&self.context())
            .map_err(|e| self.explain(e))
    }

    /// Evaluates a template into text (paths, headers, query values).
    pub fn render_text(&self, template: &Template) -> Result<String, RenderError> {
        template
            .render_text(&self.context())
            .map_err(|e| self.explain(e))
    }

    /// Evaluates every template inside a JSON value.
    pub fn render_json(&self, json: &JsonTemplate) -> Result<Value, RenderError> {
        json.render(&self.context()).map_err(|e| self.explain(e))
    }

    fn explain(&self, error: crate::case::template::Error) -> RenderError {
        RenderError {
            error,
            captured: self.captured.keys().cloned().collect(),
        }
    }

    fn context(&self) -> JinjaValue {
        let mut map: BTreeMap<String, JinjaValue> = self
            .captured
            .iter()
            .map(|(k, v)| (k.clone(), JinjaValue::from_serialize(v)))
            .collect();
        let generated = |suffix| {
            JinjaValue::from_object(Generated {
                stem: self.unique_stem.clone(),
                suffix,
            })
        };
        map.insert("unique".into(), generated(""));
        map.insert("email".into(), generated("@example.com"));
        map.insert(
            "run".into(),
            JinjaValue::from_serialize(BTreeMap::from([
                ("prefix", self.run_prefix.as_str()),
                ("base_url", self.base_url.as_str()),
            ])),
        );
        JinjaValue::from(map)
    }
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
        let run = RunId("0123abcd".into());
        Vars::new(&run, &run.stem("users/create"))
    }

    fn t(text: &str) -> Template {
        Template::parse(text).unwrap()
    }

    #[test]
    fn unique_values_are_prefixed_valid_and_per_case() {
        let v = vars();
        let name = v.render_text(&t("{{ unique.alice }}")).unwrap();
        let email = v.render_text(&t("{{ email.alice }}")).unwrap();
        assert!(
            name.starts_with("scimcheck-0123abcd-") && name.ends_with("-alice"),
            "{name}"
        );
        assert_eq!(email, format!("{name}@example.com"));
        let other = Vars::new(
            &RunId("0123abcd".into()),
            &RunId("0123abcd".into()).stem("users/get"),
        )
        .render_text(&t("{{ unique.alice }}"));
        assert_ne!(other.unwrap(), name);
        assert_eq!(
            v.render_text(&t("{{ unique.alice | upper }}")).unwrap(),
            name.to_uppercase()
        );
        assert_eq!(
            v.render_text(&t("{{ run.prefix }}")).unwrap(),
            "scimcheck-0123abcd"
        );
    }

    #[test]
    fn captured_values_keep_their_type() {
        let mut v = vars();
        v.set("n", json!(3));
        v.set("id", json!("abc"));
        assert_eq!(v.render(&t("{{ n }}")).unwrap(), json!(3));
        assert_eq!(v.render(&t("{{ n + 1 }}")).unwrap(), json!(4));
        assert_eq!(
            v.render(&t("/Users/{{ id }}")).unwrap(),
            json!("/Users/abc")
        );
        let body = JsonTemplate::parse(&json!({"a": ["{{ id }}", 1]})).unwrap();
        assert_eq!(v.render_json(&body).unwrap(), json!({"a": ["abc", 1]}));
    }

    #[test]
    fn undefined_variables_fail_with_what_is_known() {
        let mut v = vars();
        v.set("user_id", json!("x"));
        let error = v.render(&t("/Users/{{ usr_id }}")).unwrap_err().to_string();
        assert!(
            error.contains("usr_id") || error.contains("undefined"),
            "{error}"
        );
        assert!(error.contains("captured so far: [user_id]"), "{error}");
        assert!(!v.has_all(&t("/Users/{{ other }}").variables()));
        assert!(v.has_all(&t("/Users/{{ user_id }}?x={{ unique.a }}").variables()));
    }
}

/// A template a step could not render, with what had been captured by then
/// (a capture that did not happen is the usual cause).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}; captured so far: [{}]", captured.join(", "))]
pub struct RenderError {
    pub error: crate::case::template::Error,
    pub captured: Vec<String>,
}
