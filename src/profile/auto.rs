//! The `auto` profile: what a target claims in its own discovery documents
//! (`/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`), with
//! conservative defaults where they are missing, and a note for each
//! inference. Pure: the run command fetches the documents.

use serde_json::Value;

use super::{DeleteMode, Discovery, FilterSupport, OPERATIONS, Paging, PatchSupport, Profile};
use crate::scim::urn;

/// The discovery documents a target answered (200 with JSON), if it did.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    pub service_provider_config: Option<Value>,
    pub schemas: Option<Value>,
    pub resource_types: Option<Value>,
}

/// A profile inferred from the documents, with one line per inference.
pub fn infer(documents: &Documents) -> (Profile, Vec<String>) {
    let mut notes = Vec::new();
    let spc = documents.service_provider_config.as_ref();
    let schemas = documents.schemas.as_ref();
    let resource_types = documents.resource_types.as_ref();
    let flag = |name: &str| {
        spc.and_then(|c| c.get(name))
            .and_then(|f| f.get("supported"))
            .and_then(Value::as_bool)
    };
    let filter = match flag("filter") {
        Some(true) => {
            notes.push("filter: every operator on any attribute (ServiceProviderConfig filter.supported=true)".into());
            FilterSupport {
                operators: ["eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le"]
                    .map(String::from)
                    .to_vec(),
                attributes: vec!["*".into()],
                logical: ["and", "or", "not"].map(String::from).to_vec(),
                complex: true,
            }
        }
        other => {
            notes.push(format!(
                "filter: only `userName eq` ({})",
                if other.is_some() {
                    "filter.supported=false"
                } else {
                    "no ServiceProviderConfig: conservative default"
                }
            ));
            FilterSupport {
                operators: vec!["eq".into()],
                attributes: vec!["userName".into()],
                logical: vec![],
                complex: false,
            }
        }
    };
    let patch = match flag("patch") {
        Some(true) => PatchSupport {
            ops: ["add", "remove", "replace"].map(String::from).to_vec(),
        },
        Some(false) => PatchSupport { ops: vec![] },
        None => PatchSupport {
            ops: vec!["replace".into()],
        },
    };
    notes.push(format!("patch: [{}]", patch.ops.join(", ")));
    let max_page_size = spc
        .and_then(|c| c.pointer("/filter/maxResults"))
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let user_schema = schemas.and_then(|s| {
        s.get("Resources")
            .and_then(Value::as_array)
            .and_then(|r| r.iter().find(|x| x["id"] == urn::USER).cloned())
    });
    let (mut required, mut read_only) = (vec![], vec!["id".to_string(), "meta".to_string()]);
    if let Some(attributes) = user_schema
        .as_ref()
        .and_then(|s| s["attributes"].as_array())
    {
        for attribute in attributes {
            let name = attribute["name"].as_str().unwrap_or_default();
            if attribute["required"] == true {
                required.push(name.to_string());
            }
            if attribute["mutability"] == "readOnly" && !read_only.iter().any(|r| r == name) {
                read_only.push(name.to_string());
            }
            for sub in attribute["subAttributes"].as_array().into_iter().flatten() {
                if sub["required"] == true && attribute["multiValued"] != true {
                    required.push(format!(
                        "{name}.{}",
                        sub["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
        notes.push(format!(
            "required: [{}], read-only: [{}] (from /Schemas)",
            required.join(", "),
            read_only.join(", ")
        ));
    } else {
        required.push("userName".into());
        notes.push("required: [userName], read-only: [id, meta] (no User schema in /Schemas: RFC 7643 defaults)".into());
    }
    notes.push("delete: hard (RFC 7644 §3.6; discovery cannot tell soft delete)".into());
    let profile = Profile {
        name: "auto".into(),
        description: "inferred from the target's discovery endpoints".into(),
        operations: OPERATIONS.iter().map(|op| op.to_string()).collect(),
        filter,
        patch,
        delete: DeleteMode::Hard,
        paging: Paging {
            supported: true,
            max_page_size,
        },
        required,
        read_only,
        attributes: None,
        discovery: Discovery {
            service_provider_config: spc.is_some(),
            resource_types: resource_types.is_some(),
            schemas: schemas.is_some(),
        },
        create_sets_active: false,
    };
    notes.push(format!(
        "discovery: ServiceProviderConfig {}, ResourceTypes {}, Schemas {}",
        yes(spc.is_some()),
        yes(resource_types.is_some()),
        yes(schemas.is_some())
    ));
    (profile, notes)
}

fn yes(found: bool) -> &'static str {
    if found { "found" } else { "missing" }
}
