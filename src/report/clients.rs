//! The client compatibility section: when a run replays an identity
//! provider's flows (`--client`), one verdict for the client ("Microsoft
//! Entra ID provisioning: works", or "breaks at 'disable': …") and one row
//! per lifecycle stage with its status, what broke, the warnings (RFC
//! behaviour the client tolerates), and which documented client behaviour
//! each step replays. Every report renders this one value.

use serde::Serialize;

use crate::case::Stage;
use crate::result::{CaseResult, RunResult, Status};

/// A client's verdict and its stages, in lifecycle order.
#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    /// `entra`, `okta-put`: what `--client` names.
    pub name: String,
    pub title: String,
    pub summary: String,
    pub sources: Vec<String>,
    /// `works`, `breaks`, or `not run` (every stage skipped).
    pub verdict: Verdict,
    /// The verdict as one sentence, as the terminal prints it.
    pub sentence: String,
    pub stages: Vec<StageOut>,
}

/// One lifecycle stage of a client flow.
#[derive(Debug, Clone, Serialize)]
pub struct StageOut {
    pub stage: &'static str,
    /// The case that replays it.
    pub check: String,
    pub status: StageStatus,
    /// What broke (the first failure), or why the stage did not run.
    pub detail: Option<String>,
    /// RFC behaviour the client tolerates the lack of, that the target lacks.
    pub warnings: Vec<String>,
    /// Each step and the documented client behaviour it replays.
    pub replays: Vec<ReplayOut>,
}

/// The client's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    #[serde(rename = "works")]
    Works,
    #[serde(rename = "breaks")]
    Breaks,
    /// Every stage skipped.
    #[serde(rename = "not run")]
    NotRun,
}

/// How one stage went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StageStatus {
    #[serde(rename = "works")]
    Works,
    /// RFC behaviour the client tolerates the lack of did not hold.
    #[serde(rename = "works with warnings")]
    WorksWithWarnings,
    #[serde(rename = "breaks")]
    Breaks,
    #[serde(rename = "waived")]
    Waived,
    #[serde(rename = "not run")]
    NotRun,
}

impl StageStatus {
    /// As the reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Works => "works",
            StageStatus::WorksWithWarnings => "works with warnings",
            StageStatus::Breaks => "breaks",
            StageStatus::Waived => "waived",
            StageStatus::NotRun => "not run",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplayOut {
    pub step: String,
    pub replays: String,
}

/// The client section of a run, when it replayed a client's flows.
pub fn of(result: &RunResult) -> Option<ClientReport> {
    let client = result.client.as_ref()?;
    let mut flows: Vec<(Stage, &CaseResult)> = result
        .cases
        .iter()
        .filter_map(|r| Some((r.flow.as_ref()?.1, r)))
        .collect();
    flows.sort_by_key(|(stage, r)| (*stage, r.id.clone()));
    let stages: Vec<StageOut> = flows
        .iter()
        .map(|(stage, r)| stage_out(*stage, r))
        .collect();
    let broken = stages.iter().find(|s| s.status == StageStatus::Breaks);
    let (verdict, sentence) = match broken {
        Some(stage) => (
            Verdict::Breaks,
            format!(
                "{} provisioning: breaks at '{}': {}",
                client.title,
                stage.stage,
                stage.detail.as_deref().unwrap_or("")
            ),
        ),
        None if stages.iter().all(|s| s.status == StageStatus::NotRun) => (
            Verdict::NotRun,
            format!("{} provisioning: not run (no stage applies)", client.title),
        ),
        None => {
            let skipped: Vec<&str> = stages
                .iter()
                .filter(|s| s.status == StageStatus::NotRun)
                .map(|s| s.stage)
                .collect();
            let warned = stages.iter().filter(|s| !s.warnings.is_empty()).count();
            let mut sentence = format!("{} provisioning: works", client.title);
            if warned > 0 {
                sentence.push_str(&format!(
                    " ({warned} stage(s) with warnings: RFC behaviour this client tolerates)"
                ));
            }
            if !skipped.is_empty() {
                sentence.push_str(&format!("; not run: {}", skipped.join(", ")));
            }
            (Verdict::Works, sentence)
        }
    };
    Some(ClientReport {
        name: client.name.clone(),
        title: client.title.clone(),
        summary: client.summary.clone(),
        sources: client.sources.clone(),
        verdict,
        sentence,
        stages,
    })
}

fn stage_out(stage: Stage, result: &CaseResult) -> StageOut {
    let warnings: Vec<String> = result
        .warnings()
        .map(|(step, w)| format!("{}: {}", step.label, w.message))
        .collect();
    let first_failure = || {
        result
            .failures()
            .next()
            .map(|(step, f)| format!("{}: {}", step.label, f.message))
    };
    let (status, detail) = match &result.status {
        Status::Passed if warnings.is_empty() => (StageStatus::Works, None),
        Status::Passed => (StageStatus::WorksWithWarnings, None),
        Status::Failed => (StageStatus::Breaks, first_failure()),
        Status::Waived { reason, .. } => (StageStatus::Waived, Some(reason.clone())),
        Status::Skipped { reason } | Status::NotRun { reason } => {
            (StageStatus::NotRun, Some(reason.clone()))
        }
    };
    StageOut {
        stage: stage.as_str(),
        check: result.id.clone(),
        status,
        detail,
        warnings,
        replays: result
            .replays
            .iter()
            .map(|(step, replays)| ReplayOut {
                step: step.clone(),
                replays: replays.clone(),
            })
            .collect(),
    }
}

/// The section as the terminal prints it after the summary of checks.
pub fn text(report: &ClientReport) -> String {
    let mut out = format!("scimcheck: {}\n", report.sentence);
    for stage in &report.stages {
        let detail = stage
            .detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<16} {}{detail}\n",
            stage.stage,
            stage.status.as_str()
        ));
        for warning in &stage.warnings {
            out.push_str(&format!("    warning: {warning}\n"));
        }
    }
    out
}
