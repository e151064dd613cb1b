//! The rules a case can enforce: RFC sections and the rows of the Insightly
//! provisioning guide's two tables (the seed), for traceability.
//!
//! A case names its rule(s) as `rfc7643#4.1`, `rfc7644#3.4.2.2` (any RFC:
//! `rfc7235#3.1`), a catalogue id such as `insightly.op.create`, or
//! `doc:anything` for other documentation (an identity provider's, a
//! user's own). [`CATALOGUE`] is the list a traceability matrix is built from.

/// One documented rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// Which table or document it comes from.
    pub source: &'static str,
    /// The row or clause, as documented.
    pub text: &'static str,
}

const OPS: &str = "Insightly guide: supported SCIM operations";
const ATTRS: &str = "Insightly guide: SCIM user attributes & field mappings";

/// The seed's two tables, row by row, and the note on required attributes.
pub const CATALOGUE: &[Rule] = &[
    Rule {
        id: "insightly.op.list",
        source: OPS,
        text: "GET /Users: gets a list of users; returns both active and inactive users; paging per SCIM spec",
    },
    Rule {
        id: "insightly.op.get",
        source: OPS,
        text: "GET /Users/{id}: gets a single user; returns a user whether active or inactive",
    },
    Rule {
        id: "insightly.op.filter",
        source: OPS,
        text: "GET /Users?filter=userName eq \"...\": returns active and inactive users that match; only the \"userName eq\" filter is supported",
    },
    Rule {
        id: "insightly.op.create",
        source: OPS,
        text: "POST /Users: creates a user",
    },
    Rule {
        id: "insightly.op.replace",
        source: OPS,
        text: "PUT /Users/{id}: updates a user",
    },
    Rule {
        id: "insightly.op.patch",
        source: OPS,
        text: "PATCH /Users/{id}: updates fields included in the request only; only the \"replace\" operation is supported",
    },
    Rule {
        id: "insightly.op.delete",
        source: OPS,
        text: "DELETE /Users/{id}: deactivates a user; no hard delete; equivalent to setting active=false",
    },
    Rule {
        id: "insightly.op.schemas",
        source: OPS,
        text: "GET /Schemas: returns attributes supported by Insightly",
    },
    Rule {
        id: "insightly.attr.id",
        source: ATTRS,
        text: "id (readonly): Insightly generated unique identifier of a User",
    },
    Rule {
        id: "insightly.attr.meta.resourceType",
        source: ATTRS,
        text: "meta.resourceType (readonly): \"User\"",
    },
    Rule {
        id: "insightly.attr.meta.created",
        source: ATTRS,
        text: "meta.created (readonly): Insightly generated",
    },
    Rule {
        id: "insightly.attr.meta.lastModified",
        source: ATTRS,
        text: "meta.lastModified (readonly): Insightly generated",
    },
    Rule {
        id: "insightly.attr.active",
        source: ATTRS,
        text: "active: editable, but set to \"true\" when creating a new User",
    },
    Rule {
        id: "insightly.attr.name.givenName",
        source: ATTRS,
        text: "name.givenName: User.FIRST_NAME",
    },
    Rule {
        id: "insightly.attr.name.familyName",
        source: ATTRS,
        text: "name.familyName: User.LAST_NAME",
    },
    Rule {
        id: "insightly.attr.emails",
        source: ATTRS,
        text: "emails (readonly): contains a single email address with type=work",
    },
    Rule {
        id: "insightly.required",
        source: "Insightly guide: attribute mapping note",
        text: "givenName, familyName, userName, displayName and email are required",
    },
];

/// A rule reference that names no rule.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BadRule {
    #[error("rule `{rule}`: the section must be numbers and dots, like `{doc}#3.4.2`")]
    Section { rule: String, doc: String },
    #[error(
        "unknown rule `{rule}`{hint} (rules are `rfcNNNN#SECTION` such as `rfc7644#3.3`, `doc:TEXT` or a catalogue id such as `insightly.op.create`)"
    )]
    Unknown { rule: String, hint: String },
    #[error("rule `{rule}`: no such section in that RFC's table of contents")]
    NoSuchSection { rule: String },
}

/// Checks that a rule reference names a real rule; the error says why not.
pub fn check_ref(rule: &str) -> Result<(), BadRule> {
    if let Some((doc, section)) = rule.split_once('#')
        && doc.len() > 3
        && doc.starts_with("rfc")
        && doc[3..].chars().all(|c| c.is_ascii_digit())
    {
        let ok = !section.is_empty()
            && section
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        return if ok && exists(doc, section) {
            Ok(())
        } else if ok {
            Err(BadRule::NoSuchSection {
                rule: rule.to_string(),
            })
        } else {
            Err(BadRule::Section {
                rule: rule.to_string(),
                doc: doc.to_string(),
            })
        };
    }
    if rule.starts_with("doc:") || CATALOGUE.iter().any(|r| r.id == rule) {
        return Ok(());
    }
    Err(BadRule::Unknown {
        rule: rule.to_string(),
        hint: crate::diag::hint(rule, CATALOGUE.iter().map(|r| r.id)),
    })
}

/// How many subsections a section of RFC 7643 or 7644 has (from their
/// tables of contents), for the sections cases cite; other documents and
/// sections not listed are taken as written.
const OUTLINE: &[(&str, &str, u32)] = &[
    ("rfc7643", "", 10),
    ("rfc7643", "2", 5),
    ("rfc7643", "2.3", 8),
    ("rfc7643", "3", 3),
    ("rfc7643", "4", 3),
    ("rfc7644", "", 9),
    ("rfc7644", "1", 3),
    ("rfc7644", "2", 2),
    ("rfc7644", "3", 14),
    ("rfc7644", "3.4", 3),
    ("rfc7644", "3.4.2", 5),
    ("rfc7644", "3.5", 2),
    ("rfc7644", "3.5.2", 3),
    ("rfc7644", "3.7", 4),
];

/// Whether `section` can be a section of `doc`: each number within the
/// count of its parent's subsections, where the outline knows it.
fn exists(doc: &str, section: &str) -> bool {
    let mut parent = String::new();
    for part in section.split('.') {
        let n: u32 = part.parse().unwrap_or(u32::MAX);
        let known = OUTLINE.iter().find(|(d, p, _)| *d == doc && *p == parent);
        if let Some((_, _, count)) = known
            && (n == 0 || n > *count)
        {
            return false;
        }
        if !parent.is_empty() {
            parent.push('.');
        }
        parent.push_str(part);
    }
    true
}

/// The RFC a rule reference belongs to, with its section, for grouping.
pub fn rfc_section(rule: &str) -> Option<(&str, &str)> {
    rule.split_once('#')
        .filter(|(doc, _)| doc.starts_with("rfc"))
}

/// One row of the traceability matrix: a documented rule and the cases
/// that enforce it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub id: String,
    /// The table or document the row belongs to.
    pub group: String,
    pub text: String,
    pub cases: Vec<String>,
}

/// The group of RFC rows.
pub const RFC_GROUP: &str = "RFC sections cited by the suite";

/// Every catalogue row, then every RFC section the cases cite, each with the
/// ids of the cases (given as `(id, rules)`) that enforce it.
pub fn rows<'a>(cases: impl IntoIterator<Item = (&'a str, &'a [String])> + Clone) -> Vec<Row> {
    let covering = |rule: &str| -> Vec<String> {
        cases
            .clone()
            .into_iter()
            .filter(|(_, rules)| rules.iter().any(|r| r == rule))
            .map(|(id, _)| id.to_string())
            .collect()
    };
    let mut out: Vec<Row> = CATALOGUE
        .iter()
        .map(|rule| Row {
            id: rule.id.into(),
            group: rule.source.into(),
            text: rule.text.into(),
            cases: covering(rule.id),
        })
        .collect();
    let mut sections: Vec<&str> = cases
        .clone()
        .into_iter()
        .flat_map(|(_, rules)| rules.iter())
        .map(String::as_str)
        .filter(|r| rfc_section(r).is_some())
        .collect();
    sections.sort_by_key(|r| {
        let (doc, section) = rfc_section(r).unwrap_or_default();
        (
            doc.to_string(),
            section
                .split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>(),
        )
    });
    sections.dedup();
    out.extend(sections.into_iter().map(|section| Row {
        id: section.into(),
        group: RFC_GROUP.into(),
        text: String::new(),
        cases: covering(section),
    }));
    out
}

/// The group of ServiceProviderConfig rows.
pub const CLAIMS_GROUP: &str = "ServiceProviderConfig claim → cases (RFC 7643 §5)";

/// What a case exercises, for the claims section: its id, rules and the
/// capabilities it needs.
pub struct Exercise<'a> {
    pub id: &'a str,
    pub rules: &'a [String],
    pub needs: Vec<String>,
}

/// Each capability a ServiceProviderConfig declares (RFC 7643 §5), and
/// which cases exercise it: those that need one of the capabilities (a
/// trailing `.` is a prefix) and cite one of the rules, where the row names any.
const CLAIMS: &[(&str, &str, &[&str], &[&str])] = &[
    ("patch", "PATCH supported", &["patch."], &[]),
    ("bulk", "Bulk supported", &["bulk"], &[]),
    (
        "bulk.maxOperations",
        "the most operations in a Bulk job",
        &[],
        &["rfc7644#3.7.4"],
    ),
    (
        "bulk.maxPayloadSize",
        "the largest Bulk payload",
        &[],
        &["rfc7644#3.7.4"],
    ),
    ("filter", "filtering supported", &["filter."], &[]),
    (
        "filter.maxResults",
        "the most resources in a response",
        &["paging"],
        &["rfc7643#5"],
    ),
    (
        "changePassword",
        "changing a password supported",
        &["change-password"],
        &[],
    ),
    ("sort", "sorting supported", &["sort"], &[]),
    ("etag", "ETags supported", &["etag"], &[]),
    (
        "authenticationSchemes",
        "how clients authenticate",
        &[],
        &["rfc7644#2", "rfc7235#3.1"],
    ),
];

/// The claims section of the matrix: each ServiceProviderConfig capability
/// and the cases that exercise it.
pub fn claims<'a>(cases: &[Exercise<'a>]) -> Vec<Row> {
    CLAIMS
        .iter()
        .map(|(id, text, needs, rules)| Row {
            id: id.to_string(),
            group: CLAIMS_GROUP.into(),
            text: text.to_string(),
            cases: cases
                .iter()
                .filter(|c| {
                    let needed = needs.is_empty()
                        || c.needs.iter().any(|n| {
                            needs
                                .iter()
                                .any(|p| n == p || (p.ends_with('.') && n.starts_with(p)))
                        });
                    let cited =
                        rules.is_empty() || c.rules.iter().any(|r| rules.contains(&r.as_str()));
                    needed && cited
                })
                .map(|c| c.id.to_string())
                .collect(),
        })
        .collect()
}

/// The traceability matrix as text (`scimcheck list --matrix`), from each
/// case's id, rules and needs. A row without a case says `(no case)`.
pub fn matrix(cases: &[Exercise]) -> String {
    let mut rows = rows(cases.iter().map(|c| (c.id, c.rules)));
    rows.extend(claims(cases));
    let mut out = String::new();
    let mut group = "";
    for row in &rows {
        if row.group != group {
            group = &row.group;
            out.push_str(&format!("\n{group}\n"));
        }
        if row.group == RFC_GROUP {
            out.push_str(&format!("  {:<34} → {}\n", row.id, row.cases.join(", ")));
            continue;
        }
        let ids = if row.cases.is_empty() {
            "(no case)".to_string()
        } else {
            row.cases.join(", ")
        };
        out.push_str(&format!("  {:<34} {}\n    → {ids}\n", row.id, row.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert!(check_ref("rfc7644#3.4.2.2").is_ok());
        assert!(check_ref("rfc7235#3.1").is_ok());
        assert!(check_ref("rfcx#3").is_err());
        assert!(check_ref("insightly.op.create").is_ok());
        assert!(check_ref("doc:our wiki page").is_ok());
        assert!(check_ref("rfc7644#").is_err());
        assert!(check_ref("rfc7644#3.x").is_err());
        assert!(check_ref("rfc7644#3.33").is_err());
        assert!(check_ref("rfc7644#3.4.2.6").is_err());
        assert!(check_ref("rfc7643#2.3.8").is_ok());
        assert!(check_ref("rfc7644#3.14").is_ok());
        assert!(check_ref("rfc7235#2.1").is_ok());
        let typo = check_ref("insightly.op.craete").unwrap_err().to_string();
        assert!(
            typo.contains("did you mean `insightly.op.create`"),
            "{typo}"
        );
    }

    #[test]
    fn catalogue_ids_are_unique() {
        let mut ids: Vec<_> = CATALOGUE.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
    }
}
