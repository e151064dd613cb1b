//! Loading a case set: parse every file once, validate it, and report every
//! problem at once as `path:line:col: message` (the run then exits 2).
//!
//! The main type is [`Case`], a validated [`CaseFile`] with its id and path.
//! Validation covers what serde cannot: rule ids, capability names (with a
//! "did you mean"), selectors, regular expressions and status classes.

use std::fmt;

use serde_saphyr::Spanned;

use super::model::{CaseFile, HeaderRule, Level, SnapshotSpec, StatusRule, Step};
use crate::check::Selector;
use crate::property::Property;
use crate::{profile::Capability, rules};

/// A position in a case file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub line: u64,
    pub col: u64,
}

impl Loc {
    pub fn of<T>(spanned: &Spanned<T>) -> Loc {
        Loc {
            line: spanned.referenced.line(),
            col: spanned.referenced.column(),
        }
    }
}

/// A validated case, ready to plan and run.
#[derive(Debug)]
pub struct Case {
    /// The file's path under the case root without `.yaml`: `users/create`.
    pub id: String,
    /// The path as shown to users: `cases/users/create.yaml`.
    pub path: String,
    pub name: String,
    pub rules: Vec<String>,
    pub level: Level,
    pub tags: Vec<String>,
    pub needs: Vec<Capability>,
    pub unless: Vec<Capability>,
    pub steps: Vec<Step>,
    pub cleanup: Vec<Spanned<super::Request>>,
    /// The property the case runs instead of steps, and where it is named.
    pub property: Option<(Property, Loc)>,
}

impl Case {
    /// The SCIM area the case belongs to (its folder): `users`, `filter`, ...
    pub fn area(&self) -> &str {
        self.id.split_once('/').map_or("cases", |(area, _)| area)
    }

    /// Whether running the case creates, changes or deletes anything on the target.
    pub fn changes_target(&self) -> bool {
        match self.property {
            Some((property, _)) => property.creates_users(),
            None => {
                !self.cleanup.is_empty()
                    || self
                        .steps
                        .iter()
                        .any(|s| s.request.value.method != super::Method::GET)
            }
        }
    }

    /// `path:line:col` of a position in this case's file.
    pub fn at(&self, loc: Loc) -> String {
        format!("{}:{}:{}", self.path, loc.line, loc.col)
    }
}

/// One problem in one case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.loc.line, self.loc.col, self.message
        )
    }
}

/// A case file's text and where it came from.
pub struct Source {
    /// The id: path under the case root, without `.yaml`.
    pub id: String,
    /// The path shown in messages.
    pub path: String,
    pub text: String,
}

/// Parses and validates every source; returns all cases, or every error found.
pub fn load_sources(sources: Vec<Source>) -> Result<Vec<Case>, Vec<LoadError>> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        match parse(&source) {
            Ok(file) => {
                let before = errors.len();
                validate(&source, &file, &mut errors);
                if errors.len() == before {
                    cases.push(into_case(source, file));
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// The YAML options every case (and profile) file is read with: only
/// `true`/`false` are booleans (no `yes`/`on` surprises).
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true, with_snippet: false }
}

/// Deserializes one YAML document into `T`, turning serde-saphyr's error into
/// a [`LoadError`] with a quoted value and a "did you mean" where it helps.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|error| {
        let loc = error.location().map_or(Loc { line: 1, col: 1 }, |l| Loc {
            line: l.line().max(1),
            col: l.column().max(1),
        });
        LoadError {
            path: path.to_string(),
            loc,
            message: explain(&error.to_string(), text, loc),
        }
    })
}

fn parse(source: &Source) -> Result<CaseFile, LoadError> {
    parse_yaml(&source.path, &source.text)
}

/// Rewrites a serde message for people: drops the trailing position (we print
/// it first), quotes the offending scalar, and suggests the closest known name.
fn explain(raw: &str, text: &str, loc: Loc) -> String {
    let message = match raw.rfind(" at line ") {
        Some(at) => &raw[..at],
        None => raw,
    };
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let Some((found, tail)) = rest.split_once('`') else {
                break;
            };
            let expected: Vec<&str> = tail
                .trim_start_matches(", expected one of ")
                .trim_start_matches(", expected ")
                .split(", ")
                .map(|s| s.trim_matches('`'))
                .filter(|s| !s.is_empty())
                .collect();
            let what = if prefix.contains("field") {
                "key"
            } else {
                "value"
            };
            let mut out = format!("unknown {what} `{found}`");
            if let Some(best) = did_you_mean(found, expected.iter().copied()) {
                out.push_str(&format!(", did you mean `{best}`?"));
            }
            out.push_str(&format!(" (expected one of: {})", expected.join(", ")));
            return out;
        }
    }
    if (message.starts_with("invalid ") || message.starts_with("invalid type"))
        && let Some(token) = token_at(text, loc)
    {
        return format!("{message}: found `{token}`");
    }
    message.to_string()
}

/// The scalar that starts at `loc`, for quoting in messages.
fn token_at(text: &str, loc: Loc) -> Option<String> {
    let line = text.lines().nth(loc.line.checked_sub(1)? as usize)?;
    let rest: String = line
        .chars()
        .skip(loc.col.saturating_sub(1) as usize)
        .collect();
    let token = rest
        .trim_end()
        .trim_end_matches(',')
        .trim_end_matches(['}', ']']);
    (!token.is_empty()).then(|| token.to_string())
}

/// The candidate closest to `found`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&found.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

fn validate(source: &Source, file: &CaseFile, errors: &mut Vec<LoadError>) {
    let mut error = |loc: Loc, message: String| {
        errors.push(LoadError {
            path: source.path.clone(),
            loc,
            message,
        })
    };
    for rule in file.rule.value.clone().into_vec() {
        if let Err(message) = rules::check_ref(&rule) {
            error(Loc::of(&file.rule), message);
        }
    }
    for capability in file.needs.iter().chain(&file.unless) {
        if let Err(message) = Capability::parse(&capability.value) {
            error(Loc::of(capability), message);
        }
    }
    match &file.property {
        None if file.steps.is_empty() => error(
            Loc { line: 1, col: 1 },
            "a case needs at least one step (or a `property:`)".into(),
        ),
        Some(property) => {
            if let Err(message) = Property::parse(&property.value) {
                error(Loc::of(property), message);
            }
            if !file.steps.is_empty() || !file.cleanup.is_empty() {
                error(
                    Loc::of(property),
                    "a property case has no `steps:` or `cleanup:` (the property makes its own requests and removes what it creates)".into(),
                );
            }
        }
        None => {}
    }
    for step in &file.steps {
        validate_step(step, &mut error);
    }
}

fn validate_step(step: &Step, error: &mut impl FnMut(Loc, String)) {
    let expect = &step.expect;
    if let Some(status) = &expect.status
        && let StatusRule::Class(class) = &status.value
        && crate::check::status_class(class).is_none()
    {
        error(
            Loc::of(status),
            format!("status class `{class}` is not one of 1xx, 2xx, 3xx, 4xx, 5xx"),
        );
    }
    for (name, rule) in &expect.headers {
        if let HeaderRule::Matches { matches } = &rule.value
            && let Err(e) = regex::Regex::new(matches)
        {
            error(
                Loc::of(rule),
                format!(
                    "header `{name}`: invalid regex `{matches}`: {}",
                    regex_error(&e)
                ),
            );
        }
    }
    for (selector, rule) in &expect.values {
        if let Err(message) = Selector::parse(selector) {
            error(Loc::of(rule), message);
        }
        if let Some(pattern) = &rule.value.matches
            && let Err(e) = regex::Regex::new(pattern)
        {
            error(
                Loc::of(rule),
                format!(
                    "`{selector}`: invalid regex `{pattern}`: {}",
                    regex_error(&e)
                ),
            );
        }
    }
    if let Some(spec) = &step.snapshot
        && let SnapshotSpec::With(options) = &spec.value
    {
        for selector in options.redact.keys() {
            if let Err(message) = Selector::parse(selector) {
                error(Loc::of(spec), format!("snapshot redaction: {message}"));
            }
        }
    }
    for (name, from) in &step.capture {
        let spec = from.value.strip_suffix('?').unwrap_or(&from.value);
        if spec.strip_prefix("header:").is_none()
            && let Err(message) = Selector::parse(spec)
        {
            error(Loc::of(from), format!("capture `{name}`: {message}"));
        }
    }
}

/// The last line of a regex error (the explanation), without the ASCII art.
fn regex_error(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .last()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string()
}

fn into_case(source: Source, file: CaseFile) -> Case {
    let capabilities = |list: &[Spanned<String>]| {
        list.iter()
            .filter_map(|c| Capability::parse(&c.value).ok())
            .collect::<Vec<_>>()
    };
    Case {
        needs: capabilities(&file.needs),
        unless: capabilities(&file.unless),
        id: source.id,
        path: source.path,
        name: file.name,
        rules: file.rule.value.into_vec(),
        level: file.level,
        tags: file.tags,
        property: file
            .property
            .as_ref()
            .and_then(|p| Some((Property::parse(&p.value).ok()?, Loc::of(p)))),
        steps: file.steps,
        cleanup: file.cleanup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        let source = Source {
            id: "users/bad".into(),
            path: "cases/users/bad.yaml".into(),
            text: text.into(),
        };
        match load_sources(vec![source]) {
            Ok(_) => "loaded".into(),
            Err(errors) => errors.iter().map(|e| format!("{e}\n")).collect(),
        }
    }

    const HEAD: &str = "name: n\nrule: rfc7644#3.3\nlevel: MUST\n";

    #[test]
    fn bad_yaml() {
        insta::assert_snapshot!(errors(&format!("{HEAD}steps: [\n")));
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        insta::assert_snapshot!(errors(&format!(
            "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expcet: {{status: 200}}\n"
        )));
    }

    #[test]
    fn wrong_type_quotes_the_value() {
        insta::assert_snapshot!(errors(&format!(
            "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expect:\n      values:\n        /totalResults: {{length: many}}\n"
        )));
    }

    #[test]
    fn missing_field() {
        insta::assert_snapshot!(errors("name: n\nlevel: MUST\nsteps: []\n"));
    }

    #[test]
    fn unknown_variant_and_capability() {
        insta::assert_snapshot!(errors(&format!(
            "{HEAD}needs: [users.craete]\nsteps:\n  - request: {{method: GTE, path: /Users}}\n"
        )));
    }

    #[test]
    fn semantic_errors_are_all_reported() {
        insta::assert_snapshot!(errors(
            "name: n\nrule: rfc9999#1\nlevel: MUST\nneeds: [filter.eqq]\nsteps:\n  - request: {method: GET, path: /Users}\n    expect:\n      status: 9xx\n      values:\n        \"$.[\": {exists: true}\n        /a: {matches: \"(\"}\n    capture: {id: id}\n"
        ));
    }

    #[test]
    fn property_cases_name_a_known_property_and_have_no_steps() {
        insta::assert_snapshot!(errors(&format!("{HEAD}property: paging.wlak\n")));
        insta::assert_snapshot!(errors(&format!(
            "{HEAD}property: paging.walk\nsteps:\n  - request: {{method: GET, path: /Users}}\n"
        )));
    }

    #[test]
    fn yes_is_not_a_boolean() {
        insta::assert_snapshot!(errors(&format!(
            "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expect:\n      values:\n        /active: {{exists: yes}}\n"
        )));
    }
}
