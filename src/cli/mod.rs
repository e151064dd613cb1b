//! The command line (clap): the arguments of every command and the helpers
//! they share. [`run`] holds `scimcheck run` (load, plan, run, report);
//! [`tools`] the smaller commands (`serve`, `list`, `snapshots`). Exit codes
//! are [`Exit`].

mod run;
mod sweep;
mod tools;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::case::{self, Case};
use crate::client::Credentials;
use crate::exit::Exit;
use crate::profile::Profile;
use crate::server::Fault;

pub use run::{Session, execute};

const EXIT_CODES: &str = "Exit codes:\n  0  every required (MUST) check passed\n  1  a check failed: the target is not conformant\n  2  the harness could not run: bad flags, invalid case files, no case selected, unreachable target\n  130  interrupted by Ctrl-C (after cleaning up)";

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
    /// Find users that earlier runs left on a target (named scimcheck-<run>-…) and remove them (dry run unless --delete).
    Sweep(SweepArgs),
    /// Review, accept or reject pending snapshots (written by `run --update-snapshots`).
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Delete what was found (without it, only list it).
    #[arg(long)]
    pub delete: bool,
    /// Only the leftovers of this run (its 8-hex-digit id, as in scimcheck-<run>-…).
    #[arg(long, value_name = "RUN")]
    pub run: Option<String>,
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

#[derive(Debug, Clone, Args)]
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
    /// Read the bearer token from FILE (first line; never echoed).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "basic"])]
    pub token_file: Option<PathBuf>,
    /// Per-request timeout in seconds (the whole request: connect, send, read the body).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
    /// Connect timeout in seconds.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub connect_timeout: f64,
    /// Also trust the CA certificate(s) in this PEM file (a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify the target's TLS certificate (every report says so).
    #[arg(long)]
    pub insecure: bool,
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
    /// Write a JUnit XML report to FILE (one testcase per check, classname by area).
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write the JSON report to FILE (schema: docs/report.schema.json).
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a Markdown summary to FILE (for a pull-request comment or a CI step summary).
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
    /// Write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
    /// Render the HTML report with this minijinja template instead of the built-in one.
    #[arg(long, value_name = "FILE", requires = "report_html")]
    pub html_template: Option<PathBuf>,
    /// Known deviations to accept: a YAML file of `{id, reason, expires}` (see README).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Run only the checks that do not change the target (for production endpoints).
    #[arg(long)]
    pub read_only: bool,
    /// At most N requests in flight (also the number of checks run at once, unless --test-threads says otherwise).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,
    /// At most N requests started per second.
    #[arg(long, value_name = "N")]
    pub rps: Option<f64>,
    /// Total seconds the run may wait on `Retry-After` (429/503) before it stops retrying.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub max_retry_wait: f64,
    /// Stop the run after SECS (no new requests, cleanup still runs); unfinished checks fail.
    #[arg(long, value_name = "SECS")]
    pub run_timeout: Option<f64>,
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
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
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
        Command::Run(args) => run::run(*args),
        Command::Serve(args) => tools::serve(args),
        Command::List(args) => tools::list(args),
        Command::Snapshots(command) => tools::snapshots(command),
        Command::Sweep(args) => sweep::sweep(args),
    };
    exit.into()
}

/// Prints a harness error and returns exit 2.
/// The host of a URL, for naming its snapshot folder.
pub(crate) fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "target".into())
}

pub(crate) fn harness_error(message: impl std::fmt::Display) -> Exit {
    eprintln!("scimcheck: error: {message}");
    Exit::Harness
}

/// Loads the built-in suite or a directory, printing every load error.
pub fn load_cases(dir: Option<&PathBuf>) -> Result<Vec<Case>, Exit> {
    load_cases_with_digest(dir).map(|(cases, _)| cases)
}

/// The cases, and the SHA-256 of their files (paths and contents, in order).
pub fn load_cases_with_digest(dir: Option<&PathBuf>) -> Result<(Vec<Case>, String), Exit> {
    let sources = match dir {
        Some(dir) => crate::suite::from_dir(dir).map_err(harness_error)?,
        None => crate::suite::builtin(),
    };
    if sources.is_empty() {
        return Err(harness_error("no case files found"));
    }
    let digest = crate::suite::digest(&sources);
    case::load_sources(sources)
        .map(|cases| (cases, digest))
        .map_err(|errors| {
            for error in &errors {
                eprintln!("{error}");
            }
            harness_error(format!("{} problem(s) in the case files", errors.len()))
        })
}

pub(crate) fn load_profile(name: &str) -> Result<Profile, Exit> {
    Profile::load(name).map_err(harness_error)
}

pub(crate) fn parse_faults(names: &[String]) -> Result<HashSet<Fault>, Exit> {
    names
        .iter()
        .map(|n| n.parse::<Fault>().map_err(harness_error))
        .collect()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Seconds from a flag: a positive, finite number.
pub(crate) fn seconds(flag: &str, value: f64) -> Result<std::time::Duration, Exit> {
    if value.is_finite() && value > 0.0 {
        Ok(std::time::Duration::from_secs_f64(value))
    } else {
        Err(harness_error(format!(
            "{flag} must be a positive number of seconds"
        )))
    }
}

/// How to reach the target at `url`, from the target flags.
pub(crate) fn target(args: &TargetArgs, url: &str) -> Result<crate::client::Target, Exit> {
    let ca_cert_pem = match &args.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            harness_error(format!("cannot read --ca-cert {}: {e}", path.display()))
        })?),
        None => None,
    };
    if args.insecure {
        eprintln!(
            "scimcheck: warning: --insecure: the target's TLS certificate is not verified (every report says so)"
        );
    }
    Ok(crate::client::Target {
        base_url: url.trim_end_matches('/').to_string(),
        credentials: credentials(args)?,
        timeout: seconds("--timeout", args.timeout)?,
        connect_timeout: seconds("--connect-timeout", args.connect_timeout)?,
        tls: crate::client::Tls {
            ca_cert_pem,
            insecure: args.insecure,
        },
    })
}

pub(crate) fn credentials(args: &TargetArgs) -> Result<Credentials, Exit> {
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
    let from_file = match &args.token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                harness_error(format!("cannot read --token-file {}: {e}", path.display()))
            })?;
            let token = text.lines().next().unwrap_or_default().trim().to_string();
            if token.is_empty() {
                return Err(harness_error(format!(
                    "--token-file {} is empty",
                    path.display()
                )));
            }
            Some(token)
        }
        None => None,
    };
    Ok(Credentials {
        bearer: from_file.or_else(|| args.token.clone()),
        basic: args.basic.clone(),
        headers,
    })
}
