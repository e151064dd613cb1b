//! The resource endpoints of every hosted kind: list and `.search` (RFC
//! 7644 §3.4.2, §3.4.3), create, read, replace, change and delete, with
//! attribute projection on every answer that returns a resource (§3.9) and
//! the preconditions of ETags (§3.14, RFC 7232): `If-None-Match` on a read,
//! `If-Match` on a write.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Answer, BASE_PATH, BODY_LIMIT, Shared, authorize, broken, code, respond};
use crate::scim::projection::Projection;
use crate::scim::{ResourceType, ScimError, ScimType, urn};
use crate::server::query::{self, Query};
use crate::server::store::Store;

/// The absolute URL of a resource, from the Host the client used.
pub fn location(headers: &HeaderMap, resource: ResourceType, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{BASE_PATH}{}/{id}", resource.endpoint())
}

/// A request body as JSON: 413 past the limit, 400 `invalidSyntax` when
/// it is not JSON (serde_json's own nesting limit included).
pub fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, ScimError> {
    let bytes = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ScimError::new(
            413,
            None,
            format!(
                "the request body is larger than {BODY_LIMIT} bytes, the most this server reads"
            ),
        ),
        _ => ScimError::bad(
            ScimType::InvalidSyntax,
            format!("cannot read the request body: {rejection}"),
        ),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ScimError::bad(
            ScimType::InvalidSyntax,
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// The query parameters of a request URL.
fn query(raw: Option<String>) -> Result<Query, ScimError> {
    let mut query = Query::default();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        query.set(&name, &value)?;
    }
    Ok(query)
}

/// A resource answer: ETag from `meta.version`, Location on create, the
/// representation as projected.
pub fn resource_answer(
    store: &Store,
    resource: ResourceType,
    headers: &HeaderMap,
    stored: &Value,
    status: u16,
    projection: &Projection,
) -> Answer {
    let id = stored["id"].as_str().unwrap_or_default();
    let location = store.faults.location(location(headers, resource, id));
    let mut extra = vec![];
    if let Some(version) = stored["meta"]["version"].as_str()
        && store.faults.sends_etag()
    {
        extra.push((header::ETAG, version.to_string()));
    }
    if status == 201 && store.faults.created_location() {
        extra.push((header::LOCATION, location.clone()));
    }
    let status = if status == 201 {
        store.faults.created_status()
    } else {
        status
    };
    Answer {
        status: code(status),
        headers: extra,
        body: Some(store.present(resource, stored, &location, projection)),
    }
}

/// A page of resources as a ListResponse.
fn listed(
    store: &Store,
    rt: ResourceType,
    headers: &HeaderMap,
    query: &Query,
) -> Result<Answer, ScimError> {
    if query.filter.is_none()
        && query.start_index.is_none()
        && query.count.is_none()
        && !store.faults.serves_unpaged_lists()
    {
        return Err(ScimError::bad(
            ScimType::TooMany,
            "give startIndex and count",
        ));
    }
    let page = query::list(store, rt, query)?;
    if page.total == 0 && query.filter.is_some() && !store.faults.empty_result_listed() {
        return Err(ScimError::not_found("no resource matches the filter"));
    }
    let projection = match rt {
        ResourceType::Group if !store.faults.group_lists_project() => Projection::Default,
        _ => store.faults.projection(query.projection.clone(), false),
    };
    let resources: Vec<Value> = page
        .resources
        .iter()
        .map(|r| {
            let at =
                store
                    .faults
                    .location(location(headers, rt, r["id"].as_str().unwrap_or_default()));
            let mut listed = store.present(rt, r, &at, &projection);
            if rt == ResourceType::User
                && !store.faults.lists_name()
                && let Some(fields) = listed.as_object_mut()
            {
                fields.remove("name");
            }
            listed
        })
        .collect();
    let list = json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": page.total,
        "startIndex": page.start_index,
        "itemsPerPage": page.items_per_page,
        "Resources": resources,
    });
    Ok(Answer::ok(match rt {
        ResourceType::Group => store.faults.group_paging(list),
        _ => list,
    }))
}

pub fn list(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let query = query(raw)?;
        let store = state.read();
        hosted(&store, rt)?;
        listed(&store, rt, &headers, &query)
    })();
    respond(&state, result)
}

/// `POST …/.search`: the query in a SearchRequest body, answered as the
/// GET would be. At the root (`rt` none) every hosted kind is searched.
pub fn search(
    rt: Option<ResourceType>,
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let store = state.read();
        if !store.profile().features.search {
            return Err(ScimError::new(
                501,
                None,
                "this server does not support .search",
            ));
        }
        if let Some(rt) = rt {
            hosted(&store, rt)?;
        }
        let query = store.faults.search(Query::from_search(&json_body(body)?)?);
        // The root search covers every resource type; only Users are hosted.
        listed(&store, rt.unwrap_or(ResourceType::User), &headers, &query)
    })();
    respond(&state, result)
}

pub fn create(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = (|| {
        authorize(&state, &headers)?;
        let query = query(raw)?;
        let labelled_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().starts_with("application/json"));
        if labelled_json && !state.read().faults.reads_json_bodies() {
            return Err(ScimError::new(
                415,
                None,
                "request bodies must be application/scim+json",
            ));
        }
        state.read().faults.request_media_type(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        )?;
        let body = json_body(body)?;
        let mut store = state.write();
        hosted(&store, rt)?;
        let created = store.create(rt, &body)?;
        let projection = store.faults.projection(query.projection, true);
        Ok(resource_answer(
            &store,
            rt,
            &headers,
            &created,
            201,
            &projection,
        ))
    })();
    respond(&state, result)
}

/// The entity-tags a precondition header lists (`*` included), weak or not.
fn tags(headers: &HeaderMap, name: header::HeaderName) -> Option<Vec<String>> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/").to_string())
            .collect(),
    )
}

/// Whether a resource's version is among the tags (`*` matches any).
fn matches(stored: &Value, tags: &[String]) -> bool {
    let version = stored["meta"]["version"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("W/");
    tags.iter().any(|t| t == "*" || t == version)
}

pub fn fetch(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if state.read().faults.breaks_on_id(&id) {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        let query = query(raw)?;
        let store = state.read();
        hosted(&store, rt)?;
        let by_name = || {
            let users = store.collection(ResourceType::User);
            let seq = users.named(&id).next()?;
            users.items.get(&seq)
        };
        let stored = match store.get(rt, &id) {
            Err(_) if rt == ResourceType::User && store.faults.addresses_by_user_name() => {
                by_name().ok_or_else(|| ScimError::not_found(format!("no user `{id}`")))?
            }
            found => found?,
        };
        // RFC 7232 §3.2: a GET whose If-None-Match matches is 304.
        if store.profile().features.etag
            && let Some(tags) = tags(&headers, header::IF_NONE_MATCH)
            && matches(stored, &tags)
            && store.faults.honours_if_none_match()
        {
            return Ok(Answer {
                status: StatusCode::NOT_MODIFIED,
                headers: vec![(
                    header::ETAG,
                    stored["meta"]["version"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )],
                body: None,
            });
        }
        let projection = store.faults.projection(query.projection, false);
        Ok(resource_answer(
            &store,
            rt,
            &headers,
            stored,
            200,
            &projection,
        ))
    })();
    respond(&state, result)
}

/// RFC 7232 §3.1: a write whose If-Match does not match is 412, and is not performed.
fn precondition(
    store: &Store,
    rt: ResourceType,
    id: &str,
    headers: &HeaderMap,
) -> Result<(), ScimError> {
    if !store.profile().features.etag || !store.faults.honours_if_match() {
        return Ok(());
    }
    match tags(headers, header::IF_MATCH) {
        Some(tags) if !matches(store.get(rt, id)?, &tags) => Err(ScimError::new(
            412,
            None,
            "the resource has changed: If-Match names an older version",
        )),
        _ => Ok(()),
    }
}

/// The two ways to change a resource.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Replace,
    Patch,
}

/// 404 for a resource type the profile does not host.
fn hosted(store: &Store, rt: ResourceType) -> Result<(), ScimError> {
    match store.hosts(rt) {
        true => Ok(()),
        false => Err(ScimError::not_found(format!(
            "this server has no {} endpoint",
            rt.endpoint()
        ))),
    }
}

/// PUT and PATCH: a change to one resource, answered with the resource.
pub fn change(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
    how: Change,
) -> Response {
    let faults = state.read().faults.clone();
    if faults.breaks_on_id(&id)
        || (faults.breaks_on_malformed_update()
            && body
                .as_ref()
                .is_ok_and(|b| serde_json::from_slice::<Value>(b).is_err()))
    {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        let query = query(raw)?;
        let body = json_body(body)?;
        // The `lost-update` fault: a PATCH on a Group reads, lets others
        // write, then writes what it read and changed.
        let stale =
            match how == Change::Patch && rt == ResourceType::Group && faults.loses_updates() {
                true => {
                    let before = state.read().get(rt, &id)?.clone();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    Some(before)
                }
                false => None,
            };
        let mut store = state.write();
        hosted(&store, rt)?;
        precondition(&store, rt, &id, &headers)?;
        let changed = match (how, stale) {
            (Change::Replace, _) => store.replace(rt, &id, &body)?,
            (Change::Patch, Some(before)) => store.patch_from(rt, &id, &body, before)?,
            (Change::Patch, None) => store.patch(rt, &id, &body)?,
        };
        let projection = store.faults.projection(query.projection, true);
        Ok(resource_answer(
            &store,
            rt,
            &headers,
            &changed,
            200,
            &projection,
        ))
    })();
    respond(&state, result)
}

pub fn remove(
    rt: ResourceType,
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if state.read().faults.breaks_on_id(&id) {
        return broken();
    }
    let result = (|| {
        authorize(&state, &headers)?;
        let mut store = state.write();
        hosted(&store, rt)?;
        precondition(&store, rt, &id, &headers)?;
        store.delete(rt, &id)?;
        Ok(Answer {
            status: StatusCode::NO_CONTENT,
            headers: vec![],
            body: None,
        })
    })();
    respond(&state, result)
}
