//! End-to-end tests of the `scimcheck` binary against its embedded reference
//! server: the whole suite passes under each shipped profile, a server that
//! breaks a documented rule fails the run (exit 1) and the reports name the
//! failing case, and harness problems exit 2 with a clear message. Verdicts
//! are read from the JSON report, never from the terminal's text.

mod common;

use std::process::Output;

use common::{checks_with, scimcheck_report, tempdir, text};

fn scimcheck(args: &[&str]) -> Output {
    common::scimcheck_ci(args)
}

/// The ids of the checks that failed, from the JSON report.
fn failed_cases(args: &[&str]) -> (Output, Vec<String>) {
    let (output, report) = scimcheck_report(args);
    (output, checks_with(&report, "failed"))
}

#[test]
fn the_whole_suite_passes_against_the_reference_server_under_each_profile() {
    for profile in ["insightly", "rfc7644"] {
        let (output, report) = scimcheck_report(&["run", "--profile", profile]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "profile {profile}:\n{}",
            text(&output)
        );
        assert_eq!(report["totals"]["failed"], 0, "{}", text(&output));
        assert!(
            report["totals"]["passed"].as_u64().unwrap() > 40,
            "{}",
            text(&output)
        );
    }
}

#[test]
fn a_server_that_answers_200_on_create_fails_the_run_and_the_junit_names_the_case() {
    let dir = tempdir();
    let junit = dir.join("out.xml");
    let (output, failed) = failed_cases(&[
        "run",
        "--server-fault",
        "create-returns-200",
        "--report-junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        failed.contains(&"users/create".to_string()),
        "{}",
        text(&output)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let case = xml
        .find(r#"<testcase name="users/create""#)
        .expect("users/create in the JUnit");
    let end = xml[case..].find("</testcase>").unwrap() + case;
    let block = &xml[case..end];
    assert!(block.contains("<failure"), "{block}");
    assert!(block.contains("status 200, expected 201"), "{block}");
    assert!(block.contains("cases/users/create.yaml:"), "{block}");
    assert!(
        !xml.contains("Bearer scimcheck-"),
        "the token leaked into the JUnit"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn judging_one_profile_against_the_other_fails_exactly_where_they_differ() {
    let (output, failed) = failed_cases(&[
        "run",
        "--profile",
        "rfc7644",
        "--server-profile",
        "insightly",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("insightly_server_judged_as_rfc7644", failed.join("\n"));
    let (output, failed) = failed_cases(&[
        "run",
        "--profile",
        "insightly",
        "--server-profile",
        "rfc7644",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("rfc7644_server_judged_as_insightly", failed.join("\n"));
}

#[test]
fn a_malformed_case_file_is_reported_at_its_position_and_exits_2() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("users")).unwrap();
    std::fs::write(
        dir.join("users/bad.yaml"),
        "name: bad\nrule: rfc7644#3.3\nlevel: MUST\nsteps:\n  - request: {method: GET, path: /Users}\n    expcet: {status: 200}\n",
    )
    .unwrap();
    let output = scimcheck(&["run", "--cases", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let expected = format!(
        "{}:6:5: unknown key `expcet`, did you mean `expect`?",
        dir.join("users/bad.yaml").display()
    );
    assert!(text(&output).contains(&expected), "{}", text(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn oauth_without_a_url_is_a_harness_error_before_any_request() {
    // The embedded server checks no OAuth token; nothing listens on port 9,
    // so reaching for the token endpoint would be a different error.
    let output = scimcheck(&[
        "run",
        "--oauth-token-url",
        "http://127.0.0.1:9/token",
        "--oauth-client-id",
        "x",
        "--oauth-client-secret",
        "y",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("--oauth-token-url needs --url"),
        "{}",
        text(&output)
    );
}

#[test]
fn an_unreachable_target_is_one_line_and_exit_2() {
    // Port 9 (discard) on loopback: nothing listens there.
    let output = scimcheck(&[
        "run",
        "--url",
        "http://127.0.0.1:9/scim/v2",
        "--token",
        "t",
        "--timeout",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("scimcheck: error: cannot reach http://127.0.0.1:9/scim/v2"),
        "{stderr}"
    );
}

#[test]
fn selecting_no_case_is_an_error() {
    let output = scimcheck(&["run", "no-such-case-anywhere"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("no case matches the filter `no-such-case-anywhere`"));
}

#[test]
fn a_filter_selects_cases_like_cargo_test() {
    let (output, report) = scimcheck_report(&["run", "filter/"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let ids = checks_with(&report, "passed");
    assert!(ids.contains(&"filter/username-eq".to_string()), "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("filter/")), "{ids:?}");
}

#[test]
fn the_auto_profile_reads_the_claims_from_discovery_and_says_so() {
    let output = scimcheck(&["run", "--profile", "auto", "--server-profile", "rfc7644"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = text(&output);
    assert!(
        out.contains("auto profile: filter: as probed — operators [eq, ne, co, sw, ew, gt, ge, lt, le, pr], logical [and, or, not], complex yes"),
        "{out}"
    );
    assert!(
        out.contains("auto profile: patch: [add, remove, replace] (as probed)"),
        "{out}"
    );
    let (output, failed) =
        failed_cases(&["run", "--profile", "auto", "--server-profile", "insightly"]);
    let out = text(&output);
    assert!(
        out.contains("auto profile: filter: as probed — operators [eq], logical [], complex no, attributes [userName]"),
        "{out}"
    );
    assert!(
        out.contains("auto profile: patch: [replace] (as probed)"),
        "{out}"
    );
    assert!(
        out.contains("attributes: [userName, name.familyName, name.givenName, displayName, active, emails, externalId] (declared in /Schemas)"),
        "{out}"
    );
    assert!(
        out.contains("required: [userName, name.familyName, name.givenName, displayName, emails]"),
        "{out}"
    );
    // Discovery cannot reveal soft delete: that is the one case auto gets wrong.
    assert_eq!(failed, ["users/delete-removes"], "{out}");
}

#[test]
fn a_template_syntax_error_is_a_load_error_at_its_place() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("users")).unwrap();
    std::fs::write(
        dir.join("users/typo.yaml"),
        "name: typo\nrule: rfc7644#3.3\nlevel: MUST\nsteps:\n  - request: {method: GET, path: '/Users/{{ nope'}\n",
    )
    .unwrap();
    let output = scimcheck(&["run", "--cases", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let expected = format!(
        "{}:5:14: `/Users/{{{{ nope`: `{{{{` is never closed with `}}}}`",
        dir.join("users/typo.yaml").display()
    );
    assert!(text(&output).contains(&expected), "{}", text(&output));
    assert!(
        text(&output).contains("scimcheck: error: 1 problem(s) in the case files"),
        "the error is printed once, at the end: {}",
        text(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_summary_tells_what_remains_whatever_the_profile_claims() {
    // The server only deactivates on DELETE; the rfc7644 profile says DELETE removes.
    let (output, report) = scimcheck_report(&[
        "run",
        "--profile",
        "rfc7644",
        "--server-fault",
        "soft-delete",
    ]);
    let out = text(&output);
    let created = report["cleanup"]["created"].as_u64().unwrap();
    let left = report["cleanup"]["left"].as_array().unwrap();
    // Every user remains, deactivated; groups (which have no `active`) go.
    let users = left.len() as u64;
    assert!(users > 20, "{out}");
    assert!(
        left.iter()
            .all(|l| l["state"] == "inactive" && l["resource"] == "User")
    );
    let groups = created - users;
    assert!(groups > 0, "{out}");
    assert_eq!(report["cleanup"]["gone"], groups);
    let line = format!(
        "scimcheck: cleanup: {users} users and {groups} groups created by this run; {groups} gone; {users} remain as inactive users: this server deactivates on DELETE"
    );
    assert!(out.contains(&line), "{out}");
    let summary = report["cleanup"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(line.trim_start_matches("scimcheck: cleanup: ")),
        "{summary}"
    );
    // The server is asked, not only the ledger.
    assert!(
        summary.contains(r#"(asked by a GET of each and by a search for userName sw "scimcheck-"#),
        "{summary}"
    );
}

#[test]
fn run_help_names_the_command_in_its_usage() {
    let output = scimcheck(&["run", "--help"]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("Usage: scimcheck run [OPTIONS] [FILTER]"),
        "{out}"
    );
    assert!(out.contains("Exit codes:"), "{out}");
}

/// What changes from run to run in terminal output, replaced by fixed words.
fn stable(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"scimcheck-[0-9a-f]{8}-[0-9a-f]{6}", "scimcheck-RUN-CASE"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "UUID",
        ),
        (r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "TIME"),
        // A timestamp the excerpt cut short ("2026…").
        (r#""created":"\d{4}…"#, r#""created":"TIME…"#),
        (r"finished in [0-9.]+s", "finished in TIME"),
    ];
    rules
        .into_iter()
        .fold(text.to_string(), |out, (pattern, to)| {
            regex::Regex::new(pattern)
                .unwrap()
                .replace_all(&out, to)
                .into_owned()
        })
}

#[test]
fn the_terminal_output_of_a_failing_run_is_pinned() {
    let output = scimcheck(&[
        "run",
        "attributes/name-round-trip",
        "--exact",
        "--server-fault",
        "names-swapped",
        "--no-snapshots",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    insta::assert_snapshot!(stable(&stdout));
}

#[test]
fn a_server_that_fails_under_parallel_load_is_judged_by_reruns_and_the_load_is_a_finding() {
    let args = [
        "run",
        "--profile",
        "rfc7644",
        "--server-fault",
        "locked-under-load",
        "--no-snapshots",
    ];
    let (parallel, report) = scimcheck_report(&args);
    let out = text(&parallel);
    assert_eq!(parallel.status.code(), Some(0), "{out}");
    let with_one: Vec<&str> = args.iter().copied().chain(["--concurrency", "1"]).collect();
    let (alone, alone_report) = scimcheck_report(&with_one);
    assert_eq!(alone.status.code(), Some(0), "{}", text(&alone));
    // The same verdicts as one case at a time.
    for status in ["passed", "failed", "skipped"] {
        assert_eq!(
            checks_with(&report, status),
            checks_with(&alone_report, status),
            "{status}"
        );
    }
    // The load itself is a finding of its own, with its evidence.
    let reruns = report["findings"]["concurrency"]["reruns"]
        .as_array()
        .unwrap();
    assert!(!reruns.is_empty(), "{out}");
    assert!(reruns.iter().all(|r| r["finding"] == "under-load"));
    assert!(
        reruns[0]["answer"]
            .as_str()
            .unwrap()
            .contains("database is locked")
    );
    assert_eq!(
        report["totals"]["under_load"].as_u64(),
        Some(reruns.len() as u64)
    );
    assert!(out.contains("rerunning them one at a time"), "{out}");
    assert!(
        out.contains("scimcheck: finding: with 8 cases running at once"),
        "{out}"
    );
    assert!(
        alone_report["findings"]["concurrency"]["reruns"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // --strict makes it fail the run.
    let strict: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    assert_eq!(common::scimcheck_ci(&strict).status.code(), Some(1));
}

#[test]
fn a_service_provider_config_that_denies_what_works_is_a_finding_and_the_behaviour_is_judged() {
    let (output, report) = scimcheck_report(&[
        "run",
        "--profile",
        "auto",
        "--server-fault",
        "spc-denies-filter",
        "--no-snapshots",
    ]);
    let out = text(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the working part is not failed: {out}"
    );
    let contradictions = report["findings"]["contradictions"].as_array().unwrap();
    assert_eq!(contradictions.len(), 1, "{out}");
    assert_eq!(
        contradictions[0]["claim"],
        "ServiceProviderConfig filter.supported: false"
    );
    assert!(
        contradictions[0]["observed"]
            .as_str()
            .unwrap()
            .contains("answered 200 with a ListResponse")
    );
    assert!(
        contradictions[0]["exchange"]["url"]
            .as_str()
            .unwrap()
            .contains("filter=")
    );
    assert!(out.contains("finding: claims vs behaviour (RFC 7643 §5): ServiceProviderConfig filter.supported: false"), "{out}");
    // Filtering is judged by what the server does: the filter cases ran, and passed.
    assert!(
        checks_with(&report, "passed").contains(&"filter/operators".to_string()),
        "{out}"
    );
    assert_eq!(report["totals"]["contradictions"], 1);
}
