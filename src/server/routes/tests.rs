//! HTTP-level tests of the reference server: hostile input answered with
//! SCIM errors, authentication and its challenge.

use std::net::SocketAddr;

use super::*;
use crate::profile::Profile;
use crate::scim::urn;
use crate::server::{Config, start};

async fn server() -> (crate::server::Running, reqwest::Client) {
    let config = Config {
        profile: Profile::load("rfc7644").unwrap(),
        token: Some("t".into()),
        faults: Default::default(),
        seed_users: 1,
        latency: Default::default(),
        drop_answers: None,
        introspection: None,
    };
    let running = start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    (running, reqwest::Client::new())
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
    let response = request.bearer_auth("t").send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn a_hostile_filter_or_body_gets_a_scim_error_and_the_server_keeps_serving() {
    let (running, http) = server().await;
    let users = format!("{}/Users", running.base_url);
    // Parentheses need no escaping in a query: 20,000 of them fit a URL.
    let deep = format!(
        "{users}?filter={}userName%20pr{}",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let (status, _, body) = answer(http.get(&deep)).await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (400, Some("invalidFilter")),
        "{body}"
    );
    let huge = vec![b' '; BODY_LIMIT + 1];
    let (status, headers, body) = answer(http.post(&users).body(huge)).await;
    assert_eq!(status, 413);
    assert_eq!(headers[header::CONTENT_TYPE], "application/scim+json");
    assert_eq!(
        (body["status"].as_str(), body["schemas"][0].as_str()),
        (Some("413"), Some(urn::ERROR))
    );
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (status, _, body) = answer(http.post(&users).body(nested)).await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (400, Some("invalidSyntax"))
    );
    let (status, _, body) = answer(http.get(&users)).await;
    assert_eq!(
        (status, body["totalResults"].as_u64()),
        (200, Some(1)),
        "still serving"
    );
}

#[tokio::test]
async fn errors_are_scim_errors_with_the_challenge_on_401() {
    let (running, http) = server().await;
    let response = http
        .get(format!("{}/Users", running.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer realm=\"scimcheck\""
    );
    let (status, _, body) = answer(http.get(format!("{}/Nowhere", running.base_url))).await;
    assert_eq!((status, body["status"].as_str()), (404, Some("404")));
    let (status, _, _) = answer(http.delete(format!("{}/Users", running.base_url))).await;
    assert_eq!(status, 405);
}
