//! The credentials a run sends with every request, and the scrubbing of
//! every secret (a token, a password, a header value, an OAuth client
//! secret or issued token) from what the target answers, before anything
//! downstream — reports, snapshots, the terminal — can hold it.

use super::Response;
use super::encode::base64;

/// Credentials sent with every request unless a step says otherwise.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub bearer: Option<String>,
    /// `user:password` for HTTP basic auth.
    pub basic: Option<String>,
    /// Extra headers (`Name: value`), e.g. an API key header.
    pub headers: Vec<(String, String)>,
}

impl Credentials {
    /// Every secret string a response could echo back: the token, the basic
    /// credentials (plain and encoded), the password alone, extra header values.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.bearer.iter().cloned());
        if let Some(basic) = &self.basic {
            out.push(basic.clone());
            out.push(base64(basic.as_bytes()));
            if let Some((_, password)) = basic.split_once(':') {
                out.push(password.to_string());
            }
        }
        out.extend(self.headers.iter().map(|(_, v)| v.clone()));
        // Too short to be told apart from ordinary text: never a real secret.
        out.retain(|s| s.len() >= 4);
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out
    }
}

/// Replaces every secret in a response (a server may echo a token in an
/// error message): nothing downstream — reports, snapshots, the terminal —
/// can leak what it never holds.
pub(super) fn scrub(response: &mut Response, secrets: &[String]) {
    if !secrets.iter().any(|s| {
        response.body.contains(s.as_str())
            || response.headers.iter().any(|(_, v)| v.contains(s.as_str()))
    }) {
        return;
    }
    for secret in secrets {
        response.body = response.body.replace(secret.as_str(), "[redacted]");
        for (_, value) in &mut response.headers {
            *value = value.replace(secret.as_str(), "[redacted]");
        }
    }
    response.json = serde_json::from_str(&response.body).ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_the_server_echoes_is_redacted() {
        let credentials = Credentials {
            bearer: Some("s3cret-token".into()),
            basic: Some("ada:pa55word".into()),
            headers: vec![("X-Api-Key".into(), "k3y-value".into())],
        };
        let mut response = Response {
            status: 401,
            headers: vec![("www-authenticate".into(), "Bearer s3cret-token".into())],
            body:
                r#"{"detail": "bad token s3cret-token for ada:pa55word (pa55word), key k3y-value"}"#
                    .into(),
            json: None,
            truncated: false,
        };
        scrub(&mut response, &credentials.secrets());
        for secret in ["s3cret-token", "pa55word", "k3y-value"] {
            assert!(!response.body.contains(secret), "{}", response.body);
        }
        assert!(!response.headers[0].1.contains("s3cret"));
        assert_eq!(
            response.json.unwrap()["detail"],
            "bad token [redacted] for [redacted] ([redacted]), key [redacted]"
        );
    }
}
