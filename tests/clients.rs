//! Identity-provider client flows end to end: every client's flows run
//! green against the embedded reference server, a server that breaks a
//! client's dialect gets that client's verdict "breaks at '<stage>'" with
//! the evidence, RFC behaviour a client tolerates is a warning there, and
//! `list --clients` and a wrong `--client` say what exists.

mod common;

use common::{scimcheck_ci, scimcheck_report, text};

const CLIENTS: [&str; 5] = ["entra", "entra-2020", "okta", "okta-put", "onelogin"];

#[test]
fn every_client_flow_works_against_the_reference_server() {
    for client in CLIENTS {
        let (output, report) = scimcheck_report(&["run", "--client", client]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{client}:\n{}",
            text(&output)
        );
        let verdict = &report["client"];
        assert_eq!(verdict["name"], client);
        assert_eq!(verdict["verdict"], "works", "{client}: {verdict}");
        assert!(
            text(&output).contains("provisioning: works"),
            "{}",
            text(&output)
        );
        // Every step says which documented client behaviour it replays.
        for stage in verdict["stages"].as_array().unwrap() {
            assert!(
                !stage["replays"].as_array().unwrap().is_empty(),
                "{client} {stage}"
            );
        }
        // A client flow run is only the client's flows.
        for check in report["checks"].as_array().unwrap() {
            assert!(check["id"].as_str().unwrap().starts_with("clients/"));
        }
    }
}

#[test]
fn a_refused_capitalised_op_breaks_entra_at_its_first_stage_that_sends_one() {
    let (output, report) = scimcheck_report(&[
        "run",
        "--client",
        "entra",
        "--server-fault",
        "capitalised-ops-refused",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let verdict = &report["client"];
    assert_eq!(verdict["verdict"], "breaks");
    let sentence = verdict["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("Microsoft Entra ID provisioning: breaks at 'update'"),
        "{sentence}"
    );
    assert!(text(&output).contains(sentence), "{}", text(&output));
    // The evidence: the request as sent, op and all, and the server's answer.
    let update = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "clients/entra/update")
        .unwrap();
    let sent = update["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == 400)
        .expect("the refused PATCH");
    assert!(
        sent["request_body"]
            .as_str()
            .unwrap()
            .contains("\"Replace\""),
        "{sent}"
    );
    // The same server still provisions for the flag's lower-case dialect;
    // Entra's validator, which sends `Add` whatever the flag, fails it.
    let (output, report) = scimcheck_report(&[
        "run",
        "--client",
        "entra-2020",
        "--server-fault",
        "capitalised-ops-refused",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(report["client"]["verdict"], "works");
    assert_eq!(report["client"]["certification"], "breaks");
    assert!(
        report["client"]["certification_sentence"]
            .as_str()
            .unwrap()
            .contains("fails at 'update' (Microsoft Entra SCIM Validation Logic App)"),
        "{}",
        report["client"]["certification_sentence"]
    );
}

#[test]
fn what_a_client_tolerates_is_a_warning_and_what_its_validator_fails_fails_certification() {
    // Okta documents a 404 as an acceptable answer to a lookup that finds
    // nobody (the RFC asks for an empty ListResponse): provisioning works,
    // with a warning. Okta's SPEC test, which grades an OIN submission,
    // requires the empty ListResponse: certification fails, and says where.
    let bundle = common::tempdir().join("bundle");
    let (output, report) = scimcheck_report(&[
        "run",
        "--client",
        "okta",
        "--server-fault",
        "empty-result-404",
        "--bundle",
        bundle.to_str().unwrap(),
    ]);
    let out = text(&output);
    // A required check of the validator failed.
    assert_eq!(output.status.code(), Some(1), "{out}");
    let verdict = &report["client"];
    assert_eq!(verdict["verdict"], "works", "{verdict}");
    assert_eq!(verdict["certification"], "breaks", "{verdict}");
    let rows = verdict["stages"].as_array().unwrap();
    let lookup = rows
        .iter()
        .find(|s| s["check"] == "clients/okta/lookup")
        .unwrap();
    assert_eq!(lookup["status"], "works with warnings", "{lookup}");
    let spec = rows
        .iter()
        .find(|s| s["check"] == "clients/okta/spec-unknown-user")
        .unwrap();
    assert_eq!(spec["stage"], "lookup", "{spec}");
    assert_eq!(spec["status"], "breaks", "{spec}");
    assert_eq!(spec["validator"], "Okta SCIM 2.0 SPEC Test", "{spec}");
    assert!(report["totals"]["warnings"].as_u64().unwrap() > 0);
    assert!(
        out.contains("warning: a user that matches nobody yet"),
        "{out}"
    );
    assert!(out.contains("Okta (OIN app) provisioning: works"), "{out}");
    assert!(
        out.contains("Okta (OIN app) certification: fails at 'lookup' (Okta SCIM 2.0 SPEC Test): a userName nobody has: status 404, expected 200 (the validator fails it)"),
        "{out}"
    );
    // The bundle's manifest carries both verdicts.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("manifest.json")).unwrap())
            .unwrap();
    let verdicts = &manifest["client_verdicts"];
    assert_eq!(verdicts["provisioning"], "works", "{manifest}");
    assert_eq!(verdicts["certification"], "breaks", "{manifest}");
}

#[test]
fn a_flow_step_names_the_source_it_replays() {
    let dir = common::tempdir();
    let client = dir.join("clients/acme");
    std::fs::create_dir_all(&client).unwrap();
    std::fs::write(
        client.join("client.yaml"),
        "title: Acme\nsummary: a test client\nsources: [\"[docs] Acme's SCIM guide\"]\n",
    )
    .unwrap();
    std::fs::write(
        client.join("lookup.yaml"),
        "name: a lookup\nrule: [doc:acme]\nlevel: MUST\nstage: lookup\nsteps:\n  - replays: \"[blog] somebody's post\"\n    request: {method: GET, path: /Users}\n    expect: {status: 200}\n",
    )
    .unwrap();
    let output = scimcheck_ci(&["list", "--cases", dir.to_str().unwrap()]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("`replays:` opens with [blog] instead of the [tag] of one of the client's sources ([docs])"),
        "{out}"
    );
}

#[test]
fn list_clients_names_each_client_and_its_stages() {
    let output = scimcheck_ci(&["list", "--clients"]);
    assert_eq!(output.status.code(), Some(0));
    let out = text(&output);
    for client in CLIENTS {
        assert!(
            out.contains(&format!("\n{client} ")) || out.starts_with(client),
            "{out}"
        );
    }
    for stage in [
        "connection-test",
        "lookup",
        "create",
        "update",
        "disable",
        "enable",
        "deprovision",
        "group-push",
    ] {
        assert!(out.contains(stage), "{out}");
    }
}

#[test]
fn an_unknown_client_is_a_harness_error_with_a_suggestion() {
    let output = scimcheck_ci(&["run", "--client", "entraa"]);
    assert_eq!(output.status.code(), Some(2));
    let out = text(&output);
    assert!(out.contains("no client `entraa`"), "{out}");
    assert!(out.contains("entra"), "{out}");
}

#[test]
fn a_stage_whose_setup_breaks_elsewhere_is_not_run_and_the_verdict_names_that_stage() {
    // Insightly's guide requires displayName; Entra's documented create body
    // has none: the create stage breaks, and the stages that need a user
    // first say they did not run rather than breaking themselves.
    let (output, report) =
        scimcheck_report(&["run", "--client", "entra", "--profile", "insightly"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let verdict = &report["client"];
    let sentence = verdict["sentence"].as_str().unwrap();
    assert!(sentence.contains("breaks at 'create'"), "{sentence}");
    let status = |stage: &str| {
        verdict["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == stage)
            .map(|s| s["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status("create"), "breaks");
    for stage in ["lookup", "update", "disable", "enable", "deprovision"] {
        assert_eq!(status(stage), "not run", "{stage}: {verdict}");
    }
    // The create, and the Logic App's schema test: an Insightly-like
    // /Schemas declares six attributes, not every one Entra maps.
    let mut failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    failed.sort_unstable();
    assert_eq!(
        failed,
        ["clients/entra/create", "clients/entra/validator-schemas"],
        "{verdict}"
    );
}
