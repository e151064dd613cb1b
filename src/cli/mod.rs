//! The command line: [`args`] parses it (clap), one module per command
//! does the work — [`run`] (load, resolve the target, connect, plan, run,
//! report, bundle), [`tools`] (`serve`, `list`, `snapshots`), [`sweep`],
//! [`bundle`] (`keygen`, `verify`) — and
//! returns an exit code or an [`Error`] that knows its own; [`main`] prints
//! the error, once.

pub mod args;
mod bundle;
mod config;
pub mod error;
mod run;
mod sweep;
mod tools;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

pub use args::{Cli, Command};
pub use error::Error;

use crate::case::{self, Case, IdentityProvider, client, source};
use crate::client::oauth::OAuthConfig;
use crate::client::{Credentials, Target, Tls};
use crate::profile::Profile;
use crate::server::Fault;

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    let args = match config::expand(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(diagnostic) => {
            eprintln!("scimcheck: error: {diagnostic}");
            return crate::exit::Exit::Harness.into();
        }
    };
    let cli = Cli::parse_from(args);
    if cli.command.only_prints() {
        restore_sigpipe();
    }
    let result = match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Serve(args) => tools::serve(args),
        Command::List(args) => tools::list(args),
        Command::Snapshots(command) => tools::snapshots(command),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Keygen(args) => bundle::keygen(args),
        Command::Verify(args) => bundle::verify(args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(
                args.shell,
                &mut command,
                "scimcheck",
                &mut std::io::stdout(),
            );
            Ok(crate::exit::Exit::Passed)
        }
    };
    match result {
        Ok(exit) => exit,
        Err(error) => error.print(),
    }
    .into()
}

/// A command that only prints (a listing) ends quietly when its reader
/// goes away (`scimcheck list | head`), as Unix tools do, instead of
/// panicking on the closed pipe. A run keeps Rust's default (the signal
/// ignored): it must never die before it has cleaned up.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A loaded case set: its cases (client flows included), the clients
/// whose flows it holds, and the SHA-256 of its files.
pub struct Suite {
    pub cases: Vec<Case>,
    pub clients: Vec<IdentityProvider>,
    pub digest: String,
    /// Each case file's id → the SHA-256 of its text.
    pub files: std::collections::BTreeMap<String, String>,
}

impl Suite {
    /// The client `--client` names, checked.
    pub fn client(&self, name: Option<&str>) -> Result<Option<IdentityProvider>, Error> {
        Ok(name
            .map(|name| client::find(&self.clients, name).cloned())
            .transpose()?)
    }

    /// What a run replays: the client's flows, or every case that is not one.
    pub fn select(self, name: Option<&str>) -> Result<Vec<Case>, Error> {
        Ok(client::select(self.cases, &self.clients, name)?)
    }
}

/// The cases (built-in, or a directory's), with their clients and digest.
pub fn load_cases(dir: Option<&PathBuf>) -> Result<Suite, Error> {
    let sources = match dir {
        Some(dir) => source::from_dir(dir).map_err(Error::harness)?,
        None => source::builtin(),
    };
    if sources.is_empty() {
        return Err(Error::harness("no case files found"));
    }
    let digest = source::digest(&sources);
    let files = sources
        .iter()
        .map(|s| (s.id.clone(), crate::bundle::sha256(s.text.as_bytes())))
        .collect();
    let diagnostics = |problems| Error::diagnostics(problems, "the case files");
    let clients = client::load(&sources).map_err(diagnostics)?;
    let mut cases = case::load_sources(sources).map_err(diagnostics)?;
    let strays = client::check_membership(&cases, &clients);
    if !strays.is_empty() {
        return Err(diagnostics(strays));
    }
    client::apply_headers(&mut cases, &clients);
    Ok(Suite {
        cases,
        clients,
        digest,
        files,
    })
}

pub(crate) fn load_profile(name: &str) -> Result<Profile, Error> {
    Profile::load(name).map_err(|problem| Error::harness(problem.to_string()))
}

pub(crate) fn parse_faults(names: &[String]) -> Result<HashSet<Fault>, Error> {
    names.iter().map(|n| Ok(n.parse::<Fault>()?)).collect()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Seconds from a flag: a positive, finite number.
pub(crate) fn seconds(flag: &str, value: f64) -> Result<Duration, Error> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::harness(format!(
            "{flag} must be a positive number of seconds"
        )))
    }
}

/// How to reach the target at `url`, from the target flags.
pub(crate) fn target(args: &args::TargetArgs, url: &str) -> Result<Target, Error> {
    let ca_cert_pem = match &args.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            Error::harness(format!("cannot read --ca-cert {}: {e}", path.display()))
        })?),
        None => None,
    };
    if args.insecure {
        eprintln!(
            "scimcheck: warning: --insecure: the target's TLS certificate is not verified (every report says so)"
        );
    }
    Ok(Target {
        base_url: url.trim_end_matches('/').to_string(),
        credentials: credentials(args)?,
        timeout: seconds("--timeout", args.timeout)?,
        connect_timeout: seconds("--connect-timeout", args.connect_timeout)?,
        tls: Tls {
            ca_cert_pem,
            insecure: args.insecure,
            client_identity_pem: client_identity(args)?,
            proxy: args.proxy.clone(),
        },
        oauth: oauth(args)?,
    })
}

/// `--client-cert` and `--client-key`, one PEM after the other as reqwest reads them.
fn client_identity(args: &args::TargetArgs) -> Result<Option<Vec<u8>>, Error> {
    let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) else {
        return Ok(None);
    };
    let read = |path: &std::path::Path, flag: &str| {
        std::fs::read(path)
            .map_err(|e| Error::harness(format!("cannot read {flag} {}: {e}", path.display())))
    };
    let mut pem = read(cert, "--client-cert")?;
    pem.push(b'\n');
    pem.extend(read(key, "--client-key")?);
    Ok(Some(pem))
}

/// The OAuth client credentials, when `--oauth-token-url` is given.
fn oauth(args: &args::TargetArgs) -> Result<Option<OAuthConfig>, Error> {
    let (Some(token_url), Some(client_id)) = (&args.oauth_token_url, &args.oauth_client_id) else {
        return Ok(None);
    };
    let client_secret = match (&args.oauth_client_secret_file, &args.oauth_client_secret) {
        (Some(path), _) => first_line(path, "--oauth-client-secret-file")?,
        (None, Some(secret)) => secret.clone(),
        (None, None) => {
            return Err(Error::harness(
                "--oauth-token-url needs the client secret: --oauth-client-secret-file FILE or SCIMCHECK_OAUTH_CLIENT_SECRET",
            ));
        }
    };
    Ok(Some(OAuthConfig {
        token_url: token_url.clone(),
        client_id: client_id.clone(),
        client_secret,
        scope: args.oauth_scope.clone(),
        auth: args.oauth_auth,
    }))
}

/// The first line of a secret's file, trimmed; an empty one is an error.
fn first_line(path: &std::path::Path, flag: &str) -> Result<String, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::harness(format!("cannot read {flag} {}: {e}", path.display())))?;
    let line = text.lines().next().unwrap_or_default().trim().to_string();
    if line.is_empty() {
        return Err(Error::harness(format!(
            "{flag} {} is empty",
            path.display()
        )));
    }
    Ok(line)
}

fn credentials(args: &args::TargetArgs) -> Result<Credentials, Error> {
    let headers = args
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    Error::harness(format!("--header `{h}` is not of the form 'Name: value'"))
                })
        })
        .collect::<Result<_, _>>()?;
    let from_file = match &args.token_file {
        Some(path) => Some(first_line(path, "--token-file")?),
        None => None,
    };
    Ok(Credentials {
        bearer: from_file.or_else(|| args.token.clone()),
        basic: args.basic.clone(),
        headers,
    })
}
