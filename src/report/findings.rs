//! The findings of a run that are not case verdicts, as the reports show
//! them: cases that met server errors only under parallel load (and were
//! judged by a rerun alone), and discovery claims the target's behaviour
//! contradicts. Each kind is counted and shown on its own.

use serde::Serialize;

use super::exchange::{ExchangeOut, exchange_out};
use crate::result::{Concurrency, Contradiction, RunResult};

/// Every finding of a run, by kind.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub concurrency: ConcurrencyOut,
    pub contradictions: Vec<ContradictionOut>,
    /// Where the judged profile contradicts a specification profile's
    /// requirements (the SCIM Interoperability Profile): named, not hidden.
    pub conflicts: Vec<crate::profile::interop::Conflict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConcurrencyOut {
    /// How many cases ran at once in the parallel phase.
    pub parallel: usize,
    /// Cases that met a server error or no answer there and were rerun alone.
    pub reruns: Vec<RerunOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RerunOut {
    pub case: String,
    /// The step that met the trouble in the parallel phase.
    pub step: String,
    /// What came back there.
    pub answer: String,
    /// `under-load`: the rerun alone did not meet it (a failure only under
    /// parallel load); `also-alone`: it did (the rerun's verdict says so).
    pub finding: &'static str,
    pub exchange: Option<ExchangeOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContradictionOut {
    /// The claim, as the discovery document states it.
    pub claim: String,
    /// What the target did instead.
    pub observed: String,
    /// RFC 7643 §5: the ServiceProviderConfig describes the service.
    pub rule: &'static str,
    pub exchange: Option<ExchangeOut>,
}

impl Findings {
    pub fn of(result: &RunResult) -> Findings {
        Findings {
            concurrency: concurrency_out(&result.concurrency),
            contradictions: result
                .contradictions
                .iter()
                .map(contradiction_out)
                .collect(),
            conflicts: result.conflicts.clone(),
        }
    }
}

fn concurrency_out(concurrency: &Concurrency) -> ConcurrencyOut {
    ConcurrencyOut {
        parallel: concurrency.parallel,
        reruns: concurrency
            .reruns
            .iter()
            .map(|r| RerunOut {
                case: r.case.clone(),
                step: r.step.clone(),
                answer: r.answer.clone(),
                finding: if r.again { "also-alone" } else { "under-load" },
                exchange: r.exchange.as_ref().map(|e| exchange_out(&r.step, e)),
            })
            .collect(),
    }
}

fn contradiction_out(contradiction: &Contradiction) -> ContradictionOut {
    ContradictionOut {
        claim: contradiction.claim.clone(),
        observed: contradiction.observed.clone(),
        rule: "rfc7643#5",
        exchange: contradiction
            .exchange
            .as_ref()
            .map(|e| exchange_out("discovery probe", e)),
    }
}
