//! SCIM filter expressions (RFC 7644 §3.4.2.2): one parser, one printer and
//! one evaluator, shared by the reference server and the property checks
//! (as an oracle).
//!
//! [`Filter::parse`] turns `userName eq "a" and not (emails[type eq "work"])`
//! into a [`Filter`]; its `Display` prints it back in canonical form (the two
//! round-trip); [`Filter::matches`] evaluates it against a resource, each
//! attribute compared as its schema says ([`Collation`]).
//!
//! `and` and `or` are n-ary, so a long flat chain of terms is a shallow tree;
//! nesting (parentheses, `not`, value paths) is bounded by [`MAX_DEPTH`], so
//! no filter a client sends can exhaust the stack of whoever parses it.

mod eval;
mod parse;

use std::fmt;

use serde_json::Value;

pub use parse::{MAX_DEPTH, ParseError};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub const ALL: [Op; 9] = [
        Op::Eq,
        Op::Ne,
        Op::Co,
        Op::Sw,
        Op::Ew,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Co => "co",
            Op::Sw => "sw",
            Op::Ew => "ew",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    fn parse(word: &str) -> Option<Op> {
        Op::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

/// How the values of one attribute compare (RFC 7643 §2.2 caseExact,
/// §2.3.5 dateTime; RFC 7644 §3.4.2.2: "for DateTime types, it is a
/// chronological comparison").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collation {
    /// Strings compare exactly (caseExact true).
    Exact,
    /// Strings compare ignoring letter case (the default).
    IgnoreCase,
    /// Date-times compare as instants, whatever their time-zone offsets
    /// (a value that is no RFC 3339 date-time compares as text).
    Instant,
}

/// How a User attribute compares, by dotted path in any letter case:
/// from its schema, unknown attributes ignoring case (the RFC's default).
pub fn user_collation(dotted: &str) -> Collation {
    match crate::scim::schema::user_attribute(dotted) {
        Some(a) if a.kind == crate::scim::schema::Type::DateTime => Collation::Instant,
        Some(a) if a.case_exact => Collation::Exact,
        _ => Collation::IgnoreCase,
    }
}

/// An attribute path: an optional schema URN, a name and an optional sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// `name.sub` without the URN, as profiles and schemas name attributes.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}.{sub}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: Op,
        value: Value,
    },
    Present(AttrPath),
    /// Every term holds (two or more terms).
    And(Vec<Filter>),
    /// Some term holds (two or more terms).
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some element of a multi-valued attribute matches.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        parse::parse(text)
    }

    /// `a and b`, flattening terms that are themselves `and`s.
    pub fn and(a: Filter, b: Filter) -> Filter {
        let mut terms = Vec::new();
        for term in [a, b] {
            match term {
                Filter::And(inner) => terms.extend(inner),
                other => terms.push(other),
            }
        }
        Filter::And(terms)
    }

    /// `a or b`, flattening terms that are themselves `or`s.
    pub fn or(a: Filter, b: Filter) -> Filter {
        let mut terms = Vec::new();
        for term in [a, b] {
            match term {
                Filter::Or(inner) => terms.extend(inner),
                other => terms.push(other),
            }
        }
        Filter::Or(terms)
    }

    /// Does the resource match? `collation` says how each attribute
    /// (dotted path, lower case) compares.
    pub fn matches(&self, resource: &Value, collation: &dyn Fn(&str) -> Collation) -> bool {
        eval::matches(self, resource, collation, None)
    }

    /// Every operator the filter uses (`eq`, `pr`, `and`, `not`, `[]` for a value path).
    pub fn operators(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        self.visit(&mut |f| match f {
            Filter::Compare { op, .. } => out.push(op.as_str()),
            Filter::Present(_) => out.push("pr"),
            Filter::And(..) => out.push("and"),
            Filter::Or(..) => out.push("or"),
            Filter::Not(_) => out.push("not"),
            Filter::ValuePath { .. } => out.push("[]"),
        });
        out
    }

    /// Every attribute the filter compares (dotted, as written).
    pub fn attributes(&self) -> Vec<String> {
        self.paths().into_iter().map(AttrPath::dotted).collect()
    }

    /// Every attribute path the filter compares, with its URN if written.
    pub fn paths(&self) -> Vec<&AttrPath> {
        let mut out = Vec::new();
        self.visit(&mut |f| match f {
            Filter::Compare { path, .. }
            | Filter::Present(path)
            | Filter::ValuePath { path, .. } => out.push(path),
            _ => {}
        });
        out
    }

    fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Filter)) {
        f(self);
        match self {
            Filter::And(terms) | Filter::Or(terms) => terms.iter().for_each(|t| t.visit(f)),
            Filter::Not(inner) | Filter::ValuePath { filter: inner, .. } => inner.visit(f),
            _ => {}
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        write!(f, "{}", self.dotted())
    }
}

impl fmt::Display for Filter {
    /// Canonical form: lower-case operators, JSON-escaped strings, and
    /// parentheses around every `and`/`or` operand that is itself a logical
    /// expression (so the printed text parses back to the same tree).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::And(terms) => joined(f, terms, " and "),
            Filter::Or(terms) => joined(f, terms, " or "),
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

fn joined(f: &mut fmt::Formatter<'_>, terms: &[Filter], separator: &str) -> fmt::Result {
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{}", Grouped(term))?;
    }
    Ok(())
}

struct Grouped<'a>(&'a Filter);

impl fmt::Display for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Filter::And(..) | Filter::Or(..) => write!(f, "({})", self.0),
            other => write!(f, "{other}"),
        }
    }
}

#[cfg(test)]
mod tests;
