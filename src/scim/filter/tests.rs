//! Tests of the filter parser, printer and evaluator, including the
//! print → parse round-trip property.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::scim::filter::user_collation;

fn user() -> Value {
    json!({
        "id": "Abc", "userName": "Ada.Lovelace@example.com", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@work.example", "type": "work"}, {"value": "ada@home.example", "type": "home"}],
        "meta": {"created": "2024-01-02T03:04:05Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "manager": {"value": "Boss", "$ref": "../Users/Boss"}
        }
    })
}

fn check(filter: &str) -> bool {
    Filter::parse(filter)
        .unwrap()
        .matches(&user(), &user_collation)
}

#[test]
fn extension_attributes_are_read_from_their_extension() {
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert!(check(&format!(
        r#"{enterprise}:employeeNumber eq "701984""#
    )));
    assert!(check(&format!(r#"{enterprise}:manager.value eq "boss""#)));
    assert!(!check(&format!(r#"{enterprise}:userName pr"#)));
    // A core URN reads the top level.
    assert!(check(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ada""#
    ));
    // Unqualified, as Entra ID asks whether a manager is set: the
    // extension that has the name; a complex value through its `value`.
    assert!(check(r#"id eq "Abc" and manager eq "Boss""#));
    assert!(!check(r#"id eq "Abc" and manager eq "Other""#));
    assert!(check(r#"employeeNumber eq "701984""#));
}

#[test]
fn date_times_compare_as_instants_across_offsets() {
    // 2024-01-02T03:04:05Z is 13:04:05+10:00: later as text, the same instant.
    assert!(check(r#"meta.created eq "2024-01-02T13:04:05+10:00""#));
    assert!(check(r#"meta.created gt "2024-01-02T12:04:05+10:00""#));
    assert!(!check(r#"meta.created lt "2024-01-02T12:04:05+10:00""#));
    assert!(check(r#"meta.created lt "2024-01-01T18:04:06-09:00""#));
    // Substring operators read the text; a value that is no date-time too.
    assert!(check(r#"meta.created sw "2024-01-02""#));
    assert!(!check(r#"meta.created gt "yesterday""#));
    // `and` binds tighter than `or`, in any letter case.
    assert!(check(r#"id eq "Abc" OR id eq "x" AND active eq false"#));
    assert!(!check(r#"(id eq "Abc" or id eq "x") and active eq false"#));
}

#[test]
fn evaluates_the_rfc_operators() {
    assert!(check(r#"userName eq "ada.lovelace@EXAMPLE.com""#));
    assert!(check(r#"USERNAME Eq "ada.lovelace@example.com""#));
    assert!(!check(r#"userName eq "ada""#));
    assert!(
        check(r#"userName co "love""#)
            && check(r#"userName sw "ada""#)
            && check(r#"userName ew ".COM""#)
    );
    assert!(
        check(r#"id eq "Abc""#) && !check(r#"id eq "abc""#),
        "id is caseExact"
    );
    assert!(check("active eq true") && check("active ne false") && !check("active eq false"));
    assert!(
        check(r#"meta.created gt "2023-12-31T00:00:00Z""#)
            && check(r#"meta.created le "2024-01-02T03:04:05Z""#)
    );
    assert!(check(r#"emails[type eq "work" and value co "work"]"#));
    assert!(!check(r#"emails[type eq "other"]"#));
    assert!(check(r#"emails.type eq "home""#) && check(r#"emails co "home.example""#));
    assert!(check("name.givenName pr") && !check("title pr"));
    assert!(check(
        r#"not (userName eq "x") and (name.familyName eq "x" or name.givenName eq "ada")"#
    ));
    assert!(check(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ADA""#
    ));
    assert!(check(r#"title ne "x""#), "ne holds for an absent attribute");
}

#[test]
fn precedence_is_not_and_or() {
    let f = Filter::parse(r#"a eq 1 or b eq 2 and c eq 3"#).unwrap();
    assert_eq!(f.to_string(), "a eq 1 or (b eq 2 and c eq 3)");
}

#[test]
fn errors_say_where() {
    let e = Filter::parse(r#"userName eq"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a value (a \"string\", number, true, false or null), found the end (at character 12)"
    );
    let e = Filter::parse(r#"userName equals "x""#).unwrap_err();
    assert!(e.message.starts_with("expected an operator"), "{e}");
    assert!(Filter::parse(r#"userName eq "x"#).is_err());
    assert!(Filter::parse("(a pr").is_err());
    assert!(Filter::parse("").is_err());
    assert!(Filter::parse("a pr b pr").is_err());
}

#[test]
fn nesting_is_bounded_and_long_chains_are_flat() {
    let deep = format!("{}userName pr{}", "(".repeat(20_000), ")".repeat(20_000));
    let e = Filter::parse(&deep).unwrap_err();
    assert!(e.message.contains("nests more than 32 levels"), "{e}");
    let nots = format!("{}userName pr{}", "not (".repeat(40), ")".repeat(40));
    assert!(Filter::parse(&nots).is_err());
    let ok = format!(
        "{}userName pr{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(Filter::parse(&ok).is_ok());
    let chain = vec![r#"userName eq "a""#; 10_000].join(" and ");
    let f = Filter::parse(&chain).unwrap();
    assert!(matches!(&f, Filter::And(terms) if terms.len() == 10_000));
    assert!(!f.matches(&user(), &user_collation));
}

#[test]
fn reports_operators_and_attributes() {
    let f = Filter::parse(r#"userName eq "a" and not (emails[type eq "work"])"#).unwrap();
    assert_eq!(f.operators(), ["and", "eq", "not", "[]", "eq"]);
    assert_eq!(f.attributes(), ["userName", "emails", "type"]);
}

fn arb_path() -> impl Strategy<Value = AttrPath> {
    (
        prop::option::of(Just(
            "urn:ietf:params:scim:schemas:core:2.0:User".to_string(),
        )),
        "[a-zA-Z][a-zA-Z0-9_]{0,6}",
        prop::option::of("[a-zA-Z][a-zA-Z0-9]{0,5}"),
    )
        .prop_filter("not a keyword", |(_, name, sub)| {
            let reserved = |s: &str| {
                ["and", "or", "not", "pr", "true", "false", "null"]
                    .contains(&s.to_ascii_lowercase().as_str())
            };
            !reserved(name) && !sub.as_deref().is_some_and(reserved)
        })
        .prop_map(|(urn, name, sub)| AttrPath { urn, name, sub })
}

fn arb_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ]
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        (
            arb_path(),
            prop::sample::select(Op::ALL.to_vec()),
            arb_value()
        )
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        arb_path().prop_map(Filter::Present),
    ];
    leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.clone().prop_map(|f| Filter::Not(Box::new(f))),
            (arb_path().prop_map(|p| AttrPath { sub: None, ..p }), inner).prop_map(|(path, f)| {
                Filter::ValuePath {
                    path,
                    filter: Box::new(f),
                }
            }),
        ]
    })
}

proptest! {
    #[test]
    fn print_then_parse_round_trips(filter in arb_filter()) {
        let printed = filter.to_string();
        let reparsed = Filter::parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(reparsed, filter);
    }
}

#[test]
fn a_sub_attribute_after_a_value_path_reads_as_part_of_its_filter() {
    // Entra ID's `emails[type eq "work"].value eq "…"`.
    let entra = Filter::parse(r#"emails[type eq "work"].value eq "a@b.c""#).unwrap();
    let rfc = Filter::parse(r#"emails[type eq "work" and value eq "a@b.c"]"#).unwrap();
    assert_eq!(entra, rfc);
    assert!(Filter::parse(r#"emails.value eq "a""#).is_ok());
    assert!(Filter::parse(r#"emails .value eq "a""#).is_err());
}
