//! Helpers the end-to-end tests share: running the binary, a fresh temporary
//! folder, a reference server on loopback and a client for it.
#![allow(dead_code)] // each test crate uses its own subset

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use scimcheck::client::{Client, Credentials, Outgoing, Target};
use scimcheck::profile::Profile;
use scimcheck::server;

/// The token of the servers these helpers start.
pub const TOKEN: &str = "t0ken";

/// The binary, with no target or token from the environment and no colour.
pub fn scimcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimcheck"));
    command
        .env_remove("SCIMCHECK_URL")
        .env_remove("SCIMCHECK_TOKEN")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    command
}

/// Runs the binary in CI mode: it compares with the shipped snapshots and
/// never writes into the repository.
pub fn scimcheck_ci(args: &[&str]) -> Output {
    scimcheck()
        .args(args)
        .env("CI", "1")
        .output()
        .expect("scimcheck runs")
}

/// A run in CI mode that also writes the JSON report; the output and the report.
pub fn scimcheck_report(args: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempdir();
    let report = dir.join("report.json");
    let output = scimcheck()
        .args(args)
        .arg("--report-json")
        .arg(&report)
        .env("CI", "1")
        .output()
        .expect("scimcheck runs");
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("no JSON report: {}", text(&output)));
    let _ = std::fs::remove_dir_all(dir);
    (output, json)
}

/// The ids of the checks a JSON report says have `status`, in id order.
pub fn checks_with(report: &serde_json::Value, status: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

/// Everything a run printed, stdout then stderr.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts that a run failed a check (exit 1) and said `needle`.
pub fn assert_fails_with(output: &Output, needle: &str) {
    let all = text(output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(all.contains(needle), "expected `{needle}` in:\n{all}");
}

/// A new, empty folder under the system's temporary folder.
pub fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "scimcheck-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits for a child, killing it (and failing) if it outlives `limit`. Its
/// output is read as it comes: a child that fills a pipe nobody drains
/// would wait forever.
pub fn finish(mut child: Child, limit: Duration) -> Output {
    use std::io::Read;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("scimcheck did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// The reference server on an ephemeral loopback port, requiring [`TOKEN`].
pub fn reference_server(
    runtime: &tokio::runtime::Runtime,
    profile: &str,
    seed_users: usize,
    faults: &[server::Fault],
) -> server::Running {
    runtime
        .block_on(server::start(
            server::Config {
                profile: Profile::load(profile).unwrap(),
                token: Some(TOKEN.into()),
                faults: faults.iter().copied().collect(),
                seed_users,
                latency: Default::default(),
                drop_answers: None,
                introspection: None,
            },
            SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap()
}

/// A client for `base_url` that sends [`TOKEN`].
pub fn client(base_url: &str) -> Client {
    Client::new(Target {
        base_url: base_url.into(),
        credentials: Credentials {
            bearer: Some(TOKEN.into()),
            ..Credentials::default()
        },
        timeout: Duration::from_secs(5),
        ..Target::default()
    })
    .unwrap()
}

/// A valid core User named `user_name` (Left Over), as an earlier run or
/// another client would have made it.
pub fn user_body(user_name: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "displayName": "Left Over",
        "name": {"givenName": "Left", "familyName": "Over"},
        "emails": [{"value": user_name, "type": "work"}],
    })
}

/// The userNames of every user on the server (up to 1,000).
pub fn users(runtime: &tokio::runtime::Runtime, base_url: &str) -> Vec<String> {
    let exchange =
        runtime.block_on(client(base_url).send(Outgoing::get("/Users", &[("count", "1000")])));
    let json = exchange.response.unwrap().json.unwrap();
    json["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_string())
        .collect()
}

/// Every file under `dir`, relative path → bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}
