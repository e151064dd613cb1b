//! `scimcheck run`, as phases that each return a typed [`Error`]: load the
//! cases and waivers, check the flags, resolve the target (starting the
//! embedded server when there is no `--url`), connect (preflight, the
//! `auto` profile), plan, execute, and report.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::args::RunArgs;
use super::{Error, load_cases, load_profile, parse_faults, runtime, seconds, target};
use crate::case::Case;
use crate::client::{Client, Guard, Ledger, Outgoing, Pacing, Stop};
use crate::exit::Exit;
use crate::plan;
use crate::profile::{self, Profile};
use crate::report::model::{RunInfo, RunReport};
use crate::report::{github, html, json, junit, markdown, terminal};
use crate::result::{RunResult, Summary};
use crate::run::vars::RunId;
use crate::run::{self, Session, property};
use crate::server;
use crate::snapshot::{self, Snapshots};
use crate::waiver::Waivers;

pub fn run(mut args: RunArgs) -> Result<Exit, Error> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc();
    let suite = load_cases(args.cases.as_ref())?;
    let cases_digest = suite.digest.clone();
    let client = suite.client(args.client.as_deref())?;
    let cases = suite.select(args.client.as_deref())?;
    let waivers = load_waivers(args.waivers.as_ref(), &cases)?;
    let limits = Limits::of(&args)?;
    // Before the run: a key that cannot be read is a harness error, not a lost run.
    let sign_key = args
        .sign_key
        .as_deref()
        .map(crate::bundle::keys::secret)
        .transpose()
        .map_err(Error::harness)?;
    if let Some(dir) = &args.bundle {
        crate::bundle::prepare(dir).map_err(Error::harness)?;
    }
    // Before any thread exists: it sets environment variables insta reads.
    let snapshot_mode = (!args.no_snapshots).then(|| {
        let mode = snapshot::Mode::from_flags(args.update_snapshots);
        snapshot::init(&std::env::current_dir().unwrap_or_default(), mode);
        mode
    });
    let runtime = runtime();
    let target = resolve(&args, &runtime)?;
    let connection = connect(&args, &target, &limits, &runtime)?;
    let snapshots = snapshot_mode.map(|mode| snapshots(&args, mode, &target, &connection));
    let plan = plan::plan(cases, connection.profile.clone(), args.read_only);
    if let Some(concurrency) = args.concurrency {
        args.libtest
            .test_threads
            .get_or_insert(concurrency as usize);
    }
    watch_interrupts(&runtime, connection.guard.clone());
    if let Some(limit) = limits.run_timeout {
        stop_after(&runtime, connection.guard.clone(), limit);
    }
    let info = RunInfo {
        id: connection.run.0.clone(),
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_ms: 0,
        target_url: connection.client.target().base_url.clone(),
        embedded_server: target.server.is_some(),
        profile: plan.profile.name.clone(),
        profile_digest: profile_digest(&plan.profile),
        cases_digest,
        seed: limits.properties.seed.to_string(),
        strict: args.strict,
        insecure: args.target.insecure,
        stopped: None,
    };
    let snapshot_dir = snapshots.as_ref().map(|s| s.dir.clone());
    let session = Session {
        runtime: runtime.handle().clone(),
        client: connection.client.clone(),
        run: connection.run.clone(),
        profile: plan.profile.clone(),
        settings: limits.properties,
        snapshots,
        waivers,
        known: run::Known {
            contradictions: connection.contradictions,
            conflicts: profile::interop::conflicts(&plan.profile, &load_profile("scim-interop")?),
            client,
        },
    };
    let color = terminal::color_enabled();
    let presenter = run::Presenter {
        failure: Arc::new(move |result: &crate::result::CaseResult| {
            terminal::failure_text(result, color)
        }),
        notice: Arc::new(|line: &str| println!("\n{line}")),
    };
    let result = run::execute(&plan, session, &mut args.libtest, presenter).map_err(|_| {
        Error::harness(format!(
            "no case matches the filter `{}` (see `scimcheck list`)",
            args.libtest.filter.as_deref().unwrap_or("")
        ))
    })?;
    if args.libtest.list {
        return Ok(Exit::Passed);
    }
    let summary = Summary::of_run(&result);
    let exit = match &result.stopped {
        Some(Stop::Interrupted) => Exit::Interrupted,
        _ => summary.exit(args.strict, snapshot_mode == Some(snapshot::Mode::Ci)),
    };
    let info = RunInfo {
        duration_ms: started.elapsed().as_millis() as u64,
        stopped: result.stopped.map(|s| s.to_string()),
        ..info
    };
    report(
        &args,
        info,
        &result,
        exit,
        snapshot_dir,
        color,
        sign_key.as_ref(),
    )?;
    print!("{}", terminal::summary_text(&summary, exit));
    Ok(exit)
}

fn load_waivers(path: Option<&PathBuf>, cases: &[Case]) -> Result<Waivers, Error> {
    let Some(path) = path else {
        return Ok(Waivers::default());
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::harness(format!("cannot read waivers {shown}: {e}")))?;
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    Waivers::load(&shown, &text, &ids)
        .map_err(|problems| Error::diagnostics(problems, "the waivers file"))
}

/// The run's numeric limits, checked.
struct Limits {
    retry_budget: Duration,
    run_timeout: Option<Duration>,
    properties: property::Settings,
}

impl Limits {
    fn of(args: &RunArgs) -> Result<Limits, Error> {
        if args.target.url.is_some()
            && (args.server_profile.is_some() || !args.server_faults.is_empty())
        {
            return Err(Error::harness(
                "--server-profile and --server-fault apply to the embedded server, not to --url",
            ));
        }
        if args.rps.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
            return Err(Error::harness("--rps must be a positive number"));
        }
        if !(args.prop_shrink_time >= 0.0 && args.prop_shrink_time.is_finite()) {
            return Err(Error::harness(
                "--prop-shrink-time must be a number of seconds, 0 or more",
            ));
        }
        Ok(Limits {
            retry_budget: if args.max_retry_wait == 0.0 {
                Duration::ZERO
            } else {
                seconds("--max-retry-wait", args.max_retry_wait)?
            },
            run_timeout: args
                .run_timeout
                .map(|s| seconds("--run-timeout", s))
                .transpose()?,
            properties: property::Settings {
                seed: args.seed.unwrap_or_else(rand::random),
                cases: args.prop_cases,
                shrink_requests: args.prop_shrink_requests,
                shrink_time: Duration::from_secs_f64(args.prop_shrink_time),
                // A read-only run creates nothing, not even a page's worth of users.
                max_results_population: if args.read_only {
                    0
                } else {
                    args.max_results_population
                },
                large_group: args.large_group,
            },
        })
    }
}

/// Where the run sends its requests.
struct Resolved {
    url: String,
    args: super::args::TargetArgs,
    /// The embedded server (kept alive for the run) and the profile it implements.
    server: Option<(server::Running, String)>,
}

/// The target: `--url`, or the embedded reference server on loopback with
/// a random token.
fn resolve(args: &RunArgs, runtime: &tokio::runtime::Runtime) -> Result<Resolved, Error> {
    if let Some(url) = &args.target.url {
        return Ok(Resolved {
            url: url.clone(),
            args: args.target.clone(),
            server: None,
        });
    }
    let name = args
        .server_profile
        .clone()
        .unwrap_or(args.profile().to_string());
    // `auto` judges the server by what it declares; the server itself needs a real profile.
    let profile = load_profile(if name == "auto" { "rfc7644" } else { &name })?;
    let token = format!("scimcheck-{}", uuid::Uuid::new_v4().simple());
    let config = server::Config {
        profile,
        token: Some(token.clone()),
        faults: parse_faults(&args.server_faults)?,
        seed_users: 0,
        latency: Default::default(),
        drop_answers: None,
    };
    let running = runtime
        .block_on(server::start(config, SocketAddr::from(([127, 0, 0, 1], 0))))
        .map_err(|e| Error::harness(format!("cannot start the reference server: {e}")))?;
    eprintln!(
        "scimcheck: no --url given: testing the embedded reference server at {}",
        running.base_url
    );
    let mut target = args.target.clone();
    target.url = Some(running.base_url.clone());
    target.token = Some(token);
    target.basic = None;
    Ok(Resolved {
        url: running.base_url.clone(),
        args: target,
        server: Some((running, name)),
    })
}

/// A reachable target, the run's client and the profile it is judged by.
struct Connection {
    client: Client,
    guard: Arc<Guard>,
    run: RunId,
    profile: Profile,
    /// Discovery claims the behaviour contradicts (`auto`).
    contradictions: Vec<crate::result::Contradiction>,
}

fn connect(
    args: &RunArgs,
    resolved: &Resolved,
    limits: &Limits,
    runtime: &tokio::runtime::Runtime,
) -> Result<Connection, Error> {
    let run = RunId::random();
    let guard = Arc::new(Guard::new(
        &run.prefix(),
        args.read_only,
        Arc::new(Ledger::default()),
    ));
    let pacing = Arc::new(Pacing::new(
        args.concurrency.map(|c| c as usize),
        args.rps,
        limits.retry_budget,
    ));
    let mut client = Client::new(target(&resolved.args, &resolved.url)?)
        .map_err(Error::harness)?
        .with_guard(guard.clone())
        .with_pacing(pacing);
    if args.bundle.is_some() {
        // The bundle's HAR holds every exchange, not only the checks' own.
        client = client.with_journal(Arc::default());
    }
    runtime.block_on(preflight(&client))?;
    // A specification profile (scim-interop) judges what the target
    // declares, with the specification's requirements claimed on top.
    let spec = (args.profile() == "scim-interop")
        .then(|| load_profile("scim-interop"))
        .transpose()?;
    let (profile, contradictions) = if args.profile() == "auto" || spec.is_some() {
        let found = runtime.block_on(crate::run::discover::discover(
            &client,
            &run,
            args.read_only,
        ));
        let (inferred, notes) = profile::auto::infer(&found.documents, &found.observed);
        for note in notes {
            eprintln!("scimcheck: auto profile: {note}");
        }
        let judged = match &spec {
            Some(spec) => profile::interop::overlay(inferred, spec),
            None => inferred,
        };
        (judged, found.contradictions)
    } else {
        (load_profile(args.profile())?, vec![])
    };
    Ok(Connection {
        client,
        guard,
        run,
        profile,
        contradictions,
    })
}

/// Fails early, with one line, when the target cannot be reached at all or
/// rejects the credentials (every case would fail for the same reason).
async fn preflight(client: &Client) -> Result<(), Error> {
    let exchange = client
        .send(Outgoing::get("/Users", &[("count", "1")]))
        .await;
    let base = &client.target().base_url;
    match &exchange.response {
        Err(none) => Err(Error::harness(format!("cannot reach {base}: {none}"))),
        Ok(r) if r.status == 401 || r.status == 403 => Err(Error::harness(format!(
            "{base} answered {} to GET /Users: check --token / --basic / --header",
            r.status
        ))),
        Ok(_) => Ok(()),
    }
}

/// Where this target's snapshots live.
fn snapshots(
    args: &RunArgs,
    mode: snapshot::Mode,
    resolved: &Resolved,
    connection: &Connection,
) -> Snapshots {
    let cwd = std::env::current_dir().unwrap_or_default();
    let target = match (&args.target_name, &resolved.server) {
        (Some(name), _) => name.clone(),
        (None, Some((_, server))) => format!("reference-{server}"),
        (None, None) => format!("{}-{}", target_key(&resolved.url), connection.profile.name),
    };
    let target = snapshot::target_name(&target);
    Snapshots {
        dir: cwd.join(&args.snapshots).join(&target),
        target,
        mode,
        base_url: connection.client.target().base_url.clone(),
        run_prefix: connection.run.prefix(),
    }
}

/// A target's snapshot folder name: its host, port and base path
/// (`localhost-8080-scim-v2`), so that two servers on one host never share
/// snapshots.
fn target_key(url: &str) -> String {
    let Ok(url) = reqwest::Url::parse(url) else {
        return "target".into();
    };
    let mut parts = vec![url.host_str().unwrap_or("target").to_string()];
    parts.extend(url.port_or_known_default().map(|p| p.to_string()));
    parts.extend(
        url.path_segments()
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    parts.join("-")
}

/// First Ctrl-C: no new requests, cleanup continues. Second: exit at once,
/// saying what was left behind.
fn watch_interrupts(runtime: &tokio::runtime::Runtime, guard: Arc<Guard>) {
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        guard.stop(Stop::Interrupted);
        eprintln!(
            "\nscimcheck: interrupted: no new requests; removing what this run created (Ctrl-C again to exit at once)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            let left: Vec<String> = guard.ledger().live(None).into_iter().map(|e| e.id).collect();
            eprintln!(
                "scimcheck: exiting at once; {} resource(s) this run created were not removed: {}",
                left.len(),
                left.join(", ")
            );
            eprintln!("scimcheck: remove them later with `scimcheck sweep --url URL --delete`");
            std::process::exit(Exit::Interrupted as i32);
        }
    });
}

/// `--run-timeout`: after `limit`, no new requests; cleanup still runs.
fn stop_after(runtime: &tokio::runtime::Runtime, guard: Arc<Guard>, limit: Duration) {
    runtime.spawn(async move {
        tokio::time::sleep(limit).await;
        guard.stop(Stop::RunTimeout(limit));
        eprintln!(
            "scimcheck: --run-timeout reached: no new requests; cleaning up what this run created"
        );
    });
}

/// SHA-256 of the profile as applied (its canonical JSON form).
fn profile_digest(profile: &Profile) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(profile).unwrap_or_default();
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Writes every report the flags ask for, the GitHub Actions extras, and
/// the terminal's closing lines (but the summary).
fn report(
    args: &RunArgs,
    info: RunInfo,
    result: &RunResult,
    exit: Exit,
    snapshot_dir: Option<PathBuf>,
    color: bool,
    sign_key: Option<&ed25519_dalek::SigningKey>,
) -> Result<(), Error> {
    let report = RunReport::new(info, result, exit as u8);
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text)
            .map_err(|e| Error::harness(format!("cannot write {}: {e}", path.display())))
    };
    // Rendered once, for the file and the bundle alike.
    let junit = if args.report_junit.is_some() || args.bundle.is_some() {
        junit::render(&result.cases, &report.run.profile, report.run.insecure)
    } else {
        String::new()
    };
    if let Some(path) = &args.report_junit {
        write(path, junit.clone())?;
    }
    if let Some(path) = &args.report_json {
        write(path, json::render(&report))?;
    }
    if let Some(path) = &args.report_md {
        write(path, markdown::render(&report))?;
    }
    let template = match &args.html_template {
        Some(file) => Some(std::fs::read_to_string(file).map_err(|e| {
            Error::harness(format!(
                "cannot read the HTML template {}: {e}",
                file.display()
            ))
        })?),
        None => None,
    };
    if let Some(path) = &args.report_html {
        write(path, html::render(&report, template.as_deref()))?;
    }
    if let Some(dir) = &args.bundle {
        let manifest = crate::bundle::write(dir, &report, &junit, template.as_deref(), sign_key)
            .map_err(Error::harness)?;
        let signed = match &manifest.signature {
            Some(s) => format!("signed by {}", s.key),
            None => "unsigned".to_string(),
        };
        println!(
            "scimcheck: bundle {} ({} files, sha256 {}, {signed}): `scimcheck verify {}` checks it",
            dir.display(),
            manifest.files.len() + 1 + usize::from(manifest.signature.is_some()),
            &manifest.bundle_digest[..16],
            dir.display()
        );
    }
    if github::active() {
        print!("{}", github::annotations(&report));
        github::step_summary(&markdown::render(&report)).map_err(Error::harness)?;
    }
    print!("{}", terminal::waiver_text(&result.waivers));
    // Only when a property actually ran (not filtered out, not skipped).
    if result
        .cases
        .iter()
        .any(|r| r.property && !matches!(r.status, crate::result::Status::Skipped { .. }))
    {
        println!(
            "scimcheck: property checks used seed {} (reproduce with --seed {})",
            report.run.seed, report.run.seed
        );
    }
    if let Some(dir) = snapshot_dir {
        print!("{}", terminal::snapshot_text(&result.cases, &dir, color));
    }
    print!("{}", terminal::findings_text(result));
    if let Some(client) = &report.client {
        print!("{}", crate::report::clients::text(client));
    }
    print!("{}", terminal::cleanup_text(&result.leftovers));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_servers_on_one_host_get_folders_of_their_own() {
        assert_eq!(
            super::target_key("http://localhost:8080/scim/v2"),
            "localhost-8080-scim-v2"
        );
        assert_eq!(
            super::target_key("http://localhost:3000/scim/v2/"),
            "localhost-3000-scim-v2"
        );
        assert_eq!(
            super::target_key("https://idp.example.com/api/scim"),
            "idp.example.com-443-api-scim"
        );
    }
}
