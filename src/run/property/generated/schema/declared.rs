//! What a target declares about its User attributes: the User schema and
//! its extensions' schemas from `/Schemas` (RFC 7643 §7), or, where the
//! target serves none (the profile says so), the profile itself read
//! against the RFC's schemas — Insightly's guide is its declaration.

use serde_json::{Value, json};

use crate::client::Outgoing;
use crate::run::property::{Counterexample, Env};
use crate::scim::schema::{self, Attribute as RfcAttribute};
use crate::scim::urn;

/// One declared attribute, with the characteristics RFC 7643 §2.2 defaults.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The extension URN it lives under (`None`: the core User schema).
    pub extension: Option<String>,
    pub name: String,
    pub kind: String,
    pub multi_valued: bool,
    pub required: bool,
    pub mutability: String,
    pub returned: String,
    pub canonical: Vec<String>,
    pub reference_types: Vec<String>,
    pub subs: Vec<Declared>,
    /// Whether the definition says what a value must be (a `type` and a
    /// boolean `multiValued`): an incomplete one is `discovery.definitions`'
    /// finding, and no value is written for it.
    pub complete: bool,
}

/// Every declared User attribute, and where the declaration comes from.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// `/Schemas`, or `profile insightly`.
    pub source: String,
    pub attributes: Vec<Declared>,
}

impl Declared {
    /// Reads one attribute definition; `None` when it has no name.
    pub fn parse(extension: Option<&str>, definition: &Value) -> Option<Declared> {
        let text =
            |key: &str, default: &str| definition[key].as_str().unwrap_or(default).to_string();
        let list = |key: &str| -> Vec<String> {
            definition[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        Some(Declared {
            complete: definition["type"].is_string() && definition["multiValued"].is_boolean(),
            extension: extension.map(str::to_string),
            name: definition["name"].as_str()?.to_string(),
            kind: text("type", "string"),
            multi_valued: definition["multiValued"] == true,
            required: definition["required"] == true,
            mutability: text("mutability", "readWrite"),
            returned: text("returned", "default"),
            canonical: list("canonicalValues"),
            reference_types: list("referenceTypes"),
            subs: definition["subAttributes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| Declared::parse(extension, s))
                .collect(),
        })
    }

    /// How it is named in a request: `nickName`, `urn:…:User:employeeNumber`.
    pub fn path(&self) -> String {
        match &self.extension {
            Some(u) => format!("{u}:{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The attribute's value in a resource.
    pub fn value_in<'v>(&self, resource: &'v Value) -> Option<&'v Value> {
        let container = match &self.extension {
            Some(u) => resource.get(u)?,
            None => resource,
        };
        container.get(&self.name).filter(|v| !v.is_null())
    }

    /// The declaration in a few words, for evidence.
    pub fn describe(&self) -> String {
        format!(
            "declared {}{}, {}, returned {}{}",
            if self.multi_valued {
                "multi-valued "
            } else {
                ""
            },
            self.kind,
            self.mutability,
            self.returned,
            if self.required { ", required" } else { "" }
        )
    }
}

/// The target's declaration: `/Schemas` where the profile says it is
/// served, else the profile.
pub fn read(env: &Env) -> Result<Declaration, Counterexample> {
    if !env.profile.discovery.schemas {
        return Ok(from_profile(env));
    }
    let exchange = env.probe.send(Outgoing::get("/Schemas", &[]));
    let Some(json) = exchange.json().filter(|_| exchange.status() == Some(200)) else {
        return Err(
            Counterexample::new("GET /Schemas did not answer", &exchange)
                .expected("200 with the schemas")
                .actual(exchange.excerpt(200)),
        );
    };
    let schemas: Vec<&Value> = json["Resources"]
        .as_array()
        .or(json.as_array())
        .into_iter()
        .flatten()
        .collect();
    let by_id = |id: &str| {
        schemas
            .iter()
            .find(|s| s["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    };
    let mut extensions: Vec<String> = Vec::new();
    if env.profile.discovery.resource_types {
        let types = env.probe.send(Outgoing::get("/ResourceTypes", &[]));
        let documents = crate::profile::auto::Documents {
            resource_types: types.json().cloned(),
            ..Default::default()
        };
        extensions = documents.user_extensions();
    }
    if extensions.is_empty() {
        extensions = env.profile.extensions.clone();
    }
    let mut attributes = Vec::new();
    for (extension, id) in std::iter::once((None, urn::USER.to_string()))
        .chain(extensions.iter().map(|e| (Some(e.as_str()), e.clone())))
    {
        let Some(document) = by_id(&id) else { continue };
        attributes.extend(
            document["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| Declared::parse(extension, a))
                .filter(|a| a.complete),
        );
    }
    Ok(Declaration {
        source: "/Schemas".into(),
        attributes,
    })
}

/// The profile's attributes with the characteristics RFC 7643 gives them,
/// its read-only and required attributes applied.
fn from_profile(env: &Env) -> Declaration {
    let profile = env.profile;
    let definition = |prefix: &str, a: &RfcAttribute| -> Value {
        let dotted = format!("{prefix}{}", a.name);
        let mut out = a.to_json();
        if profile
            .required
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&dotted))
        {
            out["required"] = json!(true);
        }
        if profile.is_read_only(&dotted) {
            out["mutability"] = json!("readOnly");
        }
        let subs: Vec<Value> = a
            .sub_attributes
            .iter()
            .filter(|s| profile.has_attribute(&format!("{dotted}.{}", s.name)))
            .map(|s| {
                let mut sub = s.to_json();
                if profile.is_read_only(&format!("{dotted}.{}", s.name)) {
                    sub["mutability"] = json!("readOnly");
                }
                sub
            })
            .collect();
        if !subs.is_empty() {
            out["subAttributes"] = Value::Array(subs);
        }
        out
    };
    let core = schema::USER
        .iter()
        .filter(|a| profile.has_attribute(a.name))
        .filter_map(|a| Declared::parse(None, &definition("", a)));
    let extensions = profile.extensions.iter().flat_map(|urn| {
        schema::extension(urn)
            .unwrap_or_default()
            .iter()
            .filter(move |a| profile.has_attribute(&format!("{urn}:{}", a.name)))
            .filter_map(move |a| Declared::parse(Some(urn), &definition(&format!("{urn}:"), a)))
    });
    Declaration {
        source: format!("profile {}", profile.name),
        attributes: core.chain(extensions).collect(),
    }
}
