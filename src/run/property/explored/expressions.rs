//! `filter.expressions` (RFC 7644 §3.4.2.2): generated filter expressions,
//! over the operators and attributes the profile claims, select exactly
//! what the project's own evaluator ([`crate::scim::filter`], the oracle)
//! selects from a population built to tell the readings apart.
//!
//! The population ([`population::varied`]) has second, non-primary email
//! addresses, titles that are absent on some users, caseExact externalIds
//! and creation instants milliseconds apart. The expressions nest `and`,
//! `or`, `not` and value paths, are written with only the parentheses
//! precedence needs (so `a or b and c` is sent as such) and with logical
//! operators in any letter case, and compare `meta.lastModified` with
//! instants written at other time-zone offsets. The oracle judges the
//! generated tree itself, not the text sent, so a printing mistake cannot
//! hide behind a parsing one.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::filter::search;
use crate::run::property::population;
use crate::run::property::{Counterexample, Env, Exploration, explore, id_of, runner};
use crate::scim::datetime::{instant, shifted};
use crate::scim::filter::{AttrPath, Filter, Op, user_collation};

/// A generated expression: the tree the oracle judges and the text sent.
#[derive(Clone)]
pub struct Expression {
    pub tree: Filter,
    pub text: String,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "filter={}", self.text)
    }
}

/// What a generated attribute holds, for the values and operators it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Boolean,
    DateTime,
    /// A multi-valued complex attribute, judged by `pr` alone.
    Complex,
}

/// What the expression generator may use, from the profile's claims.
struct Vocabulary {
    ops: Vec<Op>,
    present: bool,
    and: bool,
    or: bool,
    not: bool,
    complex: bool,
    /// Filterable attributes with the population's values for each, and
    /// whether every member has one (`ne` on an absent attribute is a
    /// reading the RFC leaves open, so it is only generated where none is).
    attributes: Vec<(AttrPath, Kind, Vec<Value>, bool)>,
}

fn path(name: &str, sub: Option<&str>) -> AttrPath {
    AttrPath {
        urn: None,
        name: name.into(),
        sub: sub.map(Into::into),
    }
}

impl Vocabulary {
    fn of(env: &Env, resources: &[Value]) -> Vocabulary {
        let claimed = |c: &str| env.profile.supports(c);
        let mut attributes = Vec::new();
        for (name, sub, kind) in [
            ("userName", None, Kind::Text),
            ("displayName", None, Kind::Text),
            ("name", Some("givenName"), Kind::Text),
            ("name", Some("familyName"), Kind::Text),
            ("emails", Some("value"), Kind::Text),
            ("emails", Some("type"), Kind::Text),
            ("title", None, Kind::Text),
            ("externalId", None, Kind::Text),
            ("active", None, Kind::Boolean),
            ("meta", Some("lastModified"), Kind::DateTime),
            ("phoneNumbers", None, Kind::Complex),
        ] {
            let attr = path(name, sub);
            if !env.profile.filterable(&attr.dotted()) {
                continue;
            }
            let mut values: Vec<Value> =
                resources.iter().flat_map(|r| values_at(r, &attr)).collect();
            let everyone = resources.iter().all(|r| !values_at(r, &attr).is_empty());
            // An attribute every member lacks still tells `pr` apart from
            // a stored empty list.
            let empty_list = resources.iter().any(|r| r.get(name) == Some(&json!([])));
            values.sort_by_key(Value::to_string);
            values.dedup();
            let typed = values.iter().all(|v| match kind {
                Kind::Boolean => v.is_boolean(),
                Kind::DateTime => v.as_str().and_then(instant).is_some(),
                Kind::Text => v.is_string(),
                Kind::Complex => v.is_object(),
            });
            if (!values.is_empty() || empty_list) && typed {
                attributes.push((attr, kind, values, everyone));
            }
        }
        Vocabulary {
            ops: Op::ALL
                .into_iter()
                .filter(|op| claimed(&format!("filter.{}", op.as_str())))
                .collect(),
            present: claimed("filter.pr"),
            and: claimed("filter.and"),
            or: claimed("filter.or"),
            not: claimed("filter.not"),
            complex: claimed("filter.complex"),
            attributes,
        }
    }
}

/// The values a path reaches in a resource (multi-valued attributes flattened).
fn values_at(resource: &Value, attr: &AttrPath) -> Vec<Value> {
    let top = resource.get(&attr.name);
    let items: Vec<&Value> = match top {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    items
        .into_iter()
        .filter_map(|v| match &attr.sub {
            Some(sub) => v.get(sub).cloned(),
            None => Some(v.clone()),
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// A comparison value: one of the population's own values, or a part of
/// one, in another letter case, or a word nobody has.
fn text_value(values: Vec<Value>) -> BoxedStrategy<Value> {
    (prop::sample::select(values), 0..5u8, "[a-z]{1,3}")
        .prop_map(|(value, how, word)| {
            let Value::String(text) = value else {
                return value;
            };
            let chars: Vec<char> = text.chars().collect();
            let half = chars.len() / 2;
            Value::String(match how {
                0 => text,
                1 => chars[..half.max(1)].iter().collect(),
                2 => chars[half..].iter().collect(),
                3 => text.to_uppercase(),
                _ => word,
            })
        })
        .boxed()
}

/// A date-time value: a member's own instant, or a millisecond either
/// side, written at another offset (so the text orders differently).
fn date_time_value(values: Vec<Value>) -> BoxedStrategy<Value> {
    const OFFSETS: &[&str] = &["+00:00", "+10:00", "-10:00", "+05:30"];
    (
        prop::sample::select(values),
        -1i64..=1,
        prop::sample::select(OFFSETS),
    )
        .prop_map(|(value, shift, offset)| {
            let moved = value
                .as_str()
                .and_then(|t| shifted(t, time::Duration::milliseconds(shift), offset).ok());
            moved.map_or(value, Value::String)
        })
        .boxed()
}

fn leaves(vocabulary: &Vocabulary) -> Vec<BoxedStrategy<Filter>> {
    let mut leaves: Vec<BoxedStrategy<Filter>> = Vec::new();
    for (attr, kind, values, everyone) in &vocabulary.attributes {
        let ops: Vec<Op> = vocabulary
            .ops
            .iter()
            .copied()
            .filter(|op| match kind {
                Kind::Boolean => matches!(op, Op::Eq | Op::Ne),
                // Substring operators on a date-time read text, not time.
                Kind::DateTime => !matches!(op, Op::Co | Op::Sw | Op::Ew),
                Kind::Text => true,
                Kind::Complex => false,
            })
            .filter(|op| *everyone || *op != Op::Ne)
            .collect();
        if !ops.is_empty() {
            let attr = attr.clone();
            let value = match kind {
                Kind::DateTime => date_time_value(values.clone()),
                _ => text_value(values.clone()),
            };
            leaves.push(
                (prop::sample::select(ops), value)
                    .prop_map(move |(op, value)| Filter::Compare {
                        path: attr.clone(),
                        op,
                        value,
                    })
                    .boxed(),
            );
        }
        if vocabulary.present {
            leaves.push(Just(Filter::Present(attr.clone())).boxed());
        }
        if vocabulary.complex && attr.dotted() == "emails.value" {
            let ops = [Op::Eq, Op::Co, Op::Sw]
                .into_iter()
                .filter(|op| vocabulary.ops.contains(op))
                .collect::<Vec<_>>();
            if ops.is_empty() || !vocabulary.and {
                continue;
            }
            // One element must hold both: `emails[type eq "home" and value co "…"]`.
            leaves.push(
                (
                    prop::sample::select(&["work", "home"][..]),
                    prop::sample::select(ops),
                    text_value(values.clone()),
                )
                    .prop_map(|(kind, op, value)| Filter::ValuePath {
                        path: path("emails", None),
                        filter: Box::new(Filter::and(
                            Filter::Compare {
                                path: path("type", None),
                                op: Op::Eq,
                                value: json!(kind),
                            },
                            Filter::Compare {
                                path: path("value", None),
                                op,
                                value,
                            },
                        )),
                    })
                    .boxed(),
            );
        }
    }
    leaves
}

fn expression(vocabulary: &Vocabulary) -> BoxedStrategy<Filter> {
    let leaf = prop::strategy::Union::new(leaves(vocabulary)).boxed();
    let (and, or, not) = (vocabulary.and, vocabulary.or, vocabulary.not);
    if !(and || or || not) {
        return leaf;
    }
    leaf.prop_recursive(3, 8, 3, move |inner| {
        let mut branches: Vec<BoxedStrategy<Filter>> = Vec::new();
        if and {
            branches.push(
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Filter::and(a, b))
                    .boxed(),
            );
        }
        if or {
            branches.push(
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Filter::or(a, b))
                    .boxed(),
            );
        }
        if not {
            branches.push(inner.prop_map(|f| Filter::Not(Box::new(f))).boxed());
        }
        prop::strategy::Union::new(branches)
    })
    .boxed()
}

/// How an expression is written: which spelling each logical operator
/// gets (`and`, `AND`, `And`), and whether parentheses that precedence
/// makes redundant are written anyway.
#[derive(Debug, Clone)]
struct Style {
    spelling: Vec<u8>,
    redundant: bool,
}

impl Style {
    fn word(&self, word: &str, at: &mut usize) -> String {
        let pick = self.spelling.get(*at % self.spelling.len().max(1)).copied();
        *at += 1;
        match pick.unwrap_or(0) % 3 {
            0 => word.to_string(),
            1 => word.to_uppercase(),
            _ => {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                })
            }
        }
    }
}

/// Writes `filter` so that it parses back to the same tree: `and` binds
/// tighter than `or` (RFC 7644 §3.4.2.2), so an `and` inside an `or` needs
/// no parentheses and an `or` inside an `and` does.
fn render(filter: &Filter, style: &Style, at: &mut usize) -> String {
    // Binding strength: or 1, and 2, anything else 3.
    fn strength(f: &Filter) -> u8 {
        match f {
            Filter::Or(_) => 1,
            Filter::And(_) => 2,
            _ => 3,
        }
    }
    let joined = |terms: &[Filter], word: &str, own: u8, at: &mut usize| {
        let mut out = String::new();
        for (i, term) in terms.iter().enumerate() {
            if i > 0 {
                out.push_str(&format!(" {} ", style.word(word, at)));
            }
            let text = render(term, style, at);
            let needs = strength(term) <= own || (style.redundant && strength(term) < 3);
            out.push_str(&if needs { format!("({text})") } else { text });
        }
        out
    };
    match filter {
        Filter::And(terms) => joined(terms, "and", 2, at),
        Filter::Or(terms) => joined(terms, "or", 1, at),
        Filter::Not(inner) => {
            let word = style.word("not", at);
            format!("{word} ({})", render(inner, style, at))
        }
        Filter::ValuePath { path, filter } => format!("{path}[{}]", render(filter, style, at)),
        leaf => leaf.to_string(),
    }
}

pub fn expressions(env: &Env) -> Exploration {
    if !(population::can_scope(env) && env.profile.supports("filter.and")) {
        return Exploration::Skipped(format!(
            "needs filter.sw on userName and filter.and to select the population (not claimed by profile {})",
            env.profile.name
        ));
    }
    // One GET an input, over a large space of expressions: four times the
    // usual number of inputs (in proportion to --prop-cases).
    let mut runner = runner(&env.settings.chained(64), &env.case.id);
    let size = crate::run::property::draw(&mut runner, 5..=6usize);
    let population = match population::varied(env, &mut runner, size) {
        Ok(population) => population,
        Err(cx) => return Exploration::Setup(cx),
    };
    let n = population.members.len();
    // The oracle judges the resources as the server lists them.
    let whole = match search(env, &population.filter(), n) {
        Ok(page) => page,
        Err(cx) => return Exploration::Setup(cx),
    };
    let listed: BTreeSet<String> = whole.ids().into_iter().collect();
    if listed != population.ids() {
        return Exploration::Setup(
            Counterexample::new(
                format!("`{}` does not return the population", population.filter()),
                &whole.exchange,
            )
            .expected(format!("the {n} users the property created"))
            .actual(format!("{} resources", whole.resources().len())),
        );
    }
    let vocabulary = Vocabulary::of(env, whole.resources());
    if vocabulary.attributes.is_empty() {
        return Exploration::Skipped("no filterable attribute has values in the population".into());
    }
    let scope = Filter::Compare {
        path: path("userName", None),
        op: Op::Sw,
        value: json!(population.stem),
    };
    let style =
        (prop::collection::vec(any::<u8>(), 8), any::<bool>()).prop_map(|(spelling, redundant)| {
            Style {
                spelling,
                redundant,
            }
        });
    let strategy = (expression(&vocabulary), style).prop_map(move |(expr, style)| {
        let tree = Filter::and(expr, scope.clone());
        let text = render(&tree, &style, &mut 0);
        Expression { tree, text }
    });
    explore(env, &mut runner, &[], strategy, |query| {
        let expected: BTreeSet<String> = whole
            .resources()
            .iter()
            .filter(|r| query.tree.matches(r, &user_collation))
            .map(id_of)
            .collect();
        let page = search(env, &query.text, n)?;
        let actual: BTreeSet<String> = page.ids().into_iter().collect();
        if actual == expected && page.total == Some(expected.len() as u64) {
            return Ok(());
        }
        let name = |ids: &BTreeSet<String>| {
            ids.iter()
                .map(|id| {
                    population
                        .member(id)
                        .map_or(id.clone(), |m| m.user_name.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(Counterexample::new(
            format!("`{}` selects other users than the filter means", query.text),
            &page.exchange,
        )
        .expected(format!("{} users: [{}]", expected.len(), name(&expected)))
        .actual(format!(
            "totalResults {}: [{}]",
            page.total.map_or("(absent)".into(), |t| t.to_string()),
            name(&actual)
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::TestRunner;

    fn vocabulary() -> Vocabulary {
        let text = |v: &[&str]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
        Vocabulary {
            ops: Op::ALL.to_vec(),
            present: true,
            and: true,
            or: true,
            not: true,
            complex: true,
            attributes: vec![
                (
                    path("userName", None),
                    Kind::Text,
                    text(&["a@x", "b@x"]),
                    true,
                ),
                (path("title", None), Kind::Text, text(&["Engineer"]), false),
                (
                    path("emails", Some("value")),
                    Kind::Text,
                    text(&["a@x", "h@y"]),
                    true,
                ),
                (
                    path("meta", Some("lastModified")),
                    Kind::DateTime,
                    text(&["2026-12-03T16:00:00.001Z"]),
                    true,
                ),
            ],
        }
    }

    #[test]
    fn what_is_written_parses_back_to_the_tree_the_oracle_judges() {
        let strategy = (
            expression(&vocabulary()),
            prop::collection::vec(any::<u8>(), 8),
            any::<bool>(),
        );
        TestRunner::default()
            .run(&strategy, |(tree, spelling, redundant)| {
                let text = render(
                    &tree,
                    &Style {
                        spelling,
                        redundant,
                    },
                    &mut 0,
                );
                let back = Filter::parse(&text).map_err(|e| {
                    proptest::test_runner::TestCaseError::fail(format!("{text}: {e}"))
                })?;
                prop_assert_eq!(back, tree, "{}", text);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn precedence_spares_the_parentheses_it_makes_redundant() {
        let a = || Filter::Present(path("a", None));
        let tree = Filter::or(a(), Filter::and(a(), Filter::or(a(), a())));
        let plain = Style {
            spelling: vec![0],
            redundant: false,
        };
        assert_eq!(
            render(&tree, &plain, &mut 0),
            "a pr or a pr and (a pr or a pr)"
        );
        let loud = Style {
            spelling: vec![1, 2],
            redundant: true,
        };
        assert_eq!(
            render(&tree, &loud, &mut 0),
            "a pr OR (a pr And (a pr OR a pr))"
        );
    }
}
