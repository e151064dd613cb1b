//! The fault points of what surrounds a resource on the wire: the request
//! media types a server reads (RFC 7644 §3.8), the URLs it says a resource
//! is at (§3.1, RFC 7643 §3.1 `meta.location`) and the timestamps of
//! `meta` (RFC 7643 §2.3.5, §3.1).

use super::{Fault, Faults};
use crate::scim::ScimError;

/// The host a misconfigured server names instead of the one the client used.
const INTERNAL: &str = "http://scim-backend.internal:8080";

impl Faults {
    /// Refuses a request body whose media type carries parameters
    /// (`media-type-params-refused`: `application/scim+json; charset=utf-8`,
    /// as Entra ID labels its bodies, is 415).
    pub fn request_media_type(&self, content_type: Option<&str>) -> Result<(), ScimError> {
        match content_type {
            Some(label) if self.has(Fault::MediaTypeParamsRefused) && label.contains(';') => Err(
                ScimError::new(415, None, format!("unsupported media type `{label}`")),
            ),
            _ => Ok(()),
        }
    }

    /// The URL a resource is said to be at, given the one under the
    /// client's base URL (`location-internal-host`: the backend's own host).
    pub fn location(&self, url: String) -> String {
        if !self.has(Fault::LocationInternalHost) {
            return url;
        }
        match url
            .find("://")
            .and_then(|s| url[s + 3..].find('/').map(|p| s + 3 + p))
        {
            Some(path) => format!("{INTERNAL}{}", &url[path..]),
            None => url,
        }
    }

    /// A timestamp as written (`zoneless-timestamps`: without its `Z`, a
    /// local time of no zone).
    pub fn timestamp(&self, stamp: String) -> String {
        match self.has(Fault::ZonelessTimestamps) {
            true => stamp.trim_end_matches('Z').to_string(),
            false => stamp,
        }
    }

    /// `created` and `lastModified` of a new resource, given the instant
    /// of its creation (`modified-before-created`: lastModified an hour
    /// earlier).
    pub fn creation_times(&self, now: &str) -> (String, String) {
        if !self.has(Fault::ModifiedBeforeCreated) {
            return (now.to_string(), now.to_string());
        }
        let earlier = crate::scim::datetime::shifted(now, -time::Duration::HOUR, "+00:00")
            .unwrap_or_else(|_| now.to_string());
        (now.to_string(), earlier)
    }
}
