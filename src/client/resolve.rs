//! A create whose outcome is unknown — sent, and no complete answer came
//! (a timeout, a dropped connection) — may have made a resource all the
//! same. Before the run goes on, it looks the resource up by the unique
//! name it sent (`userName eq "…"`, `displayName eq "…"`) and records what
//! it finds in the ledger: so a lost answer never leaves a resource behind
//! unknown to the run, and nothing re-sends a create that may have landed.

use serde_json::Value;

use super::ledger::Create;
use super::{Client, Exchange, Outgoing};
use crate::scim::list::ListPage;

/// What a lookup by name found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Resources carrying the name (more than one: a server without
    /// uniqueness that was sent the name twice).
    Ids(Vec<String>),
    /// The server answered, and holds nothing by that name.
    Nothing,
    /// The lookup could not tell (no answer, an error, a partial page).
    Unknown(String),
}

/// One lookup of a create's name, with its evidence.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub create: Create,
    pub found: Found,
    pub exchange: Exchange,
}

/// The lookups that settled a create whose answer was lost.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub lookups: Vec<Lookup>,
}

impl Resolution {
    /// The id the create made, when a lookup found exactly one.
    pub fn created_id(&self) -> Option<&str> {
        match self.lookups.as_slice() {
            [
                Lookup {
                    found: Found::Ids(ids),
                    ..
                },
            ] if ids.len() == 1 => Some(&ids[0]),
            _ => None,
        }
    }
}

/// The search for resources named `name`: `GET /Users?filter=userName eq "…"`.
pub fn by_name(create: &Create) -> Outgoing {
    let filter = format!(
        "{} eq {}",
        create.kind.named_by(),
        Value::String(create.name.clone())
    );
    Outgoing::get(create.kind.endpoint(), &[("filter", filter.as_str())])
}

/// Looks each create up by its name and records what is found as the
/// run's, in the client's scope.
pub async fn resolve(client: &Client, creates: &[Create]) -> Resolution {
    let mut resolution = Resolution::default();
    for create in creates {
        let exchange = Box::pin(client.send(by_name(create))).await;
        let found = found(&exchange, create);
        match &found {
            Found::Ids(ids) => {
                for id in ids {
                    client.ledger().found(client.scope(), create, id);
                }
            }
            Found::Nothing => client.ledger().absent(client.scope(), create),
            Found::Unknown(_) => {}
        }
        resolution.lookups.push(Lookup {
            create: create.clone(),
            found,
            exchange,
        });
    }
    resolution
}

/// What a lookup's answer says of the resources named as `create` names
/// them (matched ignoring case, as userName and displayName compare; a
/// server that ignored the filter still answers only by what it holds).
pub fn found(exchange: &Exchange, create: &Create) -> Found {
    let response = match &exchange.response {
        Ok(response) => response,
        Err(none) => return Found::Unknown(none.to_string()),
    };
    let page = match (
        response.status,
        response.json.as_ref().and_then(ListPage::read),
    ) {
        (200, Some(page)) => page,
        (status, _) => return Found::Unknown(format!("the lookup answered {status}")),
    };
    let ids = named(page.resources, create);
    if !ids.is_empty() {
        Found::Ids(ids)
    } else if page.is_whole() {
        Found::Nothing
    } else {
        Found::Unknown(format!(
            "the answer holds {} of {} results, none of them it",
            page.resources.len(),
            page.total.unwrap_or_default()
        ))
    }
}

/// The ids of the resources that carry `create`'s name.
pub fn named(resources: &[Value], create: &Create) -> Vec<String> {
    resources
        .iter()
        .filter(|r| {
            r.get(create.kind.named_by())
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&create.name))
        })
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}
