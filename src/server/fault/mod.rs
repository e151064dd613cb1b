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
mod filters;
mod groups;
mod http;
mod interop;
mod patching;
mod points;

pub use points::{ErrorWire, Faults};

/// The catalogue, written once: each fault's variant, its name on the
/// command line, the rule it breaks (a rule id cases cite), what the
/// server then does wrong, the profile a run judges it by, and — for a
/// dialect fault — the identity-provider clients whose flows send what it
/// breaks.
///
/// The profile is the one the fault is a deviation from: `insightly` (the
/// seed's) for what its guide documents; `rfc7644` for what it does not
/// (the RFC 7643 attributes beyond the guide's, PATCH add and remove, the
/// optional features, Groups) and for removal on DELETE, which only a
/// server documented to remove breaks; `auto` for a claim only discovery
/// reads; `scim-interop` for the interop profile's stricter rules.
macro_rules! catalogue {
    ($($fault:ident => ($name:literal, $rule:literal, $effect:literal, $profile:literal $(, [$($client:literal),*])?),)*) => {
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

            /// The profile a run judges the fault by: the one it is a deviation from.
            pub fn judged_by(self) -> &'static str {
                match self {
                    $(Fault::$fault => $profile,)*
                }
            }

            /// For a dialect fault (rule `client:…`): the client flows that
            /// send the request it breaks. Those must break; every other
            /// client must still work.
            pub fn senders(self) -> &'static [&'static str] {
                match self {
                    $(Fault::$fault => &[$($($client),*)?],)*
                }
            }
        }
    };
}

catalogue! {
    CreateReturns200 => ("create-returns-200", "rfc7644#3.3", "POST /Users answers 200 instead of 201", "insightly"),
    CreateNoLocation => ("create-no-location", "rfc7644#3.3", "POST /Users omits the Location header", "insightly"),
    CreateNoMeta => ("create-no-meta", "rfc7643#3.1", "created users carry no meta", "insightly"),
    NamesSwapped => ("names-swapped", "insightly.attr.name.givenName", "givenName and familyName are swapped in responses", "insightly"),
    GivenNameDropped => ("given-name-dropped", "insightly.attr.name.givenName", "name.givenName is never returned", "insightly"),
    FilterCaseSensitive => ("filter-case-sensitive", "rfc7644#3.4.2.2", "userName eq compares case-sensitively", "insightly"),
    EqAsSubstring => ("eq-as-substring", "rfc7644#3.4.2.2", "eq matches substrings (behaves like co)", "insightly"),
    FilterIgnored => ("filter-ignored", "insightly.op.filter", "the filter parameter is ignored: every user is returned", "insightly"),
    InvalidFilterAccepted => ("invalid-filter-accepted", "rfc7644#3.4.2.2", "unparseable or unsupported filters answer 200 with every user", "insightly"),
    InvalidFilter500 => ("invalid-filter-500", "rfc7644#3.4.2.2", "unparseable or unsupported filters answer 500 instead of 400 invalidFilter", "insightly"),
    ExtensionFilterMisread => ("extension-filter-misread", "rfc7644#3.4.2.2", "a filter on an extension attribute named by its URN (`urn:…:enterprise:2.0:User:employeeNumber eq …`) looks for it among the core attributes, and matches nobody", "rfc7644"),
    LeftToRightLogic => ("left-to-right-logic", "rfc7644#3.4.2.2", "`and` and `or` have one precedence, read left to right: `a or b and c` selects as `(a or b) and c`", "rfc7644"),
    LogicCaseSensitive => ("logic-case-sensitive", "rfc7644#3.4.2.2", "logical operators in upper or mixed case (`AND`, `Or`, `NOT`) are 400 invalidFilter", "rfc7644"),
    MultiValuedFirstOnly => ("multi-valued-first-only", "rfc7644#3.4.2.2", "a filter on a multi-valued attribute sees only its first value (`emails.value eq` misses a user's second address)", "rfc7644"),
    PresentOnEmpty => ("present-on-empty", "rfc7644#3.4.2.2", "`pr` holds for an attribute stored as an empty list", "rfc7644"),
    DatesAsText => ("dates-as-text", "rfc7644#3.4.2.2", "dateTime comparisons (`meta.lastModified gt \"…\"`) compare the text, not the instants: wrong across time-zone offsets", "rfc7644"),
    ExternalIdUnfilterable => ("external-id-unfilterable", "rfc7644#3.4.2.2", "`externalId eq` selects nobody (the attribute Entra ID and Okta match users on)", "rfc7644"),
    MemberFilterEmpty => ("member-filter-empty", "rfc7644#3.4.2.2", "a Group filter on `members` (`members[value eq \"…\"]`, `members eq \"…\"`) selects no group", "rfc7644"),
    PagingOffByOne => ("paging-off-by-one", "rfc7644#3.4.2.4", "startIndex is treated as 0-based", "insightly"),
    TotalCountsPage => ("total-counts-page", "rfc7644#3.4.2.4", "totalResults counts the page, not the result set", "insightly"),
    ItemsPerPageWrong => ("items-per-page-wrong", "rfc7644#3.4.2.4", "itemsPerPage echoes count, not the resources returned", "insightly"),
    CountIgnored => ("count-ignored", "rfc7644#3.4.2.4", "count is ignored: every page holds every result", "insightly"),
    PagesOverlap => ("pages-overlap", "rfc7644#3.4.2.4", "every page after the first repeats the previous page's last user", "insightly"),
    GroupStartIgnored => ("group-start-ignored", "rfc7644#3.4.2.4", "startIndex is ignored on /Groups (users page correctly): every page of groups starts at the first", "rfc7644"),
    StartBelowOneRejected => ("start-below-one-rejected", "rfc7644#3.4.2.4", "startIndex < 1 answers 400 instead of being treated as 1", "insightly"),
    PutMerges => ("put-merges", "rfc7644#3.5.1", "PUT merges into the user instead of replacing it", "rfc7644"),
    PatchIgnored => ("patch-ignored", "insightly.op.patch", "PATCH answers 200 but changes nothing", "insightly"),
    IdChanges => ("id-changes", "insightly.attr.id", "every update gives the user a new id", "insightly"),
    CreatedChanges => ("created-changes", "insightly.attr.meta.created", "every update resets meta.created", "insightly"),
    LastModifiedFrozen => ("last-modified-frozen", "insightly.attr.meta.lastModified", "meta.lastModified never advances", "insightly"),
    HardDelete => ("hard-delete", "insightly.op.delete", "DELETE removes the user (where deactivation is documented)", "insightly"),
    SoftDelete => ("soft-delete", "rfc7644#3.6", "DELETE only deactivates the user (where removal is documented)", "rfc7644"),
    DeleteKeepsActive => ("delete-keeps-active", "insightly.op.delete", "DELETE answers 204 but the user stays active", "insightly"),
    ErrorNotScim => ("error-not-scim", "rfc7644#3.12", "errors are plain text, not SCIM Error JSON", "insightly"),
    ErrorStatusNumber => ("error-status-number", "rfc7644#3.12", "Error status is a JSON number, not a string", "insightly"),
    NotFoundIs500 => ("not-found-is-500", "rfc7644#3.12", "an unknown id answers 500 instead of 404", "insightly"),
    DuplicateAccepted => ("duplicate-accepted", "rfc7643#4.1.1", "a duplicate userName is accepted", "insightly"),
    UniquenessCaseSensitive => ("uniqueness-case-sensitive", "rfc7643#4.1.1", "userName uniqueness ignores letter case differences (Ada vs ada both accepted)", "insightly"),
    NoAuth => ("no-auth", "rfc7644#2", "requests without credentials are served", "insightly"),
    AnyTokenAccepted => ("any-token-accepted", "rfc7644#2", "any bearer token is accepted, not only the configured one", "insightly"),
    AuthUsersOnly => ("auth-users-only", "rfc7644#2", "credentials are checked on /Users only: /Groups, /Bulk, /.search and /Me answer without them", "rfc7644"),
    WritesUnauthenticated => ("writes-unauthenticated", "rfc7644#2", "credentials are checked on reads only: a POST, PUT, PATCH or DELETE is served without them", "insightly"),
    SchemeCaseSensitive => ("scheme-case-sensitive", "rfc7235#2.1", "the auth scheme compares case-sensitively: `bearer …` is 401 where `Bearer …` is served", "insightly"),
    NoChallenge => ("no-www-authenticate", "rfc7235#3.1", "a 401 carries no WWW-Authenticate challenge", "insightly"),
    MediaTypeParamsRefused => ("media-type-params-refused", "rfc7644#3.8", "a request body labelled with a media-type parameter (`application/scim+json; charset=utf-8`, as Entra ID sends) answers 415", "insightly"),
    LocationInternalHost => ("location-internal-host", "rfc7644#3.1", "Location and meta.location name the backend's own host (http://scim-backend.internal:8080), not the base URL the client used", "insightly"),
    ZonelessTimestamps => ("zoneless-timestamps", "rfc7643#2.3.5", "meta.created and meta.lastModified carry no time zone (`2026-12-03T16:47:47.469`)", "insightly"),
    ModifiedBeforeCreated => ("modified-before-created", "rfc7643#3.1", "a new resource's meta.lastModified is an hour before its meta.created", "insightly"),
    JsonContentType => ("json-content-type", "rfc7644#3.8", "responses are labelled application/json", "insightly"),
    SchemasMissing => ("schemas-missing", "insightly.op.schemas", "GET /Schemas answers 404", "insightly"),
    LockedUnderLoad => ("locked-under-load", "finding:concurrency", "a write answers 500 \"database is locked\" while another request is in flight (a SQLite-backed server)", "insightly"),
    SpcDeniesFilter => ("spc-denies-filter", "finding:claims", "ServiceProviderConfig says filter.supported: false, while every filter works", "auto"),
    MaxResultsExceeded => ("max-results-exceeded", "rfc7643#5", "a count above the declared maximum page size is served in full", "insightly"),
    ExternalIdDropped => ("external-id-dropped", "rfc7643#3.1", "externalId is accepted and never stored", "rfc7644"),
    NamePartsDropped => ("name-parts-dropped", "rfc7643#4.1.1", "name.middleName, honorificPrefix and honorificSuffix are accepted and dropped", "rfc7644"),
    PhoneTypeDropped => ("phone-type-dropped", "rfc7643#4.1.2", "phoneNumbers values lose their type", "rfc7644"),
    ActiveAsString => ("active-as-string", "rfc7643#4.1.1", "active is returned as the string \"true\" or \"false\", not a boolean", "insightly"),
    PasswordReturned => ("password-returned", "rfc7643#4.1.1", "the password is returned in responses", "rfc7644"),
    PrimaryNotDemoted => ("primary-not-demoted", "rfc7644#3.5.2", "a PATCH that makes a value primary leaves the old primary value primary too", "rfc7644"),
    PatchAddReplaces => ("patch-add-replaces", "rfc7644#3.5.2.1", "PATCH add to a multi-valued attribute replaces its values instead of adding to them", "rfc7644"),
    ValueFilterIgnored => ("value-filter-ignored", "rfc7644#3.5.2.3", "a value-filtered PATCH path changes every value, not only the matching ones", "rfc7644"),
    RemoveComplexIgnored => ("remove-complex-ignored", "rfc7644#3.5.2.2", "PATCH remove of a complex attribute answers success and leaves it", "rfc7644"),
    RemoveRequiredAccepted => ("remove-required-accepted", "rfc7644#3.5.2.2", "PATCH remove of a required attribute (userName) succeeds", "rfc7644"),
    ReadOnlyApplied => ("read-only-applied", "rfc7644#3.3", "read-only attributes sent on create or PUT are stored", "rfc7644"),
    ImmutableChangeable => ("immutable-changeable", "rfc7644#3.5.1", "an immutable attribute that has a value can be changed", "rfc7644"),
    RequiredNotEnforced => ("required-not-enforced", "rfc7643#4.1.1", "a create without a required attribute succeeds", "insightly"),
    ExtensionDropped => ("extension-dropped", "rfc7643#4.3", "the enterprise extension's attributes are accepted and dropped", "rfc7644"),
    ExtensionNotInSchemas => ("extension-not-in-schemas", "rfc7643#3", "a user with enterprise attributes does not list the extension's URN in `schemas`", "rfc7644"),
    PatchPathCaseSensitive => ("patch-path-case-sensitive", "rfc7644#3.5.2", "a PATCH path's attribute names compare case-sensitively: `NAME.GIVENNAME` and `Title` are 400 invalidPath", "rfc7644"),
    PatchOpsReversed => ("patch-ops-reversed", "rfc7644#3.5.2", "a PATCH's operations are applied last first: of two replaces of one attribute, the first wins", "rfc7644"),
    DottedKeysIgnored => ("dotted-keys-ignored", "rfc7644#3.5.2.3", "a path-less replace skips the dotted keys of its value (`\"name.givenName\": \"…\"`, as Entra ID's 2020 dialect sends)", "rfc7644"),
    NullRefRefused => ("null-ref-refused", "rfc7643#2.5", "a member sent with `\"$ref\": null` (as Entra ID sends it) is 400 invalidValue, not read as unassigned", "rfc7644"),
    PathlessIdRefused => ("pathless-id-refused", "rfc7644#3.5.2.3", "a path-less replace carrying the resource's own read-only `id` (as Okta renames a group) is 400 mutability", "rfc7644"),
    UrnPathRejected => ("urn-path-rejected", "rfc7644#3.5.2", "a PATCH path behind an extension's URN is 400 invalidPath", "rfc7644"),
    UnknownEndpointHtml => ("unknown-endpoint-html", "rfc7644#3.12", "an unknown endpoint answers 404 with an HTML page", "insightly"),
    OddId500 => ("odd-id-500", "rfc7644#3.12", "an id that is not a UUID gets 500 with a plain-text body", "insightly"),
    DiscoveryWritable => ("discovery-writable", "rfc7644#3.12", "a method an endpoint does not serve (POST, PUT, PATCH or DELETE on /Schemas, /ResourceTypes or /ServiceProviderConfig) answers 200", "insightly"),
    MalformedUpdate500 => ("malformed-update-500", "rfc7644#3.12", "malformed JSON in a PUT or PATCH answers 500", "insightly"),
    SchemaByIdDiffers => ("schema-by-id-differs", "rfc7644#4", "GET /Schemas/{urn} omits an attribute its /Schemas entry lists", "insightly"),
    DefinitionsIncomplete => ("definitions-incomplete", "rfc7643#7", "attribute definitions in /Schemas lack `multiValued`", "insightly"),
    ResourceTypesBare => ("resource-types-bare", "rfc7644#4", "/ResourceTypes answers a bare JSON array, not a ListResponse", "rfc7644"),
    ProjectionIgnored => ("projection-ignored", "rfc7644#3.9", "`attributes` and `excludedAttributes` are ignored on GET and in lists", "rfc7644"),
    WriteUnprojected => ("write-unprojected", "rfc7644#3.9", "the answers of POST, PUT and PATCH ignore `attributes` and `excludedAttributes`", "rfc7644"),
    AlwaysExcludable => ("always-excludable", "rfc7644#3.4.2.5", "`excludedAttributes=id` removes `id`, which is returned always", "rfc7644"),
    RequestReturnedByDefault => ("request-returned-by-default", "rfc7643#7", "an attribute declared `returned: request` is returned without being asked for", "rfc7644"),
    SortOrderIgnored => ("sort-order-ignored", "rfc7644#3.4.2.3", "`sortOrder=descending` sorts ascending", "rfc7644"),
    SortCaseSensitive => ("sort-case-sensitive", "rfc7644#3.4.2.3", "case-insensitive attributes sort case-sensitively", "rfc7644"),
    SearchIgnoresFilter => ("search-ignores-filter", "rfc7644#3.4.3", "POST .search ignores the filter in its body", "rfc7644"),
    EtagHeaderMissing => ("etag-header-missing", "rfc7644#3.14", "no ETag header on resource answers", "rfc7644"),
    EtagFrozen => ("etag-frozen", "rfc7644#3.14", "meta.version and the ETag stay the same when the resource changes", "rfc7644"),
    IfNoneMatchIgnored => ("if-none-match-ignored", "rfc7232#3.2", "a GET whose If-None-Match names the current version answers 200 with the resource", "rfc7644"),
    IfMatchIgnored => ("if-match-ignored", "rfc7232#3.1", "a write whose If-Match names an older version is applied", "rfc7644"),
    BulkOneResult => ("bulk-one-result", "rfc7644#3.7.3", "a Bulk job answers one result for all its operations", "rfc7644"),
    BulkIdUnresolved => ("bulk-id-unresolved", "rfc7644#3.7.2", "`bulkId:` references are stored as written, not replaced by the new ids", "rfc7644"),
    BulkLimitsIgnored => ("bulk-limits-ignored", "rfc7644#3.7.4", "a Bulk job over maxOperations or maxPayloadSize is processed, not 413", "rfc7644"),
    FailOnErrorsIgnored => ("fail-on-errors-ignored", "rfc7644#3.7.3", "`failOnErrors` is ignored: every operation runs", "rfc7644"),
    MeNotFound => ("me-not-found", "rfc7644#3.11", "/Me answers 404 instead of 501", "insightly"),
    PasswordChangeRejected => ("password-change-rejected", "rfc7643#5", "a PATCH of the password is refused although changePassword is declared", "rfc7644"),
    MembersDropped => ("members-dropped", "rfc7643#4.2", "a Group's members are accepted and dropped", "rfc7644"),
    MembersCapped => ("members-capped", "rfc7643#4.2", "a Group keeps its first 100 members and drops the rest", "rfc7644"),
    MemberRemoveIgnored => ("member-remove-ignored", "rfc7644#3.5.2.2", "PATCH remove of members[value eq ...] answers success and removes nothing", "rfc7644"),
    LostUpdate => ("lost-update", "rfc7644#3.5.2", "PATCH on a Group reads, waits, then writes: concurrent changes are lost", "rfc7644"),
    UserGroupsStale => ("user-groups-stale", "rfc7643#4.1.2", "a User's groups attribute keeps listing the groups it has left", "rfc7644"),
    UserGroupsWritable => ("user-groups-writable", "rfc7643#4.1.2", "a PATCH adding to a User's read-only groups makes it a member", "rfc7644"),
    UnknownMember500 => ("unknown-member-500", "rfc7644#3.12", "a member that is no resource of the server gets a 500", "rfc7644"),
    GroupFilterIgnored => ("group-filter-ignored", "rfc7644#3.4.2.2", "a Group list ignores its filter (a lookup by displayName finds every group)", "rfc7644"),
    DuplicateMembers => ("duplicate-members", "rfc7644#3.5.2.1", "an add of a member already there lists it twice", "rfc7644"),
    DisplayNameCaseSensitive => ("display-name-case-sensitive", "rfc7644#3.4.2.2", "displayName eq compares case-sensitively (the lookup before a group is created misses it)", "rfc7644"),
    // Where real servers break identity-provider clients: caught by the
    // client flows that send the request (`run --client`).
    StringBooleansRejected => ("string-booleans-rejected", "client:entra", "a boolean sent as a string (Entra's `\"value\": \"False\"`) is 400 invalidValue", "insightly", ["entra"]),
    CapitalisedOpsRefused => ("capitalised-ops-refused", "client:entra", "PATCH ops compare case-sensitively: `Replace`, `Add`, `Remove` are 400 (Entra's validator sends `Add` whatever the tenant's flag)", "insightly", ["entra", "entra-2020"]),
    ValuePathAddNoTarget => ("value-path-add-notarget", "client:entra", "an `add` to a value-filtered path that matches nothing is 400 noTarget instead of creating the value", "insightly", ["entra"]),
    GroupLookupExcludedIgnored => ("group-lookup-excluded-ignored", "client:entra", "`excludedAttributes=members` is ignored on group lookups: every member comes back", "insightly", ["entra", "entra-2020"]),
    EmptyResult404 => ("empty-result-404", "client:entra", "a filter that matches nothing answers 404 instead of an empty ListResponse", "insightly", ["entra", "entra-2020", "okta", "okta-put", "onelogin"]),
    // What the vendors' validators fail though the client itself copes
    // (certification, not provisioning: `run --client okta` says which).
    ErrorDetailMissing => ("error-detail-missing", "client:okta", "error answers carry no `detail` (RFC 7644 §3.12 makes it optional; Okta's SPEC test requires it on 401 and 404)", "insightly", ["okta", "okta-put"]),
    SchemelessAuthorization400 => ("schemeless-authorization-400", "client:okta", "an Authorization header without a scheme (`non-token`) answers 400 instead of 401", "insightly", ["okta", "okta-put"]),
    JsonBodyRefused => ("json-body-refused", "client:okta", "a request body labelled `Content-Type: application/json` answers 415", "insightly", ["okta", "okta-put"]),
    ListsWithoutName => ("lists-without-name", "client:okta", "users in a ListResponse come without `name` (only a GET by id returns it)", "insightly", ["okta", "okta-put"]),
    SubAttributeFilterRefused => ("sub-attribute-filter-refused", "client:entra", "a filter with a sub-attribute after a value path (Entra's `emails[type eq \"work\"].value eq \"…\"`) answers 400 invalidFilter", "insightly", ["entra", "entra-2020"]),
    UserNameRenameRefused => ("user-name-rename-refused", "client:entra", "a PATCH that replaces userName answers 400 mutability", "insightly", ["entra"]),
    ActivePatchIgnored => ("active-patch-ignored", "client:entra", "a PATCH of `active` answers success and leaves the user as it was", "insightly", ["entra", "entra-2020", "okta", "okta-put"]),
    GroupPagingStrings => ("group-paging-strings", "client:okta", "a Group list's totalResults, startIndex and itemsPerPage are JSON strings", "insightly", ["entra", "entra-2020", "okta", "onelogin"]),
    GivenNameFrozen => ("given-name-frozen", "client:okta", "a PUT keeps name.givenName as it was created", "insightly", ["okta", "okta-put"]),
    GroupDuplicateAccepted => ("group-duplicate-accepted", "client:entra", "a second group with a displayName already taken is created (Entra ID matches groups by displayName and requires it unique)", "insightly", ["entra"]),
    RedeleteSucceeds => ("redelete-succeeds", "client:entra", "a DELETE of a group the server no longer holds answers 204 instead of 404", "insightly", ["entra"]),
    ManagerNameRefused => ("manager-name-refused", "client:onelogin", "a create or PUT carrying the enterprise manager's displayName (readOnly, RFC 7643 §4.3) answers 400 mutability instead of ignoring it", "insightly", ["onelogin"]),
    BareManagerRefused => ("bare-manager-refused", "client:entra", "a PATCH of the enterprise manager with the manager's bare id as its value (as Entra ID's SCIM Validation Logic App sends it) answers 400 invalidValue, and an empty string does not remove it", "insightly", ["entra", "entra-2020"]),
    EmptyStringRefused => ("empty-string-refused", "client:entra", "a PATCH replace with an empty string as its value (as Entra ID's SCIM Validation Logic App empties an optional attribute) answers 400 invalidValue", "insightly", ["entra", "entra-2020"]),
    StartIndexUnechoed => ("start-index-unechoed", "client:entra", "a ListResponse says `startIndex: 1` whatever page it serves (Entra ID's SCIM Validation Logic App checks the echo on every page)", "insightly", ["entra", "entra-2020"]),
    ExternalIdUnlisted => ("external-id-unlisted", "client:entra", "/Schemas leaves out the common attribute externalId (RFC 7643 §3.1 allows it; Entra's SCIM Validation Logic App fails a mapped attribute it cannot find there)", "insightly", ["entra", "entra-2020"]),
    ManagerListRefused => ("manager-list-refused", "client:entra", "a PATCH of the enterprise manager with a list of one `{\"$ref\", \"value\"}` (as Entra ID's provisioning documents it) answers 400 invalidValue", "insightly", ["entra"]),
    ManagerFilterRefused => ("manager-filter-refused", "client:entra", "a filter naming the enterprise `manager` without its URN (Entra ID's `id eq \"…\" and manager eq \"…\"`, asking whether a user's manager is already set) answers 400 invalidFilter", "insightly", ["entra"]),
    PastEndItemsPerPage => ("past-end-items-per-page", "client:okta", "a page past the last result (Okta's `startIndex=101&count=100` with fewer users) says itemsPerPage is the count asked for, not the 0 it returns", "insightly", ["okta", "okta-put"]),
    UnpagedList400 => ("unpaged-list-400", "client:onelogin", "a list request with no filter, startIndex or count answers 400 tooMany", "insightly", ["onelogin"]),
    // The SCIM Interoperability Profile's rules, stricter than the RFC's
    // (served under `--profile scim-interop`).
    InteropFlagMissing => ("interop-flag-missing", "doc:scim-interop-02#scope-and-conformance", "ServiceProviderConfig omits interopProfileConformant", "scim-interop"),
    ResourceTypeIdDiffers => ("resource-type-id-differs", "doc:scim-interop-02#discovery-endpoints", "a ResourceType's id is not its name (`user` for `User`)", "scim-interop"),
    CanonicalValuesMissing => ("canonical-values-missing", "doc:scim-interop-02#canonical-values-for-typed-attributes", "/Schemas declares no canonicalValues for emails.type", "scim-interop"),
    UnknownAttributeDropped => ("unknown-attribute-dropped", "doc:scim-interop-02#attribute-and-schema-handling", "an attribute or schema URN the server does not define is dropped, not rejected", "scim-interop"),
    PathlessPatchAccepted => ("pathless-patch-accepted", "doc:scim-interop-02#mandatory-use-of-the-path-attribute", "a PATCH operation without a path is applied, not rejected", "scim-interop"),
    ComplexReplaceMerges => ("complex-replace-merges", "doc:scim-interop-02#singular-attributes-simple-and-complex", "a replace of a whole complex attribute keeps the sub-attributes it omits", "scim-interop"),
    ExternalIdCaseInsensitive => ("external-id-case-insensitive", "doc:scim-interop-02#case-sensitivity", "externalId eq compares ignoring case", "scim-interop"),
    UserNameAddressable => ("user-name-addressable", "doc:scim-interop-02#endpoint-structure", "GET /Users/{userName} answers the user", "scim-interop"),
    UserNameKeptAfterDelete => ("user-name-kept-after-delete", "doc:scim-interop-02#resource-lifecycle", "a deleted user's userName stays taken: a new user with it gets 409", "scim-interop"),
    UnknownFilterAttributeEmpty => ("unknown-filter-attribute-empty", "doc:scim-interop-02#filtering", "a filter on an attribute no schema defines answers an empty list, not 400 invalidFilter", "scim-interop"),
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

/// A name that is not in the catalogue.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown fault `{name}`{hint} (see `scimcheck serve --list-faults`)")]
pub struct UnknownFault {
    pub name: String,
    /// `, did you mean …?`, or nothing.
    hint: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Fault, UnknownFault> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| UnknownFault {
                name: name.to_string(),
                hint: crate::diag::hint(name, Fault::ALL.iter().map(|f| f.name())),
            })
    }
}
