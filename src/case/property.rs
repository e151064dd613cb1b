//! The registry of properties, as one table: the name a case file gives
//! after `property:`, whether the property creates resources (a read-only
//! run skips those), and the runner's function that explores it. The table
//! makes the [`Property`] enum and the `explore!` macro the runner expands
//! where those functions are in scope (`run::property`), so that a property
//! is added in one line and none can be named without a check behind it.

/// One line per property: `Variant = "name", creates | reads, module::function;`.
macro_rules! properties {
    ($d:tt $( $variant:ident = $name:literal, $effect:ident, $($check:ident)::+ ; )+) => {
        crate::named! {
            /// A property a case file can name with `property:`.
            pub enum Property {
                $( $variant = $name ),+
            }
        }

        impl Property {
            /// Whether the property creates a population (most do; some only read).
            pub fn creates_resources(self) -> bool {
                match self {
                    $( Property::$variant => properties!(@creates $effect) ),+
                }
            }
        }

        /// `explore!(property, env)`: the call of the property's check, in
        /// the module that holds the checks.
        macro_rules! explore {
            ($d property:expr, $d env:expr) => {
                match $d property {
                    $( $crate::case::Property::$variant => $($check)::+ ($d env) ),+
                }
            };
        }
        pub(crate) use explore;
    };
    (@creates creates) => { true };
    (@creates reads) => { false };
}

properties! { $
    PagingWalk = "paging.walk", creates, explored::paging::walk;
    PagingWindow = "paging.window", creates, explored::paging::window;
    PagingMaxPageSize = "paging.max-page-size", reads, explored::max_results::max_page_size;
    FilterEqAnyCase = "filter.eq-any-case", creates, explored::filter::eq_any_case;
    FilterEqNotSubstring = "filter.eq-not-substring", creates, explored::filter::eq_not_substring;
    FilterEscaping = "filter.escaping", creates, explored::filter::escaping;
    FilterNoMatch = "filter.no-match", reads, explored::filter::no_match;
    FilterNameCase = "filter.name-case", creates, explored::filter::name_case;
    FilterExpressions = "filter.expressions", creates, explored::filter::expressions;
    FilterUnsupported = "filter.unsupported", reads, explored::filter::unsupported;
    SchemaRoundTrip = "schema.round-trip", creates, generated::schema::round_trip;
    SchemaReadOnly = "schema.read-only", creates, generated::schema::read_only;
    SchemaImmutable = "schema.immutable", creates, generated::schema::immutable;
    SchemaNeverReturned = "schema.never-returned", creates, generated::schema::never_returned;
    SchemaRequired = "schema.required", creates, generated::schema::required;
    DiscoveryById = "discovery.by-id", reads, generated::discovery::by_id;
    DiscoveryDefinitions = "discovery.definitions", reads, generated::discovery::definitions;
    SchemaReturnedRequest = "schema.returned-request", creates, generated::schema::returned_request;
    ProjectionSubsets = "projection.subsets", creates, explored::projection::subsets;
    SortOrder = "sort.order", creates, explored::sort::order;
    SearchSameAsGet = "search.same-as-get", creates, explored::search::same_as_get;
    EtagSequence = "etag.sequence", creates, explored::etag::sequence;
    BulkLimits = "bulk.limits", creates, generated::bulk::limits;
    GroupsUserGroups = "groups.user-groups", creates, generated::groups::user_groups;
    GroupsLarge = "groups.large", creates, generated::groups::large;
    GroupsConcurrent = "groups.concurrent", creates, generated::groups::concurrent;
    GroupsMembership = "groups.membership", creates, explored::membership::membership;
}
