//! The journal: every exchange a run's client makes, in the order they
//! end, with the scope (case) that made it — steps, property checks'
//! probes, populations, lookups, cleanup and the final survey alike. It is
//! what a certification bundle's HAR is written from, so that the evidence
//! is complete: as many entries as the run sent requests. Kept only when
//! asked for (`run --bundle`): a plain run does not hold every body.

use std::sync::{Arc, Mutex};

use super::Exchange;

/// One exchange, and whose it was.
#[derive(Debug, Clone)]
pub struct Journaled {
    pub scope: Arc<str>,
    pub exchange: Exchange,
}

#[derive(Debug, Default)]
pub struct Journal {
    entries: Mutex<Vec<Journaled>>,
}

impl Journal {
    pub fn record(&self, scope: &Arc<str>, exchange: &Exchange) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Journaled {
                scope: scope.clone(),
                exchange: exchange.clone(),
            });
    }

    /// Everything recorded so far, taken out.
    pub fn take(&self) -> Vec<Journaled> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
