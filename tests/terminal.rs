//! What a run says on the terminal, against the embedded reference server:
//! a SHOULD failure is a warning (not red, not a JUnit failure) unless
//! `--strict`; `run --help` offers only flags that do something; one
//! closing line of counts; the interop conflicts only with `--verbose`; a
//! progress line on a terminal and none when stderr is a pipe.

mod common;

use std::process::Command;

use common::{scimcheck, tempdir, text};

/// A SHOULD check the fault breaks (RFC 7232 §3.2, as RFC 7644 §3.14 cites it).
const SHOULD_CASE: [&str; 7] = [
    "run",
    "etag/if-none-match",
    "--exact",
    "--profile",
    "rfc7644",
    "--server-fault",
    "if-none-match-ignored",
];

fn junit_counts(xml: &str) -> (String, String) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    (
        root.attribute("failures").unwrap().to_string(),
        root.attribute("tests").unwrap().to_string(),
    )
}

/// Runs the SHOULD case with `extra` flags: the output, its stdout and the JUnit report.
fn should_case(extra: &[&str]) -> (std::process::Output, String, String) {
    let junit = tempdir().join("junit.xml");
    let output = scimcheck()
        .args(SHOULD_CASE)
        .args(extra)
        .args(["--no-snapshots", "--report-junit"])
        .arg(&junit)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let xml = std::fs::read_to_string(&junit).unwrap_or_default();
    (output, out, xml)
}

#[test]
fn a_should_failure_is_a_warning_unless_strict() {
    let (output, out, xml) = should_case(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        out.contains("   WARN [SHOULD] etag/if-none-match: a SHOULD failure does not fail the run"),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");
    assert!(
        out.contains("0 failed, 1 warning(s) (SHOULD/MAY failures: --strict fails them)"),
        "{out}"
    );
    // The evidence is there all the same.
    assert!(out.contains("error: "), "{out}");
    assert_eq!(junit_counts(&xml), ("0".to_string(), "1".to_string()));
    assert!(
        xml.contains(r#"<property name="warning" value="SHOULD failure"#),
        "{xml}"
    );

    let (output, out, xml) = should_case(&["--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        out.contains("   FAIL [SHOULD] etag/if-none-match\n"),
        "{out}"
    );
    assert!(out.contains("1 failed (0 MUST)"), "{out}");
    assert_eq!(junit_counts(&xml), ("1".to_string(), "1".to_string()));
}

#[test]
fn run_help_offers_only_flags_that_do_something() {
    let output = scimcheck().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for gone in [
        "--bench",
        "--ignored",
        "--include-ignored",
        "--logfile",
        "-Z ",
        "--format",
        "--nocapture",
        "--show-output",
    ] {
        assert!(!help.contains(gone), "{gone} in\n{help}");
    }
    for kept in [
        "[FILTER]",
        "--exact",
        "--skip <NAME>",
        "--list",
        "--test-threads <N>",
        "--quiet",
        "--verbose",
    ] {
        assert!(help.contains(kept), "{kept} not in\n{help}");
    }
    // The flags libtest took are errors now, not silently accepted.
    let output = scimcheck().args(["run", "--bench"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

#[test]
fn a_run_ends_with_one_line_of_counts_and_names_conflicts_only_when_verbose() {
    let args = ["run", "users/get-unknown", "--exact", "--no-snapshots"];
    let output = scimcheck().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    let counts: Vec<&str> = out.lines().filter(|l| l.contains(" passed")).collect();
    assert_eq!(
        counts,
        ["scimcheck: 1 passed, 0 failed, 0 waived, 0 skipped; exit 0"],
        "{out}"
    );
    assert!(out.contains("   PASS [MUST] users/get-unknown\n"), "{out}");
    assert!(
        !out.contains("conflicts with the scim-interop profile"),
        "{out}"
    );
    let output = scimcheck().args(args).arg("--verbose").output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("conflicts with the scim-interop profile"),
        "{out}"
    );
    // Quiet: no line for a passing check.
    let output = scimcheck().args(args).arg("-q").output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(!out.contains("PASS"), "{out}");
    assert!(out.contains("1 passed"), "{out}");
}

#[test]
fn a_progress_line_is_drawn_on_a_terminal_and_not_on_a_pipe() {
    let args = ["run", "users/", "--no-snapshots"];
    let output = scimcheck().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains("\x1b[2K"),
        "{stderr}"
    );

    // `script` (util-linux) runs the binary on a pseudo-terminal.
    let bin = env!("CARGO_BIN_EXE_scimcheck");
    let command = format!("{bin} {}", args.join(" "));
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("SCIMCHECK_URL")
        .env_remove("SCIMCHECK_TOKEN")
        .current_dir(tempdir())
        .output()
        .expect("script(1) runs");
    let tty = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{tty}");
    let progress = regex::Regex::new(r"\r\x1b\[2K\[ *\d+/\d+\] [\d,]+ requests").unwrap();
    assert!(progress.is_match(&tty), "{tty}");
    // The line is cleared before every line of output, and at the end.
    assert!(tty.contains("\r\x1b[2K   PASS [MUST] users/"), "{tty}");
    // Quiet draws none.
    let output = Command::new("script")
        .args(["-qec", &format!("{command} -q"), "/dev/null"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .current_dir(tempdir())
        .output()
        .unwrap();
    let tty = String::from_utf8_lossy(&output.stdout);
    assert!(!progress.is_match(&tty), "{tty}");
}
