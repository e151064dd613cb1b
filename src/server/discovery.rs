//! Discovery documents (RFC 7643 §5–§7): the schemas of the hosted
//! resource types (their kept attributes, with the profile's required and
//! read-only flags), ServiceProviderConfig and the ResourceTypes.

use serde_json::{Value, json};

use super::resource::{KINDS, Kind};
use super::store::DEFAULT_PAGE_SIZE;
use crate::profile::Profile;
use crate::scim::schema::Attribute;
use crate::scim::urn;

/// Wraps resources in a ListResponse.
pub fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// An attribute as `/Schemas` shows it on this server: the RFC's
/// characteristics, with what the profile requires and makes read-only.
fn attribute(
    profile: &Profile,
    parent: Option<&str>,
    attribute: &Attribute,
    subs: &[&str],
) -> Value {
    let dotted = match parent {
        Some(parent) => format!("{parent}.{}", attribute.name),
        None => attribute.name.to_string(),
    };
    let mut out = attribute.to_json();
    out["required"] = json!(profile.required.contains(&dotted));
    if profile.is_read_only(&dotted) {
        out["mutability"] = json!("readOnly");
    }
    let subs: Vec<Value> = subs
        .iter()
        .filter_map(|name| attribute.sub_attributes.iter().find(|s| s.name == *name))
        .map(|sub| self::attribute(profile, Some(attribute.name), sub, &[]))
        .collect();
    if !subs.is_empty() {
        out["subAttributes"] = Value::Array(subs);
    }
    out
}

/// The schema document of one hosted kind.
fn schema(profile: &Profile, kind: &Kind) -> Value {
    let attributes: Vec<Value> = kind
        .kept
        .iter()
        .filter(|(name, _)| profile.has_attribute(name))
        .filter_map(|(name, subs)| Some(attribute(profile, None, kind.attribute(name)?, subs)))
        .collect();
    let id = kind.resource.schema();
    json!({
        "schemas": [urn::SCHEMA],
        "id": id,
        "name": kind.resource.name(),
        "description": format!("{} Account", kind.resource.name()),
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{id}")},
    })
}

/// The schemas the server supports.
pub fn schemas(profile: &Profile) -> Vec<Value> {
    KINDS.iter().map(|kind| schema(profile, kind)).collect()
}

pub fn service_provider_config(profile: &Profile) -> Value {
    let ops = &profile.patch.ops;
    json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": !ops.is_empty()},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": !profile.filter.operators.is_empty(), "maxResults": profile.paging.max_page_size.unwrap_or(DEFAULT_PAGE_SIZE)},
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

/// The ResourceType documents of the hosted kinds.
pub fn resource_types() -> Vec<Value> {
    KINDS
        .iter()
        .map(|kind| {
            let name = kind.resource.name();
            json!({
                "schemas": [urn::RESOURCE_TYPE],
                "id": name, "name": name, "endpoint": kind.resource.endpoint(), "description": format!("{name} Account"),
                "schema": kind.resource.schema(),
                "meta": {"resourceType": "ResourceType", "location": format!("/ResourceTypes/{name}")},
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(schema: &Value) -> Vec<&str> {
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn the_user_schema_declares_what_the_profile_supports_with_its_flags() {
        let insightly = Profile::load("insightly").unwrap();
        let schema = &schemas(&insightly)[0];
        assert_eq!(
            names(schema),
            [
                "userName",
                "name",
                "displayName",
                "active",
                "emails",
                "externalId"
            ]
        );
        let emails = &schema["attributes"][4];
        assert_eq!(
            (emails["mutability"].as_str(), emails["required"].as_bool()),
            (Some("readOnly"), Some(true))
        );
        assert_eq!(emails["subAttributes"][0]["mutability"], "readOnly");
        assert_eq!(
            schema["attributes"][1]["subAttributes"][0]["required"],
            true
        );
        let rfc = Profile::load("rfc7644").unwrap();
        let schema = &schemas(&rfc)[0];
        assert_eq!(names(schema).len(), 14);
        let password = schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "password")
            .unwrap();
        assert_eq!(
            (
                password["mutability"].as_str(),
                password["returned"].as_str()
            ),
            (Some("writeOnly"), Some("never"))
        );
    }

    #[test]
    fn service_provider_config_declares_the_page_size_and_what_is_supported() {
        let insightly = Profile::load("insightly").unwrap();
        let spc = service_provider_config(&insightly);
        assert_eq!(spc["filter"]["maxResults"], 100);
        assert_eq!(spc["patch"]["supported"], true);
        assert_eq!(resource_types()[0]["endpoint"], "/Users");
    }
}
