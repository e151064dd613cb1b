//! Safe to point at a real server. Hostile servers: a target that never
//! answers, drips bytes, sends an endless body, loops redirects or asks to
//! retry later makes its check fail with a clear message (or retries
//! visibly), and the run still finishes. Isolation and cleanup: the guard
//! never lets a run change a user it did not create; Ctrl-C and
//! `--run-timeout` stop the run and remove what it created; `--read-only`
//! changes nothing; `sweep` finds and removes only harness leftovers.
//!
//! The hostile server is a plain TCP listener on loopback: it answers the
//! preflight (`GET /Users?count=1`) properly and misbehaves on everything else.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod common;

use common::{assert_fails_with, client, finish, reference_server, tempdir, text, users};
use scimcheck::client::{Client, Outgoing};

#[derive(Clone, Copy)]
enum Misbehaviour {
    NeverAnswers,
    DripsBytes,
    EndlessBody,
    RedirectLoop,
    RetryLater,
}

const LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
const NOT_FOUND: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such user"}"#;

fn respond(stream: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
}

/// Starts the hostile server; returns its base URL.
fn hostile(mode: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let attempts = attempts.clone();
            std::thread::spawn(move || serve(stream, mode, &attempts));
        }
    });
    format!("http://{addr}/scim/v2")
}

fn serve(mut stream: TcpStream, mode: Misbehaviour, attempts: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers (requests here have no body).
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    if request_line.contains("/Users?count=1") {
        return respond(&mut stream, "200 OK", "", LIST);
    }
    match mode {
        Misbehaviour::NeverAnswers => std::thread::sleep(Duration::from_secs(60)),
        Misbehaviour::DripsBytes => {
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n"
            );
            for _ in 0..600 {
                if stream.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Misbehaviour::EndlessBody => {
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/scim+json\r\nConnection: close\r\n\r\n"
            );
            let chunk = vec![b'x'; 64 * 1024];
            while stream.write_all(&chunk).is_ok() {}
        }
        Misbehaviour::RedirectLoop => {
            let path = request_line.split(' ').nth(1).unwrap_or("/");
            respond(
                &mut stream,
                "302 Found",
                &format!("Location: {path}\r\n"),
                "",
            );
        }
        Misbehaviour::RetryLater => {
            if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                respond(
                    &mut stream,
                    "429 Too Many Requests",
                    "Retry-After: 1\r\n",
                    "",
                );
            } else {
                respond(&mut stream, "404 Not Found", "", NOT_FOUND);
            }
        }
    }
    let _ = stream.read(&mut [0u8; 1]);
}

/// Runs the one case `users/get-unknown` (a GET of an id that does not exist).
fn get_unknown(url: &str, extra: &[&str]) -> Output {
    let timeout = if extra.contains(&"--timeout") {
        &[][..]
    } else {
        &["--timeout", "1"][..]
    };
    let child = common::scimcheck()
        // A named profile: `auto` would probe the hostile server first.
        .args(["run", "users/get-unknown", "--exact", "--no-snapshots"])
        .args(["--profile", "insightly"])
        .args(["--url", url])
        .args(timeout)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, Duration::from_secs(30))
}

#[test]
fn a_server_that_never_answers_or_drips_bytes_fails_its_check_within_the_timeout() {
    for mode in [Misbehaviour::NeverAnswers, Misbehaviour::DripsBytes] {
        let output = get_unknown(&hostile(mode), &[]);
        assert_fails_with(&output, "no complete response within 1 s");
    }
}

#[test]
fn an_endless_body_is_cut_at_the_limit_and_fails_the_check() {
    let output = get_unknown(&hostile(Misbehaviour::EndlessBody), &["--timeout", "20"]);
    assert_fails_with(&output, "8388608");
}

#[test]
fn a_redirect_loop_is_not_followed_and_fails_the_check() {
    let output = get_unknown(&hostile(Misbehaviour::RedirectLoop), &[]);
    assert_fails_with(&output, "status 302, expected 404");
}

#[test]
fn retry_after_is_honoured_and_the_retry_is_recorded() {
    let dir = tempdir();
    let report = dir.join("retry.json");
    let output = get_unknown(
        &hostile(Misbehaviour::RetryLater),
        &["--report-json", report.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let exchange = &json["checks"][0]["exchanges"][0];
    assert_eq!(exchange["status"], 404);
    assert_eq!(exchange["retries"][0]["status"], 429);
    assert_eq!(exchange["retries"][0]["waited_ms"], 1000);
    assert_eq!(json["cleanup"]["retry_wait_ms"], 1000);

    // With no retry budget, the 429 is the answer, and it fails the check.
    let output = get_unknown(
        &hostile(Misbehaviour::RetryLater),
        &["--max-retry-wait", "0"],
    );
    assert_fails_with(&output, "status 429");
}

#[test]
fn a_case_cannot_change_a_user_the_run_did_not_create() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "rfc7644", 1, &[]);
    let victim = users(&runtime, &running.base_url);
    let client = client(&running.base_url);
    let list = runtime.block_on(client.send(Outgoing::get("/Users", &[])));
    let id = list.response.unwrap().json.unwrap()["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("users")).unwrap();
    std::fs::write(
        dir.join("users/delete-someone.yaml"),
        format!(
            "name: tries to delete a user it did not create\nrule: doc:guard\nlevel: MUST\nsteps:\n  - request: {{method: DELETE, path: /Users/{id}}}\n    expect: {{status: 204}}\n"
        ),
    )
    .unwrap();
    let junit = dir.join("report.xml");
    let output = common::scimcheck()
        .args(["run", "--cases", dir.to_str().unwrap(), "--no-snapshots"])
        .args(["--url", &running.base_url, "--profile", "rfc7644"])
        .arg("--report-junit")
        .arg(&junit)
        .env("SCIMCHECK_TOKEN", common::TOKEN)
        .output()
        .unwrap();
    // The harness's refusal says nothing of the target: exit 2 and a JUnit
    // error, not a failure.
    let all = text(&output);
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(all.contains("refused: DELETE"), "{all}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<error") && !xml.contains("<failure"), "{xml}");
    assert_eq!(
        users(&runtime, &running.base_url),
        victim,
        "the user is still there"
    );
}

#[test]
fn ctrl_c_stops_the_run_and_removes_what_it_created() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "rfc7644", 2, &[]);
    let before = users(&runtime, &running.base_url);
    // Paced to a few requests a second, so that the run is surely mid-way.
    let child = common::scimcheck()
        .args([
            "run",
            "--no-snapshots",
            "--profile",
            "rfc7644",
            "--rps",
            "40",
        ])
        .args(["--url", &running.base_url])
        .env("SCIMCHECK_TOKEN", common::TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let mid_run = users(&runtime, &running.base_url);
    assert!(
        mid_run.len() > before.len(),
        "the run had created users by now"
    );
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = finish(child, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let out = text(&output);
    assert!(out.contains("interrupted: no new requests"), "{out}");
    assert!(out.contains("all gone"), "{out}");
    assert_eq!(
        users(&runtime, &running.base_url),
        before,
        "nothing left behind"
    );
}

/// Creates a user the way an earlier, killed run would have left it: its id.
fn leave(runtime: &tokio::runtime::Runtime, base_url: &str, user_name: &str) -> String {
    leave_with(runtime, &client(base_url), user_name)
}

/// The same through `client`, whose ledger then holds it (so that a group
/// the same client creates may name it as a member).
fn leave_with(runtime: &tokio::runtime::Runtime, client: &Client, user_name: &str) -> String {
    post(runtime, client, "/Users", common::user_body(user_name))
}

/// Creates a group with these members: its id.
fn leave_group(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    name: &str,
    members: &[&str],
) -> String {
    let members: Vec<_> = members
        .iter()
        .map(|m| serde_json::json!({"value": m}))
        .collect();
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "members": members,
    });
    post(runtime, client, "/Groups", body)
}

fn post(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    path: &str,
    body: serde_json::Value,
) -> String {
    let out = Outgoing {
        method: scimcheck::case::Method::POST,
        path: path.into(),
        body: Some(scimcheck::client::Body::Json(body)),
        ..Outgoing::get("", &[])
    };
    let exchange = runtime.block_on(client.send(out));
    let response = exchange.response.unwrap();
    assert_eq!(response.status, 201);
    response.json.unwrap()["id"].as_str().unwrap().to_string()
}

/// The displayName of every group on the server.
fn groups(runtime: &tokio::runtime::Runtime, base_url: &str) -> Vec<String> {
    let exchange = runtime.block_on(client(base_url).send(Outgoing::get("/Groups", &[])));
    let json = exchange.response.unwrap().json.unwrap();
    json["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap().to_string())
        .collect()
}

fn scimcheck(args: &[&str]) -> Output {
    let child = common::scimcheck()
        .args(args)
        .env("SCIMCHECK_TOKEN", common::TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, Duration::from_secs(60))
}

#[test]
fn sweep_lists_by_default_and_deletes_only_harness_leftovers() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "rfc7644", 1, &[]);
    let url = running.base_url.as_str();
    let bystanders = users(&runtime, url);
    let earlier = client(url);
    let left = leave_with(
        &runtime,
        &earlier,
        "scimcheck-deadbeef-aaaaaa-left@example.com",
    );
    leave(&runtime, url, "scimcheck-0badcafe-bbbbbb-left@example.com");
    // A real group (with a harness user in it, as a killed run may leave
    // it) and a harness group.
    leave_group(&runtime, &earlier, "Engineering", &[&left]);
    leave_group(
        &runtime,
        &earlier,
        "scimcheck-deadbeef-aaaaaa-team",
        &[&left],
    );

    let dry = scimcheck(&["sweep", "--url", url]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(
        text(&dry).contains("2 user(s) and 1 group(s) named scimcheck-… found (by a search for displayName sw \"scimcheck-\" and by a search for userName sw \"scimcheck-\"); nothing deleted"),
        "{}",
        text(&dry)
    );
    assert_eq!(users(&runtime, url).len(), bystanders.len() + 2);
    assert_eq!(groups(&runtime, url).len(), 2);

    let one_run = scimcheck(&["sweep", "--url", url, "--run", "deadbeef", "--delete"]);
    assert!(
        text(&one_run).contains(
            "found 1 user(s) and 1 group(s) named scimcheck-deadbeef-…; deleted all of them (the server lists none now)"
        ),
        "{}",
        text(&one_run)
    );
    let all = scimcheck(&["sweep", "--url", url, "--delete"]);
    assert!(
        text(&all).contains("found 1 user(s) named scimcheck-…; deleted all of them"),
        "{}",
        text(&all)
    );
    assert_eq!(
        users(&runtime, url),
        bystanders,
        "only harness users were removed"
    );
    assert_eq!(
        groups(&runtime, url),
        ["Engineering"],
        "only harness groups"
    );
}

#[test]
fn sweep_pages_through_a_server_without_sw_filters() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "insightly", 150, &[]);
    leave(
        &runtime,
        &running.base_url,
        "scimcheck-deadbeef-cccccc-x@example.com",
    );
    let dry = scimcheck(&["sweep", "--url", &running.base_url]);
    let out = text(&dry);
    assert!(
        out.contains(
            "1 user(s) named scimcheck-… found (by every page of /Users (the server answers 400))"
        ),
        "{out}"
    );
}

#[test]
fn read_only_changes_nothing_and_says_what_it_skipped() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // insightly documents a maximum page size of 100: a writing run would
    // create users to exceed it, a read-only one must not.
    for profile in ["rfc7644", "insightly"] {
        let running = reference_server(&runtime, profile, 3, &[]);
        let before = users(&runtime, &running.base_url);
        let output = scimcheck(&[
            "run",
            "--read-only",
            "--no-snapshots",
            "--profile",
            profile,
            "--url",
            &running.base_url,
        ]);
        let out = text(&output);
        assert_eq!(output.status.code(), Some(0), "{profile}: {out}");
        assert!(out.contains("changes the target (--read-only)"), "{out}");
        assert_eq!(users(&runtime, &running.base_url), before, "{profile}");
    }
}

#[test]
fn the_whole_run_time_limit_stops_the_run_and_cleans_up() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = reference_server(&runtime, "rfc7644", 2, &[]);
    let before = users(&runtime, &running.base_url);
    let output = scimcheck(&[
        "run",
        "--no-snapshots",
        "--profile",
        "rfc7644",
        "--rps",
        "40",
        "--run-timeout",
        "1",
        "--url",
        &running.base_url,
    ]);
    // What the stop kept from running is "not run", not failed: exit 3.
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let all = text(&output);
    assert!(all.contains("--run-timeout reached"), "{all}");
    assert!(all.contains("not run (the run was cut short)"), "{all}");
    assert!(all.contains(" 0 failed"), "{all}");
    assert_eq!(
        users(&runtime, &running.base_url),
        before,
        "nothing left behind"
    );
}
