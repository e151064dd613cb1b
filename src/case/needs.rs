//! What a case needs of a target, read from what it sends: a step's method
//! and path name the operation it uses (`POST /Users` is `users.create`,
//! `PATCH /Groups/{id}` is `groups.patch`), so a case author writes
//! `needs:` only for what the requests do not show (a filter operator, a
//! PATCH op, an optional feature).
//!
//! Only the twelve operations of a profile's `operations:` list are read
//! from requests; `/.search`, `/Bulk`, `/Me` and discovery are features a
//! case names itself. Client flows derive nothing: they replay what an
//! identity provider sends whatever the target claims, and their verdict
//! says which stage breaks.

use super::Method;

/// The operation a request uses, when it is one a profile can claim.
pub fn operation(method: Method, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or_default();
    let mut parts = path.trim_matches('/').split('/');
    let resource = match parts.next()? {
        "Users" => "users",
        "Groups" => "groups",
        _ => return None,
    };
    let item = parts.next();
    if parts.next().is_some() || item.is_some_and(|i| i.is_empty() || i.starts_with('.')) {
        return None;
    }
    let op = match (method, item.is_some()) {
        (Method::GET, false) => "list",
        (Method::GET, true) => "get",
        (Method::POST, false) => "create",
        (Method::PUT, true) => "replace",
        (Method::PATCH, true) => "patch",
        (Method::DELETE, true) => "delete",
        _ => return None,
    };
    Some(format!("{resource}.{op}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_the_operation_it_uses() {
        let cases = [
            (Method::POST, "/Users", Some("users.create")),
            (
                Method::GET,
                "/Users?filter=userName eq \"a\"",
                Some("users.list"),
            ),
            (Method::GET, "/Users/{{ id }}", Some("users.get")),
            (Method::PUT, "/Users/{{ id }}", Some("users.replace")),
            (Method::PATCH, "/Groups/{{ group }}", Some("groups.patch")),
            (Method::DELETE, "/Groups/{{ group }}", Some("groups.delete")),
            (Method::GET, "/Groups", Some("groups.list")),
            (Method::POST, "/Users/.search", None),
            (Method::POST, "/.search", None),
            (Method::POST, "/Bulk", None),
            (Method::GET, "/Me", None),
            (Method::GET, "/ServiceProviderConfig", None),
            (Method::DELETE, "/Users", None),
            (Method::POST, "/Users/{{ id }}", None),
            (Method::GET, "/Users/{{ id }}/extra", None),
        ];
        for (method, path, expected) in cases {
            assert_eq!(
                operation(method, path).as_deref(),
                expected,
                "{method:?} {path}"
            );
        }
    }
}
