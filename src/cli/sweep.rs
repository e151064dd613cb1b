//! `scimcheck sweep`: finds what earlier runs left on a target (groups whose
//! displayName and users whose userName start `scimcheck-<run>-`, e.g.
//! after a killed run) and removes them, groups first. Dry-run by default:
//! it lists what `--delete` would remove. It never touches a resource
//! without the harness's prefix. It asks the target with the same survey as
//! the end of a run, deletes with the same routine as a run's cleanup, and
//! says what the server lists afterwards, not what the DELETEs answered.

use std::sync::Arc;

use super::args::SweepArgs;
use super::{Error, runtime, target};
use crate::client::{Client, Guard, Ledger};
use crate::exit::Exit;
use crate::run::cleanup;
use crate::run::survey::{Held, Otherwise, survey};
use crate::run::vars::PREFIX;
use crate::scim::ResourceType;

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
    let client = Client::new(target(&args.target, &url)?)?.with_guard(guard.clone());
    let runtime = runtime();
    // Groups first: deleting them first leaves no membership pointing at a user.
    let kinds = [ResourceType::Group, ResourceType::User];
    let found = runtime.block_on(survey(&client, &prefix, &kinds, Otherwise::PageThrough));
    // A server without Groups has none to sweep; one whose users cannot be listed cannot be swept.
    if let Some(untold) = found.untold.iter().find(|u| u.kind == ResourceType::User) {
        return Err(Error::harness(format!(
            "cannot list the users of {url}: {}",
            untold.why
        )));
    }
    if found.held.is_empty() {
        println!(
            "scimcheck: sweep: no user or group named {prefix}… on {url} ({})",
            found.asked.join("; ")
        );
        return Ok(Exit::Passed);
    }
    for held in &found.held {
        let state = match held.active {
            Some(false) => " (inactive)",
            _ => "",
        };
        let kind = held.kind.name().to_lowercase();
        println!("  {kind:<5}  {}  {}{state}", held.id, held.name);
    }
    let what = described(&found.held);
    if !args.delete {
        println!(
            "scimcheck: sweep: {what} named {prefix}… found (by {}); nothing deleted (dry run). Run again with --delete to remove them.",
            found.asked.join(" and by ")
        );
        return Ok(Exit::Passed);
    }
    for held in &found.held {
        (client.ledger()).created(held.kind, &held.id, "sweep", Some(&held.name));
    }
    let entries = client.ledger().live(None);
    let exchanges = runtime.block_on(cleanup::delete(&client, &entries));
    for (entry, exchange) in entries.iter().zip(&exchanges) {
        match &exchange.response {
            Ok(r) if r.status < 300 || r.status == 404 => {}
            Ok(r) => eprintln!(
                "scimcheck: sweep: DELETE {}/{} answered {}",
                entry.kind.endpoint(),
                entry.id,
                r.status
            ),
            Err(e) => eprintln!(
                "scimcheck: sweep: DELETE {}/{} failed: {e}",
                entry.kind.endpoint(),
                entry.id
            ),
        }
    }
    // What the server holds now, not what the DELETEs answered.
    let mut after = runtime.block_on(survey(&client, &prefix, &kinds, Otherwise::PageThrough));
    after.untold.retain(|u| u.kind == ResourceType::User);
    let active: Vec<&Held> = after
        .held
        .iter()
        .filter(|h| h.active != Some(false))
        .collect();
    let inactive = after.held.len() - active.len();
    let mut line = format!("scimcheck: sweep: found {what} named {prefix}…; ");
    if after.held.is_empty() && after.untold.is_empty() {
        line.push_str("deleted all of them (the server lists none now)");
    } else {
        let mut left = Vec::new();
        if !active.is_empty() {
            left.push(format!("{} still there", described(active.iter().copied())));
        }
        if inactive > 0 {
            left.push(format!(
                "{inactive} still there, inactive (this server deactivates on DELETE)"
            ));
        }
        for untold in &after.untold {
            left.push(format!(
                "{} not told: {}",
                untold.kind.endpoint(),
                untold.why
            ));
        }
        line.push_str(&format!("the server lists {}", left.join("; ")));
    }
    println!("{line}");
    Ok(if active.is_empty() && after.untold.is_empty() {
        Exit::Passed
    } else {
        Exit::Failed
    })
}

/// `3 user(s) and 1 group(s)`.
fn described<'a>(held: impl IntoIterator<Item = &'a Held>) -> String {
    let (mut users, mut groups) = (0, 0);
    for h in held {
        match h.kind {
            ResourceType::User => users += 1,
            ResourceType::Group => groups += 1,
        }
    }
    match groups {
        0 => format!("{users} user(s)"),
        groups => format!("{users} user(s) and {groups} group(s)"),
    }
}
