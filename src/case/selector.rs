//! Selectors: where in a JSON body an expectation, a capture or a snapshot
//! redaction looks. A JSON pointer (`/name/givenName`) picks one value; a
//! JSONPath (`$.Resources[*].id`) picks a list. Parsed once, at load.

use std::fmt;

use serde_json::Value;

/// A parsed selector, with the text it was written as.
#[derive(Debug, Clone)]
pub struct Selector {
    text: String,
    kind: Kind,
}

/// What is wrong with a selector as written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("invalid JSONPath `{0}`: {1}")]
    JsonPath(String, String),
    #[error(
        "selector `{0}` is neither a JSON pointer (starting with `/`) nor a JSONPath (starting with `$`)"
    )]
    Neither(String),
}

#[derive(Debug, Clone)]
enum Kind {
    Pointer,
    Path(serde_json_path::JsonPath),
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, Error> {
        let kind = if text.is_empty() || text.starts_with('/') {
            Kind::Pointer
        } else if text.starts_with('$') {
            Kind::Path(
                serde_json_path::JsonPath::parse(text)
                    .map_err(|e| Error::JsonPath(text.to_string(), e.to_string()))?,
            )
        } else {
            return Err(Error::Neither(text.to_string()));
        };
        Ok(Selector {
            text: text.to_string(),
            kind,
        })
    }

    /// A JSON pointer picks at most one value; a JSONPath picks a list.
    pub fn is_pointer(&self) -> bool {
        matches!(self.kind, Kind::Pointer)
    }

    /// JSON pointers to every value the selector picks in `json`.
    pub fn pointers(&self, json: &Value) -> Vec<String> {
        match &self.kind {
            Kind::Pointer => json
                .pointer(&self.text)
                .map(|_| self.text.clone())
                .into_iter()
                .collect(),
            Kind::Path(path) => path
                .query_located(json)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect(),
        }
    }

    /// Every value the selector picks in `json`.
    pub fn select<'a>(&self, json: &'a Value) -> Vec<&'a Value> {
        match &self.kind {
            Kind::Pointer => json.pointer(&self.text).into_iter().collect(),
            Kind::Path(path) => path.query(json).all(),
        }
    }

    /// The first value the selector picks.
    pub fn first<'a>(&self, json: &'a Value) -> Option<&'a Value> {
        self.select(json).into_iter().next()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
