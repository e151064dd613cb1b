//! Diagnostics: where something is written and what is wrong with it. The
//! bottom layer, shared by the case loader, profiles, waivers, the reports
//! and the reference server's command-line parsing.
//!
//! [`Pos`] is a line and column; [`Location`] a file path with a position,
//! shown as `path:line:col` (the one place that format is written);
//! [`Diagnostic`] a location with a message. [`parse_yaml`] reads every YAML
//! input the harness accepts, with the same options and the same error style
//! (quoted values, "did you mean").

use std::fmt;
use std::sync::Arc;

use serde_saphyr::Spanned;

/// A position in a file: 1-based line and column (0 when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u64,
    pub col: u64,
}

impl Pos {
    /// The first character of a file.
    pub const START: Pos = Pos { line: 1, col: 1 };

    /// Where a spanned YAML value starts.
    pub fn of<T>(spanned: &Spanned<T>) -> Pos {
        Pos {
            line: spanned.referenced.line(),
            col: spanned.referenced.column(),
        }
    }

    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

/// A place in a file, shown as `path:line:col`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Location {
    /// The path as shown to users (`cases/users/create.yaml`).
    pub path: Arc<str>,
    pub pos: Pos,
}

impl Location {
    pub fn new(path: impl Into<Arc<str>>, pos: Pos) -> Location {
        Location {
            path: path.into(),
            pos,
        }
    }

    /// The same file at another position.
    pub fn at(&self, pos: Pos) -> Location {
        Location {
            path: self.path.clone(),
            pos,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An unknown position still names a line a reader can open.
        let pos = if self.pos.is_known() {
            self.pos
        } else {
            Pos::START
        };
        write!(f, "{}:{}:{}", self.path, pos.line, pos.col)
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
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

/// `, did you mean `best`?` when one of `candidates` is close to `found`.
pub fn hint<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(found, candidates)
        .map(|best| format!(", did you mean `{best}`?"))
        .unwrap_or_default()
}

/// The YAML options every input is read with: only `true`/`false` are
/// booleans (no `yes`/`on` surprises); serde-saphyr's default budget bounds
/// nesting depth and size, so a hostile file cannot exhaust the stack.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true, with_snippet: false }
}

/// Deserializes one YAML document into `T`; an error names its place, quotes
/// the offending value and suggests the closest known name.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|error| {
        let pos = error.location().map_or(Pos::START, |l| Pos {
            line: l.line().max(1),
            col: l.column().max(1),
        });
        Diagnostic::new(
            Location::new(path, pos),
            explain(&error.to_string(), text, pos),
        )
    })
}

/// Rewrites a serde message for people: drops the trailing position (it is
/// printed first), quotes the offending scalar, suggests the closest name.
fn explain(raw: &str, text: &str, pos: Pos) -> String {
    let message = match raw.rfind(" at line ") {
        Some(at) => &raw[..at],
        None => raw,
    };
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
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
        return format!(
            "unknown {what} `{found}`{} (expected one of: {})",
            hint(found, expected.iter().copied()),
            expected.join(", ")
        );
    }
    if message.starts_with("invalid ")
        && let Some(token) = token_at(text, pos)
    {
        return format!("{message}: found `{token}`");
    }
    message.to_string()
}

/// The scalar that starts at `pos`, for quoting in messages.
fn token_at(text: &str, pos: Pos) -> Option<String> {
    let line = text.lines().nth(pos.line.checked_sub(1)? as usize)?;
    let rest: String = line
        .chars()
        .skip(pos.col.saturating_sub(1) as usize)
        .collect();
    let token = rest
        .trim_end()
        .trim_end_matches(',')
        .trim_end_matches(['}', ']']);
    (!token.is_empty()).then(|| token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_reads_as_path_line_col() {
        let at = Location::new("cases/a.yaml", Pos { line: 3, col: 7 });
        assert_eq!(at.to_string(), "cases/a.yaml:3:7");
        assert_eq!(at.at(Pos::default()).to_string(), "cases/a.yaml:1:1");
        let d = Diagnostic::new(at, "bad");
        assert_eq!(d.to_string(), "cases/a.yaml:3:7: bad");
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(did_you_mean("expcet", ["expect", "steps"]), Some("expect"));
        assert_eq!(did_you_mean("zzzzzz", ["expect"]), None);
    }

    #[test]
    fn deeply_nested_yaml_is_an_error_not_a_crash() {
        let text = format!("a: {}1{}", "[".repeat(5000), "]".repeat(5000));
        let result: Result<serde_json::Value, _> = parse_yaml("deep.yaml", &text);
        let error = result.unwrap_err();
        assert!(error.to_string().starts_with("deep.yaml:"), "{error}");
    }
}
