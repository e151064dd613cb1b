//! `round_trip:` cases: one attribute written by every kind of write and
//! read back by every kind of read. The case file names the attribute and
//! three values; this module writes the steps a case author would
//! otherwise write by hand, as case-file [`Step`]s the loader then compiles
//! like any other:
//!
//! 1. `POST /Users` with the attribute's create value (and valid values
//!    for what every profile requires), then `GET` by id and a list
//!    filtered by userName: the value comes back exactly, type included;
//! 2. `PUT` with the replace value, then `GET`;
//! 3. `PATCH` `replace` with the patch value at the attribute's path, then
//!    `GET`. Every write is judged by the read after it.
//!
//! A scalar must come back equal; a complex value must hold every
//! sub-attribute sent; a multi-valued one exactly as many values, each
//! with what was sent (`type` and `primary` included), in any order.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use serde_saphyr::Spanned;

use super::file::{Expect, Request, StatusSpec, Step, ValueSpec};
use super::model::Method;
use crate::scim::urn;

/// The `round_trip:` block of a case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundTrip {
    /// `nickName`, `name`, `emails`, or an extension's attribute behind its
    /// URN (`urn:…:enterprise:2.0:User:employeeNumber`).
    pub attribute: Spanned<String>,
    /// The value a create sends.
    pub create: Spanned<Value>,
    /// The value a PUT sends.
    pub replace: Spanned<Value>,
    /// The value a PATCH `replace` sends.
    pub patch: Spanned<Value>,
}

/// Where the attribute lives: the core schema or an extension's object.
struct Target<'a> {
    extension: Option<&'a str>,
    name: &'a str,
    /// As written in a PATCH path.
    path: &'a str,
}

impl<'a> Target<'a> {
    fn of(path: &'a str) -> Target<'a> {
        match urn::split(path) {
            (Some(u), name) if !u.eq_ignore_ascii_case(urn::USER) => Target {
                extension: Some(u),
                name,
                path,
            },
            (_, name) => Target {
                extension: None,
                name,
                path: name,
            },
        }
    }

    /// The JSON pointer of the attribute under `prefix`.
    fn pointer(&self, prefix: &str) -> String {
        match self.extension {
            Some(u) => format!("{prefix}/{u}/{}", self.name),
            None => format!("{prefix}/{}", self.name),
        }
    }

    /// `{attribute: value}`, inside the extension's object where it has one.
    fn wrap(&self, value: &Value) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert(self.name.to_string(), value.clone());
        match self.extension {
            Some(u) => Map::from_iter([(u.to_string(), Value::Object(object))]),
            None => object,
        }
    }
}

impl RoundTrip {
    /// The capabilities the case needs, besides those it names, and those
    /// it must not meet (a read-only attribute is not written).
    pub fn implied(&self) -> (Vec<String>, Vec<String>) {
        let attribute = &self.attribute.value;
        let target = Target::of(attribute);
        let mut needs: Vec<String> = [
            "users.create",
            "users.get",
            "users.list",
            "filter.eq",
            "users.replace",
            "users.patch",
            "patch.replace",
        ]
        .map(String::from)
        .to_vec();
        needs.push(format!("attr.supported.{attribute}"));
        let unless = match target.extension {
            None => vec![format!("attr.readonly.{}", target.name)],
            Some(_) => vec![],
        };
        (needs, unless)
    }

    /// The steps of the case (the ledger removes the user they create).
    pub fn steps(&self) -> Vec<Step> {
        let target = Target::of(&self.attribute.value);
        let here = &self.attribute;
        let user_name = match target.name {
            "userName" if target.extension.is_none() => self.create.value.clone(),
            _ => json!("{{ email.trip }}"),
        };
        let body = |value: &Value| -> Value {
            let mut fields = Map::new();
            let mut schemas = vec![json!(urn::USER)];
            schemas.extend(target.extension.map(|u| json!(u)));
            fields.insert("schemas".into(), Value::Array(schemas));
            fields.insert("userName".into(), json!("{{ email.trip }}"));
            fields.insert("displayName".into(), json!("Round Trip"));
            fields.insert(
                "name".into(),
                json!({"givenName": "Round", "familyName": "Trip"}),
            );
            fields.insert(
                "emails".into(),
                json!([{"value": "{{ email.trip }}", "type": "work", "primary": true}]),
            );
            fields.extend(target.wrap(value));
            Value::Object(fields)
        };
        let request = |method: Method, path: &str, json: Option<Value>| Request {
            method,
            path: path.to_string(),
            query: Default::default(),
            headers: Default::default(),
            json,
            body: None,
            user: None,
            group: None,
            auth: Default::default(),
        };
        let read = |label: &str, value: &Spanned<Value>| {
            step(
                label.to_string(),
                at(here, request(Method::GET, "/Users/{{ id }}", None)),
                self.expect(&target, "", value, 200),
            )
        };
        let patch = json!({
            "schemas": [urn::PATCH_OP],
            "Operations": [{"op": "replace", "path": target.path, "value": self.patch.value}],
        });
        let mut list = request(Method::GET, "/Users", None);
        let filter = format!("userName eq \"{}\"", user_name.as_str().unwrap_or_default());
        list.query.insert("filter".into(), filter);
        let mut listed = self.expect(&target, "/Resources/0", &self.create, 200);
        listed.values.insert(
            "/totalResults".into(),
            at(
                here,
                ValueSpec {
                    equals: Some(json!(1)),
                    ..Default::default()
                },
            ),
        );
        let mut create = step(
            format!("create with {}", target.path),
            at(
                here,
                request(Method::POST, "/Users", Some(body(&self.create.value))),
            ),
            Expect {
                status: Some(at(here, StatusSpec::Exact(201))),
                ..Default::default()
            },
        );
        create
            .capture
            .insert("id".into(), at(here, "/id".to_string()));
        let steps = vec![
            create,
            read("read back after create", &self.create),
            step("find by userName in a list".into(), at(here, list), listed),
            step(
                format!("replace (PUT) with a new {}", target.path),
                at(
                    here,
                    request(
                        Method::PUT,
                        "/Users/{{ id }}",
                        Some(body(&self.replace.value)),
                    ),
                ),
                Expect {
                    status: Some(at(here, StatusSpec::Exact(200))),
                    ..Default::default()
                },
            ),
            read("read back after PUT", &self.replace),
            step(
                format!("PATCH replace of {}", target.path),
                at(here, request(Method::PATCH, "/Users/{{ id }}", Some(patch))),
                Expect {
                    status: Some(at(here, StatusSpec::AnyOf(vec![200, 204]))),
                    ..Default::default()
                },
            ),
            read("read back after PATCH", &self.patch),
        ];
        steps
    }

    /// What a read of the resource (at `prefix` in the body) must show.
    fn expect(&self, target: &Target, prefix: &str, value: &Spanned<Value>, status: u16) -> Expect {
        let mut expect = Expect {
            status: Some(at(value, StatusSpec::Exact(status))),
            ..Default::default()
        };
        let pointer = target.pointer(prefix);
        match &value.value {
            Value::Object(_) | Value::Array(_) => {
                let mut shown = Value::Object(target.wrap(&value.value));
                if prefix == "/Resources/0" {
                    shown = json!({"Resources": [shown]});
                }
                expect.json = Some(at(value, shown));
                if let Value::Array(items) = &value.value {
                    expect.values.insert(
                        pointer,
                        at(
                            value,
                            ValueSpec {
                                length: Some(items.len()),
                                ..Default::default()
                            },
                        ),
                    );
                }
            }
            scalar => {
                expect.values.insert(
                    pointer,
                    at(
                        value,
                        ValueSpec {
                            equals: Some(scalar.clone()),
                            ..Default::default()
                        },
                    ),
                );
            }
        }
        if let Some(u) = target.extension {
            expect.values.insert(
                format!("{prefix}/schemas"),
                at(
                    value,
                    ValueSpec {
                        contains: Some(json!(u)),
                        ..Default::default()
                    },
                ),
            );
        }
        expect
    }
}

/// `value`, placed where `like` is written (failures point there).
fn at<T, U>(like: &Spanned<U>, value: T) -> Spanned<T> {
    Spanned::new(value, like.referenced, like.defined)
}

/// A written step: a name, a request and what it must answer; no capture,
/// snapshot or client-flow keys.
fn step(name: String, request: Spanned<Request>, expect: Expect) -> Step {
    Step {
        name: Some(name),
        request,
        expect,
        capture: Default::default(),
        snapshot: None,
        replays: None,
        warn: None,
        setup: false,
    }
}
