//! `scimcheck run`: load the cases, resolve the target and its profile,
//! plan, run the trials, apply waivers, and write every report asked for.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{
    RunArgs, harness_error, host_of, load_cases_with_digest, load_profile, parse_faults, runtime,
    seconds, target,
};
use crate::client::{Client, Guard, Outgoing, Pacing};
use crate::exit::Exit;
use crate::plan::{self, Plan};
use crate::property;
use crate::report::model::{Cleanup, RunInfo, RunReport};
use crate::report::{Summary, github, html, json, junit, markdown, terminal};
use crate::run::{CaseResult, Event, trial};
use crate::server;
use crate::snapshot::{self, Snapshots};
use crate::vars::RunId;
use crate::waiver::{self, Waiver};

pub fn run(mut args: RunArgs) -> Exit {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc();
    let (cases, cases_digest) = match load_cases_with_digest(args.cases.as_ref()) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let waivers = match &args.waivers {
        None => vec![],
        Some(path) => match load_waivers(path, &cases) {
            Ok(waivers) => waivers,
            Err(exit) => return exit,
        },
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
    let retry_budget = if args.max_retry_wait == 0.0 {
        Duration::ZERO
    } else {
        match seconds("--max-retry-wait", args.max_retry_wait) {
            Ok(d) => d,
            Err(exit) => return exit,
        }
    };
    let run_timeout = match args.run_timeout.map(|s| seconds("--run-timeout", s)) {
        Some(Err(exit)) => return exit,
        Some(Ok(limit)) => Some(limit),
        None => None,
    };
    if args.rps.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return harness_error("--rps must be a positive number");
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
    let mut target_args = args.target.clone();
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
    let target = match target(&target_args, &url) {
        Ok(target) => target,
        Err(exit) => return exit,
    };
    let run_id = RunId::random();
    let guard = Arc::new(Guard::new(&run_id.prefix(), args.read_only));
    let pacing = Arc::new(Pacing::new(
        args.concurrency.map(|c| c as usize),
        args.rps,
        retry_budget,
    ));
    let client = match Client::new(target) {
        Ok(client) => client.with_guard(guard.clone()).with_pacing(pacing.clone()),
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
    let info = RunInfo {
        id: run_id.0.clone(),
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_ms: 0,
        target_url: client.target().base_url.clone(),
        embedded_server: embedded_profile.is_some(),
        profile: profile.name.clone(),
        profile_digest: profile_digest(&profile),
        cases_digest,
        seed: settings.seed.to_string(),
        strict: args.strict,
        insecure: target_args.insecure,
        stopped: None,
    };
    let properties: Vec<String> = cases
        .iter()
        .filter(|c| c.property.is_some())
        .map(|c| c.id.clone())
        .collect();
    let plan = plan::plan_with(cases, profile, args.read_only);
    if let Some(concurrency) = args.concurrency {
        args.libtest
            .test_threads
            .get_or_insert(concurrency as usize);
    }
    watch_interrupts(&runtime, guard.clone());
    if let Some(limit) = run_timeout {
        let guard = guard.clone();
        runtime.spawn(async move {
            tokio::time::sleep(limit).await;
            guard.stop(&format!(
                "the --run-timeout of {} s was reached",
                limit.as_secs_f64()
            ));
            eprintln!(
                "scimcheck: --run-timeout reached: no new requests; cleaning up what this run created"
            );
        });
    }
    let cleaner = client.clone();
    let session = Session {
        client,
        run: run_id,
        settings,
        snapshots,
        waivers: waivers.clone(),
    };
    let (summary, results) = match execute(&plan, session, &runtime, &mut args.libtest) {
        Ok(done) => done,
        Err(exit) => return exit,
    };
    if args.libtest.list {
        return Exit::Passed;
    }
    let cleanup = runtime.block_on(final_cleanup(&cleaner, &plan.profile));
    let waived = waiver::outcome(&waivers, &results, waiver::today());
    let interrupted = guard.stop_reason();
    let exit = match &interrupted {
        Some(reason) if reason.contains("Ctrl-C") => Exit::Interrupted,
        _ => summary.exit(args.strict),
    };
    let report = RunReport::new(
        RunInfo {
            duration_ms: started.elapsed().as_millis() as u64,
            stopped: interrupted,
            ..info
        },
        &results,
        &properties,
        &waived,
        cleanup.clone(),
        exit as u8,
    );
    if let Err(message) = write_reports(&args, &report, &results, &plan.profile.name) {
        return harness_error(message);
    }
    print!("{}", terminal::waiver_text(&waived));
    // Only when a property actually ran (not filtered out, not skipped).
    if results.iter().any(|r| {
        properties.contains(&r.id) && !matches!(r.status, crate::run::Status::Skipped { .. })
    }) {
        println!(
            "scimcheck: property checks used seed {} (reproduce with --seed {})",
            settings.seed, settings.seed
        );
    }
    if let Some(dir) = snapshot_dir {
        print!("{}", terminal::snapshot_text(&results, &dir));
    }
    print!("{}", terminal::cleanup_text(&cleanup));
    print!("{}", terminal::summary_text(&summary, args.strict));
    exit
}

/// First Ctrl-C: no new requests, cleanup continues. Second: exit at once,
/// saying what was left behind.
fn watch_interrupts(runtime: &tokio::runtime::Runtime, guard: Arc<Guard>) {
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        guard.stop("interrupted by Ctrl-C");
        eprintln!(
            "\nscimcheck: interrupted: no new requests; removing what this run created (Ctrl-C again to exit at once)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            let left = guard.live();
            eprintln!(
                "scimcheck: exiting at once; {} user(s) this run created were not removed: {}",
                left.len(),
                left.join(", ")
            );
            eprintln!("scimcheck: remove them later with `scimcheck sweep --url URL --delete`");
            std::process::exit(Exit::Interrupted as i32);
        }
    });
}

/// The safety net after the checks' own cleanup: deletes every user the run
/// created and did not delete (a case that crashed, a cleanup that failed).
async fn final_cleanup(client: &Client, profile: &crate::profile::Profile) -> Cleanup {
    let leftovers = client.guard().live();
    for id in &leftovers {
        client
            .send(crate::property::population::delete_request(id))
            .await;
    }
    Cleanup {
        created: client.guard().created(),
        removed_at_end: leftovers.len() - client.guard().live().len(),
        left: client.guard().live(),
        deactivated_only: profile.delete == crate::profile::DeleteMode::Soft,
        retry_wait_ms: client.pacing().waited().as_millis() as u64,
        requests: client.pacing().sent(),
    }
}

fn load_waivers(path: &PathBuf, cases: &[crate::case::Case]) -> Result<Vec<Waiver>, Exit> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| harness_error(format!("cannot read waivers {shown}: {e}")))?;
    waiver::load(&shown, &text, cases).map_err(|errors| {
        for error in &errors {
            eprintln!("{error}");
        }
        harness_error(format!("{} problem(s) in the waivers file", errors.len()))
    })
}

/// SHA-256 of the profile as applied (its canonical JSON form).
fn profile_digest(profile: &crate::profile::Profile) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(profile).unwrap_or_default();
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Writes every report the flags ask for, and the GitHub Actions extras.
fn write_reports(
    args: &RunArgs,
    report: &RunReport,
    results: &[CaseResult],
    profile: &str,
) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = &args.report_junit {
        write(path, junit::render(results, profile, report.run.insecure))?;
    }
    if let Some(path) = &args.report_json {
        write(path, json::render(report))?;
    }
    if let Some(path) = &args.report_md {
        write(path, markdown::render(report))?;
    }
    if let Some(path) = &args.report_html {
        let template =
            match &args.html_template {
                Some(file) => Some(std::fs::read_to_string(file).map_err(|e| {
                    format!("cannot read the HTML template {}: {e}", file.display())
                })?),
                None => None,
            };
        write(path, html::render(report, template.as_deref()))?;
    }
    if github::active() {
        print!("{}", github::annotations(report));
        github::step_summary(&markdown::render(report))?;
    }
    Ok(())
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
    pub waivers: Vec<Waiver>,
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
        waivers: session.waivers,
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
