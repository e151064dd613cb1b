//! The terminal's rendered output, pinned: failure text, the cleanup line,
//! the closing summary.

use std::sync::Arc;
use std::time::Duration;

use crate::case::{Level, Method};
use crate::check::{CheckKind, Failure};
use crate::client::{Exchange, NoResponse, Refusal, Response, SentRequest};
use crate::diag::{Location, Pos};
use crate::report::model::check_out;
use crate::result::{CaseResult, Leftovers, Remaining, Remnant, Status, StepResult};
use crate::scim::ResourceType;

// The renderers take the report model; these build it from the runner's
// result, as a run does, so that what is pinned is what a run prints.
fn failure_text(result: &CaseResult, color: bool) -> String {
    super::failure_text(&check_out(result), color)
}

fn cleanup_text(leftovers: &Leftovers) -> String {
    super::cleanup_text(&crate::report::cleanup::of(leftovers))
}

fn summary_text(cases: Vec<CaseResult>, strict: bool, exit: crate::exit::Exit) -> String {
    let run = crate::result::RunResult {
        cases,
        ..Default::default()
    };
    let info = crate::report::model::RunInfo {
        strict,
        ..Default::default()
    };
    super::summary_text(&crate::report::model::RunReport::new(
        info, &run, exit as u8,
    ))
}

fn exchange(method: Method, path: &str, answer: Result<(u16, &str), NoResponse>) -> Exchange {
    Exchange {
        request: SentRequest {
            method,
            url: format!("http://127.0.0.1:8080/scim/v2{path}"),
            headers: vec![("Authorization".into(), "Bearer $SCIMCHECK_TOKEN".into())],
            body: (method == Method::POST).then(|| r#"{"userName":"ada@example.com"}"#.into()),
        },
        response: answer.map(|(status, body)| Response {
            status,
            headers: vec![],
            body: body.into(),
            json: serde_json::from_str(body).ok(),
            truncated: false,
        }),
        started_at: std::time::UNIX_EPOCH,
        elapsed: Duration::ZERO,
        retries: vec![],
        resolution: None,
    }
}

fn at(line: u64, col: u64) -> Location {
    Location::new("cases/users/create.yaml", Pos { line, col })
}

fn case(steps: Vec<StepResult>) -> CaseResult {
    CaseResult {
        id: "users/create".into(),
        name: "POST /Users creates a user".into(),
        path: Arc::from("cases/users/create.yaml"),
        area: "users".into(),
        level: Level::MUST,
        rules: vec!["rfc7644#3.3".into()],
        property: false,
        status: Status::Failed,
        steps,
        cleanup: vec![],
        duration: Duration::ZERO,
        flow: None,
        validator: None,
        replays: vec![],
        security: false,
    }
}

fn step(label: &str, exchange: Option<Exchange>, failures: Vec<Failure>) -> StepResult {
    StepResult {
        failures,
        ..StepResult::new(label, exchange)
    }
}

#[test]
fn a_wrong_status_reads_like_a_compiler_diagnostic() {
    let exchange = exchange(
        Method::POST,
        "/Users",
        Ok((200, r#"{"id":"1","userName":"ada@example.com"}"#)),
    );
    let failure = Failure::new(CheckKind::Status, "status 200, expected 201")
        .expected("201")
        .actual("200")
        .at(at(14, 15));
    insta::assert_snapshot!(failure_text(
        &case(vec![step(
            "step 1: POST /Users",
            Some(exchange),
            vec![failure]
        )]),
        false
    ));
}

#[test]
fn every_mismatch_of_a_body_is_shown() {
    let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":400}"#;
    let exchange = exchange(
        Method::GET,
        "/Users?filter=title%20co%20%22x%22",
        Ok((400, body)),
    );
    let failures = crate::check::json::subset(
        &serde_json::json!({"status": "400", "scimType": "invalidFilter"}),
        exchange.json().unwrap(),
    )
    .into_iter()
    .map(|f| f.at(at(9, 13)))
    .collect();
    insta::assert_snapshot!(failure_text(
        &case(vec![step("step 1: GET /Users", Some(exchange), failures)]),
        false
    ));
}

#[test]
fn no_response_and_a_refusal_say_why() {
    let timeout = exchange(
        Method::GET,
        "/Users/1",
        Err(NoResponse::Transport(
            "no complete response within 10 s (the request timeout)".into(),
        )),
    );
    let refusal = Refusal::NotOwned {
        method: Method::DELETE,
        kind: crate::scim::ResourceType::User,
        id: "someone".into(),
    };
    let refused = exchange(
        Method::DELETE,
        "/Users/someone",
        Err(NoResponse::Refused(refusal.clone())),
    );
    let steps = vec![
        step(
            "step 1: GET /Users/{{ id }}",
            Some(timeout.clone()),
            vec![Failure::no_response(timeout.response.as_ref().unwrap_err()).at(at(5, 14))],
        ),
        step(
            "step 2: DELETE /Users/someone",
            Some(refused),
            vec![Failure::no_response(&NoResponse::Refused(refusal)).at(at(7, 14))],
        ),
    ];
    insta::assert_snapshot!(failure_text(&case(steps), false));
}

#[test]
fn a_property_counterexample_names_its_seed_and_minimal_input() {
    let exchange = exchange(
        Method::GET,
        "/Users?filter=userName%20eq%20%22A%22",
        Ok((200, r#"{"totalResults":0,"Resources":[]}"#)),
    );
    let failure = Failure::new(
        CheckKind::Property,
        "`userName eq \"A\"` does not find exactly the user `a`",
    )
    .expected("totalResults 1 and Resources [u1]")
    .actual("totalResults 0 and Resources []")
    .at(at(6, 11));
    let label = "property filter.eq-any-case with seed 7 (reproduce: --seed 7); minimal input: filter=userName eq \"A\"";
    insta::assert_snapshot!(failure_text(
        &case(vec![step(label, Some(exchange), vec![failure])]),
        false
    ));
}

fn leftovers(remaining: Vec<Remaining>, gone: usize) -> Leftovers {
    let created = remaining.len() + gone;
    Leftovers {
        created,
        created_by_kind: vec![(ResourceType::User, created)],
        gone,
        remaining: remaining
            .into_iter()
            .enumerate()
            .map(|(i, state)| Remnant {
                kind: ResourceType::User,
                id: Some(format!("u{i}")),
                name: Some(format!("scimcheck-1a2b3c4d-{i}")),
                state,
            })
            .collect(),
        asked: vec![r#"a search for userName sw "scimcheck-1a2b3c4d-""#.into()],
        ..Leftovers::default()
    }
}

#[test]
fn the_cleanup_line_says_what_the_server_was_asked_and_found() {
    let lines = [
        cleanup_text(&leftovers(vec![], 3)),
        cleanup_text(&leftovers(
            vec![Remaining::Inactive, Remaining::Inactive],
            1,
        )),
        cleanup_text(&leftovers(
            vec![
                Remaining::Active,
                Remaining::Unknown("GET answered 500".into()),
            ],
            0,
        )),
        cleanup_text(&Leftovers {
            removed_at_end: 1,
            retry_wait: Duration::from_millis(1500),
            ..leftovers(vec![Remaining::Inactive], 0)
        }),
        cleanup_text(&Leftovers {
            found_at_end: 2,
            asked: vec![
                "a lookup of each of the 3 userName(s) sent without a confirmed create (the server answers 400)".into(),
            ],
            ..leftovers(vec![], 5)
        }),
    ];
    insta::assert_snapshot!(lines.concat());
}

#[test]
fn the_summary_is_one_line_with_the_exit_code_and_warnings_counted_apart() {
    let with = |id: &str, level, status| CaseResult {
        id: id.into(),
        level,
        status,
        ..case(vec![])
    };
    let skipped = || Status::Skipped {
        reason: "needs bulk".into(),
    };
    let cases = vec![
        with("a", Level::MUST, Status::Passed),
        with("b", Level::MUST, Status::Failed),
        with("c", Level::SHOULD, Status::Failed),
        with("d", Level::MAY, Status::Failed),
        with("e", Level::MAY, skipped()),
    ];
    let lines = [
        summary_text(cases.clone(), false, crate::exit::Exit::Failed),
        summary_text(cases, true, crate::exit::Exit::Failed),
    ];
    insta::assert_snapshot!(lines.concat());
}
