//! Identity-provider client flows: `cases/clients/<name>/`, one case file
//! per lifecycle [`Stage`] plus a `client.yaml` that says who the client is
//! ([`IdentityProvider`]: its title, its public sources, the headers it sends with
//! every request).
//!
//! A flow is a case like any other (steps, captures, cleanup), with more
//! things the loader checks: its `stage:`, a `replays:` on every step
//! (which documented client behaviour the request reproduces, opening with
//! the `[tag]` of the `client.yaml` source it comes from, or saying it is
//! scimcheck's own read-back), optional `warn:` expectations per step
//! (what the RFC asks that this client does not need: a warning in the
//! client's verdict, not a break), and an optional `validator:` (the flow
//! replays a check of the vendor's validator, which grades certification,
//! not provisioning: a stage can work for provisioning and still fail it).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::Case;
use super::source::Source;
use super::template::Template;
use crate::diag::{Diagnostic, Location, Pos, parse_yaml};

/// The folder client flows live in, under the case root.
pub const ROOT: &str = "clients/";

crate::named! {
    /// Where in a provisioning lifecycle a flow sits, in lifecycle order.
    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Stage {
        ConnectionTest = "connection-test",
        Lookup = "lookup",
        Create = "create",
        Update = "update",
        Disable = "disable",
        Enable = "enable",
        Deprovision = "deprovision",
        GroupPush = "group-push",
    }
}

/// `client.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    /// `Microsoft Entra ID`: what the verdict line names.
    title: String,
    /// Which job or integration kind the flow replays, in one sentence.
    summary: String,
    /// The public documents the flow's requests come from.
    sources: Vec<String>,
    /// Headers the client sends with every request (its User-Agent).
    #[serde(default)]
    headers: IndexMap<String, String>,
    /// Another client whose flows this one sends unchanged: the flows this
    /// folder has no file of the same name for are that client's.
    extends: Option<String>,
    /// The vendor's validators whose checks flows replay: key → title
    /// (`spec: Okta SCIM 2.0 SPEC Test`).
    #[serde(default)]
    validators: IndexMap<String, String>,
}

/// An identity-provider client whose flows the suite can replay.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityProvider {
    /// The folder name: `entra`, `okta-put`.
    pub name: String,
    pub title: String,
    pub summary: String,
    pub sources: Vec<String>,
    /// The client whose flows fill the stages this one does not define.
    pub extends: Option<String>,
    /// The vendor's validators (key → title) whose checks flows replay.
    pub validators: IndexMap<String, String>,
    #[serde(skip)]
    headers: Vec<(String, Template)>,
}

/// The client a case id belongs to: `clients/entra/disable` → `entra`.
pub fn client_of(id: &str) -> Option<&str> {
    id.strip_prefix(ROOT)?.split('/').next()
}

/// Whether a source is a client's description rather than a case.
pub fn is_client_file(source: &Source) -> bool {
    client_of(&source.id).is_some() && source.id.ends_with("/client")
}

/// Parses every `clients/<name>/client.yaml` among the sources.
pub fn load(sources: &[Source]) -> Result<Vec<IdentityProvider>, Vec<Diagnostic>> {
    let mut clients = Vec::new();
    let mut errors = Vec::new();
    for source in sources.iter().filter(|s| is_client_file(s)) {
        let name = client_of(&source.id).unwrap_or_default().to_string();
        match parse_yaml::<ClientFile>(&source.path, &source.text) {
            Ok(file) => {
                let mut headers = Vec::new();
                for (header, value) in file.headers {
                    match Template::parse(&value) {
                        Ok(t) => headers.push((header, t)),
                        Err(e) => errors.push(Diagnostic::new(
                            Location::new(source.path.as_str(), Pos::START),
                            e.to_string(),
                        )),
                    }
                }
                clients.push(IdentityProvider {
                    name,
                    title: file.title,
                    summary: file.summary,
                    sources: file.sources,
                    extends: file.extends,
                    validators: file.validators,
                    headers,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        clients.sort_by(|a, b| a.name.cmp(&b.name));
        // A client replays the flows of the one it extends, and with them
        // the checks of that one's validators.
        let inherited: Vec<IndexMap<String, String>> = clients
            .iter()
            .map(|c| {
                let parent = clients.iter().find(|p| Some(&p.name) == c.extends.as_ref());
                parent.map(|p| p.validators.clone()).unwrap_or_default()
            })
            .collect();
        for (client, validators) in clients.iter_mut().zip(inherited) {
            for (key, title) in validators {
                client.validators.entry(key).or_insert(title);
            }
        }
        Ok(clients)
    } else {
        Err(errors)
    }
}

/// Gives every step of a client's flows the headers the client sends with
/// every request (a step's own header of the same name wins). Cleanup
/// requests stay the harness's own.
pub fn apply_headers(cases: &mut [Case], clients: &[IdentityProvider]) {
    for case in cases {
        let Some(client) = case
            .client
            .as_deref()
            .and_then(|name| clients.iter().find(|c| c.name == name))
        else {
            continue;
        };
        for step in &mut case.steps {
            for (name, value) in &client.headers {
                let own = step
                    .request
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(name));
                if !own {
                    step.request.headers.push((name.clone(), value.clone()));
                }
            }
        }
    }
}

/// The `[tag]` a source or a step's `replays:` opens with.
fn tag(text: &str) -> Option<&str> {
    text.strip_prefix('[')?.split_once(']').map(|(tag, _)| tag)
}

/// What a step's `replays:` says when scimcheck sends the request itself
/// (a read-back that judges what the client's write stored).
const OWN_REQUEST: &str = "scimcheck's";

/// Every flow file belongs to a client with a `client.yaml`, a client
/// extends one that exists, a flow's validator is one its client names, and
/// every step's `replays:` names the source it comes from.
pub fn check_membership(cases: &[Case], clients: &[IdentityProvider]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for client in clients {
        if let Some(parent) = &client.extends
            && !clients
                .iter()
                .any(|c| &c.name == parent && c.extends.is_none())
        {
            errors.push(Diagnostic::new(
                Location::new(
                    format!("cases/clients/{}/client.yaml", client.name),
                    Pos::START,
                ),
                format!("`extends: {parent}` names no client that exists and extends none"),
            ));
        }
    }
    for case in cases {
        let Some(name) = case.client.as_deref() else {
            continue;
        };
        let Some(client) = clients.iter().find(|c| c.name == name) else {
            errors.push(Diagnostic::new(
                case.at(Pos::START),
                format!("client flow of `{name}`, which has no cases/clients/{name}/client.yaml"),
            ));
            continue;
        };
        if let Some(validator) = &case.validator
            && !client.validators.contains_key(validator)
        {
            let known: Vec<&str> = client.validators.keys().map(String::as_str).collect();
            errors.push(Diagnostic::new(
                case.at(Pos::START),
                format!(
                    "`validator: {validator}` is not one of the validators cases/clients/{name}/client.yaml names ({}){}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") },
                    crate::diag::hint(validator, known.iter().copied())
                ),
            ));
        }
        let tags: Vec<&str> = client.sources.iter().filter_map(|s| tag(s)).collect();
        for step in &case.steps {
            let Some(replays) = &step.replays else {
                continue;
            };
            if replays.starts_with(OWN_REQUEST) {
                continue;
            }
            match tag(replays) {
                Some(t) if tags.contains(&t) => {}
                found => errors.push(Diagnostic::new(
                    case.at(Pos::START),
                    format!(
                        "{}: `replays:` opens with {} instead of the [tag] of one of the client's sources ({}), or `{OWN_REQUEST}` for a request scimcheck sends itself",
                        step.label,
                        found.map_or("no [tag]".to_string(), |t| format!("[{t}]")),
                        tags.iter().map(|t| format!("[{t}]")).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
    }
    errors
}

/// `--client` names no client the case set holds.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no client `{name}`{}; known: {} (see `scimcheck list --clients`)", crate::diag::hint(name, known.iter().map(String::as_str)), known.join(", "))]
pub struct UnknownClient {
    pub name: String,
    pub known: Vec<String>,
}

/// The client `--client` names; the error lists the known ones.
pub fn find<'a>(
    clients: &'a [IdentityProvider],
    name: &str,
) -> Result<&'a IdentityProvider, UnknownClient> {
    clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| UnknownClient {
            name: name.to_string(),
            known: clients.iter().map(|c| c.name.clone()).collect(),
        })
}

/// Selects what a run replays: a client's flows (`--client NAME`), or,
/// without one, every case that is not a client flow.
pub fn select(
    cases: Vec<Case>,
    clients: &[IdentityProvider],
    client: Option<&str>,
) -> Result<Vec<Case>, UnknownClient> {
    let Some(name) = client else {
        return Ok(cases.into_iter().filter(|c| c.client.is_none()).collect());
    };
    let parent = find(clients, name)?.extends.as_deref();
    // A client that extends another sends its own flows for the stages it
    // has files for, and the other's for the rest; the other's validator
    // checks it inherits whatever the stage (a validator grades both
    // alike), unless it has a file of the same name.
    let file = |c: &Case| c.id.rsplit('/').next().unwrap_or_default().to_string();
    let own = cases.iter().filter(|c| c.client.as_deref() == Some(name));
    let own_files: Vec<String> = own.clone().map(file).collect();
    let own_stages: Vec<Option<Stage>> = own
        .filter(|c| c.validator.is_none())
        .map(|c| c.stage)
        .collect();
    let inherits = |c: &Case| {
        !own_files.contains(&file(c)) && (c.validator.is_some() || !own_stages.contains(&c.stage))
    };
    Ok(cases
        .into_iter()
        .filter(|c| {
            c.client.as_deref() == Some(name)
                || (c.client.as_deref() == parent && c.stage.is_some() && inherits(c))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_id_names_its_client() {
        assert_eq!(client_of("clients/entra/disable"), Some("entra"));
        assert_eq!(client_of("users/create"), None);
        let source = |id: &str| Source {
            id: id.into(),
            path: String::new(),
            text: String::new(),
        };
        assert!(is_client_file(&source("clients/okta/client")));
        assert!(!is_client_file(&source("clients/okta/create")));
        assert!(!is_client_file(&source("users/client")));
    }

    #[test]
    fn stages_read_as_written() {
        for &stage in Stage::ALL {
            let parsed: Stage = serde_json::from_value(stage.as_str().into()).unwrap();
            assert_eq!(parsed, stage);
        }
    }
}
