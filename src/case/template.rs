//! Templates in case strings: `{{ expression }}` parts (minijinja
//! expressions) between literal text, compiled once when the case is
//! loaded, so a syntax error is a load error at `path:line:col`, and a run
//! only evaluates them.
//!
//! [`Template`] is one string; [`JsonTemplate`] a JSON value whose strings
//! may be templates (request bodies, expected values). A template that is
//! exactly one `{{ expression }}` keeps the JSON type of its value
//! (`{{ total + 1 }}` is a number); anything else renders to text. Only
//! `{{ }}` is supported: `{% %}` and `{# #}` are rejected at load.
//!
//! One filter of scimcheck's own: `{{ t | at_offset(-60, "+10:00") }}` is
//! the RFC 3339 date-time `t` moved by -60 minutes and written at the
//! offset +10:00, so a case can compare date-times across time zones.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, Expression, UndefinedBehavior};
use serde_json::{Map, Value};

/// The environment every template is compiled in: strict about undefined
/// variables, so a typo fails loudly instead of rendering as "".
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("at_offset", at_offset);
        env
    })
}

/// The `at_offset` filter: a date-time moved by `minutes` and written at `offset`.
fn at_offset(value: String, minutes: i64, offset: String) -> Result<String, minijinja::Error> {
    crate::scim::datetime::shifted(&value, time::Duration::minutes(minutes), &offset)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

type Compiled = Arc<Expression<'static, 'static>>;

#[derive(Clone)]
enum Part {
    Text(String),
    Expr { source: String, compiled: Compiled },
}

/// One string of a case, compiled.
#[derive(Clone)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Template({:?})", self.source)
    }
}

impl Template {
    /// Compiles a string; the error says what is wrong with it.
    pub fn parse(source: &str) -> Result<Template, Error> {
        for (opening, what) in [("{%", "statements"), ("{#", "comments")] {
            if source.contains(opening) {
                return Err(Error::Unsupported {
                    template: source.to_string(),
                    what,
                    opening,
                });
            }
        }
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| Error::Unclosed(source.to_string()))?;
            let expression = after[..end].trim();
            let compiled = env()
                .compile_expression_owned(expression.to_string())
                .map_err(|e| Error::Invalid {
                    template: source.to_string(),
                    expression: expression.to_string(),
                    why: describe(&e),
                })?;
            parts.push(Part::Expr {
                source: expression.to_string(),
                compiled: Arc::new(compiled),
            });
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// The string as written in the case file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the string has no `{{ }}` at all.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// The root variables the template refers to (`id` in `{{ id | upper }}`;
    /// minijinja's own globals such as `range` are not variables).
    pub fn variables(&self) -> BTreeSet<String> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Expr { compiled, .. } => Some(compiled.undeclared_variables(false)),
                Part::Text(_) => None,
            })
            .flatten()
            .filter(|name| env().globals().all(|(global, _)| global != name))
            .collect()
    }

    /// Evaluates the template in `context`. A template that is exactly one
    /// expression yields its JSON value; anything else, text.
    pub fn render(&self, context: &minijinja::Value) -> Result<Value, Error> {
        if let [Part::Expr { source, compiled }] = self.parts.as_slice() {
            let value = evaluate(source, compiled, context)?;
            return serde_json::to_value(&value).map_err(|e| Error::Render {
                expression: self.source.clone(),
                why: e.to_string(),
            });
        }
        self.render_text(context).map(Value::String)
    }

    /// Evaluates the template into text (paths, headers, query values).
    pub fn render_text(&self, context: &minijinja::Value) -> Result<String, Error> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Expr { source, compiled } => {
                    let value = evaluate(source, compiled, context)?;
                    match value.as_str() {
                        Some(text) => out.push_str(text),
                        None => out.push_str(&value.to_string()),
                    }
                }
            }
        }
        Ok(out)
    }
}

fn evaluate(
    source: &str,
    compiled: &Compiled,
    context: &minijinja::Value,
) -> Result<minijinja::Value, Error> {
    let error = |why: String| Error::Render {
        expression: format!("{{{{ {source} }}}}"),
        why,
    };
    let value = compiled.eval(context).map_err(|e| error(describe(&e)))?;
    if value.is_undefined() {
        return Err(error("undefined value".into()));
    }
    Ok(value)
}

/// What is wrong with a template: written wrong (found when the case file
/// is loaded) or not renderable with the values at hand (at run time: the
/// harness's trouble, never the target's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(
        "`{template}`: template {what} (`{opening}`) are not supported; use `{{{{ expression }}}}`"
    )]
    Unsupported {
        template: String,
        what: &'static str,
        opening: &'static str,
    },
    #[error("`{0}`: `{{{{` is never closed with `}}}}`")]
    Unclosed(String),
    #[error("`{template}`: invalid template expression `{expression}`: {why}")]
    Invalid {
        template: String,
        expression: String,
        why: String,
    },
    #[error("cannot render `{expression}`: {why}")]
    Render { expression: String, why: String },
}

/// A minijinja error in one line: its kind and detail.
fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{} ({detail})", error.kind()),
        None => error.kind().to_string(),
    }
}

/// A JSON value whose strings may be templates.
#[derive(Debug, Clone)]
pub enum JsonTemplate {
    /// A subtree without any template: used as is.
    Literal(Value),
    String(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    /// Compiles every string inside `value` (keys stay as written).
    pub fn parse(value: &Value) -> Result<JsonTemplate, Error> {
        if !has_template(value) {
            return Ok(JsonTemplate::Literal(value.clone()));
        }
        Ok(match value {
            Value::String(s) => JsonTemplate::String(Template::parse(s)?),
            Value::Array(items) => JsonTemplate::Array(
                items
                    .iter()
                    .map(JsonTemplate::parse)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => JsonTemplate::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), JsonTemplate::parse(v)?)))
                    .collect::<Result<_, Error>>()?,
            ),
            other => JsonTemplate::Literal(other.clone()),
        })
    }

    pub fn render(&self, context: &minijinja::Value) -> Result<Value, Error> {
        Ok(match self {
            JsonTemplate::Literal(value) => value.clone(),
            JsonTemplate::String(template) => template.render(context)?,
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(context))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(members) => {
                let mut map = Map::new();
                for (key, member) in members {
                    map.insert(key.clone(), member.render(context)?);
                }
                Value::Object(map)
            }
        })
    }

    /// The root variables referred to anywhere inside.
    pub fn variables(&self) -> BTreeSet<String> {
        match self {
            JsonTemplate::Literal(_) => BTreeSet::new(),
            JsonTemplate::String(template) => template.variables(),
            JsonTemplate::Array(items) => items.iter().flat_map(JsonTemplate::variables).collect(),
            JsonTemplate::Object(members) => {
                members.iter().flat_map(|(_, m)| m.variables()).collect()
            }
        }
    }
}

fn has_template(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("{{") || s.contains("{%") || s.contains("{#"),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn context() -> minijinja::Value {
        minijinja::Value::from_serialize(json!({"id": "abc", "n": 3, "flag": true}))
    }

    #[test]
    fn a_sole_expression_keeps_its_type_and_text_concatenates() {
        let ctx = context();
        assert_eq!(
            Template::parse("{{ n + 1 }}")
                .unwrap()
                .render(&ctx)
                .unwrap(),
            json!(4)
        );
        assert_eq!(
            Template::parse("{{ flag }}").unwrap().render(&ctx).unwrap(),
            json!(true)
        );
        assert_eq!(
            Template::parse("/Users/{{ id | upper }}?x={{ n }}")
                .unwrap()
                .render(&ctx)
                .unwrap(),
            json!("/Users/ABC?x=3")
        );
        assert!(Template::parse("plain").unwrap().is_literal());
        let body = JsonTemplate::parse(&json!({"a": ["{{ id }}", 1], "b": {"c": 2}})).unwrap();
        assert_eq!(
            body.render(&ctx).unwrap(),
            json!({"a": ["abc", 1], "b": {"c": 2}})
        );
        assert_eq!(body.variables().into_iter().collect::<Vec<_>>(), ["id"]);
    }

    #[test]
    fn at_offset_moves_a_date_time_and_writes_it_in_another_zone() {
        let ctx = minijinja::Value::from_serialize(json!({"t": "2026-12-03T16:47:47.469Z"}));
        let render = |source: &str| Template::parse(source).unwrap().render(&ctx);
        assert_eq!(
            render("{{ t | at_offset(-60, \"+10:00\") }}").unwrap(),
            json!("2026-12-04T01:47:47.469+10:00")
        );
        assert_eq!(
            render("{{ t | at_offset(60, \"-10:00\") }}").unwrap(),
            json!("2026-12-03T07:47:47.469-10:00")
        );
        let ctx = minijinja::Value::from_serialize(json!({"t": "yesterday"}));
        let error = Template::parse("{{ t | at_offset(0, \"Z\") }}")
            .unwrap()
            .render(&ctx)
            .unwrap_err();
        assert!(error.to_string().contains("not an RFC 3339"), "{error}");
    }

    #[test]
    fn syntax_errors_are_found_when_compiling() {
        for bad in ["{{ nope", "{{ 1 + }}", "{% if x %}y{% endif %}", "{# c #}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        let error = Template::parse("{{ nope").unwrap_err();
        assert_eq!(error, Error::Unclosed("{{ nope".into()));
        assert!(error.to_string().contains("never closed"), "{error}");
    }

    #[test]
    fn undefined_variables_fail_when_rendering() {
        let error = Template::parse("{{ usr_id }}")
            .unwrap()
            .render(&context())
            .unwrap_err()
            .to_string();
        assert!(error.contains("usr_id"), "{error}");
        assert_eq!(
            Template::parse("a{{ x.y }}b")
                .unwrap()
                .variables()
                .into_iter()
                .collect::<Vec<_>>(),
            ["x"]
        );
    }
}
