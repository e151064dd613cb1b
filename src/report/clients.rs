//! The client compatibility section: when a run replays an identity
//! provider's flows (`--client`), two verdicts for the client — provisioning
//! ("Okta (OIN app) provisioning: works", or "breaks at 'disable': …", from
//! the flows the client sends) and certification (what the vendor's
//! validator would fail: its own checks, replayed, and every provisioning
//! break) — and one row per flow with its stage, status, what broke, the
//! warnings (RFC behaviour the client tolerates), the validator it belongs
//! to, and which documented behaviour each step replays. Every report
//! renders this one value.

use serde::Serialize;

use crate::case::{Level, Stage};
use crate::result::{CaseResult, RunResult, Status};

/// A client's verdict and its stages, in lifecycle order.
#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    /// `entra`, `okta-put`: what `--client` names.
    pub name: String,
    pub title: String,
    pub summary: String,
    pub sources: Vec<String>,
    /// Provisioning: `works`, `breaks`, or `not run` (every stage skipped).
    pub verdict: Verdict,
    /// The verdict as one sentence, as the terminal prints it.
    pub sentence: String,
    /// Certification: `works` (the validators replayed would pass it),
    /// `breaks` (one would fail it), or `not run` (no validator of this
    /// client is replayed, or none of its checks ran).
    pub certification: Verdict,
    pub certification_sentence: String,
    pub stages: Vec<StageOut>,
}

/// One lifecycle stage of a client flow.
#[derive(Debug, Clone, Serialize)]
pub struct StageOut {
    pub stage: &'static str,
    /// The case that replays it.
    pub check: String,
    /// The vendor's validator whose check it replays (its title); none for
    /// what the client sends when it provisions.
    pub validator: Option<String>,
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

impl Verdict {
    /// As the reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Works => "works",
            Verdict::Breaks => "breaks",
            Verdict::NotRun => "not run",
        }
    }
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
    // A stage's own flow first, then the validators' checks of it.
    flows.sort_by_key(|(stage, r)| {
        let named = flow_file(&r.id) == stage.as_str();
        (*stage, r.validator.is_some(), !named, r.id.clone())
    });
    let stages: Vec<StageOut> = flows
        .iter()
        .map(|(stage, r)| stage_out(*stage, r, client))
        .collect();
    let provisioning: Vec<&StageOut> = stages.iter().filter(|s| s.validator.is_none()).collect();
    let (verdict, sentence) = provisioning_verdict(&client.title, &provisioning);
    let (certification, certification_sentence) = certification_verdict(client, &stages);
    Some(ClientReport {
        name: client.name.clone(),
        title: client.title.clone(),
        summary: client.summary.clone(),
        sources: client.sources.clone(),
        verdict,
        sentence,
        certification,
        certification_sentence,
        stages,
    })
}

/// What a stage's detail adds to a verdict sentence.
fn broken_at(stage: &StageOut) -> String {
    let by = stage
        .validator
        .as_deref()
        .map(|v| format!(" ({v})"))
        .unwrap_or_default();
    format!(
        "'{}'{by}: {}",
        stage.stage,
        stage.detail.as_deref().unwrap_or("")
    )
}

/// Certification: every provisioning break fails it (the validators
/// replay the client's own flows), and so does a validator's own check.
fn certification_verdict(
    client: &crate::case::IdentityProvider,
    stages: &[StageOut],
) -> (Verdict, String) {
    let title = &client.title;
    if client.validators.is_empty() {
        return (
            Verdict::NotRun,
            format!("{title} certification: not judged (no validator of this client is replayed)"),
        );
    }
    // The validators some replayed check belongs to.
    let mut validators: Vec<&str> = stages
        .iter()
        .filter_map(|s| s.validator.as_deref())
        .collect();
    validators.sort();
    validators.dedup();
    if let Some(stage) = stages.iter().find(|s| s.status == StageStatus::Breaks) {
        let what = match stage.validator {
            Some(_) => "the validator fails it",
            None => "provisioning breaks, and the validator replays it",
        };
        return (
            Verdict::Breaks,
            format!(
                "{title} certification: fails at {} ({what})",
                broken_at(stage)
            ),
        );
    }
    let checks = stages.iter().filter(|s| s.validator.is_some());
    if checks.clone().all(|s| s.status == StageStatus::NotRun) {
        return (
            Verdict::NotRun,
            format!(
                "{title} certification: not run (no check of {} applies)",
                validators.join(", ")
            ),
        );
    }
    let skipped: Vec<&str> = checks
        .clone()
        .filter(|s| s.status == StageStatus::NotRun)
        .map(|s| flow_file(&s.check))
        .collect();
    let warned: Vec<&str> = checks
        .filter(|s| s.status == StageStatus::WorksWithWarnings)
        .map(|s| flow_file(&s.check))
        .collect();
    let named = match validators.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let mut sentence =
        format!("{title} certification: passes the checks of {named} that scimcheck replays");
    if !warned.is_empty() {
        sentence.push_str(&format!("; with warnings: {}", warned.join(", ")));
    }
    if !skipped.is_empty() {
        sentence.push_str(&format!("; not run: {}", skipped.join(", ")));
    }
    (Verdict::Works, sentence)
}

/// A flow's file name in its client's folder: `clients/okta/spec-create`
/// → `spec-create` (what names its row, and what an extending client
/// replaces).
pub fn flow_file(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

/// Provisioning: the first stage the client's own flows break at.
fn provisioning_verdict(client: &str, stages: &[&StageOut]) -> (Verdict, String) {
    let broken = stages.iter().find(|s| s.status == StageStatus::Breaks);
    match broken {
        Some(stage) => (
            Verdict::Breaks,
            format!("{client} provisioning: breaks at {}", broken_at(stage)),
        ),
        None if stages.iter().all(|s| s.status == StageStatus::NotRun) => (
            Verdict::NotRun,
            format!("{client} provisioning: not run (no stage applies)"),
        ),
        None => {
            let skipped: Vec<&str> = stages
                .iter()
                .filter(|s| s.status == StageStatus::NotRun)
                .map(|s| s.stage)
                .collect();
            let warned = stages.iter().filter(|s| !s.warnings.is_empty()).count();
            let mut sentence = format!("{client} provisioning: works");
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
    }
}

fn stage_out(
    stage: Stage,
    result: &CaseResult,
    client: &crate::case::IdentityProvider,
) -> StageOut {
    let mut warnings: Vec<String> = result
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
        // A validator's optional check (a SHOULD or MAY flow) that fails is
        // that validator's warning: Entra's Logic App reports WARNING for
        // SCIM_Group_Pagination_Test and still passes the submission.
        Status::Failed if result.validator.is_some() && result.level != Level::MUST => {
            warnings.extend(result.failures().map(|(step, f)| {
                format!(
                    "{}: {} (an optional check: the validator warns)",
                    step.label, f.message
                )
            }));
            (StageStatus::WorksWithWarnings, None)
        }
        Status::Failed => (StageStatus::Breaks, first_failure()),
        Status::Waived { reason, .. } => (StageStatus::Waived, Some(reason.clone())),
        Status::Skipped { reason } | Status::NotRun { reason } => {
            (StageStatus::NotRun, Some(reason.clone()))
        }
    };
    StageOut {
        stage: stage.as_str(),
        check: result.id.clone(),
        validator: result.validator.as_ref().map(|key| {
            client
                .validators
                .get(key)
                .cloned()
                .unwrap_or_else(|| key.clone())
        }),
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
    let mut out = format!(
        "scimcheck: {}\nscimcheck: {}\n",
        report.sentence, report.certification_sentence
    );
    let label = |stage: &StageOut| {
        let file = flow_file(&stage.check);
        match file == stage.stage {
            true => stage.stage.to_string(),
            false => format!("{}: {file}", stage.stage),
        }
    };
    let width = report
        .stages
        .iter()
        .map(|s| label(s).len())
        .max()
        .unwrap_or(0);
    for stage in &report.stages {
        let detail = stage
            .detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let by = stage
            .validator
            .as_deref()
            .map(|v| format!(" ({v}, for certification)"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<width$} {}{by}{detail}\n",
            label(stage),
            stage.status.as_str()
        ));
        for warning in &stage.warnings {
            out.push_str(&format!("    warning: {warning}\n"));
        }
    }
    out
}
