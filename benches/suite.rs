//! `cargo bench`: how fast a full conformance run is, how it scales with the
//! size of the target, and how fast the reference server is.
//!
//! Measured, each as the median of several runs (`SCIMCHECK_BENCH_RUNS`, 5
//! by default), with the release build of the `scimcheck` binary:
//!
//! 1. a full `scimcheck run` (every case and property, default budgets)
//!    against the embedded reference server: wall time, requests per second,
//!    the harness's peak memory;
//! 2. the same against a reference server (`scimcheck serve`) pre-seeded with
//!    10,000 and 100,000 users: the run must not get slower with the target
//!    (it never walks the collection); also where the time goes (the
//!    harness's CPU time against the server's) and the server's memory;
//! 3. a full run over a slow link: `scimcheck serve --latency 40` (each
//!    answer 40 ms late, as over a network), judged as `rfc7644` and as
//!    `insightly`, and each identity provider's client flows (`--client`):
//!    how many requests cross the link, and how long it takes;
//! 4. the reference server under concurrent load (a Rust load loop, 16
//!    connections): GET by id, a filtered list, create.
//!
//! The results are printed as Markdown and written to
//! `target/bench-results.md`. Timings live here, never in tests: these
//! machines are shared and noisy.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scimcheck");
const TOKEN: &str = "bench-token";

fn runs() -> usize {
    std::env::var("SCIMCHECK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// One run of the suite, as GNU time and the JSON report saw it.
struct RunFigures {
    wall: f64,
    cpu: f64,
    peak_kib: f64,
    requests: f64,
    checks: f64,
}

/// Runs the suite once (against `url`, or the embedded server).
fn suite(url: Option<&str>) -> RunFigures {
    suite_as(url, "insightly", TOKEN, None, &[])
}

/// `waivers`: a third-party server's documented deviations, as `.ci/run`
/// waives them; `extra`: more `run` arguments (`--client NAME`).
fn suite_as(
    url: Option<&str>,
    profile: &str,
    token: &str,
    waivers: Option<&str>,
    extra: &[&str],
) -> RunFigures {
    let report = std::env::temp_dir().join(format!("scimcheck-bench-{}.json", std::process::id()));
    let timing = std::env::temp_dir().join(format!("scimcheck-bench-{}.time", std::process::id()));
    let mut command = Command::new("/usr/bin/time");
    command
        .arg("-o")
        .arg(&timing)
        .args(["-f", "%e %U %S %M", BIN, "run", "-q", "--no-snapshots"])
        .args(["--profile", profile])
        .args(extra)
        .arg("--report-json")
        .arg(&report)
        .env("SCIMCHECK_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = url {
        command.args(["--url", url]);
    }
    if let Some(waivers) = waivers {
        command.args(["--waivers", waivers]);
    }
    let status = command
        .status()
        .expect("/usr/bin/time runs (apt-get install time)");
    assert!(status.success(), "the suite must pass: {status}");
    let times: Vec<f64> = std::fs::read_to_string(&timing)
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    RunFigures {
        wall: times[0],
        cpu: times[1] + times[2],
        peak_kib: times[3],
        requests: json["cleanup"]["requests"].as_f64().unwrap(),
        checks: json["totals"]["total"].as_f64().unwrap()
            - json["totals"]["skipped"].as_f64().unwrap(),
    }
}

/// A `scimcheck serve` process with `users` pre-seeded users.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(users: usize) -> Server {
        Server::start_as(users, "insightly", 0)
    }

    /// A server of `profile` whose answers each come `latency_ms` late.
    fn start_as(users: usize, profile: &str, latency_ms: u64) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--token", TOKEN])
            .args(["--seed-users", &users.to_string(), "--profile", profile])
            .args(["--latency", &latency_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            child,
            url: line.trim().to_string(),
        }
    }

    /// The server's (user + system) CPU seconds so far, from /proc.
    fn cpu(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0
    }

    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap();
        kib / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds request number `i` of load worker `w`.
type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder + Send + Sync>;

struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `connections` workers send `request(worker, i)` for `seconds`.
fn load(
    runtime: &tokio::runtime::Runtime,
    connections: usize,
    seconds: f64,
    request: MakeRequest,
) -> Load {
    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let latencies = runtime.block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..connections {
            let (client, stop, request) = (client.clone(), stop.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    let response = request(&client, worker, i).send().await.unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    let _ = response.bytes().await.unwrap();
                    latencies.push(at.elapsed().as_secs_f64() * 1000.0);
                    i += 1;
                }
                latencies
            }));
        }
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut sorted = latencies.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    Load {
        rps: latencies.len() as f64 / elapsed,
        p50_ms: sorted[sorted.len() / 2],
        p99_ms: sorted[sorted.len() * 99 / 100],
    }
}

/// The same run against scim2-server 0.8.3 (Python), when `.ci/run` has
/// installed it in `target/ci-venv`: where a real server's time goes.
fn third_party(runs: usize) -> String {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/scim2-server");
    if !venv.exists() {
        return "| scim2-server 0.8.3 | (not installed: run `.ci/run` once to install it in target/ci-venv) | | | | | | |\n".into();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&venv)
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--bearer-token",
            TOKEN,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/v2");
    let ready = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let row = if ready {
        let figures: Vec<RunFigures> = (0..runs)
            .map(|_| {
                let waivers = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/interop/scim2-server-0.8.3.waivers.yaml"
                );
                suite_as(Some(&url), "rfc7644", TOKEN, Some(waivers), &[])
            })
            .collect();
        let wall = median(figures.iter().map(|f| f.wall).collect());
        let requests = median(figures.iter().map(|f| f.requests).collect());
        format!(
            "| scim2-server 0.8.3 (Python, judged as rfc7644) | {:.0} | {requests:.0} | {wall:.2} s | {:.0} | {:.0}% | {:.1} MiB | — |\n",
            figures[0].checks,
            requests / wall,
            100.0 * median(figures.iter().map(|f| f.cpu / f.wall).collect()),
            median(figures.iter().map(|f| f.peak_kib / 1024.0).collect()),
        )
    } else {
        "| scim2-server 0.8.3 | (did not start) | | | | | | |\n".into()
    };
    let _ = child.kill();
    let _ = child.wait();
    row
}

/// Full runs over a simulated 40 ms link, one per profile.
fn slow_link(runs: usize) -> String {
    let mut out = String::from(
        "\n## Over a 40 ms link (`scimcheck serve --latency 40`)\n\n| judged as | checks run | requests | wall (median) |\n| --- | ---: | ---: | ---: |\n",
    );
    // A new, empty server of `serving` each run: what one run leaves (a
    // server that only deactivates keeps its users) must not change the
    // next. One table row: `label`, and the medians of the runs.
    let mut row = |label: String, serving: &str, profile: &str, extra: &[&str]| {
        let figures: Vec<RunFigures> = (0..runs)
            .map(|_| {
                let server = Server::start_as(0, serving, 40);
                suite_as(Some(&server.url), profile, TOKEN, None, extra)
            })
            .collect();
        out.push_str(&format!(
            "| {label} | {:.0} | {:.0} | {:.2} s |\n",
            figures[0].checks,
            median(figures.iter().map(|f| f.requests).collect()),
            median(figures.iter().map(|f| f.wall).collect()),
        ));
    };
    for profile in ["rfc7644", "insightly"] {
        row(format!("`{profile}`"), profile, profile, &[]);
    }
    // Each identity provider's flows, judged as `auto` (its discovery
    // probes included), against an rfc7644 server.
    for client in ["entra", "entra-2020", "okta", "okta-put", "onelogin"] {
        let label = format!("`auto`, `--client {client}`");
        row(label, "rfc7644", "auto", &["--client", client]);
    }
    out
}

fn main() {
    // `cargo bench -- FILTER` passes arguments; this program has one bench.
    let runs = runs();
    let mut out = String::new();
    let machine = format!(
        "{} cores ({}), {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into()),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().map(|l| l
                .split_whitespace()
                .nth(1)
                .unwrap_or("0")
                .to_string()))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map_or("unknown memory".to_string(), |kib| format!(
                "{:.0} GiB RAM",
                kib / 1024.0 / 1024.0
            ))
    );
    out.push_str(&format!(
        "# scimcheck benchmarks\n\nMachine: {machine}. Release build; medians of {runs} runs.\n\n"
    ));

    out.push_str("## A full run (every case and property, default budgets)\n\n");
    out.push_str("| target | checks run | requests | wall (median) | requests/s | harness CPU / wall | harness peak RSS | server CPU / wall |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let figures: Vec<RunFigures> = (0..runs).map(|_| suite(None)).collect();
    let wall = median(figures.iter().map(|f| f.wall).collect());
    let requests = median(figures.iter().map(|f| f.requests).collect());
    out.push_str(&format!(
        "| embedded reference server (in-process) | {:.0} | {requests:.0} | {wall:.2} s | {:.0} | {:.0}% (harness and server together) | {:.1} MiB | — |\n",
        figures[0].checks,
        requests / wall,
        100.0 * median(figures.iter().map(|f| f.cpu / f.wall).collect()),
        median(figures.iter().map(|f| f.peak_kib / 1024.0).collect()),
    ));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut memory = Vec::new();
    let mut big = None;
    for users in [0usize, 10_000, 100_000] {
        let server = Server::start(users);
        memory.push((users, server.rss_mib()));
        let mut walls = Vec::new();
        let mut harness = Vec::new();
        let mut served = Vec::new();
        let mut peaks = Vec::new();
        let mut requests = Vec::new();
        let mut checks = 0.0;
        for _ in 0..runs {
            let before = server.cpu();
            let f = suite(Some(&server.url));
            walls.push(f.wall);
            harness.push(f.cpu / f.wall);
            served.push((server.cpu() - before) / f.wall);
            peaks.push(f.peak_kib / 1024.0);
            requests.push(f.requests);
            checks = f.checks;
        }
        let wall = median(walls);
        let requests = median(requests);
        out.push_str(&format!(
            "| `scimcheck serve` with {users} users | {checks:.0} | {requests:.0} | {wall:.2} s | {:.0} | {:.0}% | {:.1} MiB | {:.0}% |\n",
            requests / wall,
            100.0 * median(harness),
            median(peaks),
            100.0 * median(served),
        ));
        if users == 100_000 {
            big = Some(server);
        }
    }
    let big = big.unwrap();
    out.push_str(&third_party(runs));

    out.push_str(&slow_link(runs));

    out.push_str("\n## The reference server\n\n| users | RSS after seeding |\n| ---: | ---: |\n");
    for (users, mib) in &memory {
        out.push_str(&format!("| {users} | {mib:.0} MiB |\n"));
    }
    out.push_str("\nUnder load (16 connections, 3 s each, against the 100,000-user server):\n\n| request | requests/s | p50 | p99 |\n| --- | ---: | ---: | ---: |\n");
    let base = Arc::new(big.url.clone());
    let ids: Arc<Vec<String>> = Arc::new(runtime.block_on(async {
        let json: serde_json::Value = reqwest::Client::new()
            .get(format!("{base}/Users?count=1000&startIndex=5000"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        json["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    }));
    let operations: Vec<(&str, MakeRequest)> = vec![
        ("GET /Users/{id}", {
            let (base, ids) = (base.clone(), ids.clone());
            Arc::new(move |c: &reqwest::Client, w: usize, i: usize| {
                c.get(format!("{base}/Users/{}", ids[(w * 7919 + i) % ids.len()]))
                    .bearer_auth(TOKEN)
            })
        }),
        ("GET /Users?filter=userName eq \"…\"", {
            let base = base.clone();
            Arc::new(move |c: &reqwest::Client, w: usize, i: usize| {
                c.get(format!("{base}/Users"))
                    .query(&[(
                        "filter",
                        format!(
                            "userName eq \"seed-{}@example.org\"",
                            (w * 7919 + i) % 100_000
                        ),
                    )])
                    .bearer_auth(TOKEN)
            })
        }),
        ("POST /Users", {
            let base = base.clone();
            Arc::new(move |c: &reqwest::Client, w: usize, i: usize| {
                c.post(format!("{base}/Users"))
                    .bearer_auth(TOKEN)
                    .header("content-type", "application/scim+json")
                    .body(
                        serde_json::json!({
                            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "userName": format!("bench-{w}-{i}@example.org"),
                            "displayName": "Bench User",
                            "name": {"givenName": "Bench", "familyName": "User"},
                            "emails": [{"value": format!("bench-{w}-{i}@example.org"), "type": "work"}],
                        })
                        .to_string(),
                    )
            })
        }),
    ];
    for (name, request) in operations {
        let result = load(&runtime, 16, 3.0, request);
        out.push_str(&format!(
            "| `{name}` | {:.0} | {:.2} ms | {:.2} ms |\n",
            result.rps, result.p50_ms, result.p99_ms
        ));
    }
    drop(big);
    println!("{out}");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-results.md");
    let _ = std::fs::write(&path, &out);
    eprintln!("written to {}", path.display());
}
