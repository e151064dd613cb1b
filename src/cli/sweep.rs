//! `scimcheck sweep`: finds what earlier runs left on a target (groups whose
//! displayName and users whose userName start `scimcheck-<run>-`, e.g.
//! after a killed run) and removes them, groups first. Dry-run by default:
//! it lists what `--delete` would remove. It never touches a resource
//! without the harness's prefix: what it finds is adopted into a ledger, and
//! deleted by the same routine as a run's cleanup.

use std::sync::Arc;

use serde_json::Value;

use super::args::SweepArgs;
use super::{Error, runtime, target};
use crate::client::{Client, Guard, Ledger, Outgoing};
use crate::exit::Exit;
use crate::run::cleanup;
use crate::run::property::population::quote;
use crate::run::vars::PREFIX;
use crate::scim::ResourceType;

/// Users per page while searching.
const PAGE: usize = 100;

/// One resource an earlier run left.
struct Leftover {
    kind: ResourceType,
    id: String,
    name: String,
    active: Option<bool>,
}

/// The attribute a resource type's harness resources are named by.
fn named_by(kind: ResourceType) -> &'static str {
    match kind {
        ResourceType::User => "userName",
        ResourceType::Group => "displayName",
    }
}

pub fn sweep(args: SweepArgs) -> Result<Exit, Error> {
    let Some(url) = args.target.url.clone() else {
        return Err(Error::harness(
            "sweep needs --url (or SCIMCHECK_URL): the target to clean up",
        ));
    };
    let prefix = match &args.run {
        Some(run) if run.len() == 8 && run.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("{PREFIX}{}-", run.to_ascii_lowercase())
        }
        Some(run) => {
            return Err(Error::harness(format!(
                "--run `{run}` is not a run id (8 hex digits, as in scimcheck-<run>-…)"
            )));
        }
        None => PREFIX.to_string(),
    };
    let guard = Arc::new(Guard::new("", false, Arc::new(Ledger::default())));
    let client = Client::new(target(&args.target, &url)?)
        .map_err(Error::harness)?
        .with_guard(guard.clone());
    let runtime = runtime();
    let mut found = runtime
        .block_on(find(&client, ResourceType::Group, &prefix))
        // A server without Groups has none to sweep.
        .unwrap_or_default();
    found.extend(
        runtime
            .block_on(find(&client, ResourceType::User, &prefix))
            .map_err(Error::harness)?,
    );
    if found.is_empty() {
        println!("scimcheck: sweep: no user or group named {prefix}… on {url}");
        return Ok(Exit::Passed);
    }
    for leftover in &found {
        let state = match leftover.active {
            Some(false) => " (inactive)",
            _ => "",
        };
        let kind = leftover.kind.name().to_lowercase();
        println!("  {kind:<5}  {}  {}{state}", leftover.id, leftover.name);
    }
    let count = |kind: ResourceType| found.iter().filter(|l| l.kind == kind).count();
    let what = match count(ResourceType::Group) {
        0 => format!("{} user(s)", count(ResourceType::User)),
        groups => format!(
            "{} user(s) and {groups} group(s)",
            count(ResourceType::User)
        ),
    };
    if !args.delete {
        println!(
            "scimcheck: sweep: {what} named {prefix}… found; nothing deleted (dry run). Run again with --delete to remove them."
        );
        return Ok(Exit::Passed);
    }
    for leftover in &found {
        client.ledger().adopt(leftover.kind, &leftover.id);
    }
    let entries = client.ledger().live(None);
    let exchanges = runtime.block_on(cleanup::delete(&client, &entries));
    let mut failed = 0;
    for (entry, exchange) in entries.iter().zip(&exchanges) {
        match &exchange.response {
            Ok(r) if r.status < 300 || r.status == 404 => {}
            Ok(r) => {
                failed += 1;
                eprintln!(
                    "scimcheck: sweep: DELETE {} answered {}",
                    entry.id, r.status
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("scimcheck: sweep: DELETE {} failed: {e}", entry.id);
            }
        }
    }
    println!(
        "scimcheck: sweep: deleted {} of {what} named {prefix}…",
        found.len() - failed,
    );
    Ok(if failed > 0 {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

/// Every resource of `kind` whose name starts with `prefix`: by a `sw`
/// filter where the server supports it, else by paging through the whole
/// collection (this is the one command that may: it is run on purpose, rarely).
async fn find(client: &Client, kind: ResourceType, prefix: &str) -> Result<Vec<Leftover>, String> {
    let endpoint = kind.endpoint();
    let filter = format!("{} sw {}", named_by(kind), quote(prefix));
    match pages(client, kind, Some(&filter), prefix).await {
        Ok(found) => Ok(found),
        Err(status) if status == 400 || status == 501 => {
            eprintln!(
                "scimcheck: sweep: the server rejects `sw` filters ({status}); looking through every page of {endpoint} instead"
            );
            pages(client, kind, None, prefix)
                .await
                .map_err(|status| format!("GET {endpoint} answered {status}"))
        }
        Err(status) => Err(format!("searching {endpoint} answered {status}")),
    }
}

async fn pages(
    client: &Client,
    kind: ResourceType,
    filter: Option<&str>,
    prefix: &str,
) -> Result<Vec<Leftover>, u16> {
    let mut found = Vec::new();
    let mut start = 1usize;
    loop {
        let (count, start_text) = (PAGE.to_string(), start.to_string());
        let mut query = vec![
            ("startIndex", start_text.as_str()),
            ("count", count.as_str()),
        ];
        if let Some(filter) = filter {
            query.push(("filter", filter));
        }
        let exchange = client.send(Outgoing::get(kind.endpoint(), &query)).await;
        let response = exchange.response.map_err(|_| 0u16)?;
        let json = match (&response.json, response.status) {
            (Some(json), 200) => json.clone(),
            _ => return Err(response.status),
        };
        let resources = json
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for resource in &resources {
            let name = resource
                .get(named_by(kind))
                .and_then(Value::as_str)
                .unwrap_or_default();
            // Only the harness's own resources, whatever the server's filter did.
            if name.to_ascii_lowercase().starts_with(prefix)
                && let Some(id) = resource.get("id").and_then(Value::as_str)
            {
                found.push(Leftover {
                    kind,
                    id: id.to_string(),
                    name: name.to_string(),
                    active: resource.get("active").and_then(Value::as_bool),
                });
            }
        }
        let total = json
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        start += resources.len();
        if resources.is_empty() || start > total {
            return Ok(found);
        }
    }
}
