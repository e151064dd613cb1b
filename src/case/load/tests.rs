//! Tests of [`super`] (load).
use super::*;

fn errors(text: &str) -> String {
    let source = Source {
        id: "users/bad".into(),
        path: "cases/users/bad.yaml".into(),
        text: text.into(),
    };
    match load_sources(vec![source]) {
        Ok(_) => "loaded".into(),
        Err(errors) => errors.iter().map(|e| format!("{e}\n")).collect(),
    }
}

const HEAD: &str = "name: n\nrule: rfc7644#3.3\nlevel: MUST\n";

#[test]
fn bad_yaml() {
    insta::assert_snapshot!(errors(&format!("{HEAD}steps: [\n")));
}

#[test]
fn unknown_key_suggests_the_closest() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expcet: {{status: 200}}\n"
    )));
}

#[test]
fn wrong_type_quotes_the_value() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expect:\n      values:\n        /totalResults: {{length: many}}\n"
    )));
}

#[test]
fn missing_field() {
    insta::assert_snapshot!(errors("name: n\nlevel: MUST\nsteps: []\n"));
}

#[test]
fn unknown_variant_and_capability() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}needs: [users.craete]\nsteps:\n  - request: {{method: GTE, path: /Users}}\n"
    )));
}

#[test]
fn semantic_errors_are_all_reported() {
    insta::assert_snapshot!(errors(
        "name: n\nrule: rfcx#1\nlevel: MUST\nneeds: [filter.eqq]\nsteps:\n  - request: {method: GET, path: /Users}\n    expect:\n      status: 9xx\n      values:\n        \"$.[\": {exists: true}\n        /a: {matches: \"(\"}\n    capture: {id: id}\n"
    ));
}

#[test]
fn property_cases_name_a_known_property_and_have_no_steps() {
    insta::assert_snapshot!(errors(&format!("{HEAD}property: paging.wlak\n")));
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}property: paging.walk\nsteps:\n  - request: {{method: GET, path: /Users}}\n"
    )));
}

#[test]
fn yes_is_not_a_boolean() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expect:\n      values:\n        /active: {{exists: yes}}\n"
    )));
}

#[test]
fn template_errors_are_load_errors_at_their_place() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}steps:\n  - request: {{method: GET, path: '/Users/{{{{ nope'}}\n  - request: {{method: GET, path: /Users}}\n    expect:\n      json: {{userName: '{{{{ 1 + }}}}'}}\n"
    )));
}

#[test]
fn a_variable_no_earlier_step_captures_is_a_load_error() {
    insta::assert_snapshot!(errors(&format!(
        "{HEAD}steps:\n  - request: {{method: POST, path: /Users, json: {{userName: '{{{{ unique.a }}}}'}}}}\n    capture: {{user_id: /id}}\n  - request: {{method: GET, path: '/Users/{{{{ usr_id }}}}'}}\ncleanup:\n  - {{method: DELETE, path: '/Users/{{{{ user_id }}}}'}}\n"
    )));
}

#[test]
fn a_value_of_more_than_one_form_is_reported_where_it_is_written() {
    // Each is read in place (no untagged enum): the error is at the value
    // itself, and says what is expected.
    insta::assert_snapshot!(
        [
            "    expect: {status: [201, true]}\n",
            "    expect: {status: 99}\n",
            "    expect: {headers: {etag: {matchs: x}}}\n",
            "    snapshot: {redakt: {}}\n",
        ]
        .iter()
        .map(|tail| errors(&format!(
            "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n{tail}"
        )))
        .collect::<String>()
    );
}

fn loaded(text: &str) -> Case {
    let source = Source {
        id: "users/good".into(),
        path: "cases/users/good.yaml".into(),
        text: text.into(),
    };
    let mut cases = load_sources(vec![source]).expect("the case loads");
    cases.remove(0)
}

#[test]
fn what_the_steps_send_is_what_the_case_needs() {
    let case = loaded(&format!(
        "{HEAD}needs: [filter.eq]\nunless: [users.delete]\nsteps:\n  - request: {{method: POST, path: /Users, user: {{userName: a}}}}\n  - request: {{method: GET, path: /Users, query: {{filter: 'userName eq \"a\"'}}}}\n  - request: {{method: DELETE, path: /Users/x}}\n  - request: {{method: POST, path: /Users/.search}}\n"
    ));
    let needs: Vec<&str> = case.needs.iter().map(|c| c.as_str()).collect();
    // The explicit extra first; the DELETE a case runs only without
    // `users.delete` is not a need; `.search` is a feature the case names.
    assert_eq!(needs, ["filter.eq", "users.create", "users.list"]);
    let property = loaded(&format!("{HEAD}property: paging.walk\n"));
    assert!(property.needs.iter().any(|c| c.as_str() == "paging"));
}

#[test]
fn a_user_body_is_written_with_its_schemas() {
    let case = loaded(&format!(
        "{HEAD}steps:\n  - request: {{method: POST, path: /Users, user: {{userName: a, \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\": {{department: X}}}}}}\n"
    ));
    let Some(Body::Json(json)) = &case.steps[0].request.body else {
        panic!("a JSON body");
    };
    let body = json.render(&minijinja::Value::UNDEFINED).expect("renders");
    assert_eq!(
        body,
        serde_json::json!({
            "schemas": [crate::scim::urn::USER, crate::scim::urn::ENTERPRISE_USER],
            "userName": "a",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "X"},
        })
    );
    assert!(
        errors(&format!(
            "{HEAD}steps:\n  - request: {{method: POST, path: /Groups, group: {{displayName: g}}, json: {{}}}}\n"
        ))
        .contains("a request has one body")
    );
}

#[test]
fn every_property_needs_known_capabilities() {
    for property in Property::ALL {
        for need in property.needs() {
            assert!(Capability::parse(need).is_ok(), "{property:?}: {need}");
        }
    }
}

#[test]
fn counts_needs_a_json_pointer() {
    let out = errors(&format!(
        "{HEAD}steps:\n  - request: {{method: GET, path: /Users}}\n    expect:\n      values:\n        /itemsPerPage: {{counts: Resources}}\n"
    ));
    assert!(
        out.contains("`counts: Resources` needs a JSON pointer such as /Resources"),
        "{out}"
    );
    assert!(
        out.contains("bad.yaml:8:"),
        "the error names the line of the rule: {out}"
    );
}
