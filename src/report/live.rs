//! A run on the terminal as it happens: a line per check as it ends
//! (`PASS`, `FAIL`, `WARN` for a SHOULD or MAY failure that does not fail
//! the run, `ERROR` for the harness's own trouble, `SKIP`, `WAIVED`,
//! `NOT RUN`, `RERUN`), the evidence right under a failure, the rerun
//! phase and the final cleanup. On a terminal (stderr), a progress line
//! stays at the bottom: checks done of all, requests sent, the checks
//! running. `-q` keeps only failures and warnings, and draws no progress
//! line; when stderr is not a terminal nothing is drawn either.

use std::collections::HashMap;
use std::io::{IsTerminal, Write as _};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::evidence::{failure_text, paint};
use super::model::check_out;
use crate::result::{CaseResult, Status};
use crate::run::{Event, Observer};

/// How much the terminal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Failures, warnings and the closing lines.
    Quiet,
    /// A line per check, and a progress line on a terminal.
    Normal,
    /// Also what is named but judges nothing (conflicts with the interop profile).
    Verbose,
}

/// What the live output is told before the run.
pub struct LiveOptions {
    pub color: bool,
    pub verbosity: Verbosity,
    /// `--strict`: SHOULD and MAY failures fail the run, and are shown as such.
    pub strict: bool,
    /// How many checks the run has.
    pub cases: usize,
    /// How many requests have been sent so far.
    pub sent: Box<dyn Fn() -> u64 + Send + Sync>,
}

/// The live output of a run.
pub struct Live {
    color: bool,
    verbosity: Verbosity,
    strict: bool,
    state: Arc<Mutex<State>>,
    /// The progress line is drawn (stderr is a terminal, not `-q`).
    drawing: bool,
}

/// What the progress line shows.
struct State {
    done: usize,
    total: usize,
    /// The checks under way, in the order they started.
    running: Vec<String>,
    /// A long check's last progress: its id, requests answered of a batch.
    batch: HashMap<String, (usize, usize)>,
    /// When a long check last told its progress (without a progress line).
    told: HashMap<String, Instant>,
    sent: Box<dyn Fn() -> u64 + Send + Sync>,
    /// The progress line is on the screen now.
    drawn: bool,
    /// The checks are over: no more progress line.
    over: bool,
}

/// How often the progress line is redrawn (for the request count).
const TICK: Duration = Duration::from_millis(200);
/// How often a long check tells how far it got, without a progress line.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

impl Live {
    pub fn new(options: LiveOptions) -> Live {
        let drawing = options.verbosity != Verbosity::Quiet
            && std::io::stderr().is_terminal()
            && std::env::var("TERM").map_or(true, |t| t != "dumb");
        Live {
            color: options.color,
            verbosity: options.verbosity,
            strict: options.strict,
            drawing,
            state: Arc::new(Mutex::new(State {
                done: 0,
                total: options.cases,
                running: vec![],
                batch: HashMap::new(),
                told: HashMap::new(),
                sent: options.sent,
                drawn: false,
                over: false,
            })),
        }
    }

    /// The run's first line, and the progress line's start.
    pub fn begin(&self, target: &str, profile: &str, threads: usize) {
        if self.verbosity != Verbosity::Quiet {
            let total = self.lock().total;
            let threads = threads.min(total.max(1));
            self.say(&format!(
                "scimcheck: running {total} check(s) against {target}, judged by profile `{profile}`, {threads} at once\n"
            ));
        }
        if self.drawing {
            let state = Arc::downgrade(&self.state);
            std::thread::spawn(move || tick(state));
        }
    }

    /// The checks are over: the progress line goes.
    pub fn end(&self) {
        let mut state = self.lock();
        state.over = true;
        clear(&mut state);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Prints on stdout, the progress line out of the way and back after.
    fn say(&self, text: &str) {
        let mut state = self.lock();
        clear(&mut state);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        drop(out);
        if self.drawing {
            draw(&mut state);
        }
    }

    /// The line of a check that ended, with the evidence of a failure.
    fn finished(&self, result: &CaseResult, rerun: Option<&str>) {
        let check = check_out(result);
        let (word, code, reason, evidence) = match (&result.status, rerun) {
            (_, Some(why)) => (
                "RERUN",
                "33",
                Some(format!("rerun alone after the parallel phase: {why}")),
                false,
            ),
            (Status::Passed, _) => ("PASS", "32", None, false),
            (Status::Failed, _) if check.is_harness_error() => ("ERROR", "1;35", None, true),
            (Status::Failed, _) if check.is_warning(self.strict) => (
                "WARN",
                "1;33",
                Some(format!(
                    "a {} failure does not fail the run (--strict fails it)",
                    check.level
                )),
                true,
            ),
            (Status::Failed, _) => ("FAIL", "1;31", None, true),
            (Status::Skipped { reason }, _) => ("SKIP", "2", Some(reason.clone()), false),
            (Status::Waived { reason, .. }, _) => {
                ("WAIVED", "36", Some(format!("waived: {reason}")), false)
            }
            (Status::NotRun { reason }, _) => ("NOT RUN", "2", Some(reason.clone()), false),
        };
        if self.verbosity == Verbosity::Quiet && !evidence {
            return;
        }
        let mut text = format!(
            "{} [{}] {}",
            paint(&format!("{word:>7}"), code, self.color),
            check.level,
            check.id
        );
        if let Some(reason) = reason {
            text.push_str(&format!(": {reason}"));
        }
        text.push('\n');
        if evidence {
            text.push_str(&failure_text(&check, self.color));
            text.push('\n');
        }
        self.say(&text);
    }
}

impl Observer for Live {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::CaseStarted { case } => {
                let mut state = self.lock();
                state.running.push(case.to_string());
                if self.drawing {
                    draw(&mut state);
                }
            }
            Event::CaseFinished { result, rerun } => {
                {
                    let mut state = self.lock();
                    state.running.retain(|c| c != &result.id);
                    state.batch.remove(&result.id);
                    state.done += 1;
                }
                self.finished(result, rerun);
            }
            Event::Progress { case, done, total } => {
                let mut state = self.lock();
                if self.drawing {
                    state.batch.insert(case.to_string(), (done, total));
                    return draw(&mut state);
                }
                let now = Instant::now();
                let last = *state.told.entry(case.to_string()).or_insert(now);
                if self.verbosity != Verbosity::Quiet
                    && done < total
                    && now.duration_since(last) >= PROGRESS_EVERY
                {
                    state.told.insert(case.to_string(), now);
                    eprintln!("scimcheck: {case}: {done} of {total} requests answered");
                }
            }
            Event::Rerun { cases, parallel } => {
                self.lock().total += cases;
                self.say(&format!(
                    "\nscimcheck: {cases} case(s) met server errors or dropped connections with {parallel} cases running at once; rerunning them one at a time, and judging them by the rerun\n"
                ));
            }
            Event::CleanupStarted { created } => {
                self.end();
                if created > 0 && self.verbosity != Verbosity::Quiet {
                    eprintln!(
                        "scimcheck: checks done: removing what remains of the {created} resource(s) this run created, and asking the target what is left"
                    );
                }
            }
        }
    }
}

/// Redraws the progress line now and then, for the request count, until
/// the checks are over (or the live output is gone).
fn tick(state: Weak<Mutex<State>>) {
    loop {
        std::thread::sleep(TICK);
        let Some(state) = state.upgrade() else { return };
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        if state.over {
            return;
        }
        draw(&mut state);
    }
}

/// The progress line: `[ 42/175] 1,234 requests · users/create, groups/large (500/1000) +3`,
/// cut to the terminal's width.
fn line(state: &State) -> String {
    let width = state.total.to_string().len();
    let mut text = format!(
        "[{:>width$}/{}] {} requests",
        state.done,
        state.total,
        thousands((state.sent)())
    );
    let columns = terminal_size::terminal_size_of(std::io::stderr())
        .map_or(80, |(w, _)| w.0 as usize)
        .saturating_sub(1);
    for (i, case) in state.running.iter().enumerate() {
        let case = match state.batch.get(case) {
            Some((done, total)) => format!("{case} ({done}/{total})"),
            None => case.clone(),
        };
        let sep = if i == 0 { " · " } else { ", " };
        let rest = state.running.len() - i;
        if text.chars().count() + sep.chars().count() + case.chars().count() + 4 > columns {
            text.push_str(&format!(" +{rest}"));
            break;
        }
        text.push_str(sep);
        text.push_str(&case);
    }
    text.chars().take(columns).collect()
}

fn draw(state: &mut State) {
    if state.over {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K{}", line(state));
    let _ = err.flush();
    state.drawn = true;
}

fn clear(state: &mut State) {
    if state.drawn {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
        state.drawn = false;
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(running: &[&str], sent: u64) -> State {
        State {
            done: 7,
            total: 175,
            running: running.iter().map(|s| s.to_string()).collect(),
            batch: HashMap::from([("groups/large".to_string(), (500, 1000))]),
            told: HashMap::new(),
            sent: Box::new(move || sent),
            drawn: false,
            over: false,
        }
    }

    #[test]
    fn the_progress_line_counts_checks_and_requests_and_names_what_runs() {
        let text = line(&state(&["users/create", "groups/large"], 1234));
        assert_eq!(
            text,
            "[  7/175] 1,234 requests · users/create, groups/large (500/1000)"
        );
        assert_eq!(line(&state(&[], 0)), "[  7/175] 0 requests");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
