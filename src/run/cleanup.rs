//! Cleanup, from the ledger: what a case created and did not delete is
//! deleted when the case ends (properties' populations included); what any
//! case left is deleted by the final safety net; then one GET per created
//! resource asks the target what really remains, so that the summary says
//! what the server did, not what the profile claims it does.

use super::batch::send_all;
use crate::client::ledger::Entry;
use crate::client::{Client, Exchange, Outgoing};
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
                    "cleanup: DELETE {}/{} (left by the case)",
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

/// The final safety net and the truth about it: deletes every resource the
/// ledger still holds as live, then reads each created resource back.
pub async fn finish(client: &Client) -> Leftovers {
    let live = client.ledger().live(None);
    delete(client, &live).await;
    let removed_at_end = live.len() - client.ledger().live(None).len();
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
    let answers = send_all(client, reads).await;
    let mut leftovers = Leftovers {
        created: created.len(),
        created_by_kind: ResourceType::ALL
            .into_iter()
            .map(|kind| (kind, created.iter().filter(|e| e.kind == kind).count()))
            .filter(|(_, n)| *n > 0)
            .collect(),
        removed_at_end,
        ..Leftovers::default()
    };
    for (entry, exchange) in created.iter().zip(answers) {
        let state = match &exchange.response {
            Ok(r) if r.status == 404 => None,
            Ok(r) if r.status == 200 => Some(match r.json.as_ref().and_then(|j| j.get("active")) {
                Some(serde_json::Value::Bool(false)) => Remaining::Inactive,
                _ => Remaining::Active,
            }),
            Ok(r) => Some(Remaining::Unknown(format!("GET answered {}", r.status))),
            Err(none) => Some(Remaining::Unknown(none.to_string())),
        };
        match state {
            None => leftovers.gone += 1,
            Some(state) => leftovers.remaining.push(Remnant {
                kind: entry.kind,
                id: entry.id.clone(),
                state,
            }),
        }
    }
    leftovers.retry_wait = client.pacing().waited();
    leftovers.requests = client.pacing().sent();
    leftovers
}
