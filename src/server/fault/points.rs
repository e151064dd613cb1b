//! Where a running server consults its faults: [`Faults`], the chosen
//! faults read once, with one method per named point. Each point takes the
//! RFC's answer, computed by the store or the routes, and returns it as
//! served, distorted only when its fault is on.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::Fault;
use crate::profile::DeleteMode;
use crate::scim::ScimError;
use crate::scim::projection::Projection;
use crate::scim::sort::Order;
use crate::server::query::Query;

/// The faults of one running server, read once.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    set: HashSet<Fault>,
    /// The userNames of deleted users (`user-name-kept-after-delete`).
    pub(super) retired: std::sync::Arc<std::sync::Mutex<HashSet<String>>>,
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
        Faults {
            set,
            ..Faults::default()
        }
    }

    pub(super) fn has(&self, fault: Fault) -> bool {
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
        if !self.error_detail()
            && let Some(fields) = body.as_object_mut()
        {
            fields.remove("detail");
        }
        ErrorWire::Scim { status, body }
    }

    /// Whether a 401 carries its `WWW-Authenticate` challenge.
    pub fn challenges(&self) -> bool {
        !self.has(Fault::NoChallenge)
    }

    // -- authentication --

    /// Whether a request to `path` with `method` is let in without checking
    /// its credentials (only under `auth-users-only` or `writes-unauthenticated`).
    pub fn exempts(&self, method: &axum::http::Method, path: &str) -> bool {
        let users = path.split('/').any(|p| p == "Users");
        let read = matches!(*method, axum::http::Method::GET | axum::http::Method::HEAD);
        (self.has(Fault::AuthUsersOnly) && !users)
            || (self.has(Fault::WritesUnauthenticated) && !read)
    }

    /// Whether the auth scheme word compares ignoring case (RFC 7235 §2.1).
    pub fn scheme_ignores_case(&self) -> bool {
        !self.has(Fault::SchemeCaseSensitive)
    }

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
        if self.has(Fault::ActiveAsString)
            && let Some(active) = resource.get("active").and_then(Value::as_bool)
        {
            resource["active"] = json!(active.to_string());
        }
        if !self.has(Fault::ExtensionNotInSchemas) {
        } else if let Some(schemas) = resource.get_mut("schemas").and_then(Value::as_array_mut) {
            schemas.retain(|s| s.as_str() != Some(crate::scim::urn::ENTERPRISE_USER));
        }
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

    /// Whether a Group list honours `startIndex` (users always do).
    pub fn pages_groups(&self) -> bool {
        !self.has(Fault::GroupStartIgnored)
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
        } else if page == 0 && self.has(Fault::PastEndItemsPerPage) {
            // As ory/polis#4054 did before its fix: the count asked for.
            count.unwrap_or(0).max(0) as usize
        } else {
            page
        }
    }

    /// Whether an attribute with `returned: never` is left out of answers.
    pub fn hides_never_returned(&self) -> bool {
        !self.has(Fault::PasswordReturned)
    }

    // -- what a write keeps --

    /// Whether the server keeps an attribute a client sent: `extension` is
    /// the URN it lives under (`None`: the core schema), `dotted` its path.
    pub fn keeps(&self, extension: Option<&str>, dotted: &str) -> bool {
        let dropped = match extension {
            Some(urn) => {
                self.has(Fault::ExtensionDropped) && urn == crate::scim::urn::ENTERPRISE_USER
            }
            None => {
                (self.has(Fault::ExternalIdDropped) && dotted == "externalId")
                    || (self.has(Fault::NamePartsDropped)
                        && [
                            "name.middleName",
                            "name.honorificPrefix",
                            "name.honorificSuffix",
                        ]
                        .contains(&dotted))
                    || (self.has(Fault::PhoneTypeDropped) && dotted == "phoneNumbers.type")
            }
        };
        !dropped
    }

    /// Whether read-only attributes a client sends are ignored.
    pub fn ignores_read_only(&self) -> bool {
        !self.has(Fault::ReadOnlyApplied)
    }

    /// Whether an immutable attribute keeps the value it has.
    pub fn guards_immutable(&self) -> bool {
        !self.has(Fault::ImmutableChangeable)
    }

    /// Whether a create must carry the required attributes.
    pub fn requires(&self) -> bool {
        !self.has(Fault::RequiredNotEnforced)
    }

    // -- updates --

    /// The resource a PUT stores, given the RFC's replacement.
    pub fn put(&self, old: &Value, replacement: Value) -> Value {
        let replacement = self.keep_given_name(old, replacement);
        if !self.has(Fault::PutMerges) {
            return replacement;
        }
        let mut merged = old.clone();
        crate::server::patch::merge(&mut merged, &replacement);
        merged
    }

    /// Whether a PATCH is applied (or answered as if it were).
    pub fn patch_applies(&self) -> bool {
        !self.has(Fault::PatchIgnored)
    }

    /// Whether a PATCH that makes a value primary demotes the others.
    pub fn demotes_primaries(&self) -> bool {
        !self.has(Fault::PrimaryNotDemoted)
    }

    /// Whether a PATCH `add` to a multi-valued attribute adds (else it replaces).
    pub fn add_appends(&self) -> bool {
        !self.has(Fault::PatchAddReplaces)
    }

    /// Whether a value-filtered path changes only the matching values.
    pub fn filters_values(&self) -> bool {
        !self.has(Fault::ValueFilterIgnored)
    }

    /// Whether a PATCH `remove` of a whole complex attribute removes it.
    pub fn removes_complex(&self) -> bool {
        !self.has(Fault::RemoveComplexIgnored)
    }

    /// Whether a PATCH must leave the required attributes in place.
    pub fn patch_keeps_required(&self) -> bool {
        !self.has(Fault::RemoveRequiredAccepted)
    }

    /// Whether a PATCH path may name an extension's attribute behind its URN.
    pub fn urn_paths(&self) -> bool {
        !self.has(Fault::UrnPathRejected)
    }

    /// `meta` after a change, given the RFC's new one and the old one.
    pub fn changed_meta(&self, old: &Value, new: &mut Value) {
        if self.has(Fault::EtagFrozen)
            && let Some(version) = old.get("version")
        {
            new["version"] = version.clone();
        }
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

    // -- projection, sorting, search --

    /// The projection an answer gets, given the one its request asked for
    /// (`write`: the answer of a POST, PUT or PATCH).
    pub fn projection(&self, asked: Projection, write: bool) -> Projection {
        let ignored = match write {
            true => self.has(Fault::WriteUnprojected),
            false => self.has(Fault::ProjectionIgnored),
        };
        if ignored { Projection::Default } else { asked }
    }

    /// A projected resource, `excludedAttributes=id` given its way.
    pub fn projected(&self, asked: &Projection, resource: &mut Value) {
        if let Projection::Excluded(names) = asked
            && self.has(Fault::AlwaysExcludable)
            && names.iter().any(|n| n.eq_ignore_ascii_case("id"))
            && let Some(fields) = resource.as_object_mut()
        {
            fields.remove("id");
        }
    }

    /// Whether a `returned: request` attribute waits to be asked for.
    pub fn hides_requested(&self) -> bool {
        !self.has(Fault::RequestReturnedByDefault)
    }

    /// The order a list is sorted in, given the one asked for.
    pub fn sort_order(&self, asked: Order) -> Order {
        if self.has(Fault::SortOrderIgnored) {
            Order::Ascending
        } else {
            asked
        }
    }

    /// Whether strings sort case-exactly, given what the attribute is.
    pub fn sorts_case_exact(&self, case_exact: bool) -> bool {
        case_exact || self.has(Fault::SortCaseSensitive)
    }

    /// The query a `.search` runs, given the one its body holds.
    pub fn search(&self, mut query: Query) -> Query {
        if self.has(Fault::SearchIgnoresFilter) {
            query.filter = None;
        }
        query
    }

    // -- versions --

    /// Whether resource answers carry their ETag.
    pub fn sends_etag(&self) -> bool {
        !self.has(Fault::EtagHeaderMissing)
    }

    /// Whether a GET honours If-None-Match.
    pub fn honours_if_none_match(&self) -> bool {
        !self.has(Fault::IfNoneMatchIgnored)
    }

    /// Whether a write honours If-Match.
    pub fn honours_if_match(&self) -> bool {
        !self.has(Fault::IfMatchIgnored)
    }

    // -- bulk, /Me, passwords --

    /// Whether Bulk jobs are held to maxOperations and maxPayloadSize.
    pub fn enforces_bulk_limits(&self) -> bool {
        !self.has(Fault::BulkLimitsIgnored)
    }

    /// Whether `failOnErrors` stops a Bulk job.
    pub fn honours_fail_on_errors(&self) -> bool {
        !self.has(Fault::FailOnErrorsIgnored)
    }

    /// Whether `bulkId:` references are replaced by the ids created.
    pub fn resolves_bulk_ids(&self) -> bool {
        !self.has(Fault::BulkIdUnresolved)
    }

    /// A Bulk job's results as answered, given one per operation.
    pub fn bulk_results(&self, results: &mut Vec<Value>) {
        if self.has(Fault::BulkOneResult) {
            results.truncate(1);
        }
    }

    /// The status of `/Me` on a server without it.
    pub fn me_status(&self) -> u16 {
        if self.has(Fault::MeNotFound) {
            404
        } else {
            501
        }
    }

    /// Whether a PATCH may change the password.
    pub fn accepts_password_change(&self) -> bool {
        !self.has(Fault::PasswordChangeRejected)
    }

    // -- endpoints and ids --

    /// Whether an unknown endpoint is answered with an HTML page.
    pub fn html_not_found(&self) -> bool {
        self.has(Fault::UnknownEndpointHtml)
    }

    /// Whether a request for this id breaks the server (a 500).
    pub fn breaks_on_id(&self, id: &str) -> bool {
        self.has(Fault::OddId500) && uuid::Uuid::parse_str(id).is_err()
    }

    /// Whether writes to a discovery endpoint are answered 200.
    pub fn discovery_writable(&self) -> bool {
        self.has(Fault::DiscoveryWritable)
    }

    /// Whether a malformed PUT or PATCH body breaks the server (a 500).
    pub fn breaks_on_malformed_update(&self) -> bool {
        self.has(Fault::MalformedUpdate500)
    }

    // -- discovery --

    /// Whether `/Schemas` is served (where the profile has it).
    pub fn schemas(&self) -> bool {
        !self.has(Fault::SchemasMissing)
    }

    /// A schema as `/Schemas/{id}` serves it, given the one `/Schemas` lists.
    pub fn schema_by_id(&self, mut schema: Value) -> Value {
        if self.has(Fault::SchemaByIdDiffers)
            && let Some(attributes) = schema["attributes"].as_array_mut()
        {
            attributes.pop();
        }
        schema
    }

    /// An attribute definition as `/Schemas` serves it.
    pub fn definition(&self, mut definition: Value) -> Value {
        if self.has(Fault::DefinitionsIncomplete)
            && let Some(fields) = definition.as_object_mut()
        {
            fields.remove("multiValued");
        }
        definition
    }

    /// Whether `/ResourceTypes` is a ListResponse (else a bare array).
    pub fn lists_resource_types(&self) -> bool {
        !self.has(Fault::ResourceTypesBare)
    }

    /// The ServiceProviderConfig as served, given the true one.
    pub fn service_provider_config(&self, mut config: Value) -> Value {
        if self.has(Fault::SpcDeniesFilter) {
            config["filter"]["supported"] = json!(false);
        }
        config
    }
}
