//! The whole of `scimcheck run`, as one function over typed [`Options`]:
//! reach the target ([`target`]: the embedded reference server, preflight,
//! the `auto` profile), plan, execute, build the one report model, and
//! write every output from it ([`output`]). The command line only turns
//! flags into [`Options`]; a test or another front end calls [`run`] the
//! same way.

mod error;
pub mod output;
pub mod target;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use error::Error;
pub use output::Outputs;
pub use target::Embedded;

use crate::case::{Case, IdentityProvider};
use crate::client::{Guard, Stop, Target};
use crate::exit::Exit;
use crate::plan;
use crate::profile::{self, Profile};
use crate::report::model::{RunInfo, RunReport};
use crate::report::terminal;
use crate::result::Summary;
use crate::run::{self, Session, property};
use crate::snapshot;
use crate::waiver::Waivers;

/// Everything a run needs, checked.
pub struct Options {
    /// The cases to run (a client's flows, or every other case).
    pub cases: Vec<Case>,
    /// SHA-256 of the case files.
    pub cases_digest: String,
    /// Each case file's id → SHA-256 of its text (the scope's digest).
    pub case_files: std::collections::BTreeMap<String, String>,
    /// How the flags limit the run (its scope).
    pub limits: crate::report::scope::Limits,
    /// The identity provider whose flows are replayed (`--client`).
    pub client: Option<IdentityProvider>,
    pub waivers: Waivers,
    /// How to reach the target; with `embedded`, its address and
    /// credentials are the embedded server's.
    pub target: Target,
    /// No `--url`: the reference server to start and test.
    pub embedded: Option<Embedded>,
    /// `auto`, `scim-interop`, or a profile's name or file.
    pub profile: String,
    /// No `--profile` was given: the run says which one it chose.
    pub profile_chosen: bool,
    pub read_only: bool,
    pub pacing: Pacing,
    pub run_timeout: Option<Duration>,
    pub properties: property::Settings,
    /// Which cases run, by name (the filter, `--exact`, `--skip`).
    pub selection: plan::Selection,
    /// `--list`: print the selected cases' ids and run nothing.
    pub list: bool,
    /// How many cases run at once.
    pub threads: usize,
    /// How much the terminal says (`-q`, `-v`).
    pub verbosity: terminal::Verbosity,
    pub strict: bool,
    pub snapshots: Option<SnapshotOptions>,
    pub outputs: Outputs,
}

/// How fast requests may go.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub concurrency: Option<u32>,
    pub rps: Option<f64>,
    /// The most time spent waiting on `Retry-After` in all.
    pub retry_budget: Duration,
}

/// Where snapshots are compared and recorded.
pub struct SnapshotOptions {
    pub mode: snapshot::Mode,
    /// The working directory: insta's workspace root.
    pub workspace: PathBuf,
    /// The folder of every target's snapshots (`--snapshots`).
    pub root: PathBuf,
    /// `--target-name`, else one derived from the target.
    pub name: Option<String>,
    /// `--snapshots DIR` was given: record a baseline where none exists.
    pub asked: bool,
}

/// Runs the cases against the target and writes every report; the exit
/// code the run ends with.
pub fn run(mut options: Options) -> Result<Exit, Error> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc();
    options.cases.retain(|c| options.selection.selects(&c.id));
    if options.cases.is_empty() {
        let filter = options.selection.filter.clone().unwrap_or_default();
        return Err(Error::NothingSelected(filter));
    }
    if options.list {
        for case in &options.cases {
            println!("{}", case.id);
        }
        return Ok(Exit::Passed);
    }
    output::check(&options.outputs)?;
    if let Some(dir) = &options.outputs.bundle {
        // Before the run: a run is not lost at its end for a full folder.
        crate::bundle::prepare(dir)?;
    }
    // Before any thread exists: it sets environment variables insta reads.
    if let Some(s) = &options.snapshots {
        snapshot::init(&s.workspace, s.mode);
    }
    let runtime = runtime();
    let reached = target::reach(&options, &runtime)?;
    let snapshots = options
        .snapshots
        .as_ref()
        .map(|s| target::snapshots(s, &reached));
    let plan = plan::plan(
        std::mem::take(&mut options.cases),
        reached.profile.clone(),
        options.read_only,
    );
    watch_interrupts(&runtime, reached.guard.clone());
    if let Some(limit) = options.run_timeout {
        stop_after(&runtime, reached.guard.clone(), limit);
    }
    let info = RunInfo {
        id: reached.run.0.clone(),
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_ms: 0,
        target_url: reached.client.target().base_url.clone(),
        embedded_server: reached.server.is_some(),
        profile: plan.profile.name.clone(),
        profile_digest: profile_digest(&plan.profile),
        cases_digest: options.cases_digest.clone(),
        seed: options.properties.seed.to_string(),
        strict: options.strict,
        insecure: options.target.tls.insecure,
        stopped: None,
        snapshots_dir: snapshots.as_ref().map(|s| s.dir.display().to_string()),
        scope: Default::default(),
    };
    let ci_snapshots = snapshots
        .as_ref()
        .is_some_and(|s| s.mode == snapshot::Mode::Ci);
    let interop = Profile::load("scim-interop").map_err(Error::Profile)?;
    let session = Session {
        runtime: runtime.handle().clone(),
        client: reached.client.clone(),
        run: reached.run.clone(),
        profile: plan.profile.clone(),
        settings: options.properties,
        snapshots,
        waivers: std::mem::take(&mut options.waivers),
        known: run::Known {
            contradictions: reached.contradictions.clone(),
            conflicts: profile::interop::conflicts(&plan.profile, &interop),
            client: options.client.take(),
        },
    };
    let color = terminal::color_enabled();
    let sent = reached.client.clone();
    let live = terminal::Live::new(terminal::LiveOptions {
        color,
        verbosity: options.verbosity,
        strict: options.strict,
        cases: plan.cases.len(),
        sent: Box::new(move || sent.pacing().sent()),
    });
    live.begin(&info.target_url, &plan.profile.name, options.threads);
    let live = Arc::new(live);
    let result = run::execute(&plan, session, options.threads, live.clone());
    live.end();
    if let Some(source) = reached.client.oauth() {
        let (fetched, after_refusal) = source.fetched();
        eprintln!(
            "scimcheck: OAuth: {fetched} token(s) fetched from {} ({} before the one in use expired, {after_refusal} after the target refused an expired one)",
            source.config().token_url,
            fetched.saturating_sub(1 + after_refusal)
        );
    }
    let summary = Summary::of_run(&result);
    let exit = match (&result.stopped, summary.exit(options.strict, ci_snapshots)) {
        (Some(Stop::Interrupted), _) => Exit::Interrupted,
        // A failure found before the stop is a verdict all the same.
        (Some(Stop::RunTimeout(_)), Exit::Passed) if summary.not_run > 0 => Exit::CutShort,
        (_, exit) => exit,
    };
    let limits = crate::report::scope::Limits {
        stopped: result.stopped.map(|s| s.to_string()),
        ..options.limits.clone()
    };
    let info = RunInfo {
        duration_ms: started.elapsed().as_millis() as u64,
        stopped: result.stopped.map(|s| s.to_string()),
        scope: crate::report::scope::Scope::of(&limits, &result.cases, &options.case_files),
        ..info
    };
    let report = RunReport::new(info, &result, exit as u8);
    output::write(&options.outputs, &report)?;
    print!("{}", terminal::closing(&report, color, options.verbosity));
    Ok(exit)
}

/// The runtime requests are sent on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
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
