//! The property checks against the reference server: each injected paging or
//! filter fault makes the property for its rule fail with a small, named
//! counterexample; the same `--seed` reproduces the same counterexample; and
//! a run leaves none of its users behind on a server that deletes.

mod common;

use std::process::Output;

use common::{reference_server, text, users};

fn scimcheck(args: &[&str]) -> Output {
    common::scimcheck_ci(args)
}

/// The counterexample lines of a run, with the run's random id masked (the
/// only part of a counterexample the seed does not decide).
fn counterexamples(output: &Output) -> Vec<String> {
    let run_id = regex::Regex::new(r"(?i)scimcheck-[0-9a-f]{8}").unwrap();
    text(output)
        .lines()
        .filter(|l| l.contains("minimal input:"))
        .map(|l| run_id.replace_all(l, "scimcheck-RUN").into_owned())
        .collect()
}

struct Expectation {
    profile: &'static str,
    fault: &'static str,
    property: &'static str,
    /// What the counterexample must say.
    says: &'static str,
}

const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        profile: "rfc7644",
        fault: "paging-off-by-one",
        property: "paging/prop-walk",
        says: "minimal input: count=1",
    },
    Expectation {
        profile: "rfc7644",
        fault: "pages-overlap",
        property: "paging/prop-walk",
        says: "(pages overlap)",
    },
    Expectation {
        profile: "insightly",
        fault: "pages-overlap",
        property: "paging/prop-window",
        says: "minimal input: startIndex=2, count=1",
    },
    Expectation {
        profile: "insightly",
        fault: "total-counts-page",
        property: "paging/prop-window",
        says: "`totalResults` is wrong",
    },
    Expectation {
        profile: "rfc7644",
        fault: "start-below-one-rejected",
        property: "paging/prop-window",
        says: "minimal input: startIndex=0, count=1",
    },
    Expectation {
        profile: "insightly",
        fault: "filter-case-sensitive",
        property: "filter/prop-eq-any-case",
        says: "does not find exactly the user",
    },
    Expectation {
        profile: "rfc7644",
        fault: "eq-as-substring",
        property: "filter/prop-eq-not-substring",
        says: "matches a userName it is only part of",
    },
    Expectation {
        profile: "insightly",
        fault: "invalid-filter-accepted",
        property: "filter/prop-unsupported",
        says: "which the profile does not claim, and is not rejected",
    },
];

#[test]
fn every_paging_and_filter_fault_fails_its_property_with_a_reproducible_counterexample() {
    for e in EXPECTATIONS {
        let args = [
            "run",
            e.property,
            "--exact",
            "--profile",
            e.profile,
            "--server-fault",
            e.fault,
            "--seed",
            "20261128",
        ];
        let first = scimcheck(&args);
        let context = format!("{} under {} ({})", e.fault, e.profile, e.property);
        assert_eq!(first.status.code(), Some(1), "{context}:\n{}", text(&first));
        let found = counterexamples(&first);
        assert_eq!(found.len(), 1, "{context}:\n{}", text(&first));
        let output = text(&first);
        assert!(
            output.contains(e.says),
            "{context}: expected `{}` in\n{output}",
            e.says
        );
        assert!(output.contains("reproduce: --seed 20261128"), "{output}");
        assert!(output.contains("reproduce: curl "), "{output}");
        let again = scimcheck(&args);
        assert_eq!(
            counterexamples(&again),
            found,
            "{context}: the seed reproduces"
        );
    }
}

#[test]
fn shrinking_reduces_a_random_failure_to_one_changed_letter() {
    // The generated value flips the case of random letters; the minimal one
    // flips a single letter, which is all it takes to break a case-sensitive eq.
    let output = scimcheck(&[
        "run",
        "filter/prop-eq-any-case",
        "--exact",
        "--server-fault",
        "filter-case-sensitive",
        "--seed",
        "5",
    ]);
    // Every generated userName is lower case: the flips are the capitals.
    let all = text(&output);
    let line = all
        .lines()
        .find(|l| l.contains("minimal input:"))
        .expect("a counterexample");
    let value = line.rsplit("userName eq ").next().unwrap();
    let uppercase = value.chars().filter(char::is_ascii_uppercase).count();
    assert_eq!(uppercase, 1, "{line}");
}

#[test]
fn a_whole_run_leaves_none_of_its_users_behind_on_a_server_that_deletes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "rfc7644", 3, &[]);
    let before = users(&runtime, &running.base_url);
    let output = common::scimcheck()
        .args(["run", "--profile", "rfc7644", "--no-snapshots"])
        .args(["--url", &running.base_url])
        .env("SCIMCHECK_TOKEN", common::TOKEN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // The server deletes for real (rfc7644): only the three seeded users remain.
    assert_eq!(users(&runtime, &running.base_url), before);
}
