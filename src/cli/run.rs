//! `scimcheck run`: the flags, checked and read into the pipeline's typed
//! [`pipeline::Options`] (cases and waivers loaded, keys and templates
//! read, numbers checked), then one call to [`pipeline::run`].

use std::path::PathBuf;
use std::time::Duration;

use super::args::RunArgs;
use super::{Error, load_cases, parse_faults, seconds, target};
use crate::case::Case;
use crate::exit::Exit;
use crate::pipeline::{self, Embedded, Options, Outputs, Pacing, SnapshotOptions};
use crate::report::terminal::Verbosity;
use crate::run::property;
use crate::snapshot;
use crate::waiver::Waivers;

pub fn run(args: RunArgs) -> Result<Exit, Error> {
    let options = options(args)?;
    Ok(pipeline::run(options)?)
}

/// The run the flags ask for; every input read and checked before it starts.
fn options(args: RunArgs) -> Result<Options, Error> {
    let suite = load_cases(args.cases.as_ref())?;
    let cases_digest = suite.digest.clone();
    let case_files = suite.files.clone();
    let client = suite.client(args.client.as_deref())?;
    let cases = suite.select(args.client.as_deref())?;
    let (waivers, waivers_digest) = load_waivers(args.waivers.as_ref(), &cases)?;
    let selection = crate::plan::Selection {
        filter: args.filter.clone(),
        exact: args.exact,
        skip: args.skip.clone(),
    };
    let limits = crate::report::scope::Limits {
        read_only: args.read_only,
        selection: selection.clone(),
        large_group: (args.large_group < property::Settings::default().large_group)
            .then_some(args.large_group),
        waivers_digest,
        stopped: None,
    };
    if args.target.url.is_some()
        && (args.server_profile.is_some() || !args.server_faults.is_empty())
    {
        return Err(Error::harness(
            "--server-profile and --server-fault apply to the embedded server, not to --url",
        ));
    }
    if args.target.url.is_none() && args.target.oauth_token_url.is_some() {
        // The embedded server checks no OAuth token: the run would fetch one
        // and have every request answered 401, a harness problem.
        return Err(Error::harness(
            "--oauth-token-url needs --url: the embedded reference server checks no OAuth token \
             (to try OAuth locally, start `scimcheck serve --oauth-introspect URL …` and pass its --url)",
        ));
    }
    let embedded = match &args.target.url {
        Some(_) => None,
        None => Some(Embedded {
            profile: args
                .server_profile
                .clone()
                .unwrap_or(args.profile().to_string()),
            faults: parse_faults(&args.server_faults)?,
        }),
    };
    let url = args.target.url.as_deref().unwrap_or("http://127.0.0.1");
    let sign_key = args
        .sign_key
        .as_deref()
        .map(crate::bundle::keys::secret)
        .transpose()?;
    let html_template = match &args.html_template {
        Some(file) => Some(std::fs::read_to_string(file).map_err(|e| {
            Error::harness(format!(
                "cannot read the HTML template {}: {e}",
                file.display()
            ))
        })?),
        None => None,
    };
    let snapshots = (!args.no_snapshots).then(|| {
        let workspace = std::env::current_dir().unwrap_or_default();
        SnapshotOptions {
            mode: snapshot::Mode::from_flags(args.update_snapshots),
            root: workspace.join(args.snapshots.as_deref().unwrap_or("snapshots".as_ref())),
            asked: args.snapshots.is_some(),
            workspace,
            name: args.target_name.clone(),
        }
    });
    Ok(Options {
        cases,
        cases_digest,
        case_files,
        limits,
        client,
        waivers,
        target: target(&args.target, url)?,
        embedded,
        profile: args.profile().to_string(),
        profile_chosen: args.profile.is_none(),
        read_only: args.read_only,
        pacing: pacing(&args)?,
        run_timeout: args
            .run_timeout
            .map(|s| seconds("--run-timeout", s))
            .transpose()?,
        properties: properties(&args)?,
        strict: args.strict,
        snapshots,
        outputs: Outputs {
            junit: args.report_junit,
            json: args.report_json,
            markdown: args.report_md,
            html: args.report_html,
            html_template,
            bundle: args.bundle,
            sign_key,
        },
        selection,
        list: args.list,
        threads: args.test_threads.or(args.concurrency).unwrap_or(8) as usize,
        verbosity: match (args.quiet, args.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        },
    })
}

/// The waivers file, read once: its waivers and its SHA-256 (the scope's).
fn load_waivers(
    path: Option<&PathBuf>,
    cases: &[Case],
) -> Result<(Waivers, Option<String>), Error> {
    let Some(path) = path else {
        return Ok((Waivers::default(), None));
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::harness(format!("cannot read waivers {shown}: {e}")))?;
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let waivers = Waivers::load(&shown, &text, &ids)
        .map_err(|problems| Error::diagnostics(problems, "the waivers file"))?;
    Ok((waivers, Some(crate::bundle::sha256(text.as_bytes()))))
}

fn pacing(args: &RunArgs) -> Result<Pacing, Error> {
    if args.rps.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return Err(Error::harness("--rps must be a positive number"));
    }
    Ok(Pacing {
        concurrency: args.concurrency,
        rps: args.rps,
        retry_budget: if args.max_retry_wait == 0.0 {
            Duration::ZERO
        } else {
            seconds("--max-retry-wait", args.max_retry_wait)?
        },
    })
}

fn properties(args: &RunArgs) -> Result<property::Settings, Error> {
    if !(args.prop_shrink_time >= 0.0 && args.prop_shrink_time.is_finite()) {
        return Err(Error::harness(
            "--prop-shrink-time must be a number of seconds, 0 or more",
        ));
    }
    Ok(property::Settings {
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
    })
}
