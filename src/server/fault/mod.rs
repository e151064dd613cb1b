//! Named faults: ways the reference server can be told to break one
//! documented rule (`scimcheck serve --fault NAME`), so that the suite's power
//! to catch them can be measured.
//!
//! [`Fault`] is the catalogue (name, rule broken, effect). [`Faults`] is
//! what a running server consults: the chosen faults read once into a
//! small value with one method per named point (the answer's wire format,
//! authentication, creation, presentation, filters, paging, updates,
//! deletes, uniqueness, discovery in `points.rs`; groups, identity-provider
//! dialects and the draft interop profile's rules in files of their own).
//! The store and the routes compute the
//! RFC's answer and pass it through that point, so each rule reads on its
//! own and each fault lives in one place.

use std::fmt;
use std::str::FromStr;

mod dialect;
mod groups;
mod interop;
mod points;

pub use points::{ErrorWire, Faults};

/// The catalogue, written once: each fault's variant, its name on the
/// command line, the rule it breaks (a rule id cases cite) and what the
/// server then does wrong.
macro_rules! catalogue {
    ($($fault:ident => ($name:literal, $rule:literal, $effect:literal),)*) => {
        /// One deliberate deviation from the rules.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fault {
            $($fault,)*
        }

        impl Fault {
            /// Every fault, in catalogue order.
            pub const ALL: &[Fault] = &[$(Fault::$fault,)*];

            fn describe(self) -> (&'static str, &'static str, &'static str) {
                match self {
                    $(Fault::$fault => ($name, $rule, $effect),)*
                }
            }
        }
    };
}

catalogue! {
    CreateReturns200 => ("create-returns-200", "rfc7644#3.3", "POST /Users answers 200 instead of 201"),
    CreateNoLocation => ("create-no-location", "rfc7644#3.3", "POST /Users omits the Location header"),
    CreateNoMeta => ("create-no-meta", "rfc7643#3.1", "created users carry no meta"),
    NamesSwapped => ("names-swapped", "insightly.attr.name.givenName", "givenName and familyName are swapped in responses"),
    GivenNameDropped => ("given-name-dropped", "insightly.attr.name.givenName", "name.givenName is never returned"),
    FilterCaseSensitive => ("filter-case-sensitive", "rfc7644#3.4.2.2", "userName eq compares case-sensitively"),
    EqAsSubstring => ("eq-as-substring", "rfc7644#3.4.2.2", "eq matches substrings (behaves like co)"),
    FilterIgnored => ("filter-ignored", "insightly.op.filter", "the filter parameter is ignored: every user is returned"),
    InvalidFilterAccepted => ("invalid-filter-accepted", "rfc7644#3.4.2.2", "unparseable or unsupported filters answer 200 with every user"),
    InvalidFilter500 => ("invalid-filter-500", "rfc7644#3.4.2.2", "unparseable or unsupported filters answer 500 instead of 400 invalidFilter"),
    PagingOffByOne => ("paging-off-by-one", "rfc7644#3.4.2.4", "startIndex is treated as 0-based"),
    TotalCountsPage => ("total-counts-page", "rfc7644#3.4.2.4", "totalResults counts the page, not the result set"),
    ItemsPerPageWrong => ("items-per-page-wrong", "rfc7644#3.4.2.4", "itemsPerPage echoes count, not the resources returned"),
    CountIgnored => ("count-ignored", "rfc7644#3.4.2.4", "count is ignored: every page holds every result"),
    PagesOverlap => ("pages-overlap", "rfc7644#3.4.2.4", "every page after the first repeats the previous page's last user"),
    StartBelowOneRejected => ("start-below-one-rejected", "rfc7644#3.4.2.4", "startIndex < 1 answers 400 instead of being treated as 1"),
    PutMerges => ("put-merges", "rfc7644#3.5.1", "PUT merges into the user instead of replacing it"),
    PatchIgnored => ("patch-ignored", "insightly.op.patch", "PATCH answers 200 but changes nothing"),
    IdChanges => ("id-changes", "insightly.attr.id", "every update gives the user a new id"),
    CreatedChanges => ("created-changes", "insightly.attr.meta.created", "every update resets meta.created"),
    LastModifiedFrozen => ("last-modified-frozen", "insightly.attr.meta.lastModified", "meta.lastModified never advances"),
    HardDelete => ("hard-delete", "insightly.op.delete", "DELETE removes the user (where deactivation is documented)"),
    SoftDelete => ("soft-delete", "rfc7644#3.6", "DELETE only deactivates the user (where removal is documented)"),
    DeleteKeepsActive => ("delete-keeps-active", "insightly.op.delete", "DELETE answers 204 but the user stays active"),
    ErrorNotScim => ("error-not-scim", "rfc7644#3.12", "errors are plain text, not SCIM Error JSON"),
    ErrorStatusNumber => ("error-status-number", "rfc7644#3.12", "Error status is a JSON number, not a string"),
    NotFoundIs500 => ("not-found-is-500", "rfc7644#3.12", "an unknown id answers 500 instead of 404"),
    DuplicateAccepted => ("duplicate-accepted", "rfc7643#4.1.1", "a duplicate userName is accepted"),
    UniquenessCaseSensitive => ("uniqueness-case-sensitive", "rfc7643#4.1.1", "userName uniqueness ignores letter case differences (Ada vs ada both accepted)"),
    NoAuth => ("no-auth", "rfc7644#2", "requests without credentials are served"),
    AnyTokenAccepted => ("any-token-accepted", "rfc7644#2", "any bearer token is accepted, not only the configured one"),
    NoChallenge => ("no-www-authenticate", "rfc7235#3.1", "a 401 carries no WWW-Authenticate challenge"),
    JsonContentType => ("json-content-type", "rfc7644#3.8", "responses are labelled application/json"),
    SchemasMissing => ("schemas-missing", "insightly.op.schemas", "GET /Schemas answers 404"),
    LockedUnderLoad => ("locked-under-load", "finding:concurrency", "a write answers 500 \"database is locked\" while another request is in flight (a SQLite-backed server)"),
    SpcDeniesFilter => ("spc-denies-filter", "finding:claims", "ServiceProviderConfig says filter.supported: false, while every filter works"),
    MaxResultsExceeded => ("max-results-exceeded", "rfc7643#5", "a count above the declared maximum page size is served in full"),
    ExternalIdDropped => ("external-id-dropped", "rfc7643#3.1", "externalId is accepted and never stored"),
    NamePartsDropped => ("name-parts-dropped", "rfc7643#4.1.1", "name.middleName, honorificPrefix and honorificSuffix are accepted and dropped"),
    PhoneTypeDropped => ("phone-type-dropped", "rfc7643#4.1.2", "phoneNumbers values lose their type"),
    ActiveAsString => ("active-as-string", "rfc7643#4.1.1", "active is returned as the string \"true\" or \"false\", not a boolean"),
    PasswordReturned => ("password-returned", "rfc7643#4.1.1", "the password is returned in responses"),
    PrimaryNotDemoted => ("primary-not-demoted", "rfc7644#3.5.2", "a PATCH that makes a value primary leaves the old primary value primary too"),
    PatchAddReplaces => ("patch-add-replaces", "rfc7644#3.5.2.1", "PATCH add to a multi-valued attribute replaces its values instead of adding to them"),
    ValueFilterIgnored => ("value-filter-ignored", "rfc7644#3.5.2.3", "a value-filtered PATCH path changes every value, not only the matching ones"),
    RemoveComplexIgnored => ("remove-complex-ignored", "rfc7644#3.5.2.2", "PATCH remove of a complex attribute answers success and leaves it"),
    RemoveRequiredAccepted => ("remove-required-accepted", "rfc7644#3.5.2.2", "PATCH remove of a required attribute (userName) succeeds"),
    ReadOnlyApplied => ("read-only-applied", "rfc7644#3.3", "read-only attributes sent on create or PUT are stored"),
    ImmutableChangeable => ("immutable-changeable", "rfc7644#3.5.1", "an immutable attribute that has a value can be changed"),
    RequiredNotEnforced => ("required-not-enforced", "rfc7643#4.1.1", "a create without a required attribute succeeds"),
    ExtensionDropped => ("extension-dropped", "rfc7643#4.3", "the enterprise extension's attributes are accepted and dropped"),
    ExtensionNotInSchemas => ("extension-not-in-schemas", "rfc7643#3", "a user with enterprise attributes does not list the extension's URN in `schemas`"),
    UrnPathRejected => ("urn-path-rejected", "rfc7644#3.5.2", "a PATCH path behind an extension's URN is 400 invalidPath"),
    UnknownEndpointHtml => ("unknown-endpoint-html", "rfc7644#3.12", "an unknown endpoint answers 404 with an HTML page"),
    OddId500 => ("odd-id-500", "rfc7644#3.12", "an id that is not a UUID gets 500 with a plain-text body"),
    DiscoveryWritable => ("discovery-writable", "rfc7644#3.12", "a method an endpoint does not serve (POST, PUT, PATCH or DELETE on /Schemas, /ResourceTypes or /ServiceProviderConfig) answers 200"),
    MalformedUpdate500 => ("malformed-update-500", "rfc7644#3.12", "malformed JSON in a PUT or PATCH answers 500"),
    SchemaByIdDiffers => ("schema-by-id-differs", "rfc7644#4", "GET /Schemas/{urn} omits an attribute its /Schemas entry lists"),
    DefinitionsIncomplete => ("definitions-incomplete", "rfc7643#7", "attribute definitions in /Schemas lack `multiValued`"),
    ResourceTypesBare => ("resource-types-bare", "rfc7644#4", "/ResourceTypes answers a bare JSON array, not a ListResponse"),
    ProjectionIgnored => ("projection-ignored", "rfc7644#3.9", "`attributes` and `excludedAttributes` are ignored on GET and in lists"),
    WriteUnprojected => ("write-unprojected", "rfc7644#3.9", "the answers of POST, PUT and PATCH ignore `attributes` and `excludedAttributes`"),
    AlwaysExcludable => ("always-excludable", "rfc7644#3.4.2.5", "`excludedAttributes=id` removes `id`, which is returned always"),
    RequestReturnedByDefault => ("request-returned-by-default", "rfc7643#7", "an attribute declared `returned: request` is returned without being asked for"),
    SortOrderIgnored => ("sort-order-ignored", "rfc7644#3.4.2.3", "`sortOrder=descending` sorts ascending"),
    SortCaseSensitive => ("sort-case-sensitive", "rfc7644#3.4.2.3", "case-insensitive attributes sort case-sensitively"),
    SearchIgnoresFilter => ("search-ignores-filter", "rfc7644#3.4.3", "POST .search ignores the filter in its body"),
    EtagHeaderMissing => ("etag-header-missing", "rfc7644#3.14", "no ETag header on resource answers"),
    EtagFrozen => ("etag-frozen", "rfc7644#3.14", "meta.version and the ETag stay the same when the resource changes"),
    IfNoneMatchIgnored => ("if-none-match-ignored", "rfc7232#3.2", "a GET whose If-None-Match names the current version answers 200 with the resource"),
    IfMatchIgnored => ("if-match-ignored", "rfc7232#3.1", "a write whose If-Match names an older version is applied"),
    BulkOneResult => ("bulk-one-result", "rfc7644#3.7.3", "a Bulk job answers one result for all its operations"),
    BulkIdUnresolved => ("bulk-id-unresolved", "rfc7644#3.7.2", "`bulkId:` references are stored as written, not replaced by the new ids"),
    BulkLimitsIgnored => ("bulk-limits-ignored", "rfc7644#3.7.4", "a Bulk job over maxOperations or maxPayloadSize is processed, not 413"),
    FailOnErrorsIgnored => ("fail-on-errors-ignored", "rfc7644#3.7.3", "`failOnErrors` is ignored: every operation runs"),
    MeNotFound => ("me-not-found", "rfc7644#3.11", "/Me answers 404 instead of 501"),
    PasswordChangeRejected => ("password-change-rejected", "rfc7643#5", "a PATCH of the password is refused although changePassword is declared"),
    MembersDropped => ("members-dropped", "rfc7643#4.2", "a Group's members are accepted and dropped"),
    MembersCapped => ("members-capped", "rfc7643#4.2", "a Group keeps its first 100 members and drops the rest"),
    MemberRemoveIgnored => ("member-remove-ignored", "rfc7644#3.5.2.2", "PATCH remove of members[value eq ...] answers success and removes nothing"),
    LostUpdate => ("lost-update", "rfc7644#3.5.2", "PATCH on a Group reads, waits, then writes: concurrent changes are lost"),
    UserGroupsStale => ("user-groups-stale", "rfc7643#4.1.2", "a User's groups attribute keeps listing the groups it has left"),
    UserGroupsWritable => ("user-groups-writable", "rfc7643#4.1.2", "a PATCH adding to a User's read-only groups makes it a member"),
    UnknownMember500 => ("unknown-member-500", "rfc7644#3.12", "a member that is no resource of the server gets a 500"),
    GroupFilterIgnored => ("group-filter-ignored", "rfc7644#3.4.2.2", "a Group list ignores its filter (a lookup by displayName finds every group)"),
    DuplicateMembers => ("duplicate-members", "rfc7644#3.5.2.1", "an add of a member already there lists it twice"),
    DisplayNameCaseSensitive => ("display-name-case-sensitive", "rfc7644#3.4.2.2", "displayName eq compares case-sensitively (the lookup before a group is created misses it)"),
    // Where real servers break identity-provider clients: caught by the
    // client flows that send the request (`run --client`).
    StringBooleansRejected => ("string-booleans-rejected", "client:entra", "a boolean sent as a string (Entra's `\"value\": \"False\"`) is 400 invalidValue"),
    CapitalisedOpsRefused => ("capitalised-ops-refused", "client:entra", "PATCH ops compare case-sensitively: `Replace`, `Add`, `Remove` are 400"),
    ValuePathAddNoTarget => ("value-path-add-notarget", "client:entra", "an `add` to a value-filtered path that matches nothing is 400 noTarget instead of creating the value"),
    GroupLookupExcludedIgnored => ("group-lookup-excluded-ignored", "client:entra", "`excludedAttributes=members` is ignored on group lookups: every member comes back"),
    EmptyResult404 => ("empty-result-404", "client:entra", "a filter that matches nothing answers 404 instead of an empty ListResponse"),
    // The SCIM Interoperability Profile's rules, stricter than the RFC's
    // (served under `--profile scim-interop`).
    InteropFlagMissing => ("interop-flag-missing", "doc:scim-interop-02#scope-and-conformance", "ServiceProviderConfig omits interopProfileConformant"),
    ResourceTypeIdDiffers => ("resource-type-id-differs", "doc:scim-interop-02#discovery-endpoints", "a ResourceType's id is not its name (`user` for `User`)"),
    CanonicalValuesMissing => ("canonical-values-missing", "doc:scim-interop-02#canonical-values-for-typed-attributes", "/Schemas declares no canonicalValues for emails.type"),
    UnknownAttributeDropped => ("unknown-attribute-dropped", "doc:scim-interop-02#attribute-and-schema-handling", "an attribute or schema URN the server does not define is dropped, not rejected"),
    PathlessPatchAccepted => ("pathless-patch-accepted", "doc:scim-interop-02#mandatory-use-of-the-path-attribute", "a PATCH operation without a path is applied, not rejected"),
    ComplexReplaceMerges => ("complex-replace-merges", "doc:scim-interop-02#singular-attributes-simple-and-complex", "a replace of a whole complex attribute keeps the sub-attributes it omits"),
    ExternalIdCaseInsensitive => ("external-id-case-insensitive", "doc:scim-interop-02#case-sensitivity", "externalId eq compares ignoring case"),
    UserNameAddressable => ("user-name-addressable", "doc:scim-interop-02#endpoint-structure", "GET /Users/{userName} answers the user"),
    UserNameKeptAfterDelete => ("user-name-kept-after-delete", "doc:scim-interop-02#resource-lifecycle", "a deleted user's userName stays taken: a new user with it gets 409"),
    UnknownFilterAttributeEmpty => ("unknown-filter-attribute-empty", "doc:scim-interop-02#filtering", "a filter on an attribute no schema defines answers an empty list, not 400 invalidFilter"),
}

impl Fault {
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
