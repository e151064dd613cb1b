//! Nothing left behind, and a cleanup line that is proved. A real server
//! (the reference server on loopback) that carries out some creates and
//! then drops the connection instead of answering (`--drop-answers`): the
//! run looks each lost create up by the name it sent, never sends it
//! twice, deletes what it made, and says what a query of the server shows.
//! The final survey asks the server, not the ledger: a resource named with
//! the run's prefix that the ledger never learned of is found (by a `sw`
//! search, or by looking up the names sent where `sw` is refused) and
//! deleted. Every request the run sends is an entry of the bundle's HAR.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

mod common;

use common::{TOKEN, client, reference_server, tempdir, text, users};
use scimcheck::client::{Create, Ledger, Outgoing};
use scimcheck::profile::Profile;
use scimcheck::run::cleanup;
use scimcheck::scim::ResourceType;
use scimcheck::server;

/// The reference server (rfc7644, one bystander user) dropping every `n`th create's answer.
fn dropping(runtime: &tokio::runtime::Runtime, n: u32) -> server::Running {
    let config = server::Config {
        profile: Profile::load("rfc7644").unwrap(),
        token: Some(TOKEN.into()),
        faults: Default::default(),
        seed_users: 1,
        latency: Default::default(),
        drop_answers: Some(n),
        introspection: None,
    };
    runtime
        .block_on(server::start(config, SocketAddr::from(([127, 0, 0, 1], 0))))
        .unwrap()
}

#[test]
fn lost_answers_to_creates_leave_nothing_behind_and_nothing_is_created_twice() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = dropping(&runtime, 9);
    let before = users(&runtime, &running.base_url);
    let bundle = tempdir().join("bundle");
    let output = common::scimcheck()
        .args(["run", "groups/", "--no-snapshots", "--profile", "rfc7644"])
        .args([
            "--url",
            &running.base_url,
            "--bundle",
            bundle.to_str().unwrap(),
        ])
        .env("SCIMCHECK_TOKEN", TOKEN)
        .output()
        .unwrap();
    let out = text(&output);
    // What the server holds, asked directly: only the bystander.
    assert_eq!(users(&runtime, &running.base_url), before, "{out}");
    let groups = runtime.block_on(client(&running.base_url).send(Outgoing::get("/Groups", &[])));
    assert_eq!(groups.json().unwrap()["totalResults"], 0, "{out}");
    assert!(out.contains("all gone: a GET of each answers 404, and nothing else is found by a search for userName sw"), "{out}");

    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("exchanges.har")).unwrap())
            .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("report.json")).unwrap())
            .unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(
        entries.len() as u64,
        report["cleanup"]["requests"].as_u64().unwrap(),
        "one HAR entry per request sent"
    );
    // Each lost create is looked up by its name next, and never sent again.
    let mut lost = 0;
    let mut bodies: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (at, entry) in entries.iter().enumerate() {
        let request = &entry["request"];
        let scope = entry["comment"]
            .as_str()
            .unwrap()
            .split(": ")
            .next()
            .unwrap()
            .to_string();
        if request["method"] != "POST" {
            continue;
        }
        let body = request["postData"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        *bodies.entry((scope.clone(), body.clone())).or_default() += 1;
        if entry["response"]["status"] != 0 {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let Some(name) = json["userName"].as_str().or(json["displayName"].as_str()) else {
            continue;
        };
        lost += 1;
        let looked_up = entries[at + 1..].iter().any(|later| {
            later["comment"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{scope}: GET"))
                && later["request"]["url"]
                    .as_str()
                    .unwrap()
                    .contains("%20eq%20")
                && later["request"]["url"]
                    .as_str()
                    .unwrap()
                    .contains(&scimcheck::client::percent_encode(name))
        });
        assert!(looked_up, "the lost create of {name} was looked up by name");
    }
    assert!(lost >= 10, "the server dropped answers ({lost})");
    let twice: Vec<_> = bodies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "a create sent twice: {twice:?}");
}

/// A user named with a run's prefix, made behind the run's back (as a
/// create whose answer was lost and never looked up would be).
fn behind_the_back(runtime: &tokio::runtime::Runtime, base_url: &str, name: &str) {
    let body = common::user_body(name);
    let other = client(base_url);
    let made = runtime.block_on(other.send(Outgoing::json(
        scimcheck::case::Method::POST,
        "/Users",
        body,
    )));
    assert_eq!(made.status(), Some(201));
}

#[test]
fn the_final_survey_finds_what_the_ledger_never_learned_of() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for profile in ["rfc7644", "insightly"] {
        let running = reference_server(&runtime, profile, 1, &[]);
        let url = running.base_url.as_str();
        let before = users(&runtime, url);
        let prefix = "scimcheck-0a0b0c0d-";
        let run = client(url).with_guard(Arc::new(scimcheck::client::Guard::new(
            "scimcheck-0a0b0c0d",
            false,
            Arc::new(Ledger::default()),
        )));
        let lost = format!("{prefix}feed01-lost@example.com");
        // The run sent this create and never heard back; the server made it.
        let create = Create {
            kind: ResourceType::User,
            name: lost.clone(),
            bulk_id: None,
        };
        run.ledger()
            .sending("users/create", std::slice::from_ref(&create));
        behind_the_back(&runtime, url, &lost);
        let leftovers = runtime.block_on(cleanup::finish(&run, prefix));
        assert_eq!(leftovers.found_at_end, 1, "{profile}: {leftovers:?}");
        let asked = leftovers.asked.join("; ");
        match profile {
            "rfc7644" => assert!(asked.contains(r#"a search for userName sw "scimcheck-0a0b0c0d-""#), "{asked}"),
            _ => assert!(asked.contains("a lookup of each of the 1 userName(s) sent without a confirmed create (the server answers 400)"), "{asked}"),
        }
        let remaining: Vec<_> = leftovers
            .remaining
            .iter()
            .filter(|r| r.state.as_str() != "inactive")
            .collect();
        assert!(remaining.is_empty(), "{profile}: {remaining:?}");
        let now = users(&runtime, url);
        match profile {
            // rfc7644 removes; insightly documents DELETE as deactivation.
            "rfc7644" => assert_eq!(now, before),
            _ => assert_eq!(leftovers.count("inactive"), 1, "{leftovers:?}"),
        }
    }
}
