//! The smaller commands: `serve` (the reference server alone), `list`
//! (cases and the traceability matrix) and `snapshots` (review pending
//! snapshots).

use super::args::{ListArgs, ServeArgs, SnapshotsCommand};
use super::{Error, load_cases, load_profile, parse_faults, runtime};
use crate::exit::Exit;
use crate::plan;
use crate::server::{self, Fault};
use crate::snapshot;

pub fn snapshots(command: SnapshotsCommand) -> Result<Exit, Error> {
    use snapshot::review;
    let (args, verb) = match &command {
        SnapshotsCommand::Review(args) => (args, "review"),
        SnapshotsCommand::Accept(args) => (args, "accept"),
        SnapshotsCommand::Reject(args) => (args, "reject"),
    };
    let root = &args.snapshots;
    if !root.is_dir() {
        return Err(Error::harness(format!(
            "no snapshot folder `{}`",
            root.display()
        )));
    }
    let selected = review::select(root, &args.names);
    if selected.is_empty() {
        println!("no pending snapshots under {}", root.display());
        return Ok(Exit::Passed);
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
    let (accepted, rejected, seen) = result.map_err(Error::harness)?;
    println!(
        "{seen} pending: {accepted} accepted, {rejected} rejected, {} left",
        seen - accepted - rejected
    );
    Ok(Exit::Passed)
}

pub fn serve(args: ServeArgs) -> Result<Exit, Error> {
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
        return Ok(Exit::Passed);
    }
    let profile = load_profile(&args.profile)?;
    let faults = parse_faults(&args.faults)?;
    let read = |path: &std::path::PathBuf| {
        std::fs::read(path)
            .map_err(|e| Error::harness(format!("cannot read {}: {e}", path.display())))
    };
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(server::TlsIdentity {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
            client_ca_pem: args.tls_client_ca.as_ref().map(read).transpose()?,
        }),
        _ => None,
    };
    let runtime = runtime();
    let config = server::Config {
        profile,
        token: args.token.clone(),
        faults,
        seed_users: args.seed_users,
        latency: std::time::Duration::from_millis(args.latency),
        drop_answers: args.drop_answers,
        introspection: introspection(&args)?,
    };
    runtime.block_on(async {
        let started = match &identity {
            Some(identity) => server::start_tls(config, args.listen, identity).await,
            None => server::start(config, args.listen).await,
        };
        let running = started
            .map_err(|e| Error::harness(format!("cannot listen on {}: {e}", args.listen)))?;
        println!("{}", running.base_url);
        if let Some(url) = &args.oauth_introspect {
            eprintln!("scimcheck: accepting the bearer tokens {url} says are active (RFC 7662)");
        } else if args.token.is_none() {
            eprintln!(
                "scimcheck: serving without authentication (pass --token to require a bearer token)"
            );
        }
        let _ = tokio::signal::ctrl_c().await;
        Ok(Exit::Passed)
    })
}

/// `--oauth-introspect`: where the server checks tokens, and as whom.
fn introspection(args: &ServeArgs) -> Result<Option<server::introspect::Introspection>, Error> {
    let (Some(url), Some(client_id)) = (&args.oauth_introspect, &args.oauth_introspect_client_id)
    else {
        return Ok(None);
    };
    let Some(client_secret) = args.oauth_introspect_secret.clone() else {
        return Err(Error::harness(
            "--oauth-introspect needs the server's client secret: SCIMCHECK_INTROSPECT_SECRET or --oauth-introspect-secret",
        ));
    };
    Ok(Some(server::introspect::Introspection {
        url: url.clone(),
        client_id: client_id.clone(),
        client_secret,
    }))
}

pub fn list(args: ListArgs) -> Result<Exit, Error> {
    let suite = load_cases(args.cases.as_ref())?;
    if args.clients {
        print_clients(&suite);
        return Ok(Exit::Passed);
    }
    let cases = suite.select(None)?;
    let mut out = String::new();
    if args.matrix {
        let exercises: Vec<crate::rules::Exercise> = cases
            .iter()
            .map(|c| crate::rules::Exercise {
                id: &c.id,
                rules: &c.rules,
                needs: c.needs.iter().map(|n| n.to_string()).collect(),
            })
            .collect();
        out = crate::rules::matrix(&exercises);
    } else {
        match &args.profile {
            Some(name) => {
                let profile = load_profile(name)?;
                for planned in &plan::plan(cases, profile, false).cases {
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
    Ok(Exit::Passed)
}

/// `list --clients`: each client, what it is, and the stages its flows replay.
fn print_clients(suite: &super::Suite) {
    let mut out = String::new();
    for client in &suite.clients {
        out.push_str(&format!(
            "{:<10} {} — {}\n",
            client.name, client.title, client.summary
        ));
        let mut flows: Vec<&crate::case::Case> = suite
            .cases
            .iter()
            .filter(|c| c.client.as_deref() == Some(client.name.as_str()))
            .collect();
        flows.sort_by_key(|c| c.stage);
        for flow in flows {
            let stage = flow.stage.map_or("", |s| s.as_str());
            out.push_str(&format!(
                "  {stage:<16} {:<36} {} request(s)\n",
                flow.id,
                flow.steps.len()
            ));
        }
        for source in &client.sources {
            out.push_str(&format!("  source: {source}\n"));
        }
    }
    out.push_str("\nrun one with `scimcheck run --client NAME` (judged as `--profile auto` unless you give one)\n");
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
}
