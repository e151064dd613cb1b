//! Discovery documents (RFC 7643 §5–§7): the schemas of the hosted
//! resource types (their kept attributes, with the profile's required and
//! read-only flags), ServiceProviderConfig and the ResourceTypes.

use serde_json::{Value, json};

use super::resource::{Extension, KINDS, Model};
use super::store::{DEFAULT_PAGE_SIZE, Store};
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
/// characteristics, with what the profile requires and makes read-only,
/// and the sub-attributes the server holds.
fn attribute(
    store: &Store,
    model: &Model,
    extension: Option<&Extension>,
    parent: Option<&str>,
    attribute: &Attribute,
) -> Value {
    let dotted = match parent {
        Some(parent) => format!("{parent}.{}", attribute.name),
        None => attribute.name.to_string(),
    };
    let mut out = attribute.to_json();
    let required = extension.is_none() && store.profile().required.contains(&dotted);
    out["required"] = json!(attribute.required || required);
    if model.read_only(extension, &dotted) {
        out["mutability"] = json!("readOnly");
    }
    if extension.is_none() && model.kind.enforces_unique && dotted == model.kind.unique {
        out["uniqueness"] = json!("server");
    }
    let subs: Vec<Value> = match parent {
        Some(_) => vec![],
        None => model
            .supported_subs(extension, attribute)
            .into_iter()
            .map(|sub| self::attribute(store, model, extension, Some(attribute.name), sub))
            .collect(),
    };
    if !subs.is_empty() {
        out["subAttributes"] = Value::Array(subs);
    }
    store
        .faults
        .canonical_values(&dotted, store.faults.definition(out))
}

/// One schema document: the core schema of a hosted kind, or an extension's.
fn schema(store: &Store, model: &Model, extension: Option<&Extension>) -> Value {
    let attributes: Vec<Value> = model
        .attributes(extension)
        .into_iter()
        .filter(|a| model.supported(extension, a.name).is_some())
        // externalId is common to every resource (RFC 7643 §3.1), which
        // "MAY list common attributes as part of the schema": listed, as
        // Entra's SCIM Validation Logic App looks for every mapped
        // attribute there (`external-id-unlisted` leaves it out).
        .filter(|a| a.name != "externalId" || store.faults.lists_external_id())
        .map(|a| attribute(store, model, extension, None, a))
        .collect();
    let resource = model.kind.resource;
    let (id, name, description) = match extension {
        Some(e) => (e.urn, e.name.to_string(), format!("{} extension", e.name)),
        None => (
            resource.schema(),
            resource.name().to_string(),
            match resource {
                crate::scim::ResourceType::User => "User Account".to_string(),
                crate::scim::ResourceType::Group => "Group".to_string(),
            },
        ),
    };
    json!({
        "schemas": [urn::SCHEMA],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{id}")},
    })
}

/// The schemas the server supports: each hosted kind's and its extensions'.
pub fn schemas(store: &Store) -> Vec<Value> {
    KINDS
        .iter()
        .filter(|kind| store.hosts(kind.resource))
        .flat_map(|kind| {
            let model = &store.collection(kind.resource).model;
            std::iter::once(schema(store, model, None)).chain(
                model
                    .extensions
                    .iter()
                    .map(|e| schema(store, model, Some(e))),
            )
        })
        .collect()
}

pub fn service_provider_config(profile: &Profile) -> Value {
    let ops = &profile.patch.ops;
    let features = &profile.features;
    json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": !ops.is_empty()},
        "bulk": match features.bulk {
            Some(b) => json!({"supported": true, "maxOperations": b.max_operations, "maxPayloadSize": b.max_payload_size}),
            None => json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0}),
        },
        "filter": {"supported": !profile.filter.operators.is_empty(), "maxResults": profile.paging.max_page_size.unwrap_or(DEFAULT_PAGE_SIZE)},
        "changePassword": {"supported": features.change_password},
        "sort": {"supported": features.sort},
        "etag": {"supported": features.etag},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token", "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": "/ServiceProviderConfig"},
    })
}

/// The ResourceType documents of the hosted kinds, with the extensions each hosts.
pub fn resource_types(store: &Store) -> Vec<Value> {
    KINDS
        .iter()
        .filter(|kind| store.hosts(kind.resource))
        .map(|kind| {
            let name = kind.resource.name();
            let extensions: Vec<Value> = store
                .collection(kind.resource)
                .model
                .extensions
                .iter()
                .map(|e| json!({"schema": e.urn, "required": false}))
                .collect();
            json!({
                "schemas": [urn::RESOURCE_TYPE],
                "id": name, "name": name, "endpoint": kind.resource.endpoint(), "description": format!("{name} Account"),
                "schema": kind.resource.schema(),
                "schemaExtensions": extensions,
                "meta": {"resourceType": "ResourceType", "location": format!("/ResourceTypes/{name}")},
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::fault::Faults;

    fn store(profile: &str) -> Store {
        Store::new(Profile::load(profile).unwrap(), Faults::default())
    }

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
        let insightly = store("insightly");
        let all = schemas(&insightly);
        assert_eq!(all.len(), 1, "Insightly documents no extension");
        let schema = &all[0];
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
        let name = &schema["attributes"][1]["subAttributes"];
        assert_eq!(
            name.as_array().unwrap().len(),
            2,
            "givenName and familyName only"
        );
        assert_eq!(name[0]["required"], true);
        let rfc = store("rfc7644");
        let all = schemas(&rfc);
        let ids: Vec<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                urn::USER,
                urn::ENTERPRISE_USER,
                super::super::resource::BADGE.urn,
                urn::GROUP
            ]
        );
        assert_eq!(
            names(&all[0]).len(),
            22,
            "every attribute of RFC 7643 §4.1, and the common externalId (§3.1)"
        );
        let password = all[0]["attributes"]
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
        assert_eq!(names(&all[1]).len(), 6);
    }

    #[test]
    fn service_provider_config_declares_the_page_size_and_what_is_supported() {
        let insightly = Profile::load("insightly").unwrap();
        let spc = service_provider_config(&insightly);
        assert_eq!(spc["filter"]["maxResults"], 100);
        assert_eq!(spc["patch"]["supported"], true);
        let types = resource_types(&store("rfc7644"));
        assert_eq!(types[0]["endpoint"], "/Users");
        assert_eq!(
            types[0]["schemaExtensions"][0]["schema"],
            urn::ENTERPRISE_USER
        );
    }
}
