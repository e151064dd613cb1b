//! Snapshot checks end to end: the shipped snapshots of the reference server
//! match; a first run records and a second run (a new server: new ids, new
//! timestamps, new port) matches byte for byte; a behaviour change fails the
//! snapshots that see it with a diff naming the attribute; update, reject and
//! accept round-trip; CI mode writes nothing.

mod common;

use std::path::Path;
use std::process::Output;

use common::{files, tempdir, text};

/// Runs scimcheck; `ci` sets the `CI` variable (as a pipeline would).
fn scimcheck(args: &[&str], ci: bool) -> Output {
    let mut command = common::scimcheck();
    command.args(args).env_remove("CI");
    if ci {
        command.env("CI", "true");
    }
    command.output().expect("scimcheck runs")
}

fn copy_dir(from: &Path, to: &Path) {
    for (name, bytes) in files(from) {
        let path = to.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// The case ids whose snapshots changed.
fn snapshot_failures(output: &Output) -> Vec<String> {
    let mut ids: Vec<String> = text(output)
        .lines()
        .filter(|l| l.contains("snapshot change: the response differs from snapshot"))
        .filter_map(|l| l.split(".yaml:").next())
        .map(|p| p.trim_start_matches("cases/").to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn the_shipped_snapshots_match_the_reference_server_under_both_profiles() {
    for (profile, count) in [("insightly", 9), ("rfc7644", 10)] {
        let output = scimcheck(&["run", "--profile", profile], true);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(
            text(&output).contains(&format!("{count} matched, 0 changed")),
            "{profile}: {}",
            text(&output)
        );
    }
}

#[test]
fn a_first_run_records_and_a_second_run_against_a_new_server_matches_byte_for_byte() {
    let root = tempdir();
    let root_arg = root.to_str().unwrap();
    let first = scimcheck(&["run", "--snapshots", root_arg], false);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(
        text(&first).contains("recorded 9 new snapshot(s) in"),
        "{}",
        text(&first)
    );
    let recorded = files(&root);
    assert_eq!(recorded.len(), 9, "{:?}", recorded.keys());
    assert!(
        recorded
            .keys()
            .all(|k| k.starts_with("reference-insightly/"))
    );

    let second = scimcheck(&["run", "--snapshots", root_arg], false);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        text(&second).contains("9 matched, 0 changed"),
        "{}",
        text(&second)
    );
    assert_eq!(files(&root), recorded, "the second run changed no byte");
}

#[test]
fn swapped_names_fail_the_snapshots_of_user_resources_with_a_diff_naming_the_attribute() {
    let output = scimcheck(
        &[
            "run",
            "--profile",
            "rfc7644",
            "--server-fault",
            "names-swapped",
        ],
        true,
    );
    assert_eq!(output.status.code(), Some(1));
    // The snapshots that hold a user's name see it; discovery and error
    // snapshots do not (and still match).
    let failed = snapshot_failures(&output);
    assert!(!failed.is_empty(), "{}", text(&output));
    for id in &failed {
        assert!(
            id.starts_with("users/") || id.starts_with("filter/") || id.starts_with("patch/"),
            "{id} should not see the names: {}",
            text(&output)
        );
    }
    let all = text(&output);
    assert!(all.contains("-        \"givenName\""), "{all}");
    assert!(all.contains("+        \"givenName\""), "{all}");
    for unaffected in ["discovery/", "errors/"] {
        assert!(!failed.iter().any(|f| f.starts_with(unaffected)));
    }
}

#[test]
fn update_then_reject_then_accept_round_trips() {
    let root = tempdir();
    copy_dir(
        Path::new("snapshots/reference-rfc7644"),
        &root.join("reference-rfc7644"),
    );
    let root_arg = root.to_str().unwrap();
    let shipped = files(&root);
    let faulty = [
        "run",
        "--profile",
        "rfc7644",
        "--server-fault",
        "names-swapped",
        "--snapshots",
        root_arg,
    ];

    let update = scimcheck(&[&faulty[..], &["--update-snapshots"]].concat(), false);
    assert!(
        text(&update).contains("pending review"),
        "{}",
        text(&update)
    );
    let pending: Vec<String> = files(&root)
        .into_keys()
        .filter(|k| k.ends_with(".snap.new"))
        .collect();
    assert!(!pending.is_empty());

    let review = scimcheck(&["snapshots", "review", "--snapshots", root_arg], false);
    assert!(text(&review).contains("givenName"), "{}", text(&review));
    assert!(
        text(&review).contains("nothing applied"),
        "{}",
        text(&review)
    );

    let reject = scimcheck(&["snapshots", "reject", "--snapshots", root_arg], false);
    assert_eq!(reject.status.code(), Some(0), "{}", text(&reject));
    assert_eq!(
        files(&root),
        shipped,
        "reject leaves the snapshots as they were"
    );

    scimcheck(&[&faulty[..], &["--update-snapshots"]].concat(), false);
    let accept = scimcheck(&["snapshots", "accept", "--snapshots", root_arg], false);
    assert_eq!(accept.status.code(), Some(0), "{}", text(&accept));
    assert!(files(&root).keys().all(|k| !k.ends_with(".snap.new")));
    assert_ne!(files(&root), shipped);

    // The accepted snapshots now describe the faulty server.
    let again = scimcheck(&faulty, true);
    assert!(snapshot_failures(&again).is_empty(), "{}", text(&again));
}

#[test]
fn ci_mode_writes_nothing_and_fails_only_on_a_snapshot_missing_from_a_pinned_baseline() {
    // No baseline folder: nothing is pinned, so nothing fails or is written.
    let root = tempdir();
    let output = scimcheck(&["run", "--snapshots", root.to_str().unwrap()], true);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        text(&output).contains("no baseline in"),
        "{}",
        text(&output)
    );
    assert!(files(&root).is_empty(), "{:?}", files(&root).keys());

    // A pinned folder (it holds a baseline) that lacks these snapshots: CI fails.
    let pinned = root.join("reference-insightly");
    std::fs::create_dir_all(&pinned).unwrap();
    std::fs::write(pinned.join("other__1.snap"), "---\nsource: x\n---\nx\n").unwrap();
    let output = scimcheck(&["run", "--snapshots", root.to_str().unwrap()], true);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("9 snapshot(s) have no baseline in"),
        "{}",
        text(&output)
    );
    assert_eq!(files(&root).len(), 1, "{:?}", files(&root).keys());
}

#[test]
fn a_redaction_that_cannot_parse_is_a_load_error_with_its_position() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("users")).unwrap();
    std::fs::write(
        dir.join("users/snap.yaml"),
        "name: n\nrule: rfc7644#3.3\nlevel: MUST\nsteps:\n  - request: {method: GET, path: /Users}\n    snapshot:\n      redact: {\"$.[\": \"[x]\"}\n",
    )
    .unwrap();
    let output = scimcheck(&["run", "--cases", dir.to_str().unwrap()], true);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("snap.yaml:7:"), "{}", text(&output));
    assert!(
        text(&output).contains("invalid JSONPath"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_changed_snapshot_is_a_change_reported_on_its_own_and_fails_only_in_ci() {
    let root = tempdir();
    copy_dir(
        Path::new("snapshots/reference-insightly"),
        &root.join("reference-insightly"),
    );
    // The baseline says something else than the (correct) server answers.
    let pinned = root.join("reference-insightly/users__get__2.snap");
    let text_before = std::fs::read_to_string(&pinned).unwrap();
    std::fs::write(&pinned, text_before.replace("\"Grace\"", "\"Augusta\"")).unwrap();
    let dir = root.to_str().unwrap();
    let report = root.join("report.json");
    let args = [
        "run",
        "--snapshots",
        dir,
        "--report-json",
        report.to_str().unwrap(),
    ];
    let local = scimcheck(&args, false);
    assert_eq!(
        local.status.code(),
        Some(0),
        "a change is not a failure: {}",
        text(&local)
    );
    assert!(
        text(&local).contains("1 changed against the pinned baseline"),
        "{}",
        text(&local)
    );
    assert!(
        text(&local).contains("1 snapshot change(s); exit 0"),
        "{}",
        text(&local)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["totals"]["snapshot_changes"], 1);
    assert_eq!(json["totals"]["failed"], 0);
    let get = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "users/get")
        .unwrap();
    assert_eq!(get["status"], "passed");
    assert!(
        get["snapshot_changes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("+    \"givenName\": \"Grace\"")
    );
    let ci = scimcheck(&args, true);
    assert_eq!(
        ci.status.code(),
        Some(1),
        "CI gates on the baseline: {}",
        text(&ci)
    );
}

#[test]
fn two_servers_on_one_host_never_share_snapshots() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let one = common::reference_server(&runtime, "rfc7644", 0, &[]);
    let two = common::reference_server(&runtime, "insightly", 0, &[]);
    let root = tempdir();
    for (server, profile) in [(&one, "rfc7644"), (&two, "insightly")] {
        let output = common::scimcheck()
            .args([
                "run",
                "discovery/",
                "--profile",
                profile,
                "--url",
                &server.base_url,
            ])
            .arg("--snapshots")
            .arg(&root)
            .env("SCIMCHECK_TOKEN", common::TOKEN)
            .env_remove("CI")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let expected = |server: &scimcheck::server::Running, profile: &str| {
        format!("127.0.0.1-{}-scim-v2-{profile}", server.addr.port())
    };
    let mut wanted = vec![expected(&one, "rfc7644"), expected(&two, "insightly")];
    wanted.sort();
    assert_eq!(folders, wanted);
}
