//! Certification bundles end to end: a run against a reference server that
//! requires a token writes a signed bundle; `verify` accepts it as written
//! and names the file of each tampering (an altered report, a removed file,
//! an added file, an altered manifest, a wrong key); the HAR has the HAR 1.2
//! structure, one entry per exchange of the JSON report, and no credential.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TOKEN, reference_server, scimcheck, tempdir, text};

fn run(args: &[&str]) -> Output {
    scimcheck().args(args).output().expect("scimcheck runs")
}

/// A signed bundle of a small run, and the key pair that signed it.
fn signed_bundle(base: &Path, url: &str) -> (PathBuf, PathBuf, PathBuf) {
    let prefix = base.join("vendor");
    let made = run(&["keygen", "--out", prefix.to_str().unwrap()]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    let dir = base.join("bundle");
    let output = run(&[
        "run",
        "--url",
        url,
        "--token",
        TOKEN,
        "--profile",
        "rfc7644",
        "--no-snapshots",
        "--bundle",
        dir.to_str().unwrap(),
        "--sign-key",
        prefix.to_str().unwrap(),
        "users/",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        text(&output).contains("scimcheck: bundle"),
        "{}",
        text(&output)
    );
    (dir, prefix.clone(), base.join("vendor.pub"))
}

fn verify(dir: &Path, key: Option<&Path>) -> (Option<i32>, String) {
    let mut args = vec!["verify".to_string(), dir.display().to_string()];
    if let Some(key) = key {
        args.extend(["--public-key".into(), key.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args);
    (output.status.code(), text(&output))
}

/// A copy of the bundle to tamper with.
fn copy(dir: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to.to_path_buf()
}

#[test]
fn a_signed_bundle_verifies_and_every_tampering_is_named() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let base = tempdir();
    let (dir, _, public) = signed_bundle(&base, &server.base_url);

    let (code, out) = verify(&dir, Some(&public));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("signature verified with the given key"),
        "{out}"
    );

    // An altered report.
    let altered = copy(&dir, &base.join("altered"));
    let html = std::fs::read_to_string(altered.join("report.html")).unwrap();
    std::fs::write(
        altered.join("report.html"),
        html.replacen("PASS", "FAIL", 1),
    )
    .unwrap();
    let (code, out) = verify(&altered, Some(&public));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("altered: report.html"), "{out}");

    // A removed file.
    let removed = copy(&dir, &base.join("removed"));
    std::fs::remove_file(removed.join("exchanges.har")).unwrap();
    let (code, out) = verify(&removed, Some(&public));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("removed: exchanges.har"), "{out}");

    // An added file.
    let added = copy(&dir, &base.join("added"));
    std::fs::write(added.join("waivers.yaml"), "- id: everything\n").unwrap();
    let (code, out) = verify(&added, Some(&public));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("added: waivers.yaml"), "{out}");

    // A manifest altered to match an altered file: the signature breaks.
    let forged = copy(&dir, &base.join("forged"));
    let manifest = std::fs::read_to_string(forged.join("manifest.json")).unwrap();
    std::fs::write(
        forged.join("manifest.json"),
        manifest.replace("\"exit_code\": 0", "\"exit_code\": 1"),
    )
    .unwrap();
    let (code, out) = verify(&forged, Some(&public));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("altered: manifest.json or manifest.json.sig: the signature does not verify"),
        "{out}"
    );

    // A forged signature, and an added (empty) folder.
    let resigned = copy(&dir, &base.join("resigned"));
    std::fs::write(resigned.join("manifest.json.sig"), "00".repeat(64)).unwrap();
    std::fs::create_dir(resigned.join("extra")).unwrap();
    let (code, out) = verify(&resigned, Some(&public));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the signature does not verify"), "{out}");
    assert!(out.contains("added: extra/"), "{out}");

    // A key that did not sign it.
    let other = base.join("other");
    run(&["keygen", "--out", other.to_str().unwrap()]);
    let (code, out) = verify(&dir, Some(&base.join("other.pub")));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("wrong key: the bundle is signed by SHA256:"),
        "{out}"
    );

    // The certificate names the bundle it belongs to, and its signer.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains(manifest["bundle_digest"].as_str().unwrap()));
    assert!(html.contains(manifest["signature"]["key"].as_str().unwrap()));
    assert_eq!(manifest["profile"], "rfc7644");
    // The run was filtered to `users/`: the verdict, the manifest's scope,
    // the certificate and `verify` all say it was limited.
    assert_eq!(manifest["verdict"], "limited-pass");
    assert_eq!(manifest["scope"]["complete"], false);
    assert_eq!(manifest["scope"]["filter"], "users/");
    assert_ne!(
        manifest["scope"]["cases_run_digest"],
        manifest["cases_digest"]
    );
    assert!(html.contains("LIMITED PASS"), "certificate verdict");
    assert!(html.contains("only checks named containing &quot;users&#x2f;&quot;"));
    let (code, out) = verify(&dir, None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("verdict LIMITED PASS"), "{out}");
    assert!(
        out.contains("scope: limited: only checks named containing \"users/\""),
        "{out}"
    );
    for name in [
        "report.json",
        "report.xml",
        "report.md",
        "report.html",
        "exchanges.har",
    ] {
        assert!(manifest["files"][name].is_string(), "{name} in {manifest}");
    }
}

#[test]
fn the_har_is_har_1_2_with_one_entry_per_request_sent_and_no_credential() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = reference_server(&runtime, "rfc7644", 0, &[]);
    let base = tempdir();
    let (dir, _, _) = signed_bundle(&base, &server.base_url);
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("exchanges.har")).unwrap()).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/har-1.2.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the HAR schema is valid");
    let errors: Vec<String> = validator.iter_errors(&har).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let exchanges: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["exchanges"].as_array().unwrap())
        .collect();
    let entries = har["log"]["entries"].as_array().unwrap();
    // Every request the run sent, not only the checks' own steps: property
    // probes, populations, cleanup and the final survey too.
    assert_eq!(
        entries.len() as u64,
        report["cleanup"]["requests"].as_u64().unwrap()
    );
    assert!(entries.len() > exchanges.len());
    for exchange in &exchanges {
        let held = entries.iter().any(|entry| {
            entry["request"]["url"] == exchange["url"]
                && entry["request"]["method"] == exchange["method"]
                && entry["startedDateTime"] == exchange["started_at"]
        });
        assert!(
            held,
            "the HAR holds {} {}",
            exchange["method"], exchange["url"]
        );
    }
    // The token the run sent is in no file of the bundle.
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        let content = std::fs::read_to_string(&path).unwrap();
        assert!(
            !content.contains(TOKEN),
            "{} holds the token",
            path.display()
        );
    }
    let authorization: Vec<&str> = entries
        .iter()
        .flat_map(|e| e["request"]["headers"].as_array().unwrap())
        .filter(|h| {
            h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
        })
        .map(|h| h["value"].as_str().unwrap())
        .collect();
    assert!(!authorization.is_empty());
    assert!(
        authorization
            .iter()
            .all(|v| *v == "Bearer $SCIMCHECK_TOKEN")
    );
}

#[test]
fn an_unsigned_bundle_verifies_its_digests_only_and_says_so() {
    let base = tempdir();
    let dir = base.join("bundle");
    let output = run(&[
        "run",
        "--no-snapshots",
        "--bundle",
        dir.to_str().unwrap(),
        "discovery/",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (code, out) = verify(&dir, None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("unsigned"), "{out}");
    // Asked for a signer, an unsigned bundle does not verify.
    run(&["keygen", "--out", base.join("k").to_str().unwrap()]);
    let (code, out) = verify(&dir, Some(&base.join("k.pub")));
    assert_eq!(code, Some(1), "{out}");
    // A bundle directory that is not empty is refused before the run.
    let again = run(&[
        "run",
        "--no-snapshots",
        "--bundle",
        dir.to_str().unwrap(),
        "discovery/",
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("is not empty"), "{}", text(&again));
    // Not a bundle at all.
    let (code, out) = verify(&base, None);
    assert_eq!(code, Some(2), "{out}");
}
