//! Sending many independent requests at once (cleanup, discovery probes,
//! populations): a few in flight at a time — more when there are hundreds,
//! so that a large population costs seconds, not minutes, on a slow link —
//! then once more, one at a time, those a server under load answered with
//! an error or not at all. And sending a handful truly at once, to see what
//! a server does with concurrent changes.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::client::{Client, Create, Exchange, NoResponse, Outgoing, resolve};

/// How many requests are in flight at once: enough to be quick on a slow
/// link, few enough not to press a fragile server.
const PARALLEL: usize = 8;

/// In flight at once when there are many (a large group's members).
const WIDE: usize = 32;

/// Past this many requests, [`WIDE`] at a time.
const MANY: usize = 64;

/// Sends the requests, at most [`PARALLEL`] at a time, then once more one
/// at a time those answered with a server error or not at all (a server
/// that fails under parallel load must still be cleaned up, and its
/// leftovers told right); the exchanges in order.
///
/// A create is never sent twice on a guess. One answered with a server
/// error, or that got no complete answer and whose lookup did not find it,
/// is looked up by name again here — after the rest of the batch, when a
/// server that was still working through it has caught up — and sent again
/// only when the server holds nothing by its name; found, it is the run's.
pub async fn send_all(client: &Client, requests: Vec<Outgoing>) -> Vec<Exchange> {
    send_all_telling(client, requests, &|_, _| {}).await
}

/// Told `(answered, total)` as a batch's requests are answered.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// [`send_all`], telling `progress` how far the batch has got (a large
/// group's members take many seconds on a slow link).
pub async fn send_all_telling(
    client: &Client,
    requests: Vec<Outgoing>,
    progress: Progress<'_>,
) -> Vec<Exchange> {
    let mut exchanges = send_parallel(client, requests.clone(), progress).await;
    for (exchange, out) in exchanges.iter_mut().zip(requests) {
        let body = exchange.request.body.as_deref();
        let creates = Create::all_in(out.method, &out.path, body);
        let troubled = match &exchange.response {
            Ok(r) => r.status >= 500,
            Err(NoResponse::Transport(_)) => exchange.created_id().is_none(),
            Err(NoResponse::Refused(_)) => false,
        };
        if !troubled {
            continue;
        }
        if !creates.is_empty() {
            let resolution = resolve::resolve(client, &creates).await;
            let absent = resolution
                .lookups
                .iter()
                .all(|l| l.found == resolve::Found::Nothing);
            exchange.resolution = Some(Box::new(resolution));
            if !absent {
                continue;
            }
        }
        *exchange = client.send(out).await;
    }
    exchanges
}

async fn send_parallel(
    client: &Client,
    requests: Vec<Outgoing>,
    progress: Progress<'_>,
) -> Vec<Exchange> {
    let total = requests.len();
    let width = if requests.len() > MANY {
        WIDE
    } else {
        PARALLEL
    };
    let permits = Arc::new(Semaphore::new(width));
    let mut tasks = JoinSet::new();
    for (index, out) in requests.into_iter().enumerate() {
        let (client, permits) = (client.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, client.send(out).await)
        });
    }
    let mut done: Vec<(usize, Exchange)> = Vec::with_capacity(total);
    while let Some(answered) = tasks.join_next().await {
        match answered {
            Ok(answered) => done.push(answered),
            // As `join_all` would: the exchanges must line up with the requests.
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
        progress(done.len(), total);
    }
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, exchange)| exchange).collect()
}

/// Sends every request at the same moment, with no retry: what concurrent
/// changes do to a server is the point.
pub async fn send_together(client: &Client, requests: Vec<Outgoing>) -> Vec<Exchange> {
    let mut tasks = JoinSet::new();
    for (index, out) in requests.into_iter().enumerate() {
        let client = client.clone();
        tasks.spawn(async move { (index, client.send(out).await) });
    }
    let mut done: Vec<(usize, Exchange)> = tasks.join_all().await;
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, exchange)| exchange).collect()
}
