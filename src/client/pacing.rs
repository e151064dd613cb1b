//! Pacing: how hard a run may press on the target.
//!
//! `--concurrency N` bounds the requests in flight, `--rps N` the requests
//! started per second. A 429 or 503 with `Retry-After` is honoured — the
//! request is sent again after the wait — as long as the run's total retry
//! wait (`--max-retry-wait`) allows; every retried attempt stays in the
//! exchange, so nothing is silently retried away.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// One earlier attempt of a request that was answered "try again later".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub status: u16,
    /// How long the harness waited before the next attempt.
    pub waited: Duration,
}

/// At most this many attempts for one request, whatever the budget says.
pub const MAX_ATTEMPTS: usize = 4;

#[derive(Debug)]
pub struct Pacing {
    permits: Option<Semaphore>,
    interval: Option<Duration>,
    next_start: tokio::sync::Mutex<Option<Instant>>,
    retry_budget: Duration,
    waited: Mutex<Duration>,
    /// Requests started (attempts, retries included).
    sent: AtomicU64,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing::new(None, None, Duration::from_secs(30))
    }
}

impl Pacing {
    pub fn new(concurrency: Option<usize>, rps: Option<f64>, retry_budget: Duration) -> Pacing {
        Pacing {
            permits: concurrency.map(Semaphore::new),
            interval: rps
                .filter(|r| *r > 0.0)
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            next_start: tokio::sync::Mutex::new(None),
            retry_budget,
            waited: Mutex::new(Duration::ZERO),
            sent: AtomicU64::new(0),
        }
    }

    /// Waits for a free slot and the next start time; hold the permit while
    /// the request is in flight.
    pub async fn start(&self) -> Option<SemaphorePermit<'_>> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let permit = match &self.permits {
            Some(semaphore) => semaphore.acquire().await.ok(),
            None => None,
        };
        if let Some(interval) = self.interval {
            let mut next = self.next_start.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + interval);
            drop(next);
            tokio::time::sleep_until(at).await;
        }
        permit
    }

    /// Takes `wait` from the run's retry budget; `None` when it does not fit.
    pub fn reserve(&self, wait: Duration) -> Option<Duration> {
        let mut waited = self.waited.lock().expect("pacing lock");
        if *waited + wait > self.retry_budget {
            return None;
        }
        *waited += wait;
        Some(wait)
    }

    /// How many requests were sent (retries included).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The total time spent waiting on `Retry-After`.
    pub fn waited(&self) -> Duration {
        *self.waited.lock().expect("pacing lock")
    }
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc();
    let now = time::OffsetDateTime::now_utc();
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn the_retry_budget_is_shared_and_bounded() {
        let pacing = Pacing::new(None, None, Duration::from_secs(5));
        assert!(pacing.reserve(Duration::from_secs(3)).is_some());
        assert!(pacing.reserve(Duration::from_secs(3)).is_none());
        assert!(pacing.reserve(Duration::from_secs(2)).is_some());
        assert_eq!(pacing.waited(), Duration::from_secs(5));
    }
}
