//! Unit tests of the store: creation, uniqueness, queries, updates and deletes
//! as each profile defines them.

use std::collections::HashSet;

use super::*;
use crate::server::fault::Fault;

fn store(profile: &str, faults: &[Fault]) -> Store {
    let faults: HashSet<Fault> = faults.iter().copied().collect();
    Store::new(Profile::load(profile).unwrap(), Faults::new(faults))
}

fn ada(name: &str) -> Value {
    json!({
        "schemas": [crate::scim::urn::USER], "userName": name, "displayName": "Ada Lovelace",
        "name": {"givenName": "Ada", "familyName": "Lovelace"}, "password": "s3cret",
        "emails": [{"value": name, "type": "work"}], "title": "Countess"
    })
}

const USER: ResourceType = ResourceType::User;

#[test]
fn create_assigns_id_meta_and_active_and_never_presents_the_password() {
    let mut s = store("rfc7644", &[]);
    let user = s.create(USER, &ada("ada@x.org")).unwrap();
    assert_eq!(user["active"], true);
    assert_eq!(user["meta"]["resourceType"], "User");
    assert_eq!(user["meta"]["version"], "W/\"1\"");
    let shown = s.present(
        USER,
        &user,
        "http://h/Users/1",
        &crate::scim::projection::Projection::Default,
    );
    assert!(shown.get("password").is_none());
    assert_eq!(shown["meta"]["location"], "http://h/Users/1");
}

#[test]
fn user_names_are_unique_ignoring_case() {
    let mut s = store("rfc7644", &[]);
    s.create(USER, &ada("ada@x.org")).unwrap();
    let error = s.create(USER, &ada("ADA@x.org")).unwrap_err();
    assert_eq!(
        (error.status, error.scim_type),
        (409, Some(ScimType::Uniqueness))
    );
    let mut faulty = store("rfc7644", &[Fault::UniquenessCaseSensitive]);
    faulty.create(USER, &ada("ada@x.org")).unwrap();
    assert!(faulty.create(USER, &ada("ADA@x.org")).is_ok());
}

#[test]
fn put_replaces_and_keeps_what_is_read_only() {
    let mut s = store("insightly", &[]);
    let user = s.create(USER, &ada("ada@x.org")).unwrap();
    let id = user["id"].as_str().unwrap();
    let mut body = ada("ada@x.org");
    body["emails"] = json!([{"value": "other@x.org"}]);
    body.as_object_mut().unwrap().remove("title");
    let replaced = s.replace(USER, id, &body).unwrap();
    assert!(
        replaced.get("title").is_none(),
        "omitted attributes are cleared"
    );
    assert_eq!(
        replaced["emails"][0]["value"], "ada@x.org",
        "read-only emails are kept"
    );
    assert_eq!(replaced["meta"]["created"], user["meta"]["created"]);
    assert_eq!(replaced["meta"]["version"], "W/\"2\"");
}

#[test]
fn delete_removes_or_deactivates_as_documented() {
    let mut hard = store("rfc7644", &[]);
    let id = hard.create(USER, &ada("a@x.org")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    hard.delete(USER, &id).unwrap();
    assert_eq!(hard.get(USER, &id).unwrap_err().status, 404);
    let mut soft = store("insightly", &[]);
    let id = soft.create(USER, &ada("a@x.org")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    soft.delete(USER, &id).unwrap();
    assert_eq!(soft.get(USER, &id).unwrap()["active"], false);
    let mut faulty = store("rfc7644", &[Fault::SoftDelete]);
    let id = faulty.create(USER, &ada("a@x.org")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    faulty.delete(USER, &id).unwrap();
    assert_eq!(faulty.get(USER, &id).unwrap()["active"], false);
}

#[test]
fn an_email_that_is_not_an_address_is_rejected() {
    let mut s = store("rfc7644", &[]);
    let mut body = ada("a@x.org");
    body["emails"] = json!([{"value": "scimcheck-1-6@k"}]);
    let error = s.create(USER, &body).unwrap_err();
    assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
    body["emails"] = json!([{"value": "ada@example.com"}]);
    assert!(s.create(USER, &body).is_ok());
}

#[test]
fn required_attributes_and_the_schema_urn_are_enforced() {
    let mut s = store("insightly", &[]);
    let mut body = ada("a@x.org");
    body.as_object_mut().unwrap().remove("displayName");
    let error = s.create(USER, &body).unwrap_err();
    assert_eq!(error.detail, "`displayName` is required");
    let error = s.create(USER, &json!({"userName": "x"})).unwrap_err();
    assert_eq!(error.scim_type, Some(ScimType::InvalidSyntax));
}

#[test]
fn patch_changes_are_stored_and_a_fault_can_ignore_them() {
    let patch = json!({"schemas": [crate::scim::urn::PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Dr"}]});
    let mut s = store("rfc7644", &[]);
    let id = s.create(USER, &ada("a@x.org")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(s.patch(USER, &id, &patch).unwrap()["title"], "Dr");
    assert_eq!(s.get(USER, &id).unwrap()["title"], "Dr");
    let mut ignored = store("rfc7644", &[Fault::PatchIgnored]);
    let id = ignored.create(USER, &ada("a@x.org")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ignored.patch(USER, &id, &patch).unwrap();
    assert_eq!(ignored.get(USER, &id).unwrap()["title"], "Countess");
}
