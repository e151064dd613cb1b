//! The reports of a small run (a pass, a fail, a skip, a waiver, a stale and
//! an expired waiver): golden snapshots of every format, the JUnit read by
//! an XML parser, the JSON validated against `docs/report.schema.json`, the
//! HTML opened in headless Chromium, GitHub annotations, and no token in any
//! artefact of a run.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use common::{files, tempdir, text};
use scimcheck::profile::Profile;
use scimcheck::server;

const FIXTURE: &str = "tests/data/reports";

/// Runs the fixture suite against the embedded server, writing every report into `dir`.
fn fixture_run(dir: &Path, envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimcheck"));
    command
        .args(["run", "--cases", &format!("{FIXTURE}/cases")])
        .args(["--waivers", &format!("{FIXTURE}/waivers.yaml")])
        .args(["--seed", "1", "--no-snapshots", "--test-threads", "1"])
        .arg("--report-junit")
        .arg(dir.join("report.xml"))
        .arg("--report-json")
        .arg(dir.join("report.json"))
        .arg("--report-md")
        .arg(dir.join("report.md"))
        .arg("--report-html")
        .arg(dir.join("report.html"))
        .env_remove("SCIMCHECK_URL")
        .env_remove("SCIMCHECK_TOKEN")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .env("CI", "1");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("scimcheck runs")
}

/// What changes from run to run (ports, the run id, times, generated ids)
/// replaced by fixed words, so the golden files compare.
fn stable(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"scimcheck-[0-9a-f]{8}-", "scimcheck-RUN-"),
        (r#""id": "[0-9a-f]{8}""#, r#""id": "RUN""#),
        (r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "TIME"),
        (
            r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
            "DATE",
        ),
        (r#"(duration_ms|elapsed_ms)": \d+"#, "$1\": 0"),
        (r#"time="[0-9.]+""#, r#"time="0""#),
        (r#"timestamp="[^"]+""#, r#"timestamp="TIME""#),
        (r"\((\d+) ms\)", "(0 ms)"),
        (r"<td>\d+</td></tr>", "<td>0</td></tr>"),
    ];
    let mut out = text.to_string();
    for (pattern, replacement) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, replacement)
            .into_owned();
    }
    out
}

#[test]
fn every_report_format_of_a_small_run_is_pinned() {
    let dir = tempdir();
    let output = fixture_run(&dir, &[]);
    // The SHOULD failure does not fail the run; the waived MUST failure neither.
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = text(&output);
    assert!(
        out.contains(
            "1 passed, 0 failed, 1 warning(s) (SHOULD/MAY failures: --strict fails them), 1 waived, 1 skipped"
        ),
        "{out}"
    );
    assert!(out.contains("stale waiver `users/list`"), "{out}");
    assert!(
        out.contains("waiver `users/teapot`") && out.contains("expired on 2020-01-01"),
        "{out}"
    );
    for (name, file) in [
        ("junit", "report.xml"),
        ("json", "report.json"),
        ("markdown", "report.md"),
        ("html", "report.html"),
    ] {
        let content = std::fs::read_to_string(dir.join(file)).unwrap();
        insta::assert_snapshot!(name, stable(&content));
    }
}

#[test]
fn the_junit_report_reads_as_junit() {
    let dir = tempdir();
    fixture_run(&dir, &[]);
    let xml = std::fs::read_to_string(dir.join("report.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4);
    let named = |id: &str| {
        cases
            .iter()
            .find(|c| c.attribute("name") == Some(id))
            .unwrap_or_else(|| panic!("no testcase {id}"))
    };
    // A SHOULD failure without --strict: a warning, not a JUnit failure,
    // its evidence in the testcase's output.
    let teapot = named("users/teapot");
    assert_eq!(teapot.attribute("classname"), Some("insightly.users"));
    assert!(teapot.children().all(|n| !n.has_tag_name("failure")));
    assert!(
        teapot
            .descendants()
            .any(|n| n.has_tag_name("property") && n.attribute("name") == Some("warning"))
    );
    let output = teapot
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(
        output
            .text()
            .unwrap_or_default()
            .contains("reproduce: curl")
    );
    assert_eq!(root.attribute("failures"), Some("0"));
    let waived = named("users/unknown");
    let skipped = waived
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(
        skipped
            .attribute("message")
            .unwrap()
            .starts_with("waived: ")
    );
    assert!(
        named("users/list")
            .children()
            .all(|n| !["failure", "error", "skipped"].contains(&n.tag_name().name()))
    );
}

fn validate(json: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let errors: Vec<String> = validator
        .iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_json_report_follows_its_documented_schema() {
    let dir = tempdir();
    fixture_run(&dir, &[]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    validate(&json);
    // A whole run against a faulty server, with properties and snapshots, too.
    let full = dir.join("full.json");
    let output = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "run",
            "--profile",
            "rfc7644",
            "--server-fault",
            "names-swapped",
        ])
        .arg("--report-json")
        .arg(&full)
        .env("CI", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    validate(&json);
    let ids: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "checks are in id order");
}

#[test]
fn the_html_report_is_self_contained_and_shows_the_verdict_and_matrix_in_chromium() {
    let dir = tempdir();
    fixture_run(&dir, &[]);
    let html_path = dir.join("report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    for external in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(!html.contains(external), "external resource `{external}`");
    }
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var_os("SCIMCHECK_REQUIRE_CHROMIUM").is_none(),
            "chromium is required (SCIMCHECK_REQUIRE_CHROMIUM is set) but not installed"
        );
        eprintln!(
            "skipping the browser half of this test: chromium is not installed (apt-get install chromium)"
        );
        return;
    };
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ];
    let url = format!("file://{}", html_path.display());
    let shot = dir.join("report.png");
    let screenshot = Command::new(chromium)
        .args(flags)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1600")
        .arg(&url)
        .output()
        .unwrap();
    assert!(screenshot.status.success(), "{}", text(&screenshot));
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    // The DOM after scripts ran: the verdict and the matrix are there.
    let dom = Command::new(chromium)
        .args(flags)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains(r#"<span id="verdict" class="verdict limited-pass">LIMITED PASS</span>"#),
        "{dom}"
    );
    let matrix = dom
        .split(r#"id="matrix-table""#)
        .nth(1)
        .expect("the matrix table");
    assert!(
        matrix.contains("insightly.op.get") && matrix.contains("⚠ waived"),
        "{matrix}"
    );
}

#[test]
fn in_github_actions_failures_become_annotations_and_the_summary_is_appended() {
    let dir = tempdir();
    let summary = dir.join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let output = fixture_run(
        &dir,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let annotation = stdout
        .lines()
        .find(|l| l.starts_with("::warning "))
        .expect("an annotation");
    // A SHOULD failure that does not fail the run is a warning.
    assert!(
        annotation
            .starts_with("::warning file=tests/data/reports/cases/users/teapot.yaml,line=6,col="),
        "{annotation}"
    );
    assert!(
        annotation.contains("::status 200, expected 418"),
        "{annotation}"
    );
    // Waived failures are not annotated.
    assert!(!stdout.contains("unknown.yaml,line"), "{stdout}");
    let appended = std::fs::read_to_string(&summary).unwrap();
    assert!(
        appended.starts_with("earlier step\n## scimcheck"),
        "{appended}"
    );
}

#[test]
fn no_artefact_of_a_run_contains_the_token() {
    const TOKEN: &str = "tok-3f9c2a7d-SECRET-e61b";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(server::start(
            server::Config {
                profile: Profile::load("insightly").unwrap(),
                token: Some(TOKEN.into()),
                faults: [server::Fault::CreateReturns200].into_iter().collect(),
                seed_users: 0,
                latency: Default::default(),
                drop_answers: None,
                introspection: None,
            },
            SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap();
    let dir = tempdir();
    let output = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["run", "--url", &running.base_url, "--snapshots"])
        .arg(dir.join("snapshots"))
        .arg("--update-snapshots")
        .arg("--report-junit")
        .arg(dir.join("r.xml"))
        .arg("--report-json")
        .arg(dir.join("r.json"))
        .arg("--report-md")
        .arg(dir.join("r.md"))
        .arg("--report-html")
        .arg(dir.join("r.html"))
        .env("SCIMCHECK_TOKEN", TOKEN)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        !text(&output).contains(TOKEN),
        "the terminal output holds the token"
    );
    let artefacts = files(&dir);
    assert!(artefacts.len() >= 8, "{:?}", artefacts.keys());
    for (name, bytes) in artefacts {
        let content = String::from_utf8_lossy(&bytes);
        assert!(!content.contains(TOKEN), "{name} holds the token");
    }
}

#[test]
fn the_schema_lists_exactly_the_check_kinds_a_failure_can_have() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let listed: Vec<&str> = schema["$defs"]["failure"]["properties"]["check"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let kinds: Vec<&str> = scimcheck::check::CheckKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(listed, kinds);
}

/// A check that failed only for the harness's own trouble (here a template
/// that cannot render) is a JUnit `<error>` and says nothing of the target:
/// when it is all that fails, the run ends with 2 and the verdict `error`;
/// beside a real failure of the target, the run fails with 1.
#[test]
fn a_check_failed_by_the_harness_is_an_error_not_a_verdict() {
    let dir = tempdir();
    let run = |fault: Option<&str>| {
        let junit = dir.join("report.xml");
        let mut command = common::scimcheck();
        command
            .args(["run", "--cases", "tests/data/harness", "--no-snapshots"])
            .arg("--report-junit")
            .arg(&junit);
        if let Some(fault) = fault {
            command.args(["--server-fault", fault]);
        }
        let (output, json) = {
            let report = dir.join("report.json");
            let output = command
                .arg("--report-json")
                .arg(&report)
                .output()
                .expect("scimcheck runs");
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
            (output, json)
        };
        (output, json, std::fs::read_to_string(junit).unwrap())
    };
    let (output, json, junit) = run(None);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_eq!(json["verdict"], "error");
    assert!(
        text(&output).contains("1 of them the harness's own trouble"),
        "{}",
        text(&output)
    );
    let failed = &json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "failed")
        .unwrap();
    assert_eq!(failed["failures"][0]["harness"], true);
    assert!(
        junit.contains("errors=\"1\"") && junit.contains("failures=\"0\""),
        "{junit}"
    );
    // The target really fails a MUST beside it: that decides the run.
    let (output, json, junit) = run(Some("not-found-is-500"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(json["verdict"], "fail");
    assert!(
        junit.contains("errors=\"1\"") && junit.contains("failures=\"1\""),
        "{junit}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
