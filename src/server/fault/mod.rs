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

use std::fmt;
use std::str::FromStr;

mod points;

pub use points::{ErrorWire, Faults};

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
    ExternalIdDropped,
    NamePartsDropped,
    PhoneTypeDropped,
    ActiveAsString,
    PasswordReturned,
    PrimaryNotDemoted,
    PatchAddReplaces,
    ValueFilterIgnored,
    RemoveComplexIgnored,
    RemoveRequiredAccepted,
    ReadOnlyApplied,
    ImmutableChangeable,
    RequiredNotEnforced,
    ExtensionDropped,
    ExtensionNotInSchemas,
    UrnPathRejected,
    UnknownEndpointHtml,
    OddId500,
    DiscoveryWritable,
    MalformedUpdate500,
    SchemaByIdDiffers,
    DefinitionsIncomplete,
    ResourceTypesBare,
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
        Fault::ExternalIdDropped,
        Fault::NamePartsDropped,
        Fault::PhoneTypeDropped,
        Fault::ActiveAsString,
        Fault::PasswordReturned,
        Fault::PrimaryNotDemoted,
        Fault::PatchAddReplaces,
        Fault::ValueFilterIgnored,
        Fault::RemoveComplexIgnored,
        Fault::RemoveRequiredAccepted,
        Fault::ReadOnlyApplied,
        Fault::ImmutableChangeable,
        Fault::RequiredNotEnforced,
        Fault::ExtensionDropped,
        Fault::ExtensionNotInSchemas,
        Fault::UrnPathRejected,
        Fault::UnknownEndpointHtml,
        Fault::OddId500,
        Fault::DiscoveryWritable,
        Fault::MalformedUpdate500,
        Fault::SchemaByIdDiffers,
        Fault::DefinitionsIncomplete,
        Fault::ResourceTypesBare,
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
            Fault::ExternalIdDropped => (
                "external-id-dropped",
                "rfc7643#3.1",
                "externalId is accepted and never stored",
            ),
            Fault::NamePartsDropped => (
                "name-parts-dropped",
                "rfc7643#4.1.1",
                "name.middleName, honorificPrefix and honorificSuffix are accepted and dropped",
            ),
            Fault::PhoneTypeDropped => (
                "phone-type-dropped",
                "rfc7643#4.1.2",
                "phoneNumbers values lose their type",
            ),
            Fault::ActiveAsString => (
                "active-as-string",
                "rfc7643#4.1.1",
                "active is returned as the string \"true\" or \"false\", not a boolean",
            ),
            Fault::PasswordReturned => (
                "password-returned",
                "rfc7643#4.1.1",
                "the password is returned in responses",
            ),
            Fault::PrimaryNotDemoted => (
                "primary-not-demoted",
                "rfc7644#3.5.2",
                "a PATCH that makes a value primary leaves the old primary value primary too",
            ),
            Fault::PatchAddReplaces => (
                "patch-add-replaces",
                "rfc7644#3.5.2.1",
                "PATCH add to a multi-valued attribute replaces its values instead of adding to them",
            ),
            Fault::ValueFilterIgnored => (
                "value-filter-ignored",
                "rfc7644#3.5.2.3",
                "a value-filtered PATCH path changes every value, not only the matching ones",
            ),
            Fault::RemoveComplexIgnored => (
                "remove-complex-ignored",
                "rfc7644#3.5.2.2",
                "PATCH remove of a complex attribute answers success and leaves it",
            ),
            Fault::RemoveRequiredAccepted => (
                "remove-required-accepted",
                "rfc7644#3.5.2.2",
                "PATCH remove of a required attribute (userName) succeeds",
            ),
            Fault::ReadOnlyApplied => (
                "read-only-applied",
                "rfc7644#3.3",
                "read-only attributes sent on create or PUT are stored",
            ),
            Fault::ImmutableChangeable => (
                "immutable-changeable",
                "rfc7644#3.5.1",
                "an immutable attribute that has a value can be changed",
            ),
            Fault::RequiredNotEnforced => (
                "required-not-enforced",
                "rfc7643#4.1.1",
                "a create without a required attribute succeeds",
            ),
            Fault::ExtensionDropped => (
                "extension-dropped",
                "rfc7643#4.3",
                "the enterprise extension's attributes are accepted and dropped",
            ),
            Fault::ExtensionNotInSchemas => (
                "extension-not-in-schemas",
                "rfc7643#3",
                "a user with enterprise attributes does not list the extension's URN in `schemas`",
            ),
            Fault::UrnPathRejected => (
                "urn-path-rejected",
                "rfc7644#3.5.2",
                "a PATCH path behind an extension's URN is 400 invalidPath",
            ),
            Fault::UnknownEndpointHtml => (
                "unknown-endpoint-html",
                "rfc7644#3.12",
                "an unknown endpoint answers 404 with an HTML page",
            ),
            Fault::OddId500 => (
                "odd-id-500",
                "rfc7644#3.12",
                "an id that is not a UUID gets 500 with a plain-text body",
            ),
            Fault::DiscoveryWritable => (
                "discovery-writable",
                "rfc7644#3.12",
                "a method an endpoint does not serve (POST, PUT, PATCH or DELETE on /Schemas, /ResourceTypes or /ServiceProviderConfig) answers 200",
            ),
            Fault::MalformedUpdate500 => (
                "malformed-update-500",
                "rfc7644#3.12",
                "malformed JSON in a PUT or PATCH answers 500",
            ),
            Fault::SchemaByIdDiffers => (
                "schema-by-id-differs",
                "rfc7644#4",
                "GET /Schemas/{urn} omits an attribute its /Schemas entry lists",
            ),
            Fault::DefinitionsIncomplete => (
                "definitions-incomplete",
                "rfc7643#7",
                "attribute definitions in /Schemas lack `multiValued`",
            ),
            Fault::ResourceTypesBare => (
                "resource-types-bare",
                "rfc7644#4",
                "/ResourceTypes answers a bare JSON array, not a ListResponse",
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
