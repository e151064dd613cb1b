//! A verdict that means what it says, against a real reference server on
//! loopback: a conformant server passes with no flags, a wrong base URL is
//! the harness's trouble (exit 2), a first CI run with nothing pinned passes
//! and a changed pinned baseline fails, a run cut short reports what it did
//! not run, and a listing ends quietly on a closed pipe.

mod common;

use std::io::Read;
use std::process::Stdio;

use common::{TOKEN, reference_server, scimcheck, tempdir, text};

fn runtime() -> tokio::runtime::Runtime {
    scimcheck::pipeline::runtime()
}

#[test]
fn a_conformant_server_passes_with_no_profile_and_the_first_line_says_how_it_is_judged() {
    let runtime = runtime();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let scratch = tempdir();
    let output = scimcheck()
        .current_dir(&scratch)
        .args(["run", "--url", &server.base_url, "--token", TOKEN, "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .lines()
            .next()
            .unwrap_or_default()
            .contains("by profile `auto`"),
        "{stderr}"
    );
    // Nothing pinned and nothing asked for: nothing written.
    assert!(!scratch.join("snapshots").exists(), "{}", text(&output));
}

#[test]
fn a_base_url_without_its_scim_path_is_exit_2_with_the_base_it_found() {
    let runtime = runtime();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let root = server.base_url.trim_end_matches("/scim/v2").to_string();
    let output = scimcheck()
        .current_dir(tempdir())
        .args(["run", "--url", &root, "--token", TOKEN])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a SCIM base URL"), "{stderr}");
    assert!(stderr.contains("answered 404"), "{stderr}");
    assert!(
        stderr.contains(&format!("try --url {}", server.base_url)),
        "{stderr}"
    );
}

#[test]
fn ci_passes_a_first_run_with_nothing_pinned_and_fails_a_changed_baseline() {
    let runtime = runtime();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let scratch = tempdir();
    let run = |ci: bool, extra: &[&str]| {
        let mut command = scimcheck();
        command.current_dir(&scratch).args([
            "run",
            "--url",
            &server.base_url,
            "--token",
            TOKEN,
            "discovery/",
        ]);
        command.args(extra);
        // Whatever the environment says (the project's own CI sets CI).
        if ci {
            command.env("CI", "true");
        } else {
            command.env_remove("CI");
        }
        command.output().unwrap()
    };
    let first = run(true, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(text(&first).contains("no baseline in"), "{}", text(&first));
    assert!(!scratch.join("snapshots").exists());

    let recorded = run(false, &["--snapshots", "snapshots"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded));
    let folder = std::fs::read_dir(scratch.join("snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let snap = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "snap"))
        .unwrap();
    let pinned = std::fs::read_to_string(&snap).unwrap();
    std::fs::write(&snap, pinned.replacen("\"schemas\"", "\"schemaz\"", 1)).unwrap();
    let changed = run(true, &[]);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed));
    assert!(text(&changed).contains("1 changed"), "{}", text(&changed));
}

#[test]
fn a_run_cut_short_reports_not_run_never_failed_and_exits_3() {
    let runtime = runtime();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let scratch = tempdir();
    let report = scratch.join("r.json");
    let output = scimcheck()
        .current_dir(&scratch)
        .args(["run", "--url", &server.base_url, "--token", TOKEN])
        .args(["--run-timeout", "0.3", "--no-snapshots", "-q"])
        .arg("--report-json")
        .arg(&report)
        .output()
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["totals"]["failed"], 0, "{}", text(&output));
    assert!(json["totals"]["not_run"].as_u64().unwrap() > 0, "{json:#}");
    assert_eq!(json["run"]["scope"]["complete"], false);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
}

#[test]
fn a_report_path_that_cannot_be_written_is_found_before_the_run() {
    let output = scimcheck()
        .args(["run", "--report-html", "/nonexistent-folder/r.html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "cannot write /nonexistent-folder/r.html: its folder /nonexistent-folder does not exist"
        ),
        "{stderr}"
    );
    // Found before anything ran: no case output at all.
    assert!(
        String::from_utf8_lossy(&output.stdout).is_empty(),
        "{}",
        text(&output)
    );
}

#[test]
fn a_listing_ends_quietly_when_its_reader_goes_away() {
    for args in [
        &["run", "--list"][..],
        &["serve", "--list-faults"],
        &["list"],
    ] {
        let mut child = scimcheck()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The pipe is closed here (the reader is dropped).
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
