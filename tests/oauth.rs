//! OAuth 2.0 client credentials against a real authorization server:
//! oidc-provider (npm) issues tokens that live one second, the reference
//! server accepts only the tokens it says are active (RFC 7662), and a
//! whole run must pass, renewing its token before it expires and once
//! after a 401 that says it expired, with the client secret and every token
//! in no report, bundle or HAR. A wrong secret is exit 2 with the token
//! endpoint's `error`, and an expired token is refused with
//! `error="invalid_token"`.
//!
//! It needs Node.js and oidc-provider installed in
//! `SCIMCHECK_OIDC_PROVIDER_DIR` (`.ci/run` installs it and sets
//! `SCIMCHECK_REQUIRE_OIDC_PROVIDER=1`, which makes its absence a failure).

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{finish, scimcheck, tempdir, text};
use scimcheck::profile::Profile;
use scimcheck::server;

const SECRET: &str = "scimcheck-client-secret-0f3c";

/// Where oidc-provider is installed, or why the test cannot run.
fn provider_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SCIMCHECK_OIDC_PROVIDER_DIR").map(PathBuf::from);
    let found = dir.filter(|d| d.join("node_modules/oidc-provider").is_dir());
    if found.is_none() {
        assert!(
            std::env::var_os("SCIMCHECK_REQUIRE_OIDC_PROVIDER").is_none(),
            "SCIMCHECK_REQUIRE_OIDC_PROVIDER is set but SCIMCHECK_OIDC_PROVIDER_DIR holds no node_modules/oidc-provider"
        );
        eprintln!(
            "skipped: set SCIMCHECK_OIDC_PROVIDER_DIR to a folder where `npm install oidc-provider` ran (.ci/run does)"
        );
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// oidc-provider on loopback, its tokens living `ttl` seconds; killed on drop.
struct Provider {
    child: Child,
    port: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider(dir: &std::path::Path, ttl: u32) -> Provider {
    // ESM resolves `oidc-provider` next to the script, so it goes there.
    let script = dir.join("scimcheck-provider.mjs");
    std::fs::write(&script, include_str!("oauth/provider.mjs")).unwrap();
    let port = free_port();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(port.to_string())
        .arg(ttl.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Provider { child, port };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("oidc-provider did not listen on {port}");
}

/// The reference server, accepting only tokens the provider says are active.
fn introspecting_server(runtime: &tokio::runtime::Runtime, port: u16) -> server::Running {
    runtime
        .block_on(server::start(
            server::Config {
                profile: Profile::load("rfc7644").unwrap(),
                token: None,
                faults: Default::default(),
                seed_users: 0,
                latency: Default::default(),
                drop_answers: None,
                introspection: Some(server::introspect::Introspection {
                    url: format!("http://127.0.0.1:{port}/token/introspection"),
                    client_id: "scim-server".into(),
                    client_secret: "scim-server-secret-9d84".into(),
                }),
            },
            SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap()
}

fn oauth_run(base_url: &str, port: u16, extra: &[&str], secret: &str) -> std::process::Output {
    let child = scimcheck()
        .args(["run", "--url", base_url, "--no-snapshots", "-q"])
        .args([
            "--oauth-token-url",
            &format!("http://127.0.0.1:{port}/token"),
        ])
        .args(["--oauth-scope", "scim"])
        .args(extra)
        .env("SCIMCHECK_OAUTH_CLIENT_SECRET", secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, Duration::from_secs(300))
}

/// "… N token(s) fetched … (B before the one in use expired, R after …)".
fn fetched(out: &str) -> (u32, u32) {
    let line = out
        .lines()
        .find(|l| l.contains("token(s) fetched"))
        .unwrap_or_else(|| panic!("no OAuth line: {out}"));
    let numbers: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // The port in the URL sits between the count and the breakdown.
    let n = numbers.len();
    (numbers[0], numbers[n - 1])
}

#[test]
fn a_whole_run_renews_its_short_lived_token_and_leaks_no_secret() {
    let Some(dir) = provider_dir() else { return };
    let provider = provider(&dir, 1);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = introspecting_server(&runtime, provider.port);
    let out_dir = tempdir();
    let (json, junit, bundle) = (
        out_dir.join("report.json"),
        out_dir.join("report.xml"),
        out_dir.join("bundle"),
    );
    let output = oauth_run(
        &server.base_url,
        provider.port,
        &[
            "--oauth-client-id",
            "scimcheck",
            "--profile",
            "rfc7644",
            "--report-json",
            json.to_str().unwrap(),
            "--report-junit",
            junit.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
        ],
        SECRET,
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    // Tokens of one second, a run of several: renewed, and at least once
    // after the server refused one that expired on the way.
    let (all, after_refusal) = fetched(&out);
    assert!(all >= 3, "{out}");
    assert!(after_refusal >= 1, "{out}");
    // Neither the secret nor any token in what the run wrote or printed.
    assert!(!out.contains(SECRET), "{out}");
    let mut written = common::files(&bundle);
    for file in [&json, &junit] {
        written.insert(file.display().to_string(), std::fs::read(file).unwrap());
    }
    for (name, bytes) in &written {
        let content = String::from_utf8_lossy(bytes);
        assert!(!content.contains(SECRET), "{name} holds the client secret");
    }
    let har: serde_json::Value = serde_json::from_slice(&written["exchanges.har"]).expect("a HAR");
    for entry in har["log"]["entries"].as_array().unwrap() {
        for header in entry["request"]["headers"].as_array().unwrap() {
            if header["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
            {
                let value = header["value"].as_str().unwrap();
                assert!(
                    // `auth/scheme-case` sends the scheme in other cases.
                    value.eq_ignore_ascii_case("Bearer $SCIMCHECK_TOKEN")
                        || value.contains("wrong_token"),
                    "a token in the HAR: {value}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(out_dir);
}

#[test]
fn client_secret_post_works_and_a_wrong_secret_is_exit_2_with_the_endpoints_error() {
    let Some(dir) = provider_dir() else { return };
    let provider = provider(&dir, 60);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = introspecting_server(&runtime, provider.port);
    let wrong = oauth_run(
        &server.base_url,
        provider.port,
        &["--oauth-client-id", "scimcheck", "users/create"],
        "not-the-secret",
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("refused the client credentials: 401 invalid_client"),
        "{}",
        text(&wrong)
    );
    assert!(!text(&wrong).contains("not-the-secret"));
    let post = oauth_run(
        &server.base_url,
        provider.port,
        &[
            "--oauth-client-id",
            "scimcheck-post",
            "--oauth-auth",
            "post",
            "users/create",
        ],
        "scimcheck-post-secret-7a21",
    );
    assert_eq!(post.status.code(), Some(0), "{}", text(&post));
}

#[test]
fn an_expired_token_is_refused_as_invalid_token() {
    let Some(dir) = provider_dir() else { return };
    let provider = provider(&dir, 1);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = introspecting_server(&runtime, provider.port);
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let issued: serde_json::Value = http
            .post(format!("http://127.0.0.1:{}/token", provider.port))
            .basic_auth("scimcheck", Some(SECRET))
            .form(&[("grant_type", "client_credentials"), ("scope", "scim")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = issued["access_token"].as_str().unwrap().to_string();
        let users = format!("{}/Users", server.base_url);
        let fresh = http.get(&users).bearer_auth(&token).send().await.unwrap();
        assert_eq!(fresh.status(), 200);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let stale = http.get(&users).bearer_auth(&token).send().await.unwrap();
        assert_eq!(stale.status(), 401);
        let challenge = stale.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        let none = http.get(&users).send().await.unwrap();
        assert_eq!(none.status(), 401);
    });
}
