//! The mutation test: for every fault the reference server can inject, the
//! suite run against the faulty server must fail, and at least one failing
//! check must enforce the very rule the fault breaks (not just any check).
//! A fault the suite does not catch fails this test unless it is listed in
//! [`KNOWN_GAPS`] with a reason. The score table is printed and written to
//! `target/mutation-score.md`.
//!
//! Snapshots are off here: they pin every byte of the reference server and
//! would catch any change by construction; the score measures the checks
//! that are tied to rules. Runs are `--strict`: a fault that breaks a SHOULD
//! or MAY rule is caught when a check of that level fails.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;

use scimcheck::server::Fault;

/// Faults the suite is known not to catch, with the reason. Empty: every
/// fault is caught by a check tied to its rule.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// The identity-provider clients whose flows the reference server's
/// dialect faults are judged by.
const CLIENTS: &[&str] = &["entra", "entra-2020", "okta", "okta-put", "onelogin"];

struct Outcome {
    exit: Option<i32>,
    /// Failing checks whose rules include the fault's rule.
    catching: Vec<String>,
    failed: usize,
}

/// Runs every client flow against the server with a dialect fault: the
/// clients that send what it breaks are caught breaking (named with the
/// stage), and a client that does not send it breaking is a false alarm.
fn run_clients(fault: Fault) -> Outcome {
    let mut catching = Vec::new();
    let mut failed = 0;
    let mut wrong = Vec::new();
    for client in CLIENTS {
        let json = report(fault, &["--client", client]).1;
        let verdict = &json["client"];
        let broken: Vec<String> = verdict["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == "breaks")
            .map(|s| {
                // Named by stage, and by whether provisioning breaks or
                // the vendor's validator fails certification.
                let by = match s["validator"].as_str() {
                    Some(validator) => format!(" (certification: {validator})"),
                    None => String::new(),
                };
                format!("{client}: {}{by}", s["stage"].as_str().unwrap())
            })
            .collect();
        failed += broken.len();
        match (fault.senders().contains(client), broken.is_empty()) {
            (true, false) => catching.extend(broken),
            (true, true) => wrong.push(format!("{client} works (it sends what the fault breaks)")),
            (false, false) => wrong.push(format!("{client} breaks: {}", verdict["sentence"])),
            (false, true) => {}
        }
    }
    if !wrong.is_empty() {
        catching.clear();
        catching.push(format!("WRONG: {}", wrong.join("; ")));
    }
    Outcome {
        exit: Some(if catching.iter().any(|c| c.starts_with("WRONG")) {
            0
        } else {
            1
        }),
        catching,
        failed,
    }
}

/// One run of the embedded server with `fault`: its exit code and JSON report.
fn report(fault: Fault, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!(
        "scimcheck-mutation-{}-{}-{}",
        std::process::id(),
        fault.name(),
        args.join("-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["run", "--no-snapshots", "--strict"])
        .args(args)
        .args(["--server-fault", fault.name(), "--test-threads", "4", "-q"])
        // The 150-member group is enough to catch a cap (members-capped
        // keeps 100); the 1000-member one would triple the test's time.
        .args(["--large-group", "0"])
        .arg("--report-json")
        .arg(&report)
        .env_remove("SCIMCHECK_URL")
        .env_remove("SCIMCHECK_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .expect("scimcheck runs");
    let json: serde_json::Value = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("{}: no report: {output:?}", fault.name()));
    (output.status.code(), json)
}

fn run(fault: Fault) -> Outcome {
    if fault.rule().starts_with("client:") {
        return run_clients(fault);
    }
    let (exit, json) = report(fault, &["--profile", fault.judged_by()]);
    let failed: Vec<&serde_json::Value> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .collect();
    let mut catching: Vec<String> = failed
        .iter()
        .filter(|c| {
            c["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == fault.rule())
        })
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    // A fault that is not a case's rule shows as a finding of its kind.
    let findings = &json["findings"];
    match fault.rule() {
        "finding:concurrency" => catching.extend(
            findings["concurrency"]["reruns"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["finding"] == "under-load")
                .map(|r| format!("finding: {} under load", r["case"].as_str().unwrap())),
        ),
        "finding:claims" => catching.extend(
            findings["contradictions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("finding: {}", c["claim"].as_str().unwrap())),
        ),
        _ => {}
    }
    Outcome {
        exit,
        catching,
        failed: failed.len(),
    }
}

#[test]
fn every_fault_is_caught_by_a_check_of_the_rule_it_breaks() {
    let outcomes: Mutex<BTreeMap<&str, Outcome>> = Mutex::new(BTreeMap::new());
    let queue: Mutex<Vec<Fault>> = Mutex::new(Fault::ALL.to_vec());
    // A few runs at a time: each is mostly waiting on loopback I/O.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(fault) = queue.lock().unwrap().pop() {
                    let outcome = run(fault);
                    outcomes.lock().unwrap().insert(fault.name(), outcome);
                }
            });
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    let mut table = String::from(
        "| fault | rule broken | profile | failing checks | caught by (checks of that rule) |\n| --- | --- | --- | ---: | --- |\n",
    );
    let mut missed = Vec::new();
    for fault in Fault::ALL {
        let outcome = &outcomes[fault.name()];
        let gap = KNOWN_GAPS.iter().find(|(name, _)| *name == fault.name());
        let caught = outcome.exit == Some(1)
            && !outcome.catching.is_empty()
            && !outcome.catching[0].starts_with("WRONG");
        let verdict = match (caught, gap) {
            (true, _) => {
                let mut shown: Vec<&str> = outcome
                    .catching
                    .iter()
                    .map(String::as_str)
                    .take(12)
                    .collect();
                if outcome.catching.len() > 12 {
                    shown.push("…");
                }
                shown.join(", ")
            }
            (false, Some((_, reason))) => format!("known gap: {reason}"),
            (false, None) => {
                missed.push(fault.name());
                format!("**MISSED** {}", outcome.catching.join("; "))
            }
        };
        table.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            fault.name(),
            fault.rule(),
            if fault.rule().starts_with("client:") {
                "each `--client`"
            } else {
                fault.judged_by()
            },
            outcome.failed,
            verdict
        ));
    }
    let caught = Fault::ALL.len() - missed.len() - KNOWN_GAPS.len();
    let score = format!(
        "Mutation score: {caught}/{} faults caught by a check of the rule they break ({} known gaps).\n\n",
        Fault::ALL.len(),
        KNOWN_GAPS.len()
    );
    let text = score + &table;
    println!("{text}");
    let _ = std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/../mutation-score.md"),
        &text,
    );
    assert!(Fault::ALL.len() >= 25, "at least 25 faults");
    assert!(missed.is_empty(), "not caught: {missed:?}\n{text}");
    for (name, _) in KNOWN_GAPS {
        assert!(
            !outcomes[name].catching.is_empty() || outcomes[name].exit != Some(1),
            "{name} is listed as a known gap but is caught now: remove it from KNOWN_GAPS"
        );
    }
}
