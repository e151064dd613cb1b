//! Named faults: ways the reference server can be told to break one
//! documented rule (`scimcheck serve --fault NAME`), so that the suite's power
//! to catch them can be measured.
//!
//! [`Fault`] is the catalogue (name, rule broken, effect). [`Faults`] is
//! what a running server consults: the chosen faults read once into a
//! small value with one method per named point (the answer's wire format,
//! authentication, creation, presentation, filters, paging, updates,
//! deletes, uniqueness, discovery). The store and the routes compute the
//! RFC's answer and pass it through that point, so each rule reads on its
//! own and each fault lives in one place.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::profile::DeleteMode;
use crate::scim::ScimError;
use crate::scim::filter::{Filter, Op};

/// One deliberate deviation from the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    CreateReturns200,
    CreateNoLocation,
    CreateNoMeta,
    NamesSwapped,
    GivenNameDropped,
    FilterCaseSensitive,
    EqAsSubstring,
    FilterIgnored,
    InvalidFilterAccepted,
    InvalidFilter500,
    PagingOffByOne,
    TotalCountsPage,
    ItemsPerPageWrong,
    CountIgnored,
    PagesOverlap,
    StartBelowOneRejected,
    PutMerges,
    PatchIgnored,
    IdChanges,
    CreatedChanges,
    LastModifiedFrozen,
    HardDelete,
    SoftDelete,
    DeleteKeepsActive,
    ErrorNotScim,
    ErrorStatusNumber,
    NotFoundIs500,
    DuplicateAccepted,
    UniquenessCaseSensitive,
    NoAuth,
    AnyTokenAccepted,
    NoChallenge,
    JsonContentType,
    SchemasMissing,
    LockedUnderLoad,
    SpcDeniesFilter,
    MaxResultsExceeded,
}

impl Fault {
    pub const ALL: &[Fault] = &[
        Fault::CreateReturns200,
        Fault::CreateNoLocation,
        Fault::CreateNoMeta,
        Fault::NamesSwapped,
        Fault::GivenNameDropped,
        Fault::FilterCaseSensitive,
        Fault::EqAsSubstring,
        Fault::FilterIgnored,
        Fault::InvalidFilterAccepted,
        Fault::InvalidFilter500,
        Fault::PagingOffByOne,
        Fault::TotalCountsPage,
        Fault::ItemsPerPageWrong,
        Fault::CountIgnored,
        Fault::PagesOverlap,
        Fault::StartBelowOneRejected,
        Fault::PutMerges,
        Fault::PatchIgnored,
        Fault::IdChanges,
        Fault::CreatedChanges,
        Fault::LastModifiedFrozen,
        Fault::HardDelete,
        Fault::SoftDelete,
        Fault::DeleteKeepsActive,
        Fault::ErrorNotScim,
        Fault::ErrorStatusNumber,
        Fault::NotFoundIs500,
        Fault::DuplicateAccepted,
        Fault::UniquenessCaseSensitive,
        Fault::NoAuth,
        Fault::AnyTokenAccepted,
        Fault::NoChallenge,
        Fault::JsonContentType,
        Fault::SchemasMissing,
        Fault::LockedUnderLoad,
        Fault::SpcDeniesFilter,
        Fault::MaxResultsExceeded,
    ];

    /// The fault's name on the command line.
    pub fn name(self) -> &'static str {
        self.describe().0
    }

    /// The rule the fault breaks (a rule id cases can name).
    pub fn rule(self) -> &'static str {
        self.describe().1
    }

    /// What the server does wrong.
    pub fn effect(self) -> &'static str {
        self.describe().2
    }

    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Fault::CreateReturns200 => (
                "create-returns-200",
                "rfc7644#3.3",
                "POST /Users answers 200 instead of 201",
            ),
            Fault::CreateNoLocation => (
                "create-no-location",
                "rfc7644#3.3",
                "POST /Users omits the Location header",
            ),
            Fault::CreateNoMeta => (
                "create-no-meta",
                "rfc7643#3.1",
                "created users carry no meta",
            ),
            Fault::NamesSwapped => (
                "names-swapped",
                "insightly.attr.name.givenName",
                "givenName and familyName are swapped in responses",
            ),
            Fault::GivenNameDropped => (
                "given-name-dropped",
                "insightly.attr.name.givenName",
                "name.givenName is never returned",
            ),
            Fault::FilterCaseSensitive => (
                "filter-case-sensitive",
                "rfc7644#3.4.2.2",
                "userName eq compares case-sensitively",
            ),
            Fault::EqAsSubstring => (
                "eq-as-substring",
                "rfc7644#3.4.2.2",
                "eq matches substrings (behaves like co)",
            ),
            Fault::FilterIgnored => (
                "filter-ignored",
                "insightly.op.filter",
                "the filter parameter is ignored: every user is returned",
            ),
            Fault::InvalidFilterAccepted => (
                "invalid-filter-accepted",
                "rfc7644#3.4.2.2",
                "unparseable or unsupported filters answer 200 with every user",
            ),
            Fault::InvalidFilter500 => (
                "invalid-filter-500",
                "rfc7644#3.4.2.2",
                "unparseable or unsupported filters answer 500 instead of 400 invalidFilter",
            ),
            Fault::PagingOffByOne => (
                "paging-off-by-one",
                "rfc7644#3.4.2.4",
                "startIndex is treated as 0-based",
            ),
            Fault::TotalCountsPage => (
                "total-counts-page",
                "rfc7644#3.4.2.4",
                "totalResults counts the page, not the result set",
            ),
            Fault::ItemsPerPageWrong => (
                "items-per-page-wrong",
                "rfc7644#3.4.2.4",
                "itemsPerPage echoes count, not the resources returned",
            ),
            Fault::CountIgnored => (
                "count-ignored",
                "rfc7644#3.4.2.4",
                "count is ignored: every page holds every result",
            ),
            Fault::PagesOverlap => (
                "pages-overlap",
                "rfc7644#3.4.2.4",
                "every page after the first repeats the previous page's last user",
            ),
            Fault::StartBelowOneRejected => (
                "start-below-one-rejected",
                "rfc7644#3.4.2.4",
                "startIndex < 1 answers 400 instead of being treated as 1",
            ),
            Fault::PutMerges => (
                "put-merges",
                "rfc7644#3.5.1",
                "PUT merges into the user instead of replacing it",
            ),
            Fault::PatchIgnored => (
                "patch-ignored",
                "insightly.op.patch",
                "PATCH answers 200 but changes nothing",
            ),
            Fault::IdChanges => (
                "id-changes",
                "insightly.attr.id",
                "every update gives the user a new id",
            ),
            Fault::CreatedChanges => (
                "created-changes",
                "insightly.attr.meta.created",
                "every update resets meta.created",
            ),
            Fault::LastModifiedFrozen => (
                "last-modified-frozen",
                "insightly.attr.meta.lastModified",
                "meta.lastModified never advances",
            ),
            Fault::HardDelete => (
                "hard-delete",
                "insightly.op.delete",
                "DELETE removes the user (where deactivation is documented)",
            ),
            Fault::SoftDelete => (
                "soft-delete",
                "rfc7644#3.6",
                "DELETE only deactivates the user (where removal is documented)",
            ),
            Fault::DeleteKeepsActive => (
                "delete-keeps-active",
                "insightly.op.delete",
                "DELETE answers 204 but the user stays active",
            ),
            Fault::ErrorNotScim => (
                "error-not-scim",
                "rfc7644#3.12",
                "errors are plain text, not SCIM Error JSON",
            ),
            Fault::ErrorStatusNumber => (
                "error-status-number",
                "rfc7644#3.12",
                "Error status is a JSON number, not a string",
            ),
            Fault::NotFoundIs500 => (
                "not-found-is-500",
                "rfc7644#3.12",
                "an unknown id answers 500 instead of 404",
            ),
            Fault::DuplicateAccepted => (
                "duplicate-accepted",
                "rfc7643#4.1.1",
                "a duplicate userName is accepted",
            ),
            Fault::UniquenessCaseSensitive => (
                "uniqueness-case-sensitive",
                "rfc7643#4.1.1",
                "userName uniqueness ignores letter case differences (Ada vs ada both accepted)",
            ),
            Fault::NoAuth => (
                "no-auth",
                "rfc7644#2",
                "requests without credentials are served",
            ),
            Fault::AnyTokenAccepted => (
                "any-token-accepted",
                "rfc7644#2",
                "any bearer token is accepted, not only the configured one",
            ),
            Fault::NoChallenge => (
                "no-www-authenticate",
                "rfc7235#3.1",
                "a 401 carries no WWW-Authenticate challenge",
            ),
            Fault::JsonContentType => (
                "json-content-type",
                "rfc7644#3.8",
                "responses are labelled application/json",
            ),
            Fault::LockedUnderLoad => (
                "locked-under-load",
                "finding:concurrency",
                "a write answers 500 \"database is locked\" while another request is in flight (a SQLite-backed server)",
            ),
            Fault::SpcDeniesFilter => (
                "spc-denies-filter",
                "finding:claims",
                "ServiceProviderConfig says filter.supported: false, while every filter works",
            ),
            Fault::MaxResultsExceeded => (
                "max-results-exceeded",
                "rfc7643#5",
                "a count above the declared maximum page size is served in full",
            ),
            Fault::SchemasMissing => (
                "schemas-missing",
                "insightly.op.schemas",
                "GET /Schemas answers 404",
            ),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Fault, String> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown fault `{name}`{} (see `scimcheck serve --list-faults`)",
                    crate::diag::hint(name, Fault::ALL.iter().map(|f| f.name()))
                )
            })
    }
}

/// The faults of one running server, read once.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    set: HashSet<Fault>,
}

/// How an error goes on the wire (the `respond` point).
pub enum ErrorWire {
    /// A SCIM Error body (RFC 7644 §3.12), as the server means it or distorted.
    Scim { status: u16, body: Value },
    /// Plain text, not a SCIM Error.
    Text { status: u16, text: String },
}

impl Faults {
    pub fn new(set: HashSet<Fault>) -> Faults {
        Faults { set }
    }

    fn has(&self, fault: Fault) -> bool {
        self.set.contains(&fault)
    }

    // -- the answer on the wire --

    /// The media type of every answer.
    pub fn content_type(&self) -> &'static str {
        if self.has(Fault::JsonContentType) {
            "application/json"
        } else {
            "application/scim+json"
        }
    }

    /// How an error is written.
    pub fn error(&self, error: &ScimError) -> ErrorWire {
        let status = if error.status == 404 && self.has(Fault::NotFoundIs500) {
            500
        } else {
            error.status
        };
        if self.has(Fault::ErrorNotScim) {
            return ErrorWire::Text {
                status,
                text: error.detail.clone(),
            };
        }
        let mut body = ScimError {
            status,
            ..error.clone()
        }
        .to_json();
        if self.has(Fault::ErrorStatusNumber) {
            body["status"] = json!(status);
        }
        ErrorWire::Scim { status, body }
    }

    /// Whether a 401 carries its `WWW-Authenticate` challenge.
    pub fn challenges(&self) -> bool {
        !self.has(Fault::NoChallenge)
    }

    // -- authentication --

    /// Whether a request is let in, given whether its token is the right one.
    pub fn admits(&self, presented: Option<&str>, correct: bool) -> bool {
        self.has(Fault::NoAuth)
            || correct
            || (self.has(Fault::AnyTokenAccepted) && presented.is_some_and(|t| !t.is_empty()))
    }

    // -- creation --

    /// The status of a successful create (RFC 7644 §3.3: 201).
    pub fn created_status(&self) -> u16 {
        if self.has(Fault::CreateReturns200) {
            200
        } else {
            201
        }
    }

    /// Whether a create answers with a Location header.
    pub fn created_location(&self) -> bool {
        !self.has(Fault::CreateNoLocation)
    }

    /// Whether a created resource carries `meta`.
    pub fn created_meta(&self) -> bool {
        !self.has(Fault::CreateNoMeta)
    }

    // -- presentation --

    /// Distorts a resource as it leaves the server.
    pub fn present(&self, resource: &mut Value) {
        let Some(name) = resource.get_mut("name").and_then(Value::as_object_mut) else {
            return;
        };
        if self.has(Fault::NamesSwapped) {
            let given = name.remove("givenName");
            let family = name.remove("familyName");
            if let Some(v) = family {
                name.insert("givenName".into(), v);
            }
            if let Some(v) = given {
                name.insert("familyName".into(), v);
            }
        }
        if self.has(Fault::GivenNameDropped) {
            name.remove("givenName");
        }
    }

    // -- filters --

    /// The filter the server applies, given how the RFC reads the client's.
    pub fn filter(&self, read: Result<Filter, ScimError>) -> Result<Option<Filter>, ScimError> {
        if self.has(Fault::FilterIgnored) {
            return Ok(None);
        }
        match read {
            Err(_) if self.has(Fault::InvalidFilterAccepted) => Ok(None),
            Err(_) if self.has(Fault::InvalidFilter500) => {
                Err(ScimError::new(500, None, "internal error"))
            }
            Err(error) => Err(error),
            Ok(filter) if self.has(Fault::EqAsSubstring) => Ok(Some(substring_eq(filter))),
            Ok(filter) => Ok(Some(filter)),
        }
    }

    /// Whether string comparisons on an attribute are exact, given the RFC's answer.
    pub fn case_exact(&self, dotted: &str, rfc: bool) -> bool {
        rfc || (self.has(Fault::FilterCaseSensitive) && dotted.eq_ignore_ascii_case("userName"))
    }

    // -- paging --

    /// Rejects a `startIndex` below 1 (the RFC reads it as 1).
    pub fn start_index(&self, start: Option<i64>) -> Result<(), ScimError> {
        if self.has(Fault::StartBelowOneRejected) && start.is_some_and(|s| s < 1) {
            return Err(ScimError::new(
                400,
                Some(crate::scim::ScimType::InvalidValue),
                "startIndex must be 1 or more",
            ));
        }
        Ok(())
    }

    /// How many results to skip and take for a 1-based `start` and a `count`.
    pub fn window(&self, start: usize, count: usize) -> (usize, usize) {
        let skip = if self.has(Fault::PagingOffByOne) {
            start
        } else if self.has(Fault::PagesOverlap) {
            start.saturating_sub(2)
        } else {
            start - 1
        };
        let take = if self.has(Fault::CountIgnored) {
            usize::MAX
        } else {
            count
        };
        (skip, take)
    }

    /// `totalResults`, given the size of the result and of the page.
    pub fn total(&self, matched: usize, page: usize) -> usize {
        if self.has(Fault::TotalCountsPage) {
            page
        } else {
            matched
        }
    }

    /// `itemsPerPage`, given the size of the page and the count asked.
    pub fn items_per_page(&self, page: usize, count: Option<i64>) -> usize {
        if self.has(Fault::ItemsPerPageWrong) {
            count.unwrap_or(0).max(0) as usize + 1
        } else {
            page
        }
    }

    // -- updates --

    /// The resource a PUT stores, given the RFC's replacement.
    pub fn put(&self, old: &Value, replacement: Value) -> Value {
        if !self.has(Fault::PutMerges) {
            return replacement;
        }
        let mut merged = old.clone();
        super::patch::merge(&mut merged, &replacement);
        merged
    }

    /// Whether a PATCH is applied (or answered as if it were).
    pub fn patch_applies(&self) -> bool {
        !self.has(Fault::PatchIgnored)
    }

    /// `meta` after a change, given the RFC's new one and the old one.
    pub fn changed_meta(&self, old: &Value, new: &mut Value) {
        if self.has(Fault::LastModifiedFrozen)
            && let Some(frozen) = old.get("lastModified")
        {
            new["lastModified"] = frozen.clone();
        }
        if self.has(Fault::CreatedChanges)
            && let Some(now) = new.get("lastModified").cloned()
        {
            new["created"] = now;
        }
    }

    /// Whether a change gives the resource a new id.
    pub fn rekeys(&self) -> bool {
        self.has(Fault::IdChanges)
    }

    // -- deletes --

    /// What DELETE does, given what the profile documents.
    pub fn delete_mode(&self, documented: DeleteMode) -> DeleteMode {
        match documented {
            DeleteMode::Hard if self.has(Fault::SoftDelete) => DeleteMode::Soft,
            DeleteMode::Soft if self.has(Fault::HardDelete) => DeleteMode::Hard,
            mode => mode,
        }
    }

    /// Whether a soft DELETE really deactivates.
    pub fn deactivates(&self) -> bool {
        !self.has(Fault::DeleteKeepsActive)
    }

    // -- uniqueness --

    /// Whether a userName is taken, given the clashes ignoring case and exactly.
    pub fn taken(&self, ignoring_case: bool, exactly: bool) -> bool {
        if self.has(Fault::DuplicateAccepted) {
            false
        } else if self.has(Fault::UniquenessCaseSensitive) {
            exactly
        } else {
            ignoring_case
        }
    }

    // -- load --

    /// Whether a write fails because other requests are in flight.
    pub fn locked(&self, write: bool, in_flight: usize) -> bool {
        self.has(Fault::LockedUnderLoad) && write && in_flight > 1
    }

    /// The page size a list is capped at, given the declared maximum.
    pub fn page_cap(&self, declared: usize) -> usize {
        if self.has(Fault::MaxResultsExceeded) {
            usize::MAX
        } else {
            declared
        }
    }

    // -- discovery --

    /// Whether `/Schemas` is served (where the profile has it).
    pub fn schemas(&self) -> bool {
        !self.has(Fault::SchemasMissing)
    }

    /// The ServiceProviderConfig as served, given the true one.
    pub fn service_provider_config(&self, mut config: Value) -> Value {
        if self.has(Fault::SpcDeniesFilter) {
            config["filter"]["supported"] = json!(false);
        }
        config
    }
}

/// The `eq-as-substring` fault: every `eq` behaves like `co`.
fn substring_eq(filter: Filter) -> Filter {
    match filter {
        Filter::Compare {
            path,
            op: Op::Eq,
            value,
        } => Filter::Compare {
            path,
            op: Op::Co,
            value,
        },
        Filter::And(terms) => Filter::And(terms.into_iter().map(substring_eq).collect()),
        Filter::Or(terms) => Filter::Or(terms.into_iter().map(substring_eq).collect()),
        Filter::Not(inner) => Filter::Not(Box::new(substring_eq(*inner))),
        other => other,
    }
}
