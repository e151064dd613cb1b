//! What the run left on the target, as every report states it: the
//! counts the end-of-run survey found and the one sentence that tells the
//! whole story (the terminal, Markdown, HTML and JSON all say the same).

use serde::Serialize;

use crate::result::{Leftovers, Remaining};
use crate::scim::ResourceType;

/// What the run left on the target, as the target answered after all
/// cleanup: a GET of each resource the run created, and the survey of the
/// run's prefix.
#[derive(Debug, Clone, Serialize)]
pub struct Cleanup {
    /// Resources the run created.
    pub created: usize,
    /// Of those, removed by the final safety net (not by their check's own cleanup).
    pub removed_at_end: usize,
    /// Of those, found only by the final survey of the run's prefix (their
    /// create's answer was lost), and deleted then.
    pub found_at_end: usize,
    /// How the target was asked what remains, besides a GET of each created resource.
    pub asked: Vec<String>,
    /// Of those, answered 404: gone.
    pub gone: usize,
    /// Of those, still on the target, with their state.
    pub left: Vec<LeftOut>,
    /// The whole story in one sentence, as the terminal says it.
    pub summary: String,
    /// Total time spent waiting on `Retry-After`.
    pub retry_wait_ms: u64,
    /// HTTP requests the run sent (retries and cleanup included).
    pub requests: u64,
}

/// One resource the run created that the target still holds.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// `User` or `Group`.
    pub resource: &'static str,
    /// `null`: a name whose lookup did not tell.
    pub id: Option<String>,
    /// The unique name its create carried.
    pub name: Option<String>,
    /// `active`, `inactive` or `unknown` (the GET did not say).
    pub state: &'static str,
    /// Why the state is unknown.
    pub detail: Option<String>,
}

impl Cleanup {
    /// Resources left in `state` (`active`, `inactive`, `unknown`).
    pub fn count(&self, state: &str) -> usize {
        self.left.iter().filter(|l| l.state == state).count()
    }
}

/// The cleanup section of a report, from what the survey found.
pub fn of(leftovers: &Leftovers) -> Cleanup {
    Cleanup {
        created: leftovers.created,
        removed_at_end: leftovers.removed_at_end,
        found_at_end: leftovers.found_at_end,
        asked: leftovers.asked.clone(),
        gone: leftovers.gone,
        left: leftovers
            .remaining
            .iter()
            .map(|r| LeftOut {
                resource: r.kind.name(),
                id: r.id.clone(),
                name: r.name.clone(),
                state: r.state.as_str(),
                detail: match &r.state {
                    Remaining::Unknown(why) => Some(why.clone()),
                    _ => None,
                },
            })
            .collect(),
        summary: sentence(leftovers),
        retry_wait_ms: leftovers.retry_wait.as_millis() as u64,
        requests: leftovers.requests,
    }
}

/// `1 user`, `3 groups`.
fn count(n: usize, kind: ResourceType) -> String {
    let noun = kind.name().to_lowercase();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// What the run left on the target, in one sentence: what a GET of each
/// created resource and the survey of the run's prefix found after all
/// cleanup, whatever the run believes or the profile claims.
pub fn sentence(leftovers: &Leftovers) -> String {
    if leftovers.created == 0 {
        return "this run created nothing".to_string();
    }
    let created: Vec<String> = leftovers
        .created_by_kind
        .iter()
        .map(|(kind, n)| count(*n, *kind))
        .collect();
    let mut out = format!("{} created by this run", created.join(" and "));
    let asked = match leftovers.asked.as_slice() {
        [] => String::new(),
        asked => format!(", and nothing else is found by {}", asked.join(" or by ")),
    };
    if leftovers.remaining.is_empty() {
        out.push_str(&format!(", all gone: a GET of each answers 404{asked}"));
    } else {
        let mut parts = Vec::new();
        if leftovers.gone > 0 {
            parts.push(format!("{} gone", leftovers.gone));
        }
        let remain = |n: usize| if n == 1 { "remains" } else { "remain" };
        for (kind, _) in &leftovers.created_by_kind {
            let of = |state: &str| {
                leftovers
                    .remaining
                    .iter()
                    .filter(|r| r.kind == *kind && r.state.as_str() == state)
                    .count()
            };
            let (inactive, active, unknown) = (of("inactive"), of("active"), of("unknown"));
            if inactive > 0 {
                let noun = kind.name().to_lowercase();
                let what = if inactive == 1 {
                    format!("an inactive {noun}")
                } else {
                    format!("inactive {noun}s")
                };
                parts.push(format!(
                    "{inactive} {} as {what}: this server deactivates on DELETE",
                    remain(inactive)
                ));
            }
            if active > 0 {
                parts.push(format!(
                    "{} {} active (a GET still answers 200)",
                    count(active, *kind),
                    remain(active)
                ));
            }
            if unknown > 0 {
                let why = leftovers
                    .remaining
                    .iter()
                    .find_map(|r| match &r.state {
                        Remaining::Unknown(why) if r.kind == *kind => Some(why.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                parts.push(format!(
                    "{} may remain (the server did not say: {why})",
                    count(unknown, *kind)
                ));
            }
        }
        out.push_str("; ");
        out.push_str(&parts.join("; "));
        if !leftovers.asked.is_empty() {
            out.push_str(&format!(
                " (asked by a GET of each and by {})",
                leftovers.asked.join(" and by ")
            ));
        }
    }
    if leftovers.found_at_end > 0 {
        out.push_str(&format!(
            " ({} whose create got no answer in time found only then, and deleted)",
            leftovers.found_at_end
        ));
    }
    if leftovers.removed_at_end > 0 {
        out.push_str(&format!(
            " ({} deleted by the final safety net)",
            leftovers.removed_at_end
        ));
    }
    out
}
