//! Tests of [`super`] (patch).
use super::*;

fn policy_apply(resource: &mut Value, ops: &[&str], body: Value) -> Result<(), ScimError> {
    let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
    let policy = Policy {
        ops: &ops,
        writable: &|_, dotted| {
            if dotted.starts_with("id") {
                Err(ScimError::bad(ScimType::Mutability, "read-only"))
            } else {
                Ok(())
            }
        },
        canonical: &|_, _| None,
        extension: &|u| {
            u.eq_ignore_ascii_case(urn::ENTERPRISE_USER)
                .then_some(urn::ENTERPRISE_USER)
        },
        faults: &Faults::default(),
        strict: false,
    };
    apply(resource, &body, &policy)
}

fn patch(ops: &[Value]) -> Value {
    json!({"schemas": [urn::PATCH_OP], "Operations": ops})
}

#[test]
fn the_op_shapes_clients_send() {
    let mut user = json!({"id": "1", "name": {"givenName": "Ada", "familyName": "Byron"}, "emails": [{"value": "a@w", "type": "work"}, {"value": "a@h", "type": "home"}]});
    let all = ["add", "remove", "replace"];
    policy_apply(
        &mut user,
        &all,
        patch(&[json!({"op": "Replace", "path": "name.givenName", "value": "Augusta"})]),
    )
    .unwrap();
    assert_eq!(
        user["name"],
        json!({"givenName": "Augusta", "familyName": "Byron"})
    );
    policy_apply(
        &mut user,
        &all,
        patch(&[
            json!({"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@w"}),
        ]),
    )
    .unwrap();
    assert_eq!(user["emails"][0]["value"], "b@w");
    assert_eq!(user["emails"][1]["value"], "a@h");
    policy_apply(
        &mut user,
        &all,
        patch(&[json!({"op": "remove", "path": "emails[type eq \"home\"]"})]),
    )
    .unwrap();
    assert_eq!(user["emails"].as_array().unwrap().len(), 1);
    policy_apply(
        &mut user,
        &all,
        patch(&[
            json!({"op": "add", "value": {"title": "Countess", "emails": [{"value": "c@o"}]}}),
        ]),
    )
    .unwrap();
    assert_eq!(user["title"], "Countess");
    assert_eq!(user["emails"].as_array().unwrap().len(), 2);
    policy_apply(
        &mut user,
        &all,
        patch(&[json!({"op": "remove", "path": "name.familyName"})]),
    )
    .unwrap();
    assert_eq!(user["name"], json!({"givenName": "Augusta"}));
}

#[test]
fn what_is_refused_and_how() {
    let mut user = json!({"id": "1", "emails": [{"value": "a@w", "type": "work"}]});
    let status = |r: Result<(), ScimError>| r.unwrap_err().scim_type.map(ScimType::as_str);
    let only_replace = ["replace"];
    assert_eq!(
        status(policy_apply(
            &mut user,
            &only_replace,
            patch(&[json!({"op": "add", "path": "title", "value": "x"})])
        )),
        Some("invalidSyntax")
    );
    assert_eq!(
        status(policy_apply(
            &mut user,
            &only_replace,
            json!({"Operations": []})
        )),
        Some("invalidSyntax")
    );
    assert_eq!(
        status(policy_apply(
            &mut user,
            &only_replace,
            patch(&[json!({"op": "replace", "path": "id", "value": "2"})])
        )),
        Some("mutability")
    );
    assert_eq!(
        status(policy_apply(
            &mut user,
            &only_replace,
            patch(&[
                json!({"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x"})
            ])
        )),
        Some("noTarget")
    );
    let deep = format!(
        "emails[{}type pr{}]",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    assert_eq!(
        status(policy_apply(
            &mut user,
            &only_replace,
            patch(&[json!({"op": "replace", "path": deep, "value": "x"})])
        )),
        Some("invalidPath")
    );
}

#[test]
fn the_dialects_identity_providers_send() {
    let all = ["add", "remove", "replace"];
    let mut user = json!({"id": "1", "emails": [{"value": "a@w", "type": "work"}]});
    // Entra: an Add on a value-filtered path that matches nothing creates the value.
    policy_apply(
        &mut user,
        &all,
        patch(&[
            json!({"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "1 Way"}),
        ]),
    )
    .unwrap();
    assert_eq!(
        user["addresses"],
        json!([{"type": "work", "formatted": "1 Way"}])
    );
    // ... and one that matches changes the match, adding nothing.
    policy_apply(
        &mut user,
        &all,
        patch(&[json!({"op": "Add", "path": "emails[type eq \"work\"].value", "value": "b@w"})]),
    )
    .unwrap();
    assert_eq!(user["emails"], json!([{"value": "b@w", "type": "work"}]));
    // A replace that matches nothing is still noTarget (RFC 7644 §3.5.2.3).
    let error = policy_apply(
        &mut user,
        &all,
        patch(&[
            json!({"op": "replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "1"}),
        ]),
    )
    .unwrap_err();
    assert_eq!(error.scim_type.map(|t| t.as_str()), Some("noTarget"));
    // Entra's default job removes members by a list of values: those only.
    let mut group = json!({"id": "g", "members": [{"value": "a"}, {"value": "b"}]});
    policy_apply(
        &mut group,
        &all,
        patch(&[
            json!({"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "a"}]}),
        ]),
    )
    .unwrap();
    assert_eq!(group["members"], json!([{"value": "b"}]));
    // Okta renames with the group's own id in the value: no modification.
    policy_apply(
        &mut group,
        &all,
        patch(&[json!({"op": "replace", "value": {"id": "g", "displayName": "Team"}})]),
    )
    .unwrap();
    assert_eq!(group["displayName"], "Team");
    // A different id is a change of a read-only attribute.
    assert!(
        policy_apply(
            &mut group,
            &all,
            patch(&[json!({"op": "replace", "value": {"id": "h"}})]),
        )
        .is_err()
    );
}
