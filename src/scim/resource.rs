//! The core resource types of RFC 7643 §4 and where RFC 7644 §3.2 serves
//! them: what the run's ledger records and the reference server hosts.

use super::urn;

/// A core SCIM resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    User,
    Group,
}

impl ResourceType {
    pub const ALL: [ResourceType; 2] = [ResourceType::User, ResourceType::Group];

    /// `User`, as in `meta.resourceType`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::User => "User",
            ResourceType::Group => "Group",
        }
    }

    /// `/Users`, relative to the service's base URL.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceType::User => "/Users",
            ResourceType::Group => "/Groups",
        }
    }

    /// The attribute its resources are uniquely named by, which a
    /// harness-made resource's name carries the run's prefix in.
    pub fn named_by(self) -> &'static str {
        match self {
            ResourceType::User => "userName",
            ResourceType::Group => "displayName",
        }
    }

    /// The core schema URN its resources carry.
    pub fn schema(self) -> &'static str {
        match self {
            ResourceType::User => urn::USER,
            ResourceType::Group => urn::GROUP,
        }
    }

    /// The resource type a request path addresses, with the id when the
    /// path names one resource (`/Users/{id}`, percent-decoded).
    pub fn of_path(path: &str) -> Option<(ResourceType, Option<String>)> {
        let path = path.split('?').next().unwrap_or(path);
        ResourceType::ALL.into_iter().find_map(|kind| {
            let rest = path.strip_prefix(kind.endpoint())?;
            match rest.trim_end_matches('/') {
                "" => Some((kind, None)),
                rest => {
                    let raw = rest.strip_prefix('/')?;
                    if raw.contains('/') {
                        return None;
                    }
                    Some((
                        kind,
                        Some(percent_decode(raw).unwrap_or_else(|| raw.to_string())),
                    ))
                }
            }
        })
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_resource_type_and_id() {
        assert_eq!(
            ResourceType::of_path("/Users"),
            Some((ResourceType::User, None))
        );
        assert_eq!(
            ResourceType::of_path("/Groups/a%2Fb"),
            Some((ResourceType::Group, Some("a/b".into())))
        );
        assert_eq!(ResourceType::of_path("/Users/x/y"), None);
        assert_eq!(ResourceType::of_path("/Usersx"), None);
        assert_eq!(ResourceType::of_path("/Schemas"), None);
    }
}
