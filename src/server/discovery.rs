//! Discovery documents (RFC 7643 §5–§7): the User schema as the profile
//! describes it, ServiceProviderConfig and the User ResourceType.

use serde_json::{Value, json};

use super::store::USER_URN;
use crate::check::shape::LIST_URN;
use crate::profile::Profile;

/// Wraps resources in a ListResponse.
pub fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_URN],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

fn attribute(
    profile: &Profile,
    name: &str,
    kind: &str,
    multi: bool,
    case_exact: bool,
    subs: Vec<Value>,
) -> Value {
    let mut mutability = if profile.is_read_only(name) {
        "readOnly"
    } else {
        "readWrite"
    };
    if name == "password" {
        mutability = "writeOnly";
    }
    let mut attr = json!({
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": "",
        "required": profile.required.iter().any(|r| r == name),
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": if name == "password" { "never" } else { "default" },
        "uniqueness": if name == "userName" { "server" } else { "none" },
    });
    if !subs.is_empty() {
        attr["subAttributes"] = Value::Array(subs);
    }
    attr
}

fn sub(profile: &Profile, parent: &str, name: &str) -> Value {
    let mut attr = attribute(profile, name, "string", false, false, vec![]);
    attr["required"] = json!(
        profile
            .required
            .iter()
            .any(|r| *r == format!("{parent}.{name}"))
    );
    if profile.is_read_only(parent) {
        attr["mutability"] = json!("readOnly");
    }
    attr
}

/// The schemas the server supports: the core User schema, with the
/// mutability and required flags of the profile.
pub fn schemas(profile: &Profile) -> Vec<Value> {
    let p = profile;
    let mut attributes = vec![
        attribute(p, "userName", "string", false, false, vec![]),
        attribute(
            p,
            "name",
            "complex",
            false,
            false,
            vec![sub(p, "name", "givenName"), sub(p, "name", "familyName")],
        ),
        attribute(p, "displayName", "string", false, false, vec![]),
        attribute(p, "active", "boolean", false, false, vec![]),
        attribute(
            p,
            "emails",
            "complex",
            true,
            false,
            vec![sub(p, "emails", "value"), sub(p, "emails", "type"), {
                let mut primary = sub(p, "emails", "primary");
                primary["type"] = json!("boolean");
                primary
            }],
        ),
        attribute(p, "externalId", "string", false, true, vec![]),
    ];
    if p.name != "insightly" {
        for name in [
            "nickName",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
        ] {
            attributes.push(attribute(p, name, "string", false, false, vec![]));
        }
        attributes.push(attribute(p, "password", "string", false, false, vec![]));
        attributes.push(attribute(
            p,
            "phoneNumbers",
            "complex",
            true,
            false,
            vec![
                sub(p, "phoneNumbers", "value"),
                sub(p, "phoneNumbers", "type"),
            ],
        ));
    }
    vec![json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_URN,
        "name": "User",
        "description": "User Account",
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{USER_URN}")},
    })]
}

pub fn service_provider_config(profile: &Profile) -> Value {
    let ops = &profile.patch.ops;
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": !ops.is_empty()},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": !profile.filter.operators.is_empty(), "maxResults": profile.paging.max_page_size.unwrap_or(super::store::DEFAULT_PAGE_SIZE)},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token", "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": "/ServiceProviderConfig"},
    })
}

pub fn user_resource_type() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
        "schema": USER_URN,
        "meta": {"resourceType": "ResourceType", "location": "/ResourceTypes/User"},
    })
}
