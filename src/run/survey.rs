//! Asking the target what carries a prefix: every user whose `userName`
//! and every group whose `displayName` starts with `scimcheck-<run>` (the
//! end of a run) or `scimcheck-` (`sweep`). Where the target filters with
//! `sw`, one search per resource type, paged; where it does not, the end
//! of a run looks up by name every create the ledger has no confirmed
//! answer for, and `sweep` pages through the whole collection. Whatever
//! the server's filter did, only resources whose name really carries the
//! prefix are counted (a server that ignores filters answers with
//! everyone's).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::client::resolve::{self, Found};
use crate::client::{Client, Create, Outgoing};
use crate::scim::ResourceType;
use crate::scim::list::ListPage;

/// Resources per page while searching.
const PAGE: usize = 100;

/// Past this many pages a listing stops: a server that ignores
/// `startIndex` would otherwise be paged through forever.
const MAX_PAGES: usize = 2_000;

/// A resource the target holds whose name carries the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub kind: ResourceType,
    pub id: String,
    pub name: String,
    /// `active`, where the resource has it.
    pub active: Option<bool>,
}

/// What could not be told: a name or a search the target did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untold {
    pub kind: ResourceType,
    /// The name looked up, when one was.
    pub name: Option<String>,
    pub why: String,
}

/// What asking the target found.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    pub held: Vec<Held>,
    pub untold: Vec<Untold>,
    /// How each resource type was asked, for the closing line:
    /// `a search for userName sw "scimcheck-1a2b3c4d"`.
    pub asked: Vec<String>,
    /// The resource types a `sw` search listed (the others were looked up
    /// by name or paged through).
    pub searched: Vec<ResourceType>,
}

/// When the target cannot search by `sw`, what to ask instead.
#[derive(Debug, Clone, Copy)]
pub enum Otherwise<'a> {
    /// Look up each of these names (`eq`): what the run sent unconfirmed.
    LookUp(&'a [Create]),
    /// Page through the whole collection (`sweep`: run on purpose, rarely).
    PageThrough,
}

/// Asks the target what of `kinds` carries `prefix` (compared ignoring case).
pub async fn survey(
    client: &Client,
    prefix: &str,
    kinds: &[ResourceType],
    otherwise: Otherwise<'_>,
) -> Survey {
    let mut survey = Survey::default();
    for &kind in kinds {
        let attribute = kind.named_by();
        let filter = format!("{attribute} sw {}", Value::String(prefix.to_string()));
        let searched = list(client, kind, Some(&filter), prefix).await;
        match (searched, otherwise) {
            (Ok(held), _) => {
                survey.asked.push(format!("a search for {filter}"));
                survey.searched.push(kind);
                survey.held.extend(held);
            }
            (Err(why), Otherwise::PageThrough) => match list(client, kind, None, prefix).await {
                Ok(held) => {
                    survey
                        .asked
                        .push(format!("every page of {} ({why})", kind.endpoint()));
                    survey.held.extend(held);
                }
                Err(again) => survey.untold.push(Untold {
                    kind,
                    name: None,
                    why: format!("{why}; listing {} failed: {again}", kind.endpoint()),
                }),
            },
            (Err(why), Otherwise::LookUp(creates)) => {
                let names: Vec<&Create> = creates.iter().filter(|c| c.kind == kind).collect();
                // Every create answered: the GET of each created resource is the whole truth.
                if !names.is_empty() {
                    survey.asked.push(format!(
                        "a lookup of each of the {} {attribute}(s) sent without a confirmed create ({why})",
                        names.len()
                    ));
                    look_up(client, &names, &mut survey).await;
                }
            }
        }
    }
    survey
}

/// Looks each name up with `eq`, a few at a time.
pub async fn look_up(client: &Client, creates: &[&Create], survey: &mut Survey) {
    let requests = creates.iter().map(|c| resolve::by_name(c)).collect();
    let answers = super::batch::send_all(client, requests).await;
    for (create, exchange) in creates.iter().zip(answers) {
        match resolve::found(&exchange, create) {
            Found::Ids(ids) => {
                let resources = exchange.json().and_then(ListPage::read);
                for id in ids {
                    let active = resources
                        .and_then(|p| p.resources.iter().find(|r| r["id"].as_str() == Some(&id)))
                        .and_then(|r| r.get("active"))
                        .and_then(Value::as_bool);
                    survey.held.push(Held {
                        kind: create.kind,
                        id,
                        name: create.name.clone(),
                        active,
                    });
                }
            }
            Found::Nothing => {}
            Found::Unknown(why) => survey.untold.push(Untold {
                kind: create.kind,
                name: Some(create.name.clone()),
                why,
            }),
        }
    }
}

/// Every resource of `kind` whose name carries `prefix`, page by page; an
/// error says why the listing cannot be trusted (the search is refused,
/// answered with something else than a ListResponse, or not answered).
async fn list(
    client: &Client,
    kind: ResourceType,
    filter: Option<&str>,
    prefix: &str,
) -> Result<Vec<Held>, String> {
    let prefix = prefix.to_ascii_lowercase();
    let mut held = Vec::new();
    let mut seen = BTreeSet::new();
    let mut start = 1usize;
    for _ in 0..MAX_PAGES {
        let (count, start_text) = (PAGE.to_string(), start.to_string());
        let mut query = vec![
            ("startIndex", start_text.as_str()),
            ("count", count.as_str()),
        ];
        if let Some(filter) = filter {
            query.push(("filter", filter));
        }
        let exchange = client.send(Outgoing::get(kind.endpoint(), &query)).await;
        let response = exchange.response.as_ref().map_err(|e| e.to_string())?;
        let page = match (
            response.status,
            response.json.as_ref().and_then(ListPage::read),
        ) {
            (200, Some(page)) => page,
            (200, None) => return Err("the answer is not a ListResponse".into()),
            (status, _) => return Err(format!("the server answers {status}")),
        };
        let mut fresh = 0;
        for resource in page.resources {
            let name = resource
                .get(kind.named_by())
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(id) = resource.get("id").and_then(Value::as_str) else {
                continue;
            };
            if !seen.insert(id.to_string()) {
                continue;
            }
            fresh += 1;
            if name.to_ascii_lowercase().starts_with(&prefix) {
                held.push(Held {
                    kind,
                    id: id.to_string(),
                    name: name.to_string(),
                    active: resource.get("active").and_then(Value::as_bool),
                });
            } else if filter.is_some() {
                return Err(format!(
                    "the search answers {} `{name}`, which does not match it",
                    kind.named_by()
                ));
            }
        }
        start += page.resources.len();
        let total = page.total.unwrap_or(0) as usize;
        if page.resources.is_empty() || fresh == 0 || start > total {
            return Ok(held);
        }
    }
    Err(format!("more than {MAX_PAGES} pages"))
}
