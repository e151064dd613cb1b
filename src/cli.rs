//! The command line (clap): `run`, `serve` and `list`, and the glue that
//! loads cases, plans, runs and reports. Exit codes are [`Exit`].

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::case::{self, Case};
use crate::client::{Client, Credentials, Outgoing, Target};
use crate::exit::Exit;
use crate::plan::{self, Plan};
use crate::profile::Profile;
use crate::property;
use crate::report::{Summary, junit, terminal};
use crate::run::{CaseResult, Event, trial};
use crate::server::{self, Fault};
use crate::snapshot::{self, Snapshots};
use crate::vars::RunId;

const EXIT_CODES: &str = "Exit codes:\n  0  every required (MUST) check passed\n  1  a check failed: the target is not conformant\n  2  the harness could not run: bad flags, invalid case files, no case selected, unreachable target";

#[derive(Debug, Parser)]
#[command(name = "scimcheck", version, about = "SCIM 2.0 (RFC 7643/7644) conformance test harness", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a SCIM endpoint (or, without --url, against the embedded reference server).
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Run the reference server alone, for manual testing or as a mock.
    Serve(ServeArgs),
    /// List the cases with their rule, level and needed capabilities.
    List(ListArgs),
    /// Review, accept or reject pending snapshots (written by `run --update-snapshots`).
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
}

#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// Show each pending snapshot with its diff; on a terminal, accept (a), reject (r) or skip (s) it.
    Review(SnapshotsArgs),
    /// Accept pending snapshots: they replace the current ones.
    Accept(SnapshotsArgs),
    /// Reject pending snapshots: they are deleted.
    Reject(SnapshotsArgs),
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    /// Only the pending snapshots whose name (`target/case__step`) contains one of these.
    pub names: Vec<String>,
    /// Root folder of the snapshots.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Base URL of the SCIM service, e.g. https://host/scim/v2. Without it, the embedded reference server is started on 127.0.0.1.
    #[arg(long, short = 'u', env = "SCIMCHECK_URL")]
    pub url: Option<String>,
    /// Bearer token sent as `Authorization: Bearer ...`.
    #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// HTTP basic credentials as USER:PASSWORD.
    #[arg(
        long,
        env = "SCIMCHECK_BASIC",
        hide_env_values = true,
        conflicts_with = "token"
    )]
    pub basic: Option<String>,
    /// Extra header sent with every request, as 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// What the target claims: a shipped profile (insightly, rfc7644), `auto` (read from the target's discovery endpoints) or a profile file.
    #[arg(long, short = 'p', default_value = "insightly")]
    pub profile: String,
    /// Run your own case files from this directory instead of the built-in suite.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Fail the run on SHOULD and MAY failures too (by default only MUST failures fail it).
    #[arg(long)]
    pub strict: bool,
    /// Embedded server only: the profile it implements (default: the --profile judged against).
    #[arg(long, value_name = "NAME")]
    pub server_profile: Option<String>,
    /// Embedded server only: break a documented rule (repeatable; see `scimcheck serve --list-faults`).
    #[arg(long = "server-fault", value_name = "NAME")]
    pub server_faults: Vec<String>,
    /// Seed of the property checks' generators: the same seed generates the same inputs (random by default; every failure prints it).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Generated inputs tried per property check.
    #[arg(long, value_name = "N", default_value_t = crate::property::DEFAULT_CASES, value_parser = clap::value_parser!(u32).range(1..))]
    pub prop_cases: u32,
    /// Requests a property may spend shrinking a failure to a minimal counterexample.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub prop_shrink_requests: usize,
    /// Seconds a property may spend shrinking a failure.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub prop_shrink_time: f64,
    /// Root folder of the snapshots (one subfolder per target).
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Name of the target's snapshot folder (default: `reference-<profile>` for the embedded server, else `<host>-<profile>`).
    #[arg(long, value_name = "NAME")]
    pub target_name: Option<String>,
    /// Write new and changed snapshots as pending `.snap.new` files, for `scimcheck snapshots review`.
    #[arg(long, conflicts_with = "no_snapshots")]
    pub update_snapshots: bool,
    /// Skip snapshot checks.
    #[arg(long)]
    pub no_snapshots: bool,
    /// libtest options: a name filter, --exact, --skip, --list, --test-threads, -q, --format ...
    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Bearer token clients must send (omit to serve without authentication).
    #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The profile the server implements: insightly, rfc7644 or a profile file.
    #[arg(long, short = 'p', default_value = "insightly")]
    pub profile: String,
    /// Break a documented rule (repeatable).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// List the faults the server can inject, with the rule each breaks, and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Create this many users before serving.
    #[arg(long, default_value_t = 0)]
    pub seed_users: usize,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the cases of this directory instead of the built-in suite.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Show which cases apply to this profile.
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Print the traceability matrix instead: each seed table row and RFC section → the cases that cover it.
    #[arg(long, conflicts_with = "profile")]
    pub matrix: bool,
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Run(args) => run(*args),
        Command::Serve(args) => serve(args),
        Command::List(args) => list(args),
        Command::Snapshots(command) => snapshots(command),
    };
    exit.into()
}

/// Prints a harness error and returns exit 2.
/// The host of a URL, for naming its snapshot folder.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "target".into())
}

fn harness_error(message: impl std::fmt::Display) -> Exit {
    eprintln!("scimcheck: error: {message}");
    Exit::Harness
}

/// Loads the built-in suite or a directory, printing every load error.
pub fn load_cases(dir: Option<&PathBuf>) -> Result<Vec<Case>, Exit> {
    let sources = match dir {
        Some(dir) => crate::suite::from_dir(dir).map_err(harness_error)?,
        None => crate::suite::builtin(),
    };
    if sources.is_empty() {
        return Err(harness_error("no case files found"));
    }
    case::load_sources(sources).map_err(|errors| {
        for error in &errors {
            eprintln!("{error}");
        }
        harness_error(format!("{} problem(s) in the case files", errors.len()))
    })
}

fn load_profile(name: &str) -> Result<Profile, Exit> {
    Profile::load(name).map_err(harness_error)
}

fn parse_faults(names: &[String]) -> Result<HashSet<Fault>, Exit> {
    names
        .iter()
        .map(|n| n.parse::<Fault>().map_err(harness_error))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn credentials(args: &TargetArgs) -> Result<Credentials, Exit> {
    let headers = args
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    harness_error(format!("--header `{h}` is not of the form 'Name: value'"))
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(Credentials {
        bearer: args.token.clone(),
        basic: args.basic.clone(),
        headers,
    })
}

fn run(mut args: RunArgs) -> Exit {
    let cases = match load_cases(args.cases.as_ref()) {
        Ok(cases) => cases,
        Err(exit) => return exit,
    };
    // `auto` is read from the target itself, once it is reachable (below).
    let auto = args.profile == "auto";
    let profile = match load_profile(if auto { "rfc7644" } else { &args.profile }) {
        Ok(profile) => profile,
        Err(exit) => return exit,
    };
    if args.target.url.is_some()
        && (args.server_profile.is_some() || !args.server_faults.is_empty())
    {
        return harness_error(
            "--server-profile and --server-fault apply to the embedded server, not to --url",
        );
    }
    if args.target.timeout.is_nan() || args.target.timeout <= 0.0 {
        return harness_error("--timeout must be a positive number of seconds");
    }
    if !(args.prop_shrink_time >= 0.0 && args.prop_shrink_time.is_finite()) {
        return harness_error("--prop-shrink-time must be a number of seconds, 0 or more");
    }
    let settings = property::Settings {
        seed: args.seed.unwrap_or_else(rand::random),
        cases: args.prop_cases,
        shrink_requests: args.prop_shrink_requests,
        shrink_time: Duration::from_secs_f64(args.prop_shrink_time),
    };
    let snapshot_mode = snapshot::Mode::from_flags(args.update_snapshots);
    let snapshot_root = if args.no_snapshots {
        None
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = cwd.join(&args.snapshots);
        snapshot::init(&cwd, snapshot_mode);
        Some(root)
    };
    let embedded_profile = args
        .target
        .url
        .is_none()
        .then(|| args.server_profile.clone().unwrap_or(args.profile.clone()));
    let runtime = runtime();
    // The embedded server lives as long as this guard.
    let mut _server = None;
    let mut target_args = args.target;
    if target_args.url.is_none() {
        let server_profile = match &args.server_profile {
            Some(name) => match load_profile(name) {
                Ok(p) => p,
                Err(exit) => return exit,
            },
            None => profile.clone(),
        };
        let faults = match parse_faults(&args.server_faults) {
            Ok(f) => f,
            Err(exit) => return exit,
        };
        let token = format!("scimcheck-{}", uuid::Uuid::new_v4().simple());
        let config = server::Config {
            profile: server_profile,
            token: Some(token.clone()),
            faults,
            seed_users: 0,
        };
        let running =
            match runtime.block_on(server::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))) {
                Ok(running) => running,
                Err(e) => return harness_error(format!("cannot start the reference server: {e}")),
            };
        eprintln!(
            "scimcheck: no --url given: testing the embedded reference server at {}",
            running.base_url
        );
        target_args.url = Some(running.base_url.clone());
        target_args.token = Some(token);
        target_args.basic = None;
        _server = Some(running);
    }
    let Some(url) = target_args.url.clone() else {
        unreachable!("set above")
    };
    let credentials = match credentials(&target_args) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let target = Target {
        base_url: url.trim_end_matches('/').to_string(),
        credentials,
        timeout: Duration::from_secs_f64(target_args.timeout),
    };
    let client = match Client::new(target) {
        Ok(client) => client,
        Err(e) => return harness_error(e),
    };
    if let Err(message) = runtime.block_on(preflight(&client)) {
        return harness_error(message);
    }
    let profile = if auto {
        let (inferred, notes) = runtime.block_on(crate::profile::auto::infer(&client));
        for note in notes {
            eprintln!("scimcheck: auto profile: {note}");
        }
        inferred
    } else {
        profile
    };
    let run_id = RunId::random();
    let snapshots = snapshot_root.map(|root| {
        let target = match (&args.target_name, &embedded_profile) {
            (Some(name), _) => name.clone(),
            (None, Some(server)) => format!("reference-{server}"),
            (None, None) => format!("{}-{}", host_of(&url), profile.name),
        };
        let target = snapshot::target_name(&target);
        Snapshots {
            dir: root.join(&target),
            target,
            mode: snapshot_mode,
            base_url: client.target().base_url.clone(),
            run_prefix: run_id.prefix(),
        }
    });
    let snapshot_dir = snapshots.as_ref().map(|s| s.dir.clone());
    let plan = plan::plan(cases, profile);
    let session = Session {
        client,
        run: run_id,
        settings,
        snapshots,
    };
    let (summary, results) = match execute(&plan, session, &runtime, &mut args.libtest) {
        Ok(done) => done,
        Err(exit) => return exit,
    };
    if args.libtest.list {
        return Exit::Passed;
    }
    if let Some(path) = &args.report_junit
        && let Err(e) = std::fs::write(path, junit::render(&results, &plan.profile.name))
    {
        return harness_error(format!("cannot write {}: {e}", path.display()));
    }
    if plan
        .cases
        .iter()
        .any(|p| p.case.property.is_some() && p.skip.is_none())
    {
        println!(
            "scimcheck: property checks used seed {} (reproduce with --seed {})",
            settings.seed, settings.seed
        );
    }
    if let Some(dir) = snapshot_dir {
        print!("{}", terminal::snapshot_text(&results, &dir));
    }
    print!("{}", terminal::summary_text(&summary, args.strict));
    summary.exit(args.strict)
}

/// Fails early, with one line, when the target cannot be reached at all or
/// rejects the credentials (every case would fail for the same reason).
async fn preflight(client: &Client) -> Result<(), String> {
    let probe = Outgoing::get("/Users", &[("count", "1")]);
    let exchange = client.send(probe).await;
    match &exchange.response {
        Err(error) => Err(format!(
            "cannot reach {}: {error}",
            client.target().base_url
        )),
        Ok(response) if response.status == 401 || response.status == 403 => Err(format!(
            "{} answered {} to GET /Users: check --token / --basic / --header",
            client.target().base_url,
            response.status
        )),
        Ok(_) => Ok(()),
    }
}

/// What one run's cases share besides the plan.
pub struct Session {
    pub client: Client,
    pub run: RunId,
    pub settings: property::Settings,
    pub snapshots: Option<Snapshots>,
}

/// Runs the plan's trials; returns the summary and the case results.
pub fn execute(
    plan: &Plan,
    session: Session,
    runtime: &tokio::runtime::Runtime,
    libtest: &mut libtest_mimic::Arguments,
) -> Result<(Summary, Vec<CaseResult>), Exit> {
    let (sender, receiver) = mpsc::channel();
    let context = Arc::new(trial::Context {
        runtime: runtime.handle().clone(),
        client: session.client,
        run: session.run,
        profile: plan.profile.clone(),
        settings: session.settings,
        snapshots: session.snapshots,
        events: sender,
    });
    let trials = trial::trials(plan, context.clone());
    let selected = trials
        .iter()
        .filter(|t| !libtest.is_filtered_out(t))
        .count();
    if selected == 0 && !libtest.list {
        return Err(harness_error(format!(
            "no case matches the filter `{}` (see `scimcheck list`)",
            libtest.filter.as_deref().unwrap_or("")
        )));
    }
    // Cases are I/O-bound: by default run more of them at once than there are cores.
    libtest.test_threads.get_or_insert(8);
    let _conclusion = libtest_mimic::run(libtest, trials);
    drop(context);
    let mut results: Vec<CaseResult> = receiver
        .iter()
        .map(|Event::CaseFinished(result)| result)
        .collect();
    results.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((Summary::of(&results), results))
}

fn snapshots(command: SnapshotsCommand) -> Exit {
    use snapshot::review;
    let (args, verb) = match &command {
        SnapshotsCommand::Review(args) => (args, "review"),
        SnapshotsCommand::Accept(args) => (args, "accept"),
        SnapshotsCommand::Reject(args) => (args, "reject"),
    };
    let root = &args.snapshots;
    if !root.is_dir() {
        return harness_error(format!("no snapshot folder `{}`", root.display()));
    }
    let selected = review::select(root, &args.names);
    if selected.is_empty() {
        println!("no pending snapshots under {}", root.display());
        return Exit::Passed;
    }
    let result = match verb {
        "review" => review::review(root, &args.names).map(|(a, r)| (a, r, selected.len())),
        _ => selected
            .iter()
            .try_for_each(|p| {
                println!("{verb}ed {}", p.name(root));
                if verb == "accept" {
                    p.accept()
                } else {
                    p.reject()
                }
            })
            .map(|()| {
                let n = selected.len();
                if verb == "accept" {
                    (n, 0, n)
                } else {
                    (0, n, n)
                }
            }),
    };
    match result {
        Ok((accepted, rejected, seen)) => {
            println!(
                "{seen} pending: {accepted} accepted, {rejected} rejected, {} left",
                seen - accepted - rejected
            );
            Exit::Passed
        }
        Err(message) => harness_error(message),
    }
}

fn serve(args: ServeArgs) -> Exit {
    if args.list_faults {
        println!("{:<26} {:<34} effect", "fault", "rule broken");
        for fault in Fault::ALL {
            println!(
                "{:<26} {:<34} {}",
                fault.name(),
                fault.rule(),
                fault.effect()
            );
        }
        return Exit::Passed;
    }
    let profile = match load_profile(&args.profile) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let faults = match parse_faults(&args.faults) {
        Ok(f) => f,
        Err(exit) => return exit,
    };
    let runtime = runtime();
    let config = server::Config {
        profile,
        token: args.token.clone(),
        faults,
        seed_users: args.seed_users,
    };
    runtime.block_on(async {
        let running = match server::start(config, args.listen).await {
            Ok(running) => running,
            Err(e) => return harness_error(format!("cannot listen on {}: {e}", args.listen)),
        };
        println!("{}", running.base_url);
        if args.token.is_none() {
            eprintln!(
                "scimcheck: serving without authentication (pass --token to require a bearer token)"
            );
        }
        let _ = tokio::signal::ctrl_c().await;
        Exit::Passed
    })
}

fn list(args: ListArgs) -> Exit {
    let cases = match load_cases(args.cases.as_ref()) {
        Ok(cases) => cases,
        Err(exit) => return exit,
    };
    let mut out = String::new();
    if args.matrix {
        out = crate::rules::matrix(&cases);
    } else {
        match &args.profile {
            Some(name) => {
                let profile = match load_profile(name) {
                    Ok(profile) => profile,
                    Err(exit) => return exit,
                };
                for planned in &plan::plan(cases, profile).cases {
                    let status = planned
                        .skip
                        .as_deref()
                        .map_or("runs".to_string(), |r| format!("skipped: {r}"));
                    out.push_str(&format!(
                        "{:<40} {:<6} {status}\n",
                        planned.case.id,
                        planned.case.level.as_str()
                    ));
                }
            }
            None => {
                for case in &cases {
                    let needs: Vec<&str> = case.needs.iter().map(|c| c.as_str()).collect();
                    out.push_str(&format!(
                        "{:<40} {:<6} {:<40} needs: {}\n",
                        case.id,
                        case.level.as_str(),
                        case.rules.join(", "),
                        needs.join(", ")
                    ));
                }
            }
        }
    }
    // A closed pipe (`scimcheck list | head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    Exit::Passed
}
