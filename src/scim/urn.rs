//! The URNs of RFC 7643 §8 and RFC 7644 §3 that messages carry in `schemas`.

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
/// The pre-RFC core URN OneLogin still sends (goauthentik/authentik#11249):
/// it names the core schema of whatever resource it is written on.
pub const LEGACY_CORE: &str = "urn:scim:schemas:core:2.0";
/// The pre-RFC name of the enterprise extension, as OneLogin sends it.
pub const LEGACY_ENTERPRISE: &str = "urn:scim:schemas:extension:enterprise:2.0";

/// Whether a JSON message lists `urn` in its `schemas` (attribute names
/// compare ignoring case, RFC 7643 §2.1; URNs exactly).
pub fn declares(message: &serde_json::Value, urn: &str) -> bool {
    message
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas")))
        .and_then(|(_, v)| v.as_array())
        .is_some_and(|schemas| schemas.iter().any(|s| s.as_str() == Some(urn)))
}

/// `name` without a leading schema URN: `urn:…:User:userName` → `userName`.
/// The URN ends at the last `:` before any `[` (value paths hold colons in
/// their filter values).
pub fn strip(name: &str) -> &str {
    let head = name.split('[').next().unwrap_or(name);
    match head.rfind(':') {
        Some(at) if name.len() > 4 && name[..4].eq_ignore_ascii_case("urn:") => &name[at + 1..],
        _ => name,
    }
}

/// A path's schema URN (if written) and the attribute path after it:
/// `urn:…:enterprise:2.0:User:manager.value` → (`Some(urn:…:enterprise:2.0:User)`, `manager.value`).
pub fn split(path: &str) -> (Option<&str>, &str) {
    let rest = strip(path);
    if rest.len() == path.len() {
        (None, path)
    } else {
        (Some(&path[..path.len() - rest.len() - 1]), rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_are_stripped_up_to_the_attribute() {
        assert_eq!(
            strip("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"),
            "name.givenName"
        );
        assert_eq!(
            strip(r#"emails[value eq "a:b"].type"#),
            r#"emails[value eq "a:b"].type"#
        );
        assert_eq!(strip("userName"), "userName");
        assert_eq!(
            split("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
            (Some(ENTERPRISE_USER), "manager.value")
        );
        assert_eq!(split("title"), (None, "title"));
        assert!(declares(&serde_json::json!({"Schemas": [ERROR]}), ERROR));
    }
}
