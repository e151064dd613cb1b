//! The filter parser: a tokenizer and a recursive-descent parser with the
//! RFC's precedence (`not` binds tighter than `and`, `and` than `or`).
//! Recursion happens only at a nesting (a parenthesis, `not (`, a value
//! path's `[`), and at most [`MAX_DEPTH`] deep.

use std::fmt;

use serde_json::Value;

use super::{AttrPath, Filter, Op};

/// How deeply parentheses, `not (...)` and `attr[...]` may nest. Real
/// filters nest two or three levels; the bound keeps a hostile one (20,000
/// opening parentheses) from exhausting the stack.
pub const MAX_DEPTH: usize = 32;

/// Why a filter does not parse, with the character offset where it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Value(Value),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |offset, message: &str| ParseError {
        offset,
        message: message.to_string(),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' | ')' | '[' | ']' => {
                tokens.push((
                    start,
                    match c {
                        '(' => Token::Open,
                        ')' => Token::Close,
                        '[' => Token::OpenBracket,
                        _ => Token::CloseBracket,
                    },
                ));
                i += 1;
            }
            '"' => {
                // A JSON string: find the closing quote, honouring escapes.
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                if i >= chars.len() {
                    return Err(error(start, "unterminated string"));
                }
                i += 1;
                let literal: String = chars[start..i].iter().collect();
                let value: Value = serde_json::from_str(&literal)
                    .map_err(|_| error(start, "invalid string escape"))?;
                tokens.push((start, Token::Value(value)));
            }
            c if c == '-' || c.is_ascii_digit() => {
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || matches!(chars[i], '-' | '+' | '.' | 'e' | 'E'))
                {
                    i += 1;
                }
                let literal: String = chars[start..i].iter().collect();
                let value: Value =
                    serde_json::from_str(&literal).map_err(|_| error(start, "invalid number"))?;
                tokens.push((start, Token::Value(value)));
            }
            // `emails[type eq "work"].value`: a sub-attribute after a value
            // path, as Entra ID sends it (outside RFC 7644's filter grammar,
            // read as `emails[type eq "work" and value …]`).
            '.' if matches!(tokens.last(), Some((_, Token::CloseBracket)))
                && chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) =>
            {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push((start, Token::Word(word)));
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || matches!(chars[i], '_' | '$' | '-' | '.' | ':'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.to_ascii_lowercase().as_str() {
                    "true" => Token::Value(Value::Bool(true)),
                    "false" => Token::Value(Value::Bool(false)),
                    "null" => Token::Value(Value::Null),
                    _ => Token::Word(word),
                };
                tokens.push((start, token));
            }
            other => return Err(error(start, &format!("unexpected character `{other}`"))),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
    /// How many nestings enclose the current position.
    depth: usize,
}

pub fn parse(text: &str) -> Result<Filter, ParseError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: text.chars().count(),
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(ParseError {
            offset: 0,
            message: "empty filter".into(),
        });
    }
    let filter = parser.or()?;
    match parser.peek() {
        None => Ok(filter),
        Some(_) => Err(parser.error("expected `and`, `or` or the end of the filter")),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(o, _)| *o)
    }

    fn error(&self, message: &str) -> ParseError {
        let found = match self.peek() {
            Some(Token::Word(w)) => format!(", found `{w}`"),
            Some(Token::Value(v)) => format!(", found {v}"),
            Some(other) => format!(", found {other:?}"),
            None => ", found the end".into(),
        };
        ParseError {
            offset: self.offset(),
            message: format!("{message}{found}"),
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&token) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{what}`")))
        }
    }

    fn or(&mut self) -> Result<Filter, ParseError> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            terms.push(self.and()?);
        }
        Ok(one_or(terms, Filter::Or))
    }

    fn and(&mut self) -> Result<Filter, ParseError> {
        let mut terms = vec![self.unary()?];
        while self.keyword("and") {
            terms.push(self.unary()?);
        }
        Ok(one_or(terms, Filter::And))
    }

    /// An expression one nesting deeper (inside `(`, `not (` or `[`).
    fn nested(&mut self) -> Result<Filter, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                offset: self.offset(),
                message: format!("the filter nests more than {MAX_DEPTH} levels deep"),
            });
        }
        self.depth += 1;
        let inner = self.or();
        self.depth -= 1;
        inner
    }

    fn unary(&mut self) -> Result<Filter, ParseError> {
        if self.keyword("not") {
            self.expect(Token::Open, "(")?;
            let inner = self.nested()?;
            self.expect(Token::Close, ")")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.nested()?;
            self.expect(Token::Close, ")")?;
            return Ok(inner);
        }
        self.attribute_expression()
    }

    fn attribute_expression(&mut self) -> Result<Filter, ParseError> {
        let path = self.attr_path()?;
        if self.peek() == Some(&Token::OpenBracket) {
            self.pos += 1;
            let inner = self.nested()?;
            self.expect(Token::CloseBracket, "]")?;
            let filter = match self.peek().cloned() {
                Some(Token::Word(sub)) if sub.starts_with('.') => {
                    self.pos += 1;
                    let inner_path = AttrPath {
                        urn: None,
                        name: sub[1..].to_string(),
                        sub: None,
                    };
                    let compare = self.comparison(inner_path)?;
                    Filter::and(inner, compare)
                }
                _ => inner,
            };
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(filter),
            });
        }
        self.comparison(path)
    }

    /// `op value` (or `pr`) after an attribute path.
    fn comparison(&mut self, path: AttrPath) -> Result<Filter, ParseError> {
        if self.keyword("pr") {
            return Ok(Filter::Present(path));
        }
        let op = match self.peek() {
            Some(Token::Word(w)) => Op::parse(w),
            _ => None,
        }
        .ok_or_else(|| {
            self.error("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
        })?;
        self.pos += 1;
        match self.peek().cloned() {
            Some(Token::Value(value)) => {
                self.pos += 1;
                Ok(Filter::Compare { path, op, value })
            }
            _ => Err(self.error("expected a value (a \"string\", number, true, false or null)")),
        }
    }

    fn attr_path(&mut self) -> Result<AttrPath, ParseError> {
        let Some(Token::Word(word)) = self.peek().cloned() else {
            return Err(self.error("expected an attribute name"));
        };
        let offset = self.offset();
        self.pos += 1;
        split_path(&word).ok_or_else(|| ParseError {
            offset,
            message: format!("invalid attribute path `{word}`"),
        })
    }
}

/// One term as itself, several joined by `and` or `or`.
fn one_or(mut terms: Vec<Filter>, join: fn(Vec<Filter>) -> Filter) -> Filter {
    if terms.len() == 1 {
        terms.remove(0)
    } else {
        join(terms)
    }
}

/// `urn:...:User:name.givenName` → URN, `name`, `givenName`.
fn split_path(word: &str) -> Option<AttrPath> {
    let (urn, rest) = match word.rfind(':') {
        Some(at) if word[..at].to_ascii_lowercase().starts_with("urn:") => {
            (Some(word[..at].to_string()), &word[at + 1..])
        }
        Some(_) => return None,
        None => (None, word),
    };
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub.to_string())),
        None => (rest, None),
    };
    let valid = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
    };
    (valid(name) && sub.as_deref().is_none_or(valid)).then(|| AttrPath {
        urn,
        name: name.to_string(),
        sub,
    })
}
