//! Traceability: every row of the seed guide's two tables (and its note on
//! required attributes) is enforced by at least one built-in case.

use scimcheck::{case, rules};

#[test]
fn every_seed_row_has_a_case() {
    let cases = suite();
    let uncovered: Vec<&str> = rules::CATALOGUE
        .iter()
        .map(|rule| rule.id)
        .filter(|id| !cases.iter().any(|c| c.rules.iter().any(|r| r == id)))
        .collect();
    assert!(uncovered.is_empty(), "rules without a case: {uncovered:?}");
    let operations = rules::CATALOGUE
        .iter()
        .filter(|r| r.id.starts_with("insightly.op."))
        .count();
    let attributes = rules::CATALOGUE
        .iter()
        .filter(|r| r.id.starts_with("insightly.attr."))
        .count();
    assert_eq!(
        (operations, attributes),
        (8, 8),
        "the guide has 8 operation rows and 8 mapping rows"
    );
}

#[test]
fn the_traceability_matrix_is_pinned() {
    let cases = suite();
    let exercises: Vec<rules::Exercise> = cases
        .iter()
        .map(|c| rules::Exercise {
            id: &c.id,
            rules: &c.rules,
            needs: c.needs.iter().map(|n| n.to_string()).collect(),
        })
        .collect();
    let matrix = rules::matrix(&exercises);
    assert!(!matrix.contains("(no case)"), "{matrix}");
    insta::assert_snapshot!(matrix);
}

#[test]
fn docs_levels_lists_every_case_at_its_level() {
    let cases = suite();
    let text = std::fs::read_to_string("docs/levels.md").unwrap();
    let table = text.split("The cases:").nth(1).expect("the cases table");
    let listed: Vec<(String, String)> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let id = cells[0].trim_start_matches("| `").trim_end_matches('`');
            let level = cells.last().unwrap().trim_end_matches(" |");
            (id.to_string(), level.to_string())
        })
        .collect();
    let actual: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.id.clone(), c.level.as_str().to_string()))
        .collect();
    assert_eq!(listed, actual, "docs/levels.md is out of date");
}

/// The built-in suite without the identity-provider client flows: those
/// judge what a client needs (their reports have a matrix of their own),
/// not an RFC sentence's keyword.
fn suite() -> Vec<case::Case> {
    case::load_sources(case::source::builtin())
        .expect("the built-in suite loads")
        .into_iter()
        .filter(|c| c.client.is_none())
        .collect()
}
