//! The command line's arguments (clap), for every command. Parsing only:
//! what the commands do with them is in the `run`, `tools` and `sweep`
//! modules.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The exit codes, shown after `--help`.
pub const EXIT_CODES: &str = "Exit codes:\n  0  every required (MUST) check passed\n  1  a check failed: the target is not conformant\n  2  the harness could not run: bad flags, invalid case files, no case selected, unreachable target\n  3  the run was cut short (--run-timeout) with checks not run, and none that ran failed\n  130  interrupted by Ctrl-C (after cleaning up)";

#[derive(Debug, Parser)]
#[command(name = "scimcheck", version, about = "SCIM 2.0 (RFC 7643/7644) conformance test harness", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a SCIM endpoint (or, without --url, against the embedded reference server).
    // A flag given twice keeps its last value: the command line overrides scimcheck.toml.
    #[command(after_help = EXIT_CODES, args_override_self = true)]
    Run(Box<RunArgs>),
    /// Run the reference server alone, for manual testing or as a mock.
    Serve(ServeArgs),
    /// List the cases with their rule, level and needed capabilities.
    List(ListArgs),
    /// Find users and groups that earlier runs left on a target (named scimcheck-<run>-…) and remove them (dry run unless --delete).
    Sweep(SweepArgs),
    /// Review, accept or reject pending snapshots (written by `run --update-snapshots`).
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
    /// Make an Ed25519 key pair for signing bundles: the secret key in PREFIX (owner-only), the public key in PREFIX.pub.
    Keygen(KeygenArgs),
    /// Check a bundle (`run --bundle DIR`): every file's digest, nothing added or removed, and the signature.
    #[command(
        after_help = "Exit codes:\n  0  every file matches the manifest (and the signature holds, when signed)\n  1  something was altered, added or removed, or the signature does not verify\n  2  DIR is not a bundle, or a key cannot be read"
    )]
    Verify(VerifyArgs),
    /// Print a shell completion script: `scimcheck completions bash > /etc/bash_completion.d/scimcheck` (or, for zsh, into a folder of $fpath as _scimcheck).
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl Command {
    /// Whether the command only prints a listing and changes nothing.
    pub fn only_prints(&self) -> bool {
        match self {
            Command::Run(args) => args.list,
            Command::Serve(args) => args.list_faults,
            Command::List(_) | Command::Completions(_) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the key pair: the secret key in PREFIX, the public key in PREFIX.pub (neither is overwritten).
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The public key (PREFIX.pub) the bundle must be signed with; without it a signature is checked with the key the manifest names.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
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
    /// Base URL of the SCIM service: the prefix of /Users, e.g. https://host/scim/v2 (`run` without it tests the embedded reference server on 127.0.0.1).
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
    /// OAuth 2.0 client credentials (RFC 6749 §4.4): the token endpoint; the bearer token is fetched before the run and renewed before it expires.
    #[arg(long, value_name = "URL", env = "SCIMCHECK_OAUTH_TOKEN_URL", conflicts_with_all = ["token", "basic", "token_file"], requires = "oauth_client_id")]
    pub oauth_token_url: Option<String>,
    /// OAuth client id.
    #[arg(
        long,
        value_name = "ID",
        env = "SCIMCHECK_OAUTH_CLIENT_ID",
        requires = "oauth_token_url"
    )]
    pub oauth_client_id: Option<String>,
    /// OAuth client secret (better from the environment or --oauth-client-secret-file; never printed).
    #[arg(
        long,
        value_name = "SECRET",
        env = "SCIMCHECK_OAUTH_CLIENT_SECRET",
        hide_env_values = true,
        requires = "oauth_token_url"
    )]
    pub oauth_client_secret: Option<String>,
    /// Read the OAuth client secret from FILE (first line).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "oauth_client_secret",
        requires = "oauth_token_url"
    )]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// Scope to ask the token endpoint for (space-separated).
    #[arg(
        long,
        value_name = "SCOPE",
        env = "SCIMCHECK_OAUTH_SCOPE",
        requires = "oauth_token_url"
    )]
    pub oauth_scope: Option<String>,
    /// How to authenticate to the token endpoint: `basic` (client_secret_basic) or `post` (client_secret_post, in the form body).
    #[arg(long, value_enum, default_value = "basic", value_name = "HOW")]
    pub oauth_auth: crate::client::oauth::ClientAuth,
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
    /// Present this client certificate (PEM) to the target: mutual TLS; needs --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The private key (PEM) of --client-cert.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Send every request through this HTTP(S) proxy [default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY from the environment, minus NO_PROXY].
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Read default flags from FILE [default: ./scimcheck.toml when there is one].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use the flags of [targets.NAME] in the config file.
    #[arg(long = "target", value_name = "NAME")]
    pub config_target: Option<String>,
    /// What the target claims: a shipped profile (insightly, rfc7644, scim-interop), `auto` (read from the target's discovery endpoints) or a profile file [default: auto with --url or --client; insightly for the embedded server].
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Replay an identity provider's documented requests instead of the suite, and judge what that client needs (see `scimcheck list --clients`).
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
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
    /// Render the HTML report (and a bundle's certificate) with this minijinja template instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub html_template: Option<PathBuf>,
    /// Write a certification bundle into DIR (new or empty): the JSON, JUnit, Markdown and HTML reports, every exchange as HAR (exchanges.har), and manifest.json with the SHA-256 of every file.
    #[arg(long, value_name = "DIR")]
    pub bundle: Option<PathBuf>,
    /// Sign the bundle's manifest with this Ed25519 secret key (from `scimcheck keygen`).
    #[arg(long, value_name = "FILE", requires = "bundle")]
    pub sign_key: Option<PathBuf>,
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
    /// Stop the run after SECS (no new requests, cleanup still runs); checks not carried out are reported as not run, and the run exits 3 unless a check that ran failed.
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
    #[arg(long, value_name = "N", default_value_t = crate::run::property::DEFAULT_CASES, value_parser = clap::value_parser!(u32).range(1..))]
    pub prop_cases: u32,
    /// Requests a property may spend shrinking a failure to a minimal counterexample.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub prop_shrink_requests: usize,
    /// Seconds a property may spend shrinking a failure.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub prop_shrink_time: f64,
    /// The most users `paging.max-page-size` creates to exceed a declared maximum page size the target's population does not reach (0: never create).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_results_population: usize,
    /// The members of the largest group `groups.large` builds (and the users it creates for them; 0: only its 150-member group).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub large_group: usize,
    /// Root folder of the snapshots (one subfolder per target) [default: snapshots]. Responses are compared when the target's folder holds a baseline; a new baseline is recorded only when this flag is given.
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Name of the target's snapshot folder (default: `reference-<profile>` for the embedded server, else `<host>-<port>-<path>-<profile>`, e.g. `localhost-8080-scim-v2-rfc7644`).
    #[arg(long, value_name = "NAME")]
    pub target_name: Option<String>,
    /// Write new and changed snapshots as pending `.snap.new` files, for `scimcheck snapshots review`.
    #[arg(long, conflicts_with = "no_snapshots")]
    pub update_snapshots: bool,
    /// Skip snapshot checks.
    #[arg(long)]
    pub no_snapshots: bool,
    /// Run only the checks whose id contains FILTER (with --exact: whose id is FILTER).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// FILTER and --skip match whole ids, not parts of them.
    #[arg(long)]
    pub exact: bool,
    /// Leave out the checks whose id contains NAME (with --exact: whose id is NAME); repeatable.
    #[arg(long, value_name = "NAME")]
    pub skip: Vec<String>,
    /// Print the ids of the selected checks, one a line, and exit without running them.
    #[arg(long)]
    pub list: bool,
    /// Run N checks at once [default: --concurrency, else 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub test_threads: Option<u32>,
    /// Print only failures, warnings and the closing lines: no line per check, no progress line.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print what is named but judges nothing (where the judged profile conflicts with the SCIM interop profile).
    #[arg(long, short = 'v')]
    pub verbose: bool,
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
    /// Wait MS milliseconds before each answer: a slow network link, simulated (benchmarks, timeouts).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Carry out every Nth create (POST /Users, POST /Groups) and close its connection without
    /// answering: a lost answer, simulated (plain HTTP only).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "tls_cert")]
    pub drop_answers: Option<u32>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require a client certificate signed by a CA in this PEM file (mutual TLS).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Accept only bearer tokens this OAuth 2.0 introspection endpoint (RFC 7662) says are active, instead of --token.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "token",
        requires = "oauth_introspect_client_id"
    )]
    pub oauth_introspect: Option<String>,
    /// The client id the server introspects as.
    #[arg(long, value_name = "ID", requires = "oauth_introspect")]
    pub oauth_introspect_client_id: Option<String>,
    /// Its client secret (better from SCIMCHECK_INTROSPECT_SECRET).
    #[arg(
        long,
        value_name = "SECRET",
        env = "SCIMCHECK_INTROSPECT_SECRET",
        hide_env_values = true,
        requires = "oauth_introspect"
    )]
    pub oauth_introspect_secret: Option<String>,
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
    /// List the identity-provider clients whose flows `run --client NAME` replays, with their stages.
    #[arg(long, conflicts_with_all = ["profile", "matrix"])]
    pub clients: bool,
}

impl RunArgs {
    /// The profile judged by: `--profile`; else `auto` for a real target or
    /// a client flow (judged by what the target declares and does, not by
    /// one vendor's documentation); else `insightly`, the first documented
    /// target, which the embedded server implements.
    pub fn profile(&self) -> &str {
        match (&self.profile, &self.client, &self.target.url) {
            (Some(name), _, _) => name,
            (None, Some(_), _) | (None, None, Some(_)) => "auto",
            (None, None, None) => "insightly",
        }
    }
}
