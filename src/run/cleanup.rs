//! Cleanup, from the ledger: what a case created and did not delete is
//! deleted when the case ends (properties' populations included); what any
//! case left is deleted by the final safety net; then the target is asked
//! what really remains — one GET per created resource, and a survey of
//! everything named with the run's prefix, which finds what the ledger
//! never learned of — so that the summary says what the server holds, not
//! what the run believes or the profile claims.

use super::batch::send_all;
use super::survey::{self, Held, Otherwise, Survey};
use crate::client::ledger::{Entry, State};
use crate::client::{Client, Create, Exchange, Outgoing};
use crate::result::{Leftovers, Remaining, Remnant, StepResult};
use crate::scim::ResourceType;

/// Deletes what the client's scope (one case) created and did not delete.
pub async fn scope(client: &Client) -> Vec<StepResult> {
    let live = client.ledger().live(Some(client.scope()));
    delete(client, &live)
        .await
        .into_iter()
        .zip(&live)
        .map(|(exchange, entry)| {
            StepResult::new(
                format!(
                    "{} DELETE {}/{} (left by the case)",
                    crate::case::CLEANUP_LABEL,
                    entry.kind.endpoint(),
                    entry.id
                ),
                Some(exchange),
            )
        })
        .collect()
}

/// Sends a DELETE for each entry, a few at a time; the exchanges in entry order.
pub async fn delete(client: &Client, entries: &[Entry]) -> Vec<Exchange> {
    let requests = entries
        .iter()
        .map(|e| Outgoing::delete(e.kind, &e.id))
        .collect();
    send_all(client, requests).await
}

/// The final safety net and the truth about it: deletes every resource
/// the ledger still holds as live; then asks the server what remains — a
/// GET of each resource the run created, and a survey of everything named
/// with the run's `prefix` (what the ledger never learned of: a create
/// whose answer was lost); deletes what the survey found that the run had
/// not deleted, and asks again. What the last asking found is the answer.
pub async fn finish(client: &Client, prefix: &str) -> Leftovers {
    let live = client.ledger().live(None);
    delete(client, &live).await;
    let removed_at_end = live.len() - client.ledger().live(None).len();
    let mut truth = ask(client, prefix).await;
    let unrecorded: Vec<Held> = truth
        .survey
        .held
        .iter()
        .filter(|h| {
            !matches!(
                client.ledger().state(h.kind, &h.id),
                Some(State::Deleted { .. })
            )
        })
        .cloned()
        .collect();
    if !unrecorded.is_empty() {
        for held in &unrecorded {
            (client.ledger()).created(held.kind, &held.id, "end of run", Some(&held.name));
        }
        delete(client, &client.ledger().live(None)).await;
        truth = ask(client, prefix).await;
    }
    let created = client.ledger().entries();
    let mut leftovers = Leftovers {
        created: created.len(),
        created_by_kind: ResourceType::ALL
            .into_iter()
            .map(|kind| (kind, created.iter().filter(|e| e.kind == kind).count()))
            .filter(|(_, n)| *n > 0)
            .collect(),
        removed_at_end,
        found_at_end: unrecorded.len(),
        asked: truth.survey.asked.clone(),
        ..Leftovers::default()
    };
    for (entry, state) in created.iter().zip(&truth.states) {
        match state {
            None => leftovers.gone += 1,
            Some(state) => leftovers.remaining.push(Remnant {
                kind: entry.kind,
                id: Some(entry.id.clone()),
                name: entry.name.clone(),
                state: state.clone(),
            }),
        }
    }
    for held in &truth.survey.held {
        if !created
            .iter()
            .any(|e| e.kind == held.kind && e.id == held.id)
        {
            leftovers.remaining.push(Remnant {
                kind: held.kind,
                id: Some(held.id.clone()),
                name: Some(held.name.clone()),
                state: match held.active {
                    Some(false) => Remaining::Inactive,
                    _ => Remaining::Active,
                },
            });
        }
    }
    for untold in &truth.survey.untold {
        leftovers.remaining.push(Remnant {
            kind: untold.kind,
            id: None,
            name: untold.name.clone(),
            state: Remaining::Unknown(untold.why.clone()),
        });
    }
    leftovers.retry_wait = client.pacing().waited();
    leftovers.requests = client.pacing().sent();
    leftovers
}

/// What the server says remains: per ledger entry, what its GET answered
/// (`None`: gone), and the survey by prefix.
struct Truth {
    states: Vec<Option<Remaining>>,
    survey: Survey,
}

async fn ask(client: &Client, prefix: &str) -> Truth {
    let created = client.ledger().entries();
    let reads = created
        .iter()
        .map(|e| {
            Outgoing::get(
                &format!(
                    "{}/{}",
                    e.kind.endpoint(),
                    crate::client::percent_encode(&e.id)
                ),
                &[],
            )
        })
        .collect();
    let states: Vec<Option<Remaining>> = send_all(client, reads)
        .await
        .iter()
        .map(|exchange| match &exchange.response {
            Ok(r) if r.status == 404 => None,
            Ok(r) if r.status == 200 => Some(match r.json.as_ref().and_then(|j| j.get("active")) {
                Some(serde_json::Value::Bool(false)) => Remaining::Inactive,
                _ => Remaining::Active,
            }),
            Ok(r) => Some(Remaining::Unknown(format!("GET answered {}", r.status))),
            Err(none) => Some(Remaining::Unknown(none.to_string())),
        })
        .collect();
    // Only the resource types the run wrote: a survey of the others decides nothing.
    let sent = client.ledger().sent();
    let kinds: Vec<ResourceType> = ResourceType::ALL
        .into_iter()
        .filter(|k| {
            created.iter().any(|e| e.kind == *k) || sent.iter().any(|s| s.create.kind == *k)
        })
        .collect();
    let unconfirmed = client.ledger().unconfirmed();
    let mut survey = survey::survey(client, prefix, &kinds, Otherwise::LookUp(&unconfirmed)).await;
    // A search that misses a resource a GET still finds cannot be trusted
    // with what the ledger never learned of: look those names up instead.
    let missed: Vec<ResourceType> = kinds
        .iter()
        .copied()
        .filter(|kind| survey.searched.contains(kind))
        .filter(|kind| {
            created.iter().zip(&states).any(|(e, state)| {
                e.kind == *kind
                    && state.is_some()
                    && e.name
                        .as_deref()
                        .is_some_and(|n| n.to_ascii_lowercase().starts_with(prefix))
                    && !survey.held.iter().any(|h| h.kind == *kind && h.id == e.id)
            })
        })
        .collect();
    if !missed.is_empty() {
        let names: Vec<&Create> = unconfirmed
            .iter()
            .filter(|c| missed.contains(&c.kind))
            .collect();
        survey.asked.push(format!(
            "a lookup of each of the {} name(s) sent without a confirmed create (the search missed a resource a GET finds)",
            names.len()
        ));
        survey::look_up(client, &names, &mut survey).await;
        let mut seen = std::collections::BTreeSet::new();
        survey.held.retain(|h| seen.insert((h.kind, h.id.clone())));
    }
    Truth { states, survey }
}
