//! Reaching the target: start the embedded reference server when there is
//! no `--url`, build the run's client (guard, ledger, pacing, journal),
//! fail early when the target cannot be reached or refuses the
//! credentials, and settle the profile it is judged by (`auto` reads what
//! it declares and observes what it does).

use std::net::SocketAddr;
use std::sync::Arc;

use super::{Error, Options, SnapshotOptions};
use crate::client::{Client, Credentials, Guard, Ledger, Outgoing, Pacing};
use crate::profile::{self, Profile};
use crate::run::vars::RunId;
use crate::server::{self, Fault};
use crate::snapshot::{self, Snapshots};

/// The embedded reference server to start when there is no `--url`.
pub struct Embedded {
    /// The profile it implements (`auto` runs it as `rfc7644`).
    pub profile: String,
    pub faults: std::collections::HashSet<Fault>,
}

/// A reachable target, the run's client and the profile it is judged by.
pub struct Reached {
    pub client: Client,
    pub guard: Arc<Guard>,
    pub run: RunId,
    pub profile: Profile,
    /// Discovery claims the behaviour contradicts (`auto`).
    pub contradictions: Vec<crate::result::Contradiction>,
    /// The embedded server (kept alive for the run) and the profile it implements.
    pub server: Option<(server::Running, String)>,
}

/// Starts what must be started and connects.
pub fn reach(options: &Options, runtime: &tokio::runtime::Runtime) -> Result<Reached, Error> {
    let mut target = options.target.clone();
    let server = match &options.embedded {
        None => None,
        Some(embedded) => {
            let running = start(embedded, runtime)?;
            target.base_url = running.0.base_url.clone();
            target.credentials = Credentials {
                bearer: Some(running.1.clone()),
                basic: None,
                headers: target.credentials.headers.clone(),
            };
            Some((running.0, embedded.profile.clone()))
        }
    };
    let run = RunId::random();
    let guard = Arc::new(Guard::new(
        &run.prefix(),
        options.read_only,
        Arc::new(Ledger::default()),
    ));
    let pacing = Arc::new(Pacing::new(
        options.pacing.concurrency.map(|c| c as usize),
        options.pacing.rps,
        options.pacing.retry_budget,
    ));
    let mut client = Client::new(target)?
        .with_guard(guard.clone())
        .with_pacing(pacing);
    if options.outputs.bundle.is_some() {
        // The bundle's HAR holds every exchange, not only the checks' own.
        client = client.with_journal(Arc::default());
    }
    if let Some(source) = client.oauth() {
        runtime.block_on(source.token())?;
        eprintln!(
            "scimcheck: OAuth 2.0 client credentials: a token from {} for client `{}` (renewed before it expires, and once on a 401 saying it expired)",
            source.config().token_url,
            source.config().client_id
        );
    }
    runtime.block_on(preflight(&client))?;
    if options.profile_chosen && options.embedded.is_none() {
        eprintln!(
            "scimcheck: judging {} by profile `{}`: what it declares in its discovery endpoints and what it does (--profile NAME judges by a named profile)",
            client.target().base_url,
            options.profile
        );
    }
    let load = |name: &str| Profile::load(name).map_err(Error::Profile);
    // A specification profile (scim-interop) judges what the target
    // declares, with the specification's requirements claimed on top.
    let spec = (options.profile == "scim-interop")
        .then(|| load("scim-interop"))
        .transpose()?;
    let (profile, contradictions) = if options.profile == "auto" || spec.is_some() {
        let found = runtime.block_on(crate::run::discover::discover(
            &client,
            &run,
            options.read_only,
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
        (load(&options.profile)?, vec![])
    };
    Ok(Reached {
        client,
        guard,
        run,
        profile,
        contradictions,
        server,
    })
}

/// The reference server on loopback with a random token.
fn start(
    embedded: &Embedded,
    runtime: &tokio::runtime::Runtime,
) -> Result<(server::Running, String), Error> {
    let name = &embedded.profile;
    // `auto` judges the server by what it declares; the server itself needs a real profile.
    let profile =
        Profile::load(if name == "auto" { "rfc7644" } else { name }).map_err(Error::Profile)?;
    let token = format!("scimcheck-{}", uuid::Uuid::new_v4().simple());
    let config = server::Config {
        profile,
        token: Some(token.clone()),
        faults: embedded.faults.clone(),
        seed_users: 0,
        latency: Default::default(),
        drop_answers: None,
        introspection: None,
    };
    let running = runtime
        .block_on(server::start(config, SocketAddr::from(([127, 0, 0, 1], 0))))
        .map_err(Error::Server)?;
    eprintln!(
        "scimcheck: no --url given: testing the embedded reference server at {}",
        running.base_url
    );
    Ok((running, token))
}

/// Fails early, with one line, when the target cannot be reached at all,
/// rejects the credentials, or is not a SCIM base URL (every case would
/// fail for the same reason, and the verdict would be about the harness's
/// input, not the server).
async fn preflight(client: &Client) -> Result<(), Error> {
    let exchange = client
        .send(Outgoing::get("/Users", &[("count", "1")]))
        .await;
    let base = client.target().base_url.clone();
    match &exchange.response {
        Err(none) => Err(Error::Unreachable {
            base,
            why: none.to_string(),
        }),
        Ok(r) if r.status == 401 || r.status == 403 => Err(Error::Rejected {
            base,
            status: r.status,
        }),
        Ok(r) if r.status == 404 || ((200..300).contains(&r.status) && !lists(r.json.as_ref())) => {
            let answered = if r.status == 404 {
                "404 Not Found".to_string()
            } else {
                format!("{} with a body that is not a SCIM ListResponse", r.status)
            };
            Err(Error::NotScim {
                base: base.clone(),
                answered,
                hint: suggest(client, &base).await,
            })
        }
        Ok(_) => Ok(()),
    }
}

fn lists(json: Option<&serde_json::Value>) -> bool {
    json.and_then(crate::scim::list::ListPage::read).is_some()
}

/// Where the SCIM base probably is, when `base` is not it: the first of
/// the usual base paths under it whose `/ServiceProviderConfig` answers
/// (asked only when the run cannot start anyway).
async fn suggest(client: &Client, base: &str) -> String {
    let trimmed = base.trim_end_matches('/');
    for suffix in ["scim/v2", "scim", "v2"] {
        let candidate = format!("{trimmed}/{suffix}");
        let mut target = client.target().clone();
        target.base_url = candidate.clone();
        let Ok(probe) = Client::new(target) else {
            continue;
        };
        let exchange = probe
            .send(Outgoing::get("/ServiceProviderConfig", &[]))
            .await;
        if let Ok(r) = &exchange.response
            && (200..300).contains(&r.status)
            && r.json.as_ref().is_some_and(|j| j.get("schemas").is_some())
        {
            return format!("; {candidate}/ServiceProviderConfig answers: try --url {candidate}");
        }
    }
    String::new()
}

/// Where this target's snapshots live.
pub fn snapshots(options: &SnapshotOptions, reached: &Reached) -> Snapshots {
    let base_url = &reached.client.target().base_url;
    let target = match (&options.name, &reached.server) {
        (Some(name), _) => name.clone(),
        (None, Some((_, server))) => format!("reference-{server}"),
        (None, None) => format!("{}-{}", target_key(base_url), reached.profile.name),
    };
    let target = snapshot::target_name(&target);
    let dir = options.root.join(&target);
    let pinned = snapshot::has_baseline(&dir);
    Snapshots {
        pinned,
        record: pinned || options.asked,
        dir,
        target,
        mode: options.mode,
        base_url: base_url.clone(),
        run_prefix: reached.run.prefix(),
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
